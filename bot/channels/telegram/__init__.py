"""The Telegram channel: one generic handler drives the engine for private chats only."""

from bot.channels.telegram.app import TelegramBot, TelegramOptions, WebhookOptions
from bot.channels.turn import Limits

__all__ = ["Limits", "TelegramBot", "TelegramOptions", "WebhookOptions"]
