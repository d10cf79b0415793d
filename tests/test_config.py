"""Settings from the environment: every wrong value gets its own clear message, all at once."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import config
from bot.commands import run as run_command
from bot.config import ConfigError, Settings

GOOD_TOKEN = "123456789:AAEexampleexampleexampleexample12345"
GOOD_SECRET = "k" * 40


def problems(env: dict[str, str], **kw: bool) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env, **kw)
    return [problem.message for problem in caught.value.problems]


def only_problem(env: dict[str, str], **kw: bool) -> str:
    found = problems(env, **kw)
    assert len(found) == 1, found
    return found[0]


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_token is None
    assert settings.telegram_api_url == config.DEFAULT_API_URL
    assert settings.session_timeout == 3600
    assert settings.log_level == "INFO"
    assert settings.data_dir == Path("./data")
    assert settings.telegram_max_rate == 30
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("firstcontact.sqlite")
    assert (settings.listen, settings.port) == ("127.0.0.1", 8080)


def test_a_good_full_environment_is_read() -> None:
    env = {
        config.TOKEN: GOOD_TOKEN,
        config.API_URL: "http://127.0.0.1:8081/bot",
        config.DATABASE_URL: "memory://",
        config.SECRET_KEY: GOOD_SECRET,
        config.SESSION_TIMEOUT: "600",
        config.LOG_LEVEL: "debug",
        config.WEBHOOK_SECRET: "abc_DEF-123",
        config.WEBHOOK_URL: "http://127.0.0.1:9000/hook/path",
        config.LISTEN: "0.0.0.0",
        config.PORT: "9000",
    }
    settings = Settings.from_env(env, require_token=True, webhook=True)
    assert settings.telegram_token == GOOD_TOKEN
    assert settings.session_timeout == 600
    assert settings.log_level == "DEBUG"
    assert settings.port == 9000
    assert settings.webhook_path == "/hook/path"
    assert not settings.official_api


def test_secrets_never_appear_in_repr() -> None:
    env = {
        config.TOKEN: GOOD_TOKEN,
        config.SECRET_KEY: GOOD_SECRET,
        config.WEBHOOK_SECRET: "webhooksecretvalue",
        config.DATABASE_URL: "postgresql://user:hunter2hunter2@db/firstcontact",
    }
    text = repr(Settings.from_env(env))
    for secret in (GOOD_TOKEN, GOOD_SECRET, "webhooksecretvalue", "hunter2hunter2"):
        assert secret not in text


def test_missing_token_when_running() -> None:
    message = only_problem({}, require_token=True)
    assert config.TOKEN in message and "@BotFather" in message


@pytest.mark.parametrize(
    "token", ["abc", "123456789", "123456789:short", "12:" + "a" * 35, "123456789:" + "a b" * 12]
)
def test_malformed_token_is_named_but_not_repeated(token: str) -> None:
    message = only_problem({config.TOKEN: token})
    assert config.TOKEN in message and "does not look like a bot token" in message
    assert token not in message


@pytest.mark.parametrize("url", ["ftp://example.org/bot", "api.telegram.org/bot", "https://"])
def test_api_url_must_be_http(url: str) -> None:
    message = only_problem({config.API_URL: url})
    assert config.API_URL in message and "http" in message


@pytest.mark.parametrize(
    ("value", "rate"), [("30", 30.0), ("0", 0.0), ("12.5", 12.5), ("1000", 1000)]
)
def test_max_rate_is_read(value: str, rate: float) -> None:
    assert Settings.from_env({config.MAX_RATE: value}).telegram_max_rate == rate


@pytest.mark.parametrize("value", ["abc", "-1", "1001", "1e3", "nan", "inf", "30/s", "0x1e"])
def test_max_rate_must_be_messages_per_second_from_0_to_1000(value: str) -> None:
    assert only_problem({config.MAX_RATE: value}) == (
        "FIRSTCONTACT_TELEGRAM_MAX_RATE must be messages per second from 0 to 1000 (default 30, "
        "Telegram's limit; 0 = no cap, for tests or a Bot API server that paces for itself); "
        f"it is {value!r}."
    )


def test_max_rate_reaches_the_telegram_options() -> None:
    from bot.channels.telegram import TelegramOptions

    settings = Settings.from_env({config.TOKEN: GOOD_TOKEN, config.MAX_RATE: "0"})
    options = TelegramOptions.from_settings(settings, poll_timeout=1)
    assert (options.overall_max_rate, options.poll_timeout) == (0.0, 1)
    assert (
        TelegramOptions.from_settings(
            Settings.from_env({config.TOKEN: GOOD_TOKEN})
        ).overall_max_rate
        == 30
    )


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url at all"])
def test_bad_database_url(url: str) -> None:
    message = only_problem({config.DATABASE_URL: url})
    assert message.startswith(config.DATABASE_URL)
    assert "sqlite:///" in message  # says what a good one looks like


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "not-a-dir"
    afile.write_text("x")
    env = {config.DATA_DIR: str(afile), config.DATABASE_URL: "memory://"}
    message = only_problem(env)
    assert config.DATA_DIR in message and "folder" in message


def test_short_secret_key() -> None:
    message = only_problem({config.SECRET_KEY: "tooshort"})
    assert config.SECRET_KEY in message and "at least 32" in message
    assert "tooshort" not in message


@pytest.mark.parametrize("value", ["abc", "59", "86401", "-5", "1.5"])
def test_session_timeout_range(value: str) -> None:
    message = only_problem({config.SESSION_TIMEOUT: value})
    assert config.SESSION_TIMEOUT in message and "60 to 86400" in message
    assert repr(value) in message


def test_log_level() -> None:
    message = only_problem({config.LOG_LEVEL: "LOUD"})
    assert config.LOG_LEVEL in message and "DEBUG, INFO, WARNING, ERROR" in message


@pytest.mark.parametrize("secret", ["has space", "x" * 257, "ümlaut", "semi;colon"])
def test_webhook_secret_characters(secret: str) -> None:
    message = only_problem({config.WEBHOOK_SECRET: secret})
    assert config.WEBHOOK_SECRET in message and "1 to 256" in message
    assert secret not in message


def test_webhook_mode_needs_secret_and_url() -> None:
    found = problems({config.TOKEN: GOOD_TOKEN}, require_token=True, webhook=True)
    assert len(found) == 2
    assert any(m.startswith(config.WEBHOOK_SECRET) for m in found)
    assert any(m.startswith(config.WEBHOOK_URL) for m in found)


def test_webhook_url_must_be_https_for_real_telegram() -> None:
    message = only_problem({config.WEBHOOK_URL: "http://bot.example.org/telegram"})
    assert config.WEBHOOK_URL in message and "https://" in message
    # A local Bot API server (or the test server) may use plain http.
    local = {config.WEBHOOK_URL: "http://127.0.0.1:9/x", config.API_URL: "http://127.0.0.1:8/bot"}
    assert Settings.from_env(local).webhook_url == "http://127.0.0.1:9/x"


def test_listen_host() -> None:
    message = only_problem({config.LISTEN: "bad host!"})
    assert config.LISTEN in message and "127.0.0.1" in message


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_port_range(port: str) -> None:
    message = only_problem({config.PORT: port})
    assert config.PORT in message and "1 to 65535" in message


def test_all_problems_are_reported_together() -> None:
    env = {
        config.TOKEN: "nope",
        config.API_URL: "ftp://x",
        config.MAX_RATE: "fast",
        config.SESSION_TIMEOUT: "5",
        config.LOG_LEVEL: "chatty",
        config.WEBHOOK_SECRET: "no spaces allowed",
        config.PORT: "99999",
    }
    found = problems(env, require_token=True, webhook=True)
    named = [
        config.TOKEN,
        config.API_URL,
        config.MAX_RATE,
        config.SESSION_TIMEOUT,
        config.LOG_LEVEL,
        config.WEBHOOK_SECRET,
        config.WEBHOOK_URL,  # missing in webhook mode
        config.PORT,
    ]
    assert len(found) == len(named)
    for name in named:
        assert sum(message.startswith(name) for message in found) == 1, name


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """`run` configures logging for the process; put the test runner's set-up back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _args(**kw: object) -> argparse.Namespace:
    base = {"webhook": False, "listen": None, "port": None, "webhook_url": None}
    return argparse.Namespace(**{**base, **kw})


