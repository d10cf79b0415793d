"""`python -m bot.healthcheck`: the container's HEALTHCHECK, asking this worker's own /healthz.

A plain urllib call (no proxies, a short timeout), so a hung worker is reported unhealthy
rather than hanging the check; exit 0 healthy, 1 not.
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Mapping

from bot.config import ConfigError, Settings

TIMEOUT_SECONDS = 3.0
ANY_ADDRESS = ("0.0.0.0", "::", "[::]", "")


def healthz_url(settings: Settings) -> str:
    """Where the worker answers: its own listen address, loopback when it listens on all."""
    host = "127.0.0.1" if settings.listen in ANY_ADDRESS else settings.listen
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/healthz"


def is_healthy(url: str, timeout: float = TIMEOUT_SECONDS) -> bool:
    """True only for a 200 answer within the timeout; refused, 503 or silence are not healthy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):  # URLError, HTTPError (503 while stopping), timeouts
        return False


def main(env: Mapping[str, str] | None = None) -> int:
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        print(f"unhealthy: {len(exc.problems)} setting(s) wrong; see the worker's own log")
        return 1
    url = healthz_url(settings)
    if is_healthy(url):
        print("healthy")
        return 0
    print(f"unhealthy: no 200 from {url}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
