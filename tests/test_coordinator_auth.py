"""The coordinator page's sign-in pieces on their own: argon2 hashes and checks, the names the
history may keep, the sign-in gate's limits, and the CSRF tokens; messages pinned whole."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from bot.channels.web.coordinator_guard import CoordinatorSessions
from bot.coordinator_auth import Passwords, RefusedName, SignInGate, SignInLimits, check_name
from tests.auxil.coordinators import CHEAP, PASSWORD
from tests.auxil.stores import FakeClock


def test_a_password_is_kept_only_as_an_argon2id_hash_and_checked_against_it():
    hashed = CHEAP.hash(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert CHEAP.verify(hashed, PASSWORD) == (True, None)
    assert CHEAP.verify(hashed, PASSWORD + " ") == (False, None)
    assert CHEAP.verify(hashed, "") == (False, None)
    assert CHEAP.verify(None, PASSWORD) == (False, None)  # no such coordinator
    assert CHEAP.verify("not a hash", PASSWORD) == (False, None)
    assert CHEAP.verify(hashed, "x" * 2000) == (False, None)


def test_production_uses_argon2s_recommended_cost_and_strengthens_old_hashes():
    assert Passwords().hasher.memory_cost == PasswordHasher().memory_cost == 65536
    weak = CHEAP.hash(PASSWORD)
    right, stronger = Passwords().verify(weak, PASSWORD)
    assert right and stronger is not None and "m=65536" in stronger
    assert Passwords().verify(stronger, PASSWORD) == (True, None)


def test_a_short_password_is_refused_in_plain_words():
    with pytest.raises(ValueError) as refused:
        CHEAP.hash("hunter2")
    assert str(refused.value) == (
        "the password is too short (7 characters): use at least 12, for example a few words "
        "that belong together only for you"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("anna@example.org", "'anna@example.org' cannot be a coordinator's name: use a first "
         "name or a role (letters, digits, spaces, . ' -; at most 60), never an e-mail or web "
         "address"),
        ("0612345678", "'0612345678' looks like a number: use a first name or a role, never a "
         "phone number"),
        ("https://x.nl", "'https://x.nl' cannot be a coordinator's name: use a first name or a "
         "role (letters, digits, spaces, . ' -; at most 60), never an e-mail or web address"),
    ],
)  # fmt: skip
def test_a_name_the_history_must_not_keep_is_refused(name, message):
    with pytest.raises(RefusedName) as refused:
        check_name(name)
    assert str(refused.value) == message


def test_names_are_kept_as_written_with_spaces_tidied():
    assert check_name("  Anna   de Vries ") == "Anna de Vries"
    assert check_name("coördinator Leuven") == "coördinator Leuven"


def test_the_sign_in_gate_holds_each_name_each_address_and_everyone():
    clock = FakeClock(0.0)
    limits = SignInLimits(name_burst=3, name_rate=1 / 60, address_burst=5, address_rate=1 / 10,
                          overall_burst=9, overall_rate=1.0)  # fmt: skip
    gate = SignInGate(limits, clock)
    assert [gate.admit("Anna", "a1") for _ in range(4)] == [True, True, True, False]
    assert gate.admit("ANNA", "a2") is False  # the same name, however it is written
    assert gate.admit("Bram", "a1") is True  # another name from the same address
    assert gate.admit("Bram", "a1") is False  # the address has had its five
    assert gate.admit("Carla", "a3") is True
    assert [gate.admit(f"n{i}", f"b{i}") for i in range(3)] == [True, False, False]  # nine in all
    clock.now += 60
    assert gate.admit("Anna", "a4") is True  # a minute later, one more for Anna


def test_csrf_tokens_belong_to_one_session_and_one_purpose():
    sessions = CoordinatorSessions(b"k" * 32, store=None, chat_guard=None)  # type: ignore[arg-type]
    one, two = "a" * 43, "b" * 43
    assert sessions.csrf(one) != sessions.csrf(two)
    assert sessions.csrf(one) != sessions.sign_in_csrf(one)
    assert sessions.csrf_matches(sessions.csrf(one), sessions.csrf(one))
    assert not sessions.csrf_matches(sessions.csrf(one), sessions.csrf(two))
    assert not sessions.csrf_matches(sessions.csrf(one), None)
    assert not sessions.csrf_matches(sessions.csrf(one), "")
    other_key = CoordinatorSessions(b"j" * 32, None, None)  # type: ignore[arg-type]
    assert other_key.csrf(one) != sessions.csrf(one)
