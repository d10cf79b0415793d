"""The referral directory as plain frozen data: what the bot may show, and where it was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.problems import Problem, Where
from bot.referrals.hours import OpeningHours
from bot.regions import REGION_COUNTRY, region_chain

VERIFIED = "verified"
UNVERIFIED = "unverified"
INACTIVE = "inactive"
# Open Referral HSDS's statuses besides inactive: kept for the record, never shown.
DEFUNCT = "defunct"  # closed for good (`referrals retire`)
CLOSED_FOR_NOW = "temporarily closed"
STATUSES = (VERIFIED, UNVERIFIED, INACTIVE, DEFUNCT, CLOSED_FOR_NOW)
SHOWN_STATUSES = (VERIFIED, UNVERIFIED)

# How an entry was last checked; the card says it in words (docs/referrals.md).
PHONED = "phoned"  # a coordinator called the line
WEBSITE = "website"  # the organisation's own page
DOCUMENT = "document"  # a report, factsheet or parliamentary answer
NEWS = "news"  # a news item or another site's page
CHECK_METHODS = (PHONED, WEBSITE, DOCUMENT, NEWS)
OLD_SOURCE_BEFORE = 2020  # a card whose source is older says so
# Days from one check of an entry to the next (`check_every_days`); docs/referrals.md says why.
CHECK_EVERY_DAYS = 180  # when an entry does not say
CHECK_EVERY_FEWEST = 7  # a weekly call is the most a coordinator can keep up for every line
CHECK_EVERY_MOST = 365  # a fact not looked at for over a year is not a fact to show in danger


def countries_of(regions: tuple[str, ...]) -> tuple[str, ...]:
    """Countries of some regions, in order, without repeats (ELDERS adds none)."""
    found: list[str] = []
    for code in regions:
        country = REGION_COUNTRY.get(code)
        if country and country not in found:
            found.append(country)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class SourceDate:
    """When the source was written (a year, a day or "before" a year): old facts say so."""

    year: int
    day: date | None = None
    before: bool = False

    @property
    def old(self) -> bool:
        """From before 2020 (or only known as "before" some year): the card says so."""
        return self.before or self.year < OLD_SOURCE_BEFORE

    @property
    def earliest(self) -> date | None:
        """The earliest day the source can be from (None for "before"), to check last_verified."""
        if self.before:
            return None
        return self.day or date(self.year, 1, 1)

    def __str__(self) -> str:
        if self.day is not None:
            return self.day.isoformat()
        return f"before {self.year}" if self.before else str(self.year)


@dataclass(frozen=True, slots=True)
class Entry:
    """One helpline or organisation, with how sure we are of it and when that was checked."""

    key: str
    name: str
    regions: tuple[str, ...]
    source: str
    status: str
    last_verified: date | None
    checked_how: str = ""  # one of CHECK_METHODS
    checked_by: str = ""  # a coordinator's name or role, never anything about a man
    source_date: SourceDate | None = None
    check_every_days: int = CHECK_EVERY_DAYS
    phone: str | None = None
    hours: OpeningHours | None = None
    hours_source: str | None = None
    website: str | None = None
    chat_url: str | None = None
    free: bool = False
    anonymous: bool = False
    emergency: bool = False
    serves: str = ""
    languages: tuple[str, ...] = ()
    alternative: str | None = None
    when_closed: str | None = None
    where: Where | None = None
    lines: tuple[tuple[str, int], ...] = ()  # field -> 1-based line, for messages

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    @property
    def active(self) -> bool:
        """Shown to men at all (verified, or unverified next to a verified alternative)."""
        return self.status in SHOWN_STATUSES

    @property
    def hsds_status(self) -> str:
        """The status as Open Referral HSDS names it (whether it was checked is separate)."""
        return "active" if self.active else self.status

    @property
    def reachable(self) -> bool:
        """A phone, website or chat_url: without one, a card gives a man nothing to act on."""
        return bool(self.phone or self.website or self.chat_url)

    def serves_region(self, region: str | None) -> bool:
        """True when a man in `region` should see this (Leuven also gets Flemish entries)."""
        return any(code in self.regions for code in region_chain(region))

    def shares_region_with(self, other: Entry) -> bool:
        """True when some region of this entry is also served by `other`."""
        return any(other.serves_region(code) for code in self.regions)

    def countries(self) -> tuple[str, ...]:
        """Countries whose numbering plan the phone number must fit, from the regions."""
        return countries_of(self.regions)

    def where_of(self, name: str) -> Where | None:
        """File and line of one field (or of the entry itself when the field is absent)."""
        if self.where is None:
            return None
        line = dict(self.lines).get(name, self.where.line)
        return Where(self.where.file, line)


@dataclass(frozen=True, slots=True)
class Directory:
    """Every entry from one file, in file order, plus the warnings found while reading it."""

    entries: tuple[Entry, ...]
    file: str = ""
    notes: tuple[Problem, ...] = ()
    _by_key: dict[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {e.key: e for e in self.entries})

    def get(self, key: str) -> Entry | None:
        return self._by_key.get(key)

    def keys(self) -> tuple[str, ...]:
        return tuple(self._by_key)

    def for_region(self, region: str | None, include_inactive: bool = False) -> tuple[Entry, ...]:
        """Entries a man in `region` may be shown, in file order (inactive ones left out)."""
        return tuple(
            e for e in self.entries if e.serves_region(region) and (include_inactive or e.active)
        )

    def emergency_for(self, region: str | None) -> tuple[Entry, ...]:
        """Active emergency entries for a region, 112 first (rule: in danger, 112 comes first)."""
        found = [e for e in self.for_region(region) if e.emergency]
        return tuple(sorted(found, key=lambda e: e.phone != "112"))
