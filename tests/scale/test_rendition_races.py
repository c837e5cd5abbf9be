"""Thumbnails on the production profile: requests racing the renditions worker for one asset's
thumbnail, in gunicorn's processes on PostgreSQL, leave one row and one file in the bucket."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from apps.assets.models import Rendition

from .test_scale_profile import bucket, uploaded_asset_id

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_racing_thumbnail_requests_make_one_thumbnail_in_the_bucket(rest):
    asset_id = uploaded_asset_id(rest, "Thumbnails", 3000, 2000)

    def thumbnail(_):
        answer = rest.get(f"/api/v1/assets/{asset_id}/thumbnail/", allow_redirects=False)
        assert answer.status_code == 302, answer.text
        return requests.get(answer.headers["Location"], timeout=30).content

    with ThreadPoolExecutor(6) as pool:
        served = set(pool.map(thumbnail, range(6)))

    [row] = Rendition.objects.filter(asset_id=asset_id)
    assert len(served) == 1  # every request got the one kept thumbnail
    s3, name = bucket()
    stem = row.file.name.split(".thumb-")[0]
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=name, Prefix=stem)["Contents"]]
    assert [key for key in keys if ".thumb-" in key] == [row.file.name]  # the losers removed theirs
    assert s3.get_object(Bucket=name, Key=row.file.name)["Body"].read() == served.pop()
    assert (row.width, row.height) == (384, 256)