def test_run_prints_every_problem_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(config.__dict__.values()):
        if isinstance(name, str) and name.startswith(config.PREFIX):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(config.SESSION_TIMEOUT, "5")
    code = run_command.run(_args(webhook=True, port="abc"))
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    for name in (config.TOKEN, config.SESSION_TIMEOUT, config.PORT, config.WEBHOOK_SECRET):
        assert name in err


@pytest.mark.usefixtures("keep_logging")
def test_run_with_broken_flows_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:

    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "main.yaml").write_text("flow: main\ntitle: x\nstart: nergens\nsteps: []\n")
    monkeypatch.setenv(config.FLOWS_DIR, str(flows))
    monkeypatch.setenv(config.TOKEN, GOOD_TOKEN)
    monkeypatch.setenv(config.DATA_DIR, str(tmp_path / "data"))
    monkeypatch.setenv(config.DATABASE_URL, "memory://")
    code = run_command.run(_args())
    err = capsys.readouterr().err
    assert code == 2
    assert "data files (flows, intents or referrals) have problems" in err
    assert "Traceback" not in err


def test_web_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "FIRSTCONTACT_WEB_FRAME_ANCESTORS": "https://www.example.org/, https://1712.be",
            "FIRSTCONTACT_WEB_TRUSTED_PROXIES": "127.0.0.1 10.0.0.0/8",
            "FIRSTCONTACT_WEB_EXIT_URL": "https://www.nu.nl/weer",
        }
    )
    assert settings.web_frame_ancestors == ("https://www.example.org", "https://1712.be")
    assert settings.web_trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    assert settings.web_exit_url == "https://www.nu.nl/weer"
    assert Settings.from_env({}).web_exit_url == config.DEFAULT_EXIT_URL


