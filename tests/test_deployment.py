"""The deployment files: the Dockerfile, compose.yaml, nginx's config and the lock files.

No Docker engine runs here, so each file is checked with the tool that knows its format
(hadolint, the compose spec's JSON schema, `nginx -t`) and its promises are read back from it:
non-root, pinned, health-checked, listening on all interfaces, data on a volume.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from aiohttp import ClientConnectionError, ClientSession, TCPConnector, web
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def tool(name: str) -> str:
    """A console script from this venv (the test extras install them), else from PATH."""
    found = BIN / name
    if found.exists():
        return str(found)
    path = shutil.which(name)
    assert path, f"{name} is not installed; pip install -e '.[test]' brings it"
    return path


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += stripped
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        logical.append(pending)
        pending = ""
    return [(x.split(None, 1)[0].upper(), x.split(None, 1)[1]) for x in logical]


def hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("hadolint"), "--no-color", str(dockerfile)], cwd=ROOT, capture_output=True, text=True
    )


def test_dockerfile_passes_hadolint(tmp_path: Path) -> None:
    result = hadolint(ROOT / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python\nRUN pip install firstcontact\n")
    assert "DL3006" in hadolint(careless).stdout  # the linter does look: an untagged base fails


def test_image_is_slim_pinned_non_root_and_health_checked() -> None:
    steps = instructions(ROOT / "Dockerfile")
    args = dict(a.split("=", 1) for i, a in steps if i == "ARG" and "=" in a)
    base = args["PYTHON_IMAGE"]
    assert base.startswith("python:3.11") and "-slim" in base and DIGEST.search(base), base
    assert all(a.split()[0] == "${PYTHON_IMAGE}" for i, a in steps if i == "FROM")

    final = steps[max(n for n, (i, _) in enumerate(steps) if i == "FROM") :]
    users = [a for i, a in final if i == "USER"]
    assert users and re.fullmatch(r"[1-9][0-9]{3,}:[1-9][0-9]{3,}", users[-1]), users
    assert any(i == "HEALTHCHECK" and "bot.healthcheck" in a for i, a in final)
    env = " ".join(a for i, a in final if i == "ENV")
    assert "FIRSTCONTACT_LISTEN=0.0.0.0" in env  # reachable through the container's port
    assert "FIRSTCONTACT_DATA_DIR=/data" in env
    assert "FIRSTCONTACT_REFERRALS=/app/flows/referrals.yaml" in env  # the image's seed
    assert not any(i == "COPY" and "/data" in a for i, a in final)  # no directory file there
    assert ("VOLUME", '["/data"]') in final
    assert any(i == "CMD" and "--webhook" in a for i, a in final)

    installs = [a for i, a in steps if i == "RUN" and "pip install" in a]
    assert any("--require-hashes" in a and "-r requirements.lock" in a for a in installs)
    assert all("--no-deps" in a for a in installs), "only the lock decides what is installed"
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for instruction, arguments in steps:
        if instruction == "COPY" and not arguments.startswith("--from"):
            sources = [s for s in arguments.split() if not s.startswith("--")][:-1]
            assert all((ROOT / s).exists() for s in sources), arguments
            assert all(s.split("/")[0] in allowed for s in sources), ".dockerignore drops it"


def test_compose_file_matches_the_compose_spec() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "compose.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_describes_postgres_two_workers_and_nginx() -> None:
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    workers = [s for name, s in services.items() if name.startswith("worker-")]
    assert len(workers) == 2
    for worker in workers:
        env = worker["environment"]
        assert env["FIRSTCONTACT_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in env["FIRSTCONTACT_DATABASE_URL"]
        assert "FIRSTCONTACT_TELEGRAM_API_URL" in env  # a self-hosted Bot API server if set
        assert worker["volumes"] == ["data:/data"]
        assert worker["read_only"] is True and worker["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in worker["security_opt"]
        assert "ports" not in worker  # reached through nginx only
        assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    nginx = services["nginx"]
    assert "./deploy/nginx/firstcontact.conf:/etc/nginx/conf.d/default.conf:ro" in nginx["volumes"]
    assert "443:8443" in nginx["ports"]
    for name, service in services.items():
        if "image" in service and "build" not in service and "profiles" not in service:
            assert DIGEST.search(service["image"]), f"{name} is not pinned by digest"
    assert services["telegram-bot-api"]["profiles"] == ["local-bot-api"]


def nginx_config(tmp_path: Path, worker_ports: tuple[int, int]) -> Path:
    """The repository's nginx config inside a main config that runs from tmp_path as anyone."""
    certificate = tmp_path / "tls"
    certificate.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1",
            "-keyout", str(certificate / "privkey.pem"),
            "-out", str(certificate / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = (ROOT / "deploy/nginx/firstcontact.conf").read_text()
    site = site.replace("/etc/nginx/tls/", f"{certificate}/")
    for number, port in enumerate(worker_ports, start=1):
        site = site.replace(f"worker-{number}:8080", f"127.0.0.1:{port}")
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr crit;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/f;\n  uwsgi_temp_path {tmp_path}/u;\n"
        f"  scgi_temp_path {tmp_path}/s;\n"
        f"  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (.ci/run does)")
