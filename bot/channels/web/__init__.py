"""The web chat channel: a page and a JSON API on aiohttp, the third user of the one turn."""

from bot.channels.web.app import WebChat, WebOptions
from bot.channels.web.guard import WebLimits

__all__ = ["WebChat", "WebLimits", "WebOptions"]