def test_wrong_web_settings_are_each_named_in_the_tables_order() -> None:
    found = problems(
        {
            "FIRSTCONTACT_WEB_FRAME_ANCESTORS": "https://ok.example *",
            "FIRSTCONTACT_WEB_TRUSTED_PROXIES": "proxy.local",
            "FIRSTCONTACT_WEB_EXIT_URL": "javascript:alert(1)",
        }
    )
    assert found == [
        "FIRSTCONTACT_WEB_EXIT_URL is where the quick exit goes and must be an http(s) address of "
        "an ordinary site, like https://www.buienradar.nl/ (the default); it is "
        "'javascript:alert(1)'.",
        "FIRSTCONTACT_WEB_FRAME_ANCESTORS lists sites that may embed the chat, as origins "
        "separated by spaces, like https://www.example.org (scheme and host, no path); '*' is "
        "not one.",
        "FIRSTCONTACT_WEB_TRUSTED_PROXIES lists the reverse proxies in front of the web chat, as "
        "IP addresses or networks like 127.0.0.1 or 10.0.0.0/8; 'proxy.local' is not one.",
    ]


def test_the_coordinator_page_is_off_unless_on_and_needs_a_database() -> None:
    assert Settings.from_env({}).coordinator_page is False
    assert Settings.from_env({"FIRSTCONTACT_COORDINATOR_PAGE": "on"}).coordinator_page is True
    for env, message in (
        ({"FIRSTCONTACT_COORDINATOR_PAGE": "yes"},
         "FIRSTCONTACT_COORDINATOR_PAGE turns the coordinator page (/coordinators/) on or off: "
         "write on or off (the default); it is 'yes'."),
        ({"FIRSTCONTACT_COORDINATOR_PAGE": "on", "FIRSTCONTACT_DATABASE_URL": "memory://"},
         "FIRSTCONTACT_COORDINATOR_PAGE is on, but FIRSTCONTACT_DATABASE_URL is memory://: the "
         "coordinators, their sign-ins and the directory's history live in the bot's database; "
         "use SQLite (the default) or PostgreSQL, or turn the page off."),
    ):  # fmt: skip
        with pytest.raises(ConfigError) as refused:
            Settings.from_env(env)
        assert [p.message for p in refused.value.problems] == [message]
