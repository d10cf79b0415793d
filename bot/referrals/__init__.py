"""The referral directory: helplines coordinators keep in flows/referrals.yaml, checked, shown."""

from bot.referrals.cards import Card, render_card_text, resolve_cards
from bot.referrals.checks import check_directory
from bot.referrals.hours import OpeningHours, OpenStatus
from bot.referrals.load import default_path, load_directory, parse_directory
from bot.referrals.model import Directory, Entry
from bot.referrals.watch import DirectoryWatcher, read_checked

__all__ = [
    "Card",
    "Directory",
    "DirectoryWatcher",
    "Entry",
    "OpenStatus",
    "OpeningHours",
    "check_directory",
    "default_path",
    "load_directory",
    "parse_directory",
    "read_checked",
    "render_card_text",
    "resolve_cards",
]
