"""One settings module: only bot/config.py reads the environment, every FIRSTCONTACT_* variable
named anywhere is declared in its table and documented, and each rule's message is pinned."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import config
from bot.config import VARIABLES, ConfigError, DataPaths, Settings, StoreSettings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
NAME_RE = re.compile(r"FIRSTCONTACT_[A-Z0-9_]*[A-Z0-9]")
SETTINGS_MODULE = "bot/config.py"
# Variables the bot never reads, each with who does.
NOT_THE_BOTS = {
    "FIRSTCONTACT_TLS_DIR": "docker compose: nginx's certificate folder (compose.yaml)",
    "FIRSTCONTACT_TEST_POSTGRES_URL": "the tests' PostgreSQL (tests/auxil/stores.py)",
    "FIRSTCONTACT_CHROMIUM": "the browser tests' Chromium (tests/auxil/browser.py)",
    "FIRSTCONTACT_BOT_API_SPEC": "the fake Bot API's spec file (tests/auxil/fakebotapi)",
    "FIRSTCONTACT_X": "a made-up variable in the CLI reference's own test",
}
TABLE_START = "<!-- written from bot/config.py VARIABLES"


def environment_reads(source: str) -> list[str]:
    """Every place the source touches the environment: os.environ, os.getenv, os.putenv,
    os.unsetenv, and importing any of them by name."""
    found = []
    names = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in names:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"line {node.lineno}: from os import {a.name}" for a in node.names
                      if a.name in names]  # fmt: skip
    return found


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_only_the_settings_module_reads_the_environment() -> None:
    wrong = []
    for package in ("bot", "storage"):
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            reads = environment_reads(path.read_text(encoding="utf-8"))
            if name != SETTINGS_MODULE:
                wrong += [f"{name} {read}" for read in reads]
    assert wrong == []
    assert environment_reads((ROOT / SETTINGS_MODULE).read_text("utf-8")) != []


def test_the_scan_sees_every_way_to_read_the_environment() -> None:
    source = (
        "import os\nfrom os import getenv\na = os.environ['A']\nb = os.getenv('B')\n"
        "def f():\n    return os.environ.get('C')\n"
    )
    assert environment_reads(source) == [
        "line 2: from os import getenv",
        "line 3: .environ",
        "line 4: .getenv",
        "line 6: .environ",
    ]


def test_every_variable_named_anywhere_is_declared() -> None:
    declared = {variable.name for variable in VARIABLES}
    named: dict[str, set[str]] = {}
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for name in NAME_RE.findall(text):
            named.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    unknown = {name: sorted(where) for name, where in named.items()
               if name not in declared and name not in NOT_THE_BOTS}  # fmt: skip
    assert unknown == {}
    assert set(NOT_THE_BOTS) <= set(named)  # no excuse outlives its variable
    assert not set(NOT_THE_BOTS) & declared


def test_each_variable_is_declared_once_with_its_own_field() -> None:
    names = [variable.name for variable in VARIABLES]
    fields = [variable.field for variable in VARIABLES]
    assert len(set(names)) == len(names) and len(set(fields)) == len(fields)
    assert all(name.startswith(config.PREFIX) for name in names)
    assert set(fields) == set(Settings.__dataclass_fields__)
    assert {v.field for v in VARIABLES if v.group == config.STORE} == set(
        StoreSettings.__dataclass_fields__
    )
    assert {v.field for v in VARIABLES if v.group == config.PATHS} == set(
        DataPaths.__dataclass_fields__
    )


def test_every_variable_is_documented_in_the_readme(update_goldens: bool) -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index(TABLE_START)
    begin = text.index("\n", start) + 1
    end = text.index("\n\n", begin) + 1
    if update_goldens:
        README.write_text(text[:begin] + config.markdown_table() + text[end:], encoding="utf-8")
        text = README.read_text(encoding="utf-8")
        end = text.index("\n\n", begin) + 1
    assert text[begin:end] == config.markdown_table(), (
        "README's table of settings is out of date: run "
        "pytest tests/test_settings_table.py --update-goldens"
    )
    for variable in VARIABLES:
        assert f"| `{variable.name}` |" in text


def _message(name: str, value: str, **kw: bool) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value}, **kw)
    found = [problem.message for problem in caught.value.problems]
    assert len(found) == 1, found
    return found[0]


# One wrong value per variable, with the whole message it gets (a file is made in tmp_path).
WRONG = [
    (config.TOKEN, "123:abc",
     "FIRSTCONTACT_TELEGRAM_TOKEN does not look like a bot token: it should be digits, a colon, "
     "then about 35 letters, digits, '-' or '_', exactly as @BotFather gave it (the value is not "
     "shown here)."),
    (config.API_URL, "api.telegram.org/bot",
     "FIRSTCONTACT_TELEGRAM_API_URL must be an http:// or https:// address, like "
     "https://api.telegram.org/bot (the default) or http://localhost:8081/bot for a local Bot API "
     "server."),
    (config.MAX_RATE, "fast",
     "FIRSTCONTACT_TELEGRAM_MAX_RATE must be messages per second from 0 to 1000 (default 30, "
     "Telegram's limit; 0 = no cap, for tests or a Bot API server that paces for itself); it is "
     "'fast'."),
    (config.DATA_DIR, "{file}",
     "FIRSTCONTACT_DATA_DIR is '{file}', which is a file; it must be a folder the bot may write "
     "to (default ./data)."),
    (config.DATABASE_URL, "mysql://bot:pw-s3cret@db/fc",
     "FIRSTCONTACT_DATABASE_URL cannot be used: Database type 'mysql' is not supported. Use "
     "sqlite:///path/to/file.sqlite, postgresql://user@host/database or memory://."),
    (config.SECRET_KEY, "short-s3cret",
     "FIRSTCONTACT_SECRET_KEY is too short (12 characters; at least 32 needed). Make one with: "
     "python -c 'import secrets; print(secrets.token_hex(32))', or leave it unset to use a key "
     "file in the data folder."),
    (config.SESSION_TIMEOUT, "an hour",
     "FIRSTCONTACT_SESSION_TIMEOUT must be a whole number of seconds from 60 to 86400 (default "
     "3600, one hour); it is 'an hour'."),
    (config.LOG_LEVEL, "loud",
     "FIRSTCONTACT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR; it is 'loud'."),
    (config.LISTEN, "bad host!",
     "FIRSTCONTACT_LISTEN must be a host name or IP address to listen on, like 127.0.0.1 "
     "(default) or 0.0.0.0; it is 'bad host!'."),
    (config.PORT, "80000",
     "FIRSTCONTACT_PORT must be a port number from 1 to 65535 (default 8080); it is '80000'."),
    (config.WEBHOOK_URL, "bot.example.org/telegram",
     "FIRSTCONTACT_WEBHOOK_URL must be a public https:// address, like "
     "https://bot.example.org/telegram (plain http only works with a local Bot API server set in "
     "FIRSTCONTACT_TELEGRAM_API_URL); it is 'bot.example.org/telegram'."),
    (config.WEBHOOK_SECRET, "no s3cret spaces",
     "FIRSTCONTACT_WEBHOOK_SECRET may only hold 1 to 256 letters, digits, '-' or '_' (Telegram's "
     "rule; the value is not shown here)."),
    (config.COORDINATOR_PAGE, "yes",
     "FIRSTCONTACT_COORDINATOR_PAGE turns the coordinator page (/coordinators/) on or off: write "
     "on or off (the default); it is 'yes'."),
    (config.WEB_EXIT_URL, "javascript:alert(1)",
     "FIRSTCONTACT_WEB_EXIT_URL is where the quick exit goes and must be an http(s) address of "
     "an ordinary site, like https://www.buienradar.nl/ (the default); it is "
     "'javascript:alert(1)'."),
    (config.WEB_FRAME_ANCESTORS, "https://ok.example * https://x.example/path",
     "FIRSTCONTACT_WEB_FRAME_ANCESTORS lists sites that may embed the chat, as origins separated "
     "by spaces, like https://www.example.org (scheme and host, no path); '*', "
     "'https://x.example/path' are not."),
    (config.WEB_TRUSTED_PROXIES, "proxy.local",
     "FIRSTCONTACT_WEB_TRUSTED_PROXIES lists the reverse proxies in front of the web chat, as IP "
     "addresses or networks like 127.0.0.1 or 10.0.0.0/8; 'proxy.local' is not one."),
    (config.FLOWS_DIR, "{missing}",
     "FIRSTCONTACT_FLOWS_DIR is '{missing}', which is not a folder; it must be the folder that "
     "holds the flows."),
    (config.REFERRALS, "{folder}",
     "FIRSTCONTACT_REFERRALS must be a .yaml file, like flows/referrals.yaml; it is '{folder}'."),
    (config.LOCALES_DIR, "{file}",
     "FIRSTCONTACT_LOCALES_DIR is '{file}', which is not a folder; it must be the folder that "
     "holds the translations (<language>/LC_MESSAGES/firstcontact.po)."),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "message"), WRONG, ids=[w[0] for w in WRONG])
def test_each_rule_names_the_variable_and_what_it_accepts(
    name: str, value: str, message: str, tmp_path: Path
) -> None:
    afile = tmp_path / "a-file"
    afile.write_text("x")
    places = {"file": str(afile), "missing": str(tmp_path / "nope"), "folder": str(tmp_path)}
    found = _message(name, value.format(**places))
    assert found == message.format(**places)
    for secret in ("s3cret", "abc"):
        assert secret not in found


def test_every_variable_has_a_pinned_wrong_value() -> None:
    assert sorted(name for name, _, _ in WRONG) == sorted(v.name for v in VARIABLES)


def test_what_a_mode_needs_is_pinned_whole() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({}, require_token=True, webhook=True)
    assert [problem.message for problem in caught.value.problems] == [
        "FIRSTCONTACT_TELEGRAM_TOKEN is not set. Ask @BotFather in Telegram for a bot token and "
        "set it, like FIRSTCONTACT_TELEGRAM_TOKEN=123456789:AAE... (keep it secret).",
        "FIRSTCONTACT_WEBHOOK_SECRET is not set; webhook mode needs it so only Telegram can send "
        "updates. Use 1 to 256 letters, digits, '-' or '_', like the output of python -c "
        "'import secrets; print(secrets.token_urlsafe(32))'.",
        "FIRSTCONTACT_WEBHOOK_URL (or --webhook-url) is not set; webhook mode needs the public "
        "https address Telegram should post to, like https://bot.example.org/telegram.",
    ]
    plain = _message(config.WEBHOOK_URL, "http://bot.example.org/telegram")
    assert plain.startswith("FIRSTCONTACT_WEBHOOK_URL must be a public https:// address")


def test_a_command_line_option_counts_as_its_variable() -> None:
    settings = Settings.from_env({config.PORT: "80"}, overrides={config.PORT: "9000"})
    assert settings.port == 9000
    with pytest.raises(ConfigError, match="FIRSTCONTACT_PORT must be a port number"):
        Settings.from_env({}, overrides={config.PORT: "x"})


def test_a_part_reads_only_its_own_variables() -> None:
    """purge, stats and referrals need no token: a wrong one elsewhere does not stop them."""
    env = {config.TOKEN: "nope", config.PORT: "x", config.DATABASE_URL: "memory://"}
    assert StoreSettings.from_env(env).database_url == "memory://"
    assert DataPaths.from_env(env) == DataPaths()


def _cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("argv", "env", "first_line"),
    [
        (("purge",), {config.SESSION_TIMEOUT: "5"}, "firstcontact purge: fix these settings:"),
        (("stats", "--since", "2026-11-01"), {config.DATABASE_URL: "mysql://x@y/z"},
         "The figures cannot be read; fix these settings:"),
        (("flows", "list"), {config.FLOWS_DIR: "/nonexistent-flows"},
         "firstcontact flows: fix these settings:"),
        (("referrals", "list"), {config.DATABASE_URL: "mysql://x@y/z"},
         "The referral directory cannot be opened; fix these settings:"),
        (("run",), {config.PORT: "x"}, "The bot cannot start; fix these settings:"),
    ],
)  # fmt: skip
def test_a_wrong_setting_ends_each_command_in_plain_words(
    argv: tuple[str, ...], env: dict[str, str], first_line: str
) -> None:
    result = _cli(env, *argv)
    assert result.returncode == 2 or (argv[0] == "referrals" and result.returncode == 1)
    lines = result.stderr.splitlines()
    assert lines[0] == first_line, result.stderr
    assert lines[1].startswith(f"  - {next(iter(env))} ")
    assert "Traceback" not in result.stderr
