"""A manifest whose lines wait in a temporary file reads, in the zip, exactly as one written at once."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from apps.core.downloads import JsonListSpool, ZipEntry, zip_stream

HEAD = {"project": {"id": "p1", "name": "Brand"}, "exported_at": datetime.datetime(2026, 11, 26, 13, 0), "review_status": None}


@pytest.mark.parametrize("items", [[], [{"id": "a1", "parents": [], "reviews": [{"decision": "approve"}]}], [{"id": "a1"}, {"id": "a2", "size": 3}]])
def test_a_spooled_manifest_reads_as_the_whole_document(items):
    def entries():
        with JsonListSpool("assets") as lines:
            for item in items:
                yield ZipEntry(f"assets/{item['id']}.txt", data=item["id"].encode())
                lines.append(item)
            yield ZipEntry("manifest.json", chunks=lines.chunks(HEAD))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(entries()))))

    assert archive.read("manifest.json").decode() == json.dumps({**HEAD, "assets": items}, cls=DjangoJSONEncoder, indent=2)
    assert [i.filename for i in archive.infolist()] == [*(f"assets/{item['id']}.txt" for item in items), "manifest.json"]
