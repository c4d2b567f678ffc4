"""a schema every dialect keeps alike: lengths the services accept, UTC timestamps, both circular foreign keys

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

* ``String(n)`` columns as long as what the services accept (the owner took 5,000
  characters into ``String(100)``; SQLite never checked, PostgreSQL refuses).
* Timestamps are instants stored in UTC (``DateTime(timezone=True)``). SQLite keeps
  them as text without an offset: the local wall-clock times written before are
  rewritten as UTC (the program reads them back in the local zone).
* ``document.current_version_id`` and ``item.current_revision_id`` close a cycle
  and are declared ``use_alter``: ``create_table`` in 0001 left them out on every
  dialect that has ``ALTER TABLE … ADD CONSTRAINT`` (SQLite kept them inline).
  They are added where missing.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, column, length before, length now); NOT NULL everywhere
WIDER = (
    ('profile', 'phone', 100, 200),
    ('document', 'doc_number', 100, 5000),
    ('document', 'issuer', 200, 5000),
    ('document', 'source_text', 200, 5000),
    ('catalogue_version', 'doc_number', 100, 5000),
    ('catalogue_version', 'issuer', 200, 5000),
    ('item_revision', 'unit', 40, 5000),
    ('assessment', 'owner', 100, 5000),
    ('indicator', 'unit', 40, 5000),
    ('indicator', 'category', 100, 5000),
)
# (table, column, nullable)
TIMESTAMPS = (
    ('catalogue_version', 'imported_at', False),
    ('item', 'retired_at', True),
    ('assessment', 'updated_at', True),
    ('change_log', 'at', False),
    ('evidence_file', 'stored_at', False),
    ('evidence_link', 'file_mtime', True),
    ('evidence_link', 'added_at', False),
    ('annual_report', 'updated_at', True),
    ('annual_section', 'updated_at', True),
    ('statistic_value', 'updated_at', True),
    ('evidence_trash', 'file_mtime', True),
    ('evidence_trash', 'added_at', False),
    ('evidence_trash', 'removed_at', False),
)
CYCLE_FKS = (
    ('fk_document_current_version_id_catalogue_version', 'document', 'catalogue_version', 'current_version_id'),
    ('fk_item_current_revision_id_item_revision', 'item', 'item_revision', 'current_revision_id'),
)
SQLITE_FORMAT = '%Y-%m-%d %H:%M:%S.%f'  # SQLAlchemy's text form of a DATETIME on SQLite


def _lengths(new: bool) -> None:
    tables: dict[str, list[tuple[str, int, int]]] = {}
    for table, column, before, now in WIDER:
        tables.setdefault(table, []).append((column, before, now) if new else (column, now, before))
    for table, columns in tables.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, old, length in columns:
                batch_op.alter_column(column, existing_type=sa.String(length=old), type_=sa.String(length=length),
                                      existing_nullable=False)


def _rewrite_sqlite_times(to_utc: bool) -> None:
    """Local wall-clock text → UTC text (or back), row by row, keeping SQLAlchemy's format."""
    conn = op.get_bind()
    for table, column, _nullable in TIMESTAMPS:
        rows = conn.exec_driver_sql(
            f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
        seen: dict[str, str] = {}
        changes = []
        for rowid, raw in rows:
            new = seen.get(raw)
            if new is None:
                value = dt.datetime.fromisoformat(str(raw))
                if to_utc:  # astimezone takes a naive value as local time
                    value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
                else:
                    value = value.replace(tzinfo=dt.timezone.utc).astimezone().replace(tzinfo=None)
                new = seen[raw] = value.strftime(SQLITE_FORMAT)
            if new != raw:
                changes.append((new, rowid))
        if changes:
            conn.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', changes)


def _server_times(aware: bool) -> None:
    for table, column, nullable in TIMESTAMPS:
        op.alter_column(table, column, type_=sa.DateTime(timezone=aware), existing_type=sa.DateTime(timezone=not aware),
                        existing_nullable=nullable,
                        postgresql_using=f'"{column}" AT TIME ZONE \'UTC\'')


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    _lengths(new=True)
    if sqlite:
        _rewrite_sqlite_times(to_utc=True)  # the declared type stays DATETIME: no table is rebuilt for it
    else:
        _server_times(aware=True)
        inspector = sa.inspect(op.get_bind())
        for name, table, referred, column in CYCLE_FKS:
            have = {tuple(fk['constrained_columns']) for fk in inspector.get_foreign_keys(table)}
            if (column,) not in have:
                op.create_foreign_key(name, table, referred, [column], ['id'])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        _rewrite_sqlite_times(to_utc=False)
    else:
        _server_times(aware=False)
    _lengths(new=False)
