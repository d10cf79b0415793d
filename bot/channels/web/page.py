"""The page and its files, shipped in the package and held in memory: no build step, no CDN.

Each file's URL carries a hash of its content, so browsers may keep it for a year and still get
a new version at once. The page is filled in per language from a template; its settings (exit
address, embedding sites, words for the script) travel in data- attributes, never inline code.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from importlib import resources
from string import Template

from bot.channels.web.texts import direction, texts_for
from bot.channels.wording import Translations

STATIC = resources.files("bot.channels.web") / "static"
TYPES = {
    "chat.js": "text/javascript",
    "chat.css": "text/css",
    "coordinators.css": "text/css",
    "embed.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
# Plain and neutral on purpose: a tab or bookmark icon must not say what the page is about.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#5a6470"/></svg>'
)
SCRIPT_TEXTS = (
    "me",
    "bot",
    "sending",
    "offline",
    "slow_down",
    "trouble",
    "gone",
    "no_cookie",
    "shift_more",
)


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    version: str

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


def load_assets() -> dict[str, Asset]:
    assets = {}
    for name, content_type in TYPES.items():
        body = FAVICON.encode() if name == "favicon.svg" else (STATIC / name).read_bytes()
        version = hashlib.sha256(body).hexdigest()[:12]
        assets[name] = Asset(body, content_type, version)
    return assets


class Pages:
    """The chat page per language, rendered once each and kept."""

    def __init__(
        self,
        assets: dict[str, Asset],
        exit_url: str,
        embed_origins: tuple[str, ...],
        emergency_number: str,
        catalogs: Translations,
    ):
        self.assets = assets
        self.catalogs = catalogs
        self.exit_url = exit_url
        self.embed_origins = embed_origins
        self.emergency_number = emergency_number
        self.template = Template((STATIC / "index.html").read_text(encoding="utf-8"))
        self._rendered: dict[str, bytes] = {}

    def url(self, name: str) -> str:
        return f"/static/{name}?v={self.assets[name].version}"

    def render(self, locale: str) -> bytes:
        found = self._rendered.get(locale)
        if found is None:
            found = self._rendered[locale] = self._render(locale).encode("utf-8")
        return found

    def _render(self, locale: str) -> str:
        words = {
            name: text.replace("{noodnummer}", self.emergency_number)
            for name, text in texts_for(self.catalogs, locale).items()
        }
        attributes = {
            "data-exit-url": self.exit_url,
            "data-embed-origins": " ".join(self.embed_origins),
            **{f"data-t-{name.replace('_', '-')}": words[name] for name in SCRIPT_TEXTS},
        }
        data = " ".join(f'{name}="{html.escape(value)}"' for name, value in attributes.items())
        values = {name: html.escape(text) for name, text in words.items()}
        return self.template.substitute(
            values,
            lang=html.escape(locale),
            dir=direction(locale),
            data=data,
            exit_url=html.escape(self.exit_url),
            chat_js=html.escape(self.url("chat.js")),
            chat_css=html.escape(self.url("chat.css")),
            favicon_svg=html.escape(self.url("favicon.svg")),
        )
