# The gallery's search by title (`title__icontains`) through a trigram index on PostgreSQL;
# nothing on SQLite. See apps/core/search_indexes.py.
from django.db import migrations

from apps.core.search_indexes import add_trigram_index


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("assets", "0009_perf_tag_project")]

    operations = [add_trigram_index("assets.Asset", "title", "asset_title_trgm")]
