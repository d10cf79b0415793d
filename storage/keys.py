"""Session keys: a keyed hash of channel and chat id, so the raw id is never stored anywhere."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

SECRET_FILE = "secret.key"
MIN_SECRET_CHARS = 32


class SecretError(ValueError):
    """The session secret is missing, too short or unreadable; the message says how to fix it."""


def session_key(secret: bytes, channel: str, chat_id: int | str) -> str:
    """The 64-hex-character key a session is stored under; without the secret it reveals nothing."""
    if not secret:
        raise SecretError("The session secret is empty; sessions cannot be keyed without it.")
    message = f"{channel}:{chat_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def load_or_create_secret(data_dir: Path, env_value: str | None) -> bytes:
    """The secret from the environment if set, else from data_dir/secret.key (made on first run).

    The file holds the same kind of text the environment variable would, so an operator can
    move it into the environment later and every session key stays the same.
    """
    if env_value is not None and env_value.strip():
        return _checked(env_value.strip(), "The session secret from the environment")
    path = Path(data_dir) / SECRET_FILE
    if not path.exists():
        _create(path)
    return _read(path)


def _checked(text: str, what: str) -> bytes:
    if len(text) < MIN_SECRET_CHARS:
        raise SecretError(
            f"{what} is too short: it has {len(text)} characters and needs at least "
            f"{MIN_SECRET_CHARS}. Make a new one with: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return text.encode("utf-8")


def _create(path: Path) -> None:
    """Write a fresh random secret, readable by this user only, without overwriting a racer's.

    Written whole to a private temporary file, then linked into place: a worker starting at the
    same moment (two containers on one volume) sees no file or the whole key, never a half one.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp_name, path)
        except FileExistsError:
            return
    finally:
        os.unlink(temp_name)
    log.info("created a new session secret file in %s", path.parent)


def _read(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("session secret file %s was readable by others; made it private", path)
        path.chmod(0o600)
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretError(f"Could not read the session secret file {path}: {exc}") from exc
    return _checked(
        text,
        f"The session secret file {path} (delete it to make a new one; "
        "sessions in progress will then start over)",
    )
