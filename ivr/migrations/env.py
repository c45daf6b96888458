"""Alembic environment: the URL comes from `ivr.db.alembic_config`, the schema from ivr.models."""

from alembic import context

from ivr.db import make_engine
from ivr.models import Base, in_the_models

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=in_the_models,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "alembic_config() sets sqlalchemy.url"
    engine = make_engine(url, timeout=30.0, pooled=False)
    with engine.connect() as connection:
        # batch mode rebuilds tables on SQLite, which cannot ALTER most things in place.
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=in_the_models,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
