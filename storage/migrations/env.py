"""Alembic environment: uses the connection open_store() hands over, or the configured URL."""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from storage.schema import metadata

config = context.config


def run_with(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_with_url(url: str) -> None:
    from storage.sql import create_engine  # the same URL handling and SQLite settings as the bot

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(run_with)
    finally:
        await engine.dispose()


def _configured_url() -> str:
    """The bot's own database (FIRSTCONTACT_DATABASE_URL, else ./data), read by bot.config, the
    one module that reads the environment; a wrong setting ends alembic with its message."""
    from bot.config import ConfigError, StoreSettings

    try:
        return StoreSettings.from_env().database_url
    except ConfigError as exc:
        exc.report("alembic: fix these settings:")
        raise SystemExit(2) from None


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # storage.migrate.upgrade_schema()
        run_with(connection)
        return
    if config.config_file_name is not None:  # the alembic command line; configure its logging
        fileConfig(config.config_file_name)
    url = config.get_main_option("sqlalchemy.url") or _configured_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_with_url(url))


main()
