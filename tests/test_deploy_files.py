"""deploy/ checked statically (no Docker engine or systemd here): the files parse, agree with each
other, and cover every WEIQUAN_* variable the code reads."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

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
        assert environment["WEIQUAN_DATABASE_URL"].startswith("postgresql+asyncpg://weiquan:")
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
