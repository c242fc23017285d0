"""deploy/ checked statically (no Docker engine or systemd here): the files parse, agree with each
other, and cover every WEIQUAN_* variable the code reads."""

from __future__ import annotations

import configparser
import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from needs import unavailable

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VARIABLE = re.compile(r"\bWEIQUAN_[A-Z0-9_]+\b")


def variables_the_code_reads() -> set[str]:
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    found = set(re.findall(r"[\"'](WEIQUAN_[A-Z0-9_]+)[\"']", source))
    assert len(found) >= 10, "bot/config.py no longer names its variables as string literals"
    return found


def env_example_variables() -> set[str]:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?(WEIQUAN_[A-Z0-9_]+)=", text, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_env_example_lists_exactly_the_variables_the_code_reads() -> None:
    assert env_example_variables() == variables_the_code_reads()


def test_readme_configuration_table_lists_every_variable() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(WEIQUAN_[A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    assert table == variables_the_code_reads()


def test_compose_has_database_app_and_proxy(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"db", "migrate", "app", "nginx"} <= set(services)
    assert services["db"]["image"].startswith("postgres:15")
    assert services["app"]["command"][0] == "serve"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert {"80:80", "443:443"} == set(services["nginx"]["ports"])
    assert "app" not in {name for name, spec in services.items() if spec.get("ports")}  # only via nginx
    for name in ("app", "nginx"):
        assert "/healthz" in " ".join(services[name]["healthcheck"]["test"]), name


def test_compose_database_url_points_at_the_db_service(compose: dict[str, Any]) -> None:
    for name in ("app", "migrate"):
        environment = compose["services"][name]["environment"]
        assert set(environment) <= variables_the_code_reads()
        assert environment["WEIQUAN_DATABASE_URL"].startswith("postgresql+psycopg://weiquan:")
        assert "@db:5432/weiquan" in environment["WEIQUAN_DATABASE_URL"]
        assert compose["services"][name]["env_file"] == ".env"


def test_compose_mounts_files_that_exist(compose: dict[str, Any]) -> None:
    nginx_mounts = [m.split(":")[0] for m in compose["services"]["nginx"]["volumes"]]
    assert "./nginx.conf" in nginx_mounts
    assert (DEPLOY / "nginx.conf").is_file()
    for name in ("migrate", "app"):  # both name the build, so neither is pulled from a registry
        build = compose["services"][name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        assert compose["services"][name]["image"] == "weiquan:latest"


def test_dockerfile_runs_as_a_non_root_user_after_installing() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    kinds = [kind for kind, _ in instructions]
    users = [arg for kind, arg in instructions if kind == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert kinds.index("USER") > max(i for i, (k, a) in enumerate(instructions) if "pip install" in a)
    assert ("ENTRYPOINT", '["weiquan"]') in instructions
    assert dict(instructions)["CMD"].startswith('["serve"')


def test_dockerfile_copies_existing_paths_that_the_dockerignore_lets_through() -> None:
    sources = []
    for kind, arg in dockerfile_instructions():
        if kind == "COPY":
            *paths, _destination = shlex.split(arg)
            sources += paths
    assert {"bot/", "dialogs/", "locales/", "pyproject.toml"} <= set(sources)
    allowed = {
        line[1:].rstrip("/")
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
        if line.startswith("!")
    }
    for source in sources:
        assert (ROOT / source).exists(), source
        assert source.rstrip("/") in allowed, source


def test_nginx_conf_proxies_the_app_routes_with_tls_placeholders(compose: dict[str, Any]) -> None:
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert code.count("{") == code.count("}")
    app_port = compose["services"]["app"]["expose"][0]
    assert f"server app:{app_port};" in code
    for route in ("/healthz", "/telegram/webhook", "/wechat", "/console"):
        assert re.search(rf"location (= )?{re.escape(route)} \{{", code), route
    assert "client_max_body_size 1m;" in code
    assert re.search(r"location = /metrics \{\s*return 404;", code)
    assert "ssl_certificate     /etc/nginx/certs/fullchain.pem;" in code
    assert any(m.endswith(":/etc/nginx/certs:ro") for m in compose["services"]["nginx"]["volumes"])


def test_systemd_unit_runs_the_venv_as_an_unprivileged_user() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    unit.read(DEPLOY / "weiquan.service", encoding="utf-8")
    assert set(unit.sections()) == {"Unit", "Service", "Install"}
    service = unit["Service"]
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"].startswith("/etc/weiquan/")
    assert shlex.split(service["ExecStart"])[:2] == ["/opt/weiquan/bin/weiquan", "serve"]
    assert shlex.split(service["ExecStartPre"]) == ["/opt/weiquan/bin/weiquan", "db", "upgrade"]
    assert service["NoNewPrivileges"] == "true"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


# --- deploy/nginx.conf run for real: Debian's nginx on loopback, a stand-in app upstream ----------

NGINX = "/usr/sbin/nginx"


def _self_signed_certificate(directory: Path) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    directory.mkdir()
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _local_site(tmp_path: Path, http_port: int, https_port: int, upstream_port: int, version: str) -> Path:
    """deploy/nginx.conf with loopback ports and the test's certificate; every swap must apply."""
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    swaps = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "server app:8080;": f"server 127.0.0.1:{upstream_port};",
        "/etc/nginx/certs/": f"{tmp_path}/certs/",
    }
    for old, new in swaps.items():
        assert old in site, old
        site = site.replace(old, new)
    if tuple(int(part) for part in version.split(".")) < (1, 25, 1):
        site = site.replace("http2 on;", "")  # Debian 12 has nginx 1.22; the compose image has 1.27
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp_path}/{kind};" for kind in kinds)
    main = tmp_path / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\n{temp_paths}\n    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    return main


async def test_nginx_conf_serves_the_app_routes_and_guards_the_rest(tmp_path: Path) -> None:
    if not os.access(NGINX, os.X_OK):
        unavailable("no nginx: `make test` installs Debian's nginx")
    import asyncio
    import socket
    import subprocess

    import httpx

    version = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=True).stderr
    version = version.strip().rsplit("/", 1)[-1]
    probes = [socket.socket() for _ in range(3)]  # all held open at once: three distinct ports
    for probe in probes:
        probe.bind(("127.0.0.1", 0))
    http_port, https_port, upstream_port = (probe.getsockname()[1] for probe in probes)
    for probe in probes:
        probe.close()
    _self_signed_certificate(tmp_path / "certs")
    main = _local_site(tmp_path, http_port, https_port, upstream_port, version)
    seen: list[tuple[str, dict[str, str]]] = []

    async def app(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        await reader.readexactly(int(headers.get("content-length", "0")))
        seen.append((head[0].split()[1], headers))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nupstream")
        await writer.drain()
        writer.close()

    command = [NGINX, "-p", str(tmp_path), "-c", str(main), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    upstream = await asyncio.start_server(app, "127.0.0.1", upstream_port)
    nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        async with httpx.AsyncClient(verify=False, timeout=10) as client:
            for _ in range(100):
                try:
                    await client.get(f"https://127.0.0.1:{https_port}/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            plain = await client.get(f"http://127.0.0.1:{http_port}/healthz")
            assert (plain.status_code, plain.text) == (200, "upstream")
            redirect = await client.get(f"http://127.0.0.1:{http_port}/console/")
            assert redirect.status_code == 301
            assert redirect.headers["location"].startswith("https://")

            base = f"https://127.0.0.1:{https_port}"
            seen.clear()
            assert (await client.get(f"{base}/metrics")).status_code == 404
            assert (await client.get(f"{base}/.env")).status_code == 404
            huge = await client.post(f"{base}/telegram/webhook", content=b"x" * 1_100_000)
            assert huge.status_code == 413
            assert seen == []  # none of these reached the app

            hook = await client.post(f"{base}/telegram/webhook", json={"update_id": 1})
            assert (hook.status_code, hook.text) == (200, "upstream")
            console = await client.get(f"{base}/console/login")
            assert console.headers["x-frame-options"] == "DENY"
            assert console.headers["strict-transport-security"].startswith("max-age=")
            assert (await client.get(f"{base}/wechat?signature=x")).status_code == 200
            proxied = [path for path, _ in seen]
            assert proxied == ["/telegram/webhook", "/console/login", "/wechat?signature=x"]
            assert all(headers["x-forwarded-proto"] == "https" for _, headers in seen)
    finally:
        nginx.terminate()
        _, errors = nginx.communicate(timeout=10)
        upstream.close()
        await upstream.wait_closed()
    assert b"[emerg]" not in errors
