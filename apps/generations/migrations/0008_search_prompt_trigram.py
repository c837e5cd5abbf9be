# The gallery's search by prompt (`prompt__icontains`) through a trigram index on PostgreSQL;
# nothing on SQLite. See apps/core/search_indexes.py.
from django.db import migrations

from apps.core.search_indexes import add_trigram_index


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [("generations", "0007_perf_orphan_sweep")]

    operations = [add_trigram_index("generations.Generation", "prompt", "generation_prompt_trgm")]
