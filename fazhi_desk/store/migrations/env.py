"""Alembic environment: runs on the connection the program passes in (no ini file, no logging config)."""

from alembic import context

from fazhi_desk.store.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # e.g. `alembic revision --autogenerate` during development
        from sqlalchemy import create_engine

        url = context.config.get_main_option("sqlalchemy.url") or "sqlite://"
        connection = create_engine(url).connect()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
