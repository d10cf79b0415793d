"""The barest PTB bot: the floor the benchmarks compare firstcontact against."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


def build_echo_application(
    base_url: str,
    token: str,
    *,
    base_file_url: str | None = None,
    concurrent_updates: bool | int = False,
) -> Application:
    """An Application that echoes text messages and answers callback queries, nothing else."""
    if base_file_url is None:
        base_file_url = base_url.removesuffix("/bot") + "/file/bot"
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(concurrent_updates)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    app.add_handler(CallbackQueryHandler(_answer))
    return app
