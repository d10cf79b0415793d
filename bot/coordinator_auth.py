"""Who may sign in to the coordinator page: names, passwords hashed with argon2 (argon2-cffi),
and the sign-in gate (per coordinator name, per address and overall), so guessing a password
costs hours per name and nobody can flood the server with argon2's memory-hard work."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.channels.ordering import FloodGate

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte of "password" is an attack
NAME_RE = re.compile(r"^[^\W_][\w .'-]{0,59}$")
DIGITS_RE = re.compile(r"\d")
EVERYONE = "*"  # the overall gate's one key


class RefusedName(ValueError):
    """A name the history must not keep; the message says why in plain words."""


def check_name(text: str) -> str:
    """The name as kept in the history: a name or role, no e-mail, number or web address."""
    name = " ".join(text.split())
    if not NAME_RE.match(name):
        raise RefusedName(
            f"'{name}' cannot be a coordinator's name: use a first name or a role (letters, "
            "digits, spaces, . ' -; at most 60), never an e-mail or web address"
        )
    if len(DIGITS_RE.findall(name)) > 3:
        raise RefusedName(
            f"'{name}' looks like a number: use a first name or a role, never a phone number"
        )
    return name


def check_password(password: str) -> None:
    """At least 12 characters (a phrase of a few words is easy to type and hard to guess)."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(
            f"the password is too short ({len(password)} characters): use at least "
            f"{MIN_PASSWORD}, for example a few words that belong together only for you"
        )
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"the password is too long: at most {MAX_PASSWORD} characters")


class Passwords:
    """argon2id with the library's recommended parameters (RFC 9106's second choice)."""

    def __init__(self, hasher: PasswordHasher | None = None):
        self.hasher = hasher or PasswordHasher()

    def hash(self, password: str) -> str:
        check_password(password)
        return self.hasher.hash(password)

    @cached_property
    def _stand_in(self) -> str:
        return self.hasher.hash("a stand-in for a name nobody has")

    def verify(self, stored: str | None, password: str) -> tuple[bool, str | None]:
        """(right, a new hash when the stored one used weaker parameters). An unknown name
        costs the same work as a known one, so the time taken does not tell which names exist."""
        if len(password) > MAX_PASSWORD:
            return False, None
        try:
            self.hasher.verify(stored or self._stand_in, password)
        except (VerificationError, InvalidHashError):
            return False, None
        if stored is None:
            return False, None
        return True, self.hasher.hash(password) if self.hasher.check_needs_rehash(stored) else None


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """Sign-in attempts, right or wrong, after a burst: per name, per address, and in all."""

    name_burst: int = 5
    name_rate: float = 1 / 60  # then one a minute per name: ~1,440 guesses a day at most
    address_burst: int = 20
    address_rate: float = 1 / 10
    overall_burst: int = 20
    overall_rate: float = 2.0  # argon2 takes 64 MiB and tens of ms each: bounded in all
    max_keys: int = 10_000


class SignInGate:
    """The chat's token-bucket gates (bot.channels.ordering.FloodGate), one key per name,
    per address (a keyed hash) and one for everyone."""

    def __init__(self, limits: SignInLimits, clock: Callable[[], float] = time.monotonic):
        size = limits.max_keys
        self.per_name = FloodGate(limits.name_burst, limits.name_rate, size, clock)
        self.per_address = FloodGate(limits.address_burst, limits.address_rate, size, clock)
        self.overall = FloodGate(limits.overall_burst, limits.overall_rate, 1, clock)

    def admit(self, name: str, address: str) -> bool:
        """May this attempt be checked? Each gate it reaches takes a token."""
        return (
            self.overall.admit(EVERYONE)[0]
            and self.per_address.admit(address)[0]
            and self.per_name.admit(name.casefold())[0]
        )
