"""Session keys are stable per secret, reveal nothing, and the secret is made and kept privately."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import stat

import pytest

from storage import SecretError, load_or_create_secret, session_key
from storage.keys import MIN_SECRET_CHARS, SECRET_FILE

SECRET = b"k" * 32
CHAT = 424242424242


def test_key_is_hmac_sha256_hex_of_channel_and_chat():
    key = session_key(SECRET, "telegram", CHAT)
    expected = hmac.new(SECRET, f"telegram:{CHAT}".encode(), hashlib.sha256).hexdigest()
    assert key == expected
    assert re.fullmatch(r"[0-9a-f]{64}", key)


def test_key_is_the_same_every_time_and_for_int_or_text_id():
    assert session_key(SECRET, "telegram", CHAT) == session_key(SECRET, "telegram", CHAT)
    assert session_key(SECRET, "telegram", CHAT) == session_key(SECRET, "telegram", str(CHAT))


def test_key_differs_per_secret_channel_and_chat():
    keys = {
        session_key(SECRET, "telegram", CHAT),
        session_key(b"o" * 32, "telegram", CHAT),
        session_key(SECRET, "web", CHAT),
        session_key(SECRET, "telegram", CHAT + 1),
    }
    assert len(keys) == 4


def test_key_does_not_contain_the_chat_id():
    for chat in (CHAT, 123456789, -1001234567890, "web-visitor-77"):
        key = session_key(SECRET, "telegram", chat)
        assert str(chat) not in key
        assert str(abs(chat) if isinstance(chat, int) else chat).lower() not in key


def test_empty_secret_is_refused():
    with pytest.raises(SecretError):
        session_key(b"", "telegram", CHAT)


def test_secret_file_is_created_private_and_reused(tmp_path):
    data_dir = tmp_path / "data"  # does not exist yet
    first = load_or_create_secret(data_dir, None)
    path = data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= MIN_SECRET_CHARS
    assert load_or_create_secret(data_dir, None) == first
    assert load_or_create_secret(data_dir, "") == first  # an empty variable counts as unset


def test_each_new_secret_file_is_different(tmp_path):
    assert load_or_create_secret(tmp_path / "a", None) != load_or_create_secret(
        tmp_path / "b", None
    )


def test_environment_secret_wins_and_no_file_is_made(tmp_path):
    value = "e" * MIN_SECRET_CHARS
    assert load_or_create_secret(tmp_path, f"  {value}\n") == value.encode()
    assert not (tmp_path / SECRET_FILE).exists()


def test_file_content_moved_to_environment_keeps_keys(tmp_path):
    from_file = load_or_create_secret(tmp_path, None)
    text = (tmp_path / SECRET_FILE).read_text()
    from_env = load_or_create_secret(tmp_path / "other", text)
    assert session_key(from_file, "telegram", CHAT) == session_key(from_env, "telegram", CHAT)


def test_short_environment_secret_is_explained_without_echoing_it(tmp_path):
    with pytest.raises(SecretError) as raised:
        load_or_create_secret(tmp_path, "hunter2-short")
    message = str(raised.value)
    assert "at least 32" in message and "13 characters" in message
    assert "hunter2" not in message
    assert "secrets.token_hex" in message


def test_short_secret_file_is_explained(tmp_path):
    (tmp_path / SECRET_FILE).write_text("too short\n")
    (tmp_path / SECRET_FILE).chmod(0o600)
    with pytest.raises(SecretError, match="delete it"):
        load_or_create_secret(tmp_path, None)


def test_readable_secret_file_is_made_private(tmp_path, caplog):
    first = load_or_create_secret(tmp_path, None)
    (tmp_path / SECRET_FILE).chmod(0o644)
    assert load_or_create_secret(tmp_path, None) == first
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert "made it private" in caplog.text
    assert first.decode() not in caplog.text


def test_a_worker_starting_mid_write_never_reads_half_a_secret(tmp_path, monkeypatch):
    """Two containers on one volume start at once: the second, arriving while the first is
    still writing, must get the same whole key (before, it read an empty file and stopped)."""
    data_dir = tmp_path / "shared"
    racer: list[bytes] = []
    real_token_hex = secrets.token_hex

    def token_hex_with_a_racer(nbytes: int) -> str:
        """The racer runs after the first worker opened its file, before it wrote a byte."""
        if not racer:
            racer.append(b"")
            racer[0] = load_or_create_secret(data_dir, None)
        return real_token_hex(nbytes)

    monkeypatch.setattr("storage.keys.secrets.token_hex", token_hex_with_a_racer)
    first = load_or_create_secret(data_dir, None)
    assert racer == [first] and len(first) == 64
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE]  # no temporary file left
