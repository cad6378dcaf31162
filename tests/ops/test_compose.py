"""docker-compose.yml: what each service must have for the stack to be safe and observable.
(No Docker engine runs here; `docker compose config` is run when the Compose plugin exists.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def _test_command(service: str) -> str:
    test = SERVICES[service]["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else test


@pytest.mark.parametrize("service", ["proxy", "postgres", "redis", "web", "worker", "beat"])
def test_every_long_running_service_has_a_healthcheck(service):
    assert _test_command(service)


def test_only_the_proxy_is_published_and_it_never_sees_private_files():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = SERVICES["proxy"]
    assert proxy["image"].split(":")[0] == "caddy"  # the official image
    volumes = proxy["volumes"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in volumes
    media = [v for v in volumes if v.startswith("media:")]
    assert media == [f"media:{proxy['environment']['MEDIA_DIR']}:ro"]
    assert not [v for v in volumes if "private" in v]
    assert proxy["environment"]["UPSTREAM"] == "web:8000"
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "private" not in re.sub(r"#.*", "", caddyfile)


def test_web_healthcheck_checks_the_web_process_not_the_worker():
    assert "/health/?only=database,redis" in _test_command("web")


def test_worker_healthcheck_pings_its_own_node():
    command = SERVICES["worker"]["command"]
    node = command[command.index("-n") + 1]
    assert node == "worker@%h"
    assert "inspect ping -d worker@$$HOSTNAME" in _test_command("worker")


def test_beat_healthcheck_reads_the_schedule_file_beat_writes():
    command = SERVICES["beat"]["command"]
    schedule = command[command.index("--schedule") + 1]
    assert f'glob.glob("{schedule}*")' in _test_command("beat")
    assert any(v.endswith(":" + str(Path(schedule).parent)) for v in SERVICES["beat"]["volumes"])


def _compose_plugin() -> bool:
    docker = shutil.which("docker")
    if not docker:
        return False
    return subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _compose_plugin(), reason="the Docker Compose plugin is not installed")
def test_docker_compose_config_accepts_the_file(tmp_path):
    # A copy, next to a filled-in .env (env_file: .env is read from the compose file's folder).
    env = (ROOT / ".env.example").read_text().replace("SECRET_KEY=\n", "SECRET_KEY=x\n")
    (tmp_path / ".env").write_text(env + "SITE_ADDRESS=partecipa.example.it\n")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    result = subprocess.run(
        ["docker", "compose", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
