"""Alembic per service: each service has its own script folder and its own version table."""

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, text

from shared.db.engine import make_engine, normalise_url


def version_table(service: str) -> str:
    return f"alembic_version_{service}"


def alembic_config(service: str, migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.attributes["database_url"] = normalise_url(database_url)
    config.attributes["service"] = service
    return config


def upgrade_to_head(service: str, migrations_dir: Path, database_url: str) -> None:
    """Bring the service database to the newest revision (the `migrate` command)."""
    make_engine(database_url).dispose()  # creates the SQLite folder when needed
    command.upgrade(alembic_config(service, migrations_dir, database_url), "head")


def head_revision(migrations_dir: Path) -> str | None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine, service: str) -> str | None:
    with engine.connect() as connection:
        migration = MigrationContext.configure(
            connection, opts={"version_table": version_table(service)}
        )
        return migration.get_current_revision()


def run_env(metadata: MetaData) -> None:
    """Body of a service's `env.py`: migrate online with the service's own version table."""
    config = context.config
    service = config.attributes["service"]
    engine = make_engine(config.attributes["database_url"])
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas started together each run `serve --migrate`; one migrates, the
            # others wait and then find the database at head.
            connection.execute(text("SELECT pg_advisory_lock(727312)"))
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table(service),
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
