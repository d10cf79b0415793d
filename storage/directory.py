"""The referral directory in the database: one truth for every process of a deployment.

Each version is kept whole (YAML with the coordinators' comments), so every check the bot
makes reads it exactly as it reads the file, and any earlier version can be exported again.
A version names its parent, and a parent has one child at most, so of two coordinators saving
at the same moment one wins and the other is told to look again: nothing is lost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.schema import referral_changes, referral_revisions

FIRST_PARENT = 0  # the parent of the first version: a second first version conflicts


class SavedMeanwhile(Exception):
    """Someone saved another version since this change was worked out; nothing was saved."""


@dataclass(frozen=True, slots=True)
class Revision:
    """One saved version of the whole directory."""

    id: int
    parent: int
    document: str
    saved_at: float
    saved_by: str
    action: str
    note: str


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One field of one entry changed, as HSDS's metadata table keeps it."""

    resource_id: str
    field_name: str
    previous_value: str
    replacement_value: str
    updated_by: str
    source: str
    last_action_type: str = "update"
    last_action_date: float = 0.0
    revision_id: int = 0


class DirectoryStore:
    """Read the newest version, save a new one on top of it, and read the change history."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        r = referral_revisions.c
        self._newest = sa.select(referral_revisions).order_by(r.id.desc()).limit(1)
        self._newest_id = sa.select(sa.func.max(r.id))

    @classmethod
    async def open(cls, url: str) -> DirectoryStore:
        """The store for a database URL, migrated to the newest schema first."""
        from storage.migrate import open_database

        engine = await open_database(url, "the directory's database")
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def newest_id(self) -> int | None:
        """The newest version's number (one cheap query: what every process polls)."""
        async with self.engine.connect() as conn:
            return (await conn.execute(self._newest_id)).scalar()

    async def newest(self) -> Revision | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(self._newest)).first()
        return Revision(**row._mapping) if row is not None else None

    async def revision(self, number: int) -> Revision | None:
        query = sa.select(referral_revisions).where(referral_revisions.c.id == number)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return Revision(**row._mapping) if row is not None else None

    async def save(
        self,
        parent: int | None,
        document: str,
        *,
        by: str,
        action: str,
        note: str = "",
        changes: list[ChangeRow] = (),  # type: ignore[assignment]
    ) -> int:
        """Add a version on top of `parent` (None: the first); SavedMeanwhile if it is not
        the newest any more. The change rows are written in the same transaction."""
        now = time.time()
        values = {
            "parent": FIRST_PARENT if parent is None else parent,
            "document": document,
            "saved_at": now,
            "saved_by": by[:60],
            "action": action[:20],
            "note": note[:400],
        }
        try:
            async with self.engine.begin() as conn:
                newest = (await conn.execute(self._newest_id)).scalar()
                if newest != parent:
                    raise SavedMeanwhile()
                result = await conn.execute(sa.insert(referral_revisions).values(**values))
                number = int(result.inserted_primary_key[0])
                rows = [_change_values(c, number, now, by, action) for c in changes]
                if rows:
                    await conn.execute(sa.insert(referral_changes), rows)
        except IntegrityError:
            raise SavedMeanwhile() from None
        return number

    async def history(self, key: str | None = None, limit: int = 200) -> list[ChangeRow]:
        """Changes, newest first; of one entry when `key` is given."""
        c = referral_changes.c
        query = sa.select(referral_changes).order_by(c.id.desc()).limit(limit)
        if key is not None:
            query = query.where(c.resource_id == key)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        fields = ChangeRow.__slots__
        return [ChangeRow(**{name: row._mapping[name] for name in fields}) for row in rows]


def _change_values(change: ChangeRow, revision: int, now: float, by: str, action: str) -> dict:
    return {
        "revision_id": revision,
        "resource_id": change.resource_id[:40],
        "last_action_date": now,
        "last_action_type": (change.last_action_type or action)[:20],
        "field_name": change.field_name[:40],
        "previous_value": change.previous_value,
        "replacement_value": change.replacement_value,
        "updated_by": (change.updated_by or by)[:60],
        "source": change.source,
    }
