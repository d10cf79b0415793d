"""Bring the database schema up to date with Alembic, from the installed package's own scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import StoreUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 7_210_431  # a PostgreSQL advisory lock id of our own, held while migrating


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at storage/migrations, whatever the working directory is."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_schema(engine: AsyncEngine, revision: str = "head") -> None:
    """Run `alembic upgrade head` on engine's database; does nothing if it is up to date."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # workers starting together migrate one at a time
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        await conn.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def open_database(url: str, what: str = "the database", **kw: Any) -> AsyncEngine:
    """An engine for url with the newest schema: sessions, directory and figures share it.

    StoreUnavailable names the database (never its password) and the error's kind only.
    """
    from storage.faults import describe_error
    from storage.sql import create_engine

    engine = create_engine(url, **kw)
    try:
        await upgrade_schema(engine)
    except Exception as exc:
        await engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreUnavailable(
            f"Could not open {what} {shown} ({describe_error(exc)}). "
            "Check that it is running and that the URL is right."
        ) from exc
    except BaseException:
        await engine.dispose()
        raise
    return engine