def test_nginx_config_is_valid(tmp_path: Path) -> None:
    main = nginx_config(tmp_path, (18080, 18081))
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(main), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (.ci/run does)")
async def test_nginx_keeps_a_web_chat_on_one_worker_and_spreads_the_rest(tmp_path: Path) -> None:
    """The web chat's unacknowledged replies live in one worker's memory: nginx hashes a chat's
    cookie to one worker (either cookie name), and spreads whatever has none (Telegram)."""
    served: list[int] = []

    async def worker(number: int) -> web.AppRunner:
        async def answer(request: web.Request) -> web.Response:
            served.append(number)
            return web.json_response({"worker": number})

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner

    runners = [await worker(1), await worker(2)]
    ports = tuple(int(r.addresses[0][1]) for r in runners)
    main = nginx_config(tmp_path, (ports[0], ports[1]))
    site = tmp_path / "site.conf"
    listen = {old: free_port() for old in (8443, 8080, 8090)}
    text = site.read_text()
    for old, new in listen.items():
        text = text.replace(f"listen {old}", f"listen 127.0.0.1:{new}")
    site.write_text(text)
    nginx = subprocess.Popen(
        ["nginx", "-p", str(tmp_path), "-c", str(main), "-e", "stderr", "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    base = f"https://127.0.0.1:{listen[8443]}"
    try:
        async with ClientSession(connector=TCPConnector(ssl=False)) as http:

            async def worker_for(path: str, cookie: str | None = None) -> int:
                headers = {"Cookie": cookie} if cookie else {}
                for _ in range(100):  # nginx may still be starting
                    try:
                        async with http.post(f"{base}{path}", headers=headers) as response:
                            return (await response.json())["worker"]
                    except ClientConnectionError:
                        assert nginx.poll() is None, nginx.stderr.read() if nginx.stderr else ""
                        await asyncio.sleep(0.1)
                raise AssertionError("nginx never answered")

            chats = {}
            for n in range(24):
                token = f"chat{n:02d}token"
                name = "__Host-fc_chat" if n % 2 else "fc_chat"
                cookies = [f"{name}={token}", f"lang=nl; {name}={token}", f"{name}={token}; x=1"]
                chats[token] = {await worker_for("/api/chat", c) for c in cookies * 3}
            assert all(len(workers) == 1 for workers in chats.values())  # sticky
            assert {w for workers in chats.values() for w in workers} == {1, 2}  # both used
            telegram = {await worker_for("/telegram") for _ in range(24)}
            assert telegram == {1, 2}  # without a chat's cookie: any worker
    finally:
        nginx.terminate()
        nginx.wait(10)
        for runner in runners:
            await runner.cleanup()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def locked(path: Path) -> dict[str, str]:
    """Package name -> pinned version for the lines of a lock whose marker holds here."""
    pins = {}
    for line in path.read_text().splitlines():
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.rstrip(" \\"))
        if requirement.marker is None or requirement.marker.evaluate():
            [spec] = requirement.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_lock_files_pin_every_dependency_in_pyproject() -> None:
    """A dependency added to pyproject.toml without running .ci/lock fails here."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = locked(ROOT / "requirements.lock")
    everything = locked(ROOT / "requirements-test.lock")
    wanted = [(d, runtime) for d in project["dependencies"]]
    wanted += [(d, everything) for d in project["optional-dependencies"]["test"]]
    for line, pins in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in the lock; run .ci/lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (line, pins[name])
    assert all(everything.get(name) == version for name, version in runtime.items())


def test_runtime_lock_holds_every_package_the_bot_needs() -> None:
    """--require-hashes refuses an unlisted package: walk what firstcontact really imports."""
    runtime = locked(ROOT / "requirements.lock")
    environment = default_environment()
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(canonicalize_name("firstcontact"), frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker and not any(
                marker.evaluate(environment | {"extra": extra}) for extra in (extras or {""})
            ):
                continue
            child = canonicalize_name(requirement.name)
            if (child, frozenset(requirement.extras)) in seen:
                continue
            seen.add((child, frozenset(requirement.extras)))
            assert child in runtime, f"{child} (needed by {name}) is missing; run .ci/lock"
            todo.append((child, frozenset(requirement.extras)))
    assert len(seen) >= 20


def server_blocks(config: str) -> list[str]:
    """The text of each `server { ... }` block of an nginx config (no nested braces in ours
    but `location`, which is kept inside its server)."""
    blocks, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", config):
        token = match.group()
        if token.startswith("server") and depth == 0:
            start = match.start()
        depth += 1 if token.endswith("{") else -1
        if depth == 0 and start is not None:
            blocks.append(config[start : match.end()])
            start = None
    return blocks


def test_nginx_keeps_no_client_address_and_limits_bodies() -> None:
    """docs/security.md: nginx logs no address and tells the workers none."""
    config = (ROOT / "deploy/nginx/firstcontact.conf").read_text()
    code = "\n".join(line.split("#")[0] for line in config.splitlines())
    blocks = server_blocks(code)
    assert len(blocks) == 3
    for block in blocks:
        assert re.search(r"\baccess_log\s+off;", block), block[:60]
        assert re.search(r"\berror_log\s+\S+\s+crit;", block), block[:60]
        assert "server_tokens off;" in block
        if "proxy_pass" in block:
            assert 'proxy_set_header X-Forwarded-For "";' in block
            assert 'proxy_set_header X-Real-IP "";' in block
            assert "client_max_body_size 1m;" in block
    assert "$remote_addr" not in code and "$proxy_add_x_forwarded_for" not in code
    tls = next(b for b in blocks if "ssl_certificate" in b)
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in tls and "Strict-Transport-Security" in tls


def test_secrets_stay_out_of_the_image_build() -> None:
    """.env and the TLS key never reach the Docker daemon: only named paths are sent."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", "everything is excluded first"
    allowed = [rule[1:] for rule in rules if rule.startswith("!")]
    assert not any(a.startswith((".env", "deploy", "data", ".git", ".venv")) for a in allowed)
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "/.env" in ignored and "/deploy/tls/" in ignored


def image_environment(tmp_path: Path) -> dict[str, str]:
    """The final stage's FIRSTCONTACT_* settings, with /app and /data under tmp_path."""
    steps = instructions(ROOT / "Dockerfile")
    final = steps[max(n for n, (i, _) in enumerate(steps) if i == "FROM") :]
    env: dict[str, str] = {}
    for instruction, arguments in final:
        if instruction == "ENV":
            env.update(pair.split("=", 1) for pair in arguments.split())
    app, data = tmp_path / "app", tmp_path / "data"
    shutil.copytree(ROOT / "flows", app / "flows")
    shutil.copytree(ROOT / "locales", app / "locales")
    data.mkdir()
    return {
        name: value.replace("/app", str(app)).replace("/data", str(data))
        for name, value in env.items()
        if name.startswith("FIRSTCONTACT_")
    }


def test_in_the_image_a_coordinators_change_goes_to_the_database_every_worker_reads(
    tmp_path: Path,
) -> None:
    """With the image's settings, `referrals set` (as `docker compose exec worker-1 ...` runs
    it) saves to the database the workers share, checked against the image's flows; the seed
    in the image is never written, and a worker opened afterwards uses the change."""
    from bot.directory_source import DatabaseSource
    from bot.referrals.load import parse_directory

    env = image_environment(tmp_path)
    seed = Path(env["FIRSTCONTACT_REFERRALS"])
    assert seed == tmp_path / "app" / "flows" / "referrals.yaml"
    shipped = seed.read_text("utf-8")
    database = f"sqlite:///{tmp_path / 'data' / 'firstcontact.sqlite'}"
    others = {k: v for k, v in os.environ.items() if not k.startswith("FIRSTCONTACT_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "referrals", "set", "lijn_1712",
         "check_every_days=60", "--by", "Anna", "--yes"],
        env={**others, **env, "FIRSTCONTACT_DATABASE_URL": database},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "the flows cannot be read" not in done.stderr  # checked against the image's flows
    assert "Saved as version 2 of the directory in the database" in done.stdout
    assert seed.read_text("utf-8") == shipped
    worker = DatabaseSource(database, seed)
    try:
        text, version = worker.read()
    finally:
        worker.close()
    assert version == 2
    assert parse_directory(text, "db").get("lijn_1712").check_every_days == 60
