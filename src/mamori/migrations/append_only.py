"""Triggers that make a table append-only, on PostgreSQL and SQLite alike."""

from __future__ import annotations

from alembic import op


def append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on an append-only table, on PostgreSQL and SQLite alike."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION mamori_refuse_change() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP; END; $$ "
            "LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mamori_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}: {verb} refused'); END"
            )
