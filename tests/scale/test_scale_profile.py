"""The production profile end to end: gunicorn serving the API, two Celery worker processes on
Redis, PostgreSQL, the emulator as its own process, files in a private S3 bucket, downloads through
signed URLs that work and then expire."""

import hashlib
import io
import time

import boto3
import pytest
import requests
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from PIL import Image

from apps.assets.models import Asset, Rendition
from apps.gemini import catalogue
from tests.images import image_bytes
from tests.waiting import wait_for

from .conftest import FIGURES

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def bucket():
    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client("s3", endpoint_url=options["endpoint_url"], region_name=options["region_name"])
    return client, options["bucket_name"]


def uploaded_asset_id(rest, project_name: str, width: int, height: int) -> str:
    """A new project holding one uploaded PNG, over REST; the asset's id."""
    project = rest.post("/api/v1/projects/", {"name": project_name}).json()
    uploaded = rest.session.post(
        f"{rest.base_url}/api/v1/projects/{project['id']}/assets/", files={"image": ("u.png", image_bytes(width, height), "image/png")}, timeout=30
    )
    assert uploaded.status_code == 201, uploaded.text
    return uploaded.json()["id"]


def test_the_profile_is_postgresql_redis_and_a_private_bucket(gunicorn):
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert settings.FILES_SERVED_BY_SIGNED_URL
    cache.set("scale-probe", "shared", 30)
    assert cache.get("scale-probe") == "shared"

    ready = requests.get(gunicorn.url + "/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert all(check["ok"] for check in ready.json()["checks"].values())
    assert "Server" in ready.headers and "gunicorn" in ready.headers["Server"]
    metrics = requests.get(gunicorn.url + "/metrics", timeout=10)
    assert metrics.status_code == 200
    assert 'brand_queue_depth{queue="generations"}' in metrics.text


def test_generations_end_to_end_on_gunicorn_two_workers_and_a_bucket(rest, rest_as, start_emulator, start_workers):
    emulator = start_emulator(latency=0.5)
    workers = start_workers(2, base_url=emulator.base_url, concurrency=2)
    project = rest.post("/api/v1/projects/", {"name": "Scale"}).json()
    started = time.monotonic()
    ids = []
    for n in range(8):
        created = rest.post(
            f"/api/v1/projects/{project['id']}/generations/",
            {"prompt": f"a bottle on a table, take {n}", "model": "nano-banana-2", "aspect_ratio": "16:9", "image_size": "1K"},
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    jobs = [rest.wait_for_job(job_id, timeout=90) for job_id in ids]
    took = time.monotonic() - started

    assert [job["status"] for job in jobs] == ["succeeded"] * 8, [job["error"] for job in jobs]
    assert len(emulator.requests_log()) == 8
    served_by = {
        w.name: sum("generations.run[" in line and "succeeded in" in line for line in w.log_path.read_text().splitlines())
        for w in workers
    }
    assert all(count > 0 for count in served_by.values()), served_by  # both worker processes took jobs

    # Every image and its thumbnail (made after the job by a worker's renditions queue) is an object
    # in the bucket, with the bytes the row describes.
    wait_for(lambda: Rendition.objects.filter(asset__generation_id__in=ids).count() == len(ids))
    s3, name = bucket()
    for job in jobs:
        [listed] = job["assets"]
        asset = Asset.objects.get(pk=listed["id"])
        head = s3.head_object(Bucket=name, Key=asset.file.name)
        assert head["ContentLength"] == asset.size_bytes
        thumbnail = Rendition.objects.get(asset=asset)
        assert s3.head_object(Bucket=name, Key=thumbnail.file.name)["ContentLength"] == thumbnail.size_bytes
    FIGURES.append(
        f"end to end: 8 jobs on gunicorn + 2 worker processes + PostgreSQL + Redis + S3 in {took:.1f} s; "
        f"jobs per worker {served_by}"
    )

    # Downloads: a member is redirected to a signed URL that works, then expires.
    asset = Asset.objects.get(pk=jobs[0]["assets"][0]["id"])
    answer = rest.get(f"/api/v1/assets/{asset.pk}/file/", allow_redirects=False)
    assert answer.status_code == 302
    signed = answer.headers["Location"]
    assert signed.startswith(settings.STORAGES["default"]["OPTIONS"]["endpoint_url"])
    assert f"X-Amz-Expires={settings.SIGNED_URL_SECONDS}" in signed
    assert int(answer.headers["Cache-Control"].rsplit("=", 1)[1]) < settings.SIGNED_URL_SECONDS
    fetched_at = time.monotonic()
    download = requests.get(signed, timeout=10)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == asset.sha256
    assert Image.open(io.BytesIO(download.content)).size == catalogue.pixel_size("16:9", "1K")
    thumb = requests.get(rest.get(f"/api/v1/assets/{asset.pk}/thumbnail/", allow_redirects=False).headers["Location"], timeout=10)
    assert thumb.status_code == 200 and Image.open(io.BytesIO(thumb.content)).format == "WEBP"

    # The bucket is private: the bare object URL is refused, and so is a tampered signature.
    assert requests.get(signed.split("?", 1)[0], timeout=10).status_code == 403
    assert requests.get(signed.replace("X-Amz-Expires=", "X-Amz-Expires=9"), timeout=10).status_code == 403
    # An outsider gets 404 from the API, never a URL.
    outsider = rest_as(rest.post("/api/v1/projects/", {"name": "Other"}).json()["id"], "owner")
    assert outsider.get(f"/api/v1/assets/{asset.pk}/file/", allow_redirects=False).status_code == 404

    time.sleep(max(0.0, settings.SIGNED_URL_SECONDS + 1.5 - (time.monotonic() - fetched_at)))
    expired = requests.get(signed, timeout=10)
    assert expired.status_code == 403 and b"Request has expired" in expired.content
    fresh = rest.get(f"/api/v1/assets/{asset.pk}/file/")  # asking the API again gives a new URL
    assert fresh.status_code == 200 and hashlib.sha256(fresh.content).hexdigest() == asset.sha256
