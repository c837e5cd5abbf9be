"""Item 2 of issue 18: request bodies are capped before they are read, uploads past the byte limit
are 413s without being held in memory, and decoding is bounded."""

import io
import sys
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from apps.assets.models import Asset
from apps.library.models import ReferenceImage
from tests.factories import LibraryEntryFactory
from tests.images import image_bytes

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


class LazyMultipart(io.RawIOBase):
    """A multipart body of `size` bytes of file content made on demand: nothing here holds it."""

    def __init__(self, size: int, boundary: str = "capboundary"):
        self.head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.png\"\r\n"
                     "Content-Type: image/png\r\n\r\n").encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.remaining = size
        self.length = len(self.head) + size + len(self.tail)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.served = 0

    def readable(self):
        return True

    def read(self, n=-1):
        n = 64 * 1024 if n is None or n < 0 else n
        if self.head:
            out, self.head = self.head[:n], self.head[n:]
        elif self.remaining:
            out = b"\0" * min(n, self.remaining)
            self.remaining -= len(out)
        else:
            out, self.tail = self.tail[:n], self.tail[n:]
        self.served += len(out)
        return out


def wsgi_post(path: str, body: LazyMultipart, headers: dict, content_length: int | None = None):
    """The request as a WSGI server hands it to Django: the body is a stream, read only on demand."""
    status = {}
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
        "HTTP_HOST": "localhost", "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": body.content_type, "CONTENT_LENGTH": str(content_length or body.length), "REMOTE_ADDR": "127.0.0.1",
        **headers,
    }
    # As Django's test client does: keep the test's database connection open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda code, response_headers, *_: status.setdefault("code", int(code.split()[0])))
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status["code"], content


@pytest.fixture
def token_header(editor):
    return {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=editor).key}"}


def test_a_60_mib_upload_is_a_413_and_never_in_memory(project, token_header, settings):
    wsgi_post(f"/api/v1/projects/{project.id}/assets/", LazyMultipart(1024), token_header)  # imports done before measuring
    body = LazyMultipart(60 * MIB)
    tracemalloc.start()
    try:
        code, content = wsgi_post(f"/api/v1/projects/{project.id}/assets/", body, token_header)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 413, content
    assert b'"too_large"' in content and f"{settings.UPLOAD_MAX_BYTES:,} bytes".encode() in content
    assert body.served < settings.UPLOAD_MAX_BYTES + 2 * MIB  # reading stopped at the cap, not at 60 MiB
    assert peak < 8 * MIB, f"peak Python allocation {peak / MIB:.1f} MiB"
    assert not Asset.objects.exists()


def test_a_declared_length_past_the_request_cap_is_refused_before_reading(project, token_header, settings):
    body = LazyMultipart(1024)
    code, content = wsgi_post(f"/api/v1/projects/{project.id}/assets/", body, token_header, content_length=settings.REQUEST_MAX_BYTES + 1)
    assert code == 413 and b"The request body" in content
    assert body.served == 0


def test_the_library_page_refuses_a_file_past_the_limit_with_a_413_page(client, editor, project, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    entry = LibraryEntryFactory(project=project)
    client.force_login(editor)
    response = client.post(f"/library/{entry.pk}/images/", {"images": [SimpleUploadedFile("big.png", b"\0" * 60_000)]})
    assert response.status_code == 413
    assert "the limit is 50,000 bytes" in response.content.decode()
    assert not ReferenceImage.objects.exists()


def test_an_upload_at_the_byte_limit_is_accepted(api, editor, project, settings):
    data = image_bytes(300, 200)
    settings.UPLOAD_MAX_BYTES = len(data)
    response = api(editor).post(f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("a.png", data)}, format="multipart")
    assert response.status_code == 201, response.json()


def test_pillow_refuses_to_decode_past_the_pixel_limit_anywhere():
    from django.conf import settings
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS == settings.UPLOAD_MAX_PIXELS
