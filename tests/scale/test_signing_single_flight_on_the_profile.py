"""One signing per asset and copy across gunicorn's processes (the lock lives in Redis): eight
parallel first requests for a 4K image's credentials sign it once; the others get its copy or a
503 signing_in_progress with Retry-After."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from .test_scale_profile import uploaded_asset_id

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_parallel_first_requests_sign_a_4k_image_once(rest, gunicorn):
    asset_id = uploaded_asset_id(rest, "Single flight", 3840, 2160)

    def download(_):
        return rest.get(f"/api/v1/assets/{asset_id}/file/?credentials=1", allow_redirects=False)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(download, range(8)))

    for answer in answers:
        assert answer.status_code in (302, 503), answer.text
        if answer.status_code == 503:
            assert answer.json()["error"]["code"] == "signing_in_progress" and int(answer.headers["Retry-After"]) >= 1
    assert any(answer.status_code == 302 for answer in answers)
    signed = gunicorn.log_path.read_text(errors="replace").count(f"signed Content Credentials for asset {asset_id}")
    assert signed == 1, [(answer.status_code, answer.elapsed.total_seconds()) for answer in answers]
