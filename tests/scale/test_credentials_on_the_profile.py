"""Content Credentials on the production profile: gunicorn's worker processes racing to sign the
same asset on PostgreSQL make one copy in the bucket, and what the signed URL serves validates."""

import io
from concurrent.futures import ThreadPoolExecutor

import c2pa
import pytest
import requests

from apps.assets.credentials import SPEC_PREFIX
from apps.assets.models import Rendition

from .test_scale_profile import bucket, uploaded_asset_id

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_racing_downloads_make_one_credentialed_copy_in_the_bucket(rest):
    asset_id = uploaded_asset_id(rest, "Signed", 1600, 900)

    def download(_):
        answer = rest.get(f"/api/v1/assets/{asset_id}/file/?credentials=1", allow_redirects=False)
        assert answer.status_code == 302, answer.text
        return requests.get(answer.headers["Location"], timeout=30).content

    with ThreadPoolExecutor(6) as pool:
        copies = list(pool.map(download, range(6)))

    for data in copies:
        with c2pa.Reader("image/png", io.BytesIO(data)) as reader:
            assert reader.get_validation_state() == "Valid"
    [copy] = Rendition.objects.filter(asset_id=asset_id, spec__startswith=SPEC_PREFIX)
    s3, name = bucket()
    stem = copy.file.name.rsplit(".", 3)[0]
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=name, Prefix=stem)["Contents"]]
    assert [key for key in keys if SPEC_PREFIX.replace(":", "-") in key] == [copy.file.name]  # the losers removed theirs
