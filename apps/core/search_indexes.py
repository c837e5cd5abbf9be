"""Trigram indexes for the substring searches (`icontains`) on PostgreSQL.

Django writes `field__icontains=word` on PostgreSQL as `UPPER("column"::text) LIKE UPPER('%word%')`,
which no B-tree can serve: without help every search reads the whole table. A GIN index of
pg_trgm's trigrams over exactly that expression, `UPPER("column")`, serves it for any word of three
characters or more (a shorter word has no trigram to look up, so it is matched as a filter on rows
found otherwise, see apps.assets.selectors.asset_list).

The index lives only in the database, not in the models' state: SQLite (the embedded database)
has neither GIN nor pg_trgm, and it rebuilds tables from the models' state when a later migration
alters one, so an index declared in Meta.indexes would break there. The operation does nothing on
SQLite. On PostgreSQL it creates the extension (pg_trgm is a trusted extension: the database's
owner may create it) and builds the index CONCURRENTLY, so an upgrade of a large project does not
stop jobs from being written while it builds; the migration must therefore be non-atomic.
"""

from django.db.migrations import RunPython


def trigram_index_sql(table: str, column: str, name: str, quote=lambda name: f'"{name}"') -> str:
    """CREATE INDEX for the expression `icontains` compares, UPPER(column), with trigram operators.

    Written out rather than as GinIndex(OpClass(Upper(field), name="gin_trgm_ops")): Django only
    places an OpClass after an expression correctly once django.contrib.postgres is installed
    (its ready() registers the wrapper), which this project does not need otherwise; without it the
    statement comes out as `((UPPER("title") gin_trgm_ops))`, which PostgreSQL refuses."""
    return f"CREATE INDEX CONCURRENTLY {quote(name)} ON {quote(table)} USING gin (UPPER({quote(column)}) gin_trgm_ops)"


def add_trigram_index(model: str, field: str, name: str) -> RunPython:
    """A migration operation: the trigram index of `model`'s ("app_label.Model") `field` on
    PostgreSQL, nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # A concurrent build that failed leaves an invalid index under the name: start clean.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")
        meta = apps.get_model(model)._meta
        schema_editor.execute(trigram_index_sql(meta.db_table, meta.get_field(field).column, name, schema_editor.quote_name))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")

    return RunPython(forwards, backwards, elidable=False)
