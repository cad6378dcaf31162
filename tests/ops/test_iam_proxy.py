"""The compose profile `spid`: iam-proxy-italia (official image) and its MongoDB, configured from
deploy/iam-proxy/ and .env, published through the stack's Caddy; and its configuration agrees
with the portal (the callback and post-logout addresses it registers, the fiscal code claim
it releases, the routes of the CIE button). No Docker engine runs here: the files are read."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from core.identity import FISCAL_CODE_CLAIMS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "iam-proxy"
SERVICES = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
CADDY = shutil.which("caddy")


class _EnvLoader(yaml.SafeLoader):
    """SATOSA's YAML: `!ENV NAME` reads a variable."""


_EnvLoader.add_constructor("!ENV", lambda loader, node: f"${{{loader.construct_scalar(node)}}}")


def test_profile_starts_the_official_image_and_its_database_unpublished():
    proxy, mongo = SERVICES["iam-proxy"], SERVICES["iam-proxy-mongo"]
    assert proxy["profiles"] == ["spid"] and mongo["profiles"] == ["spid"]
    assert proxy["image"].startswith("ghcr.io/italia/iam-proxy-italia:")
    assert "ports" not in proxy and "ports" not in mongo
    assert proxy["healthcheck"]["test"] and mongo["healthcheck"]["test"]
    # every file it mounts from the repository exists (the keys are made at deploy time)
    for service in (proxy, mongo):
        for volume in service["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./") and not source.endswith("/pki"):
                assert (ROOT / source).exists(), source
    assert ".env" not in str(proxy.get("env_file", "")) + str(mongo.get("env_file", ""))


def test_secrets_come_from_the_environment_with_no_default():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in (
        "SATOSA_ENCRYPTION_KEY",
        "SATOSA_SALT",
        "SATOSA_STATE_ENCRYPTION_KEY",
        "IAM_PROXY_MONGO_PASSWORD",
        "IAM_PROXY_MONGO_ROOT_PASSWORD",
        "SPID_OIDC_CLIENT_SECRET",
    ):
        assert re.findall(rf"\$\{{{name}(:-[^}}]*)?\}}", text), name
        assert not re.findall(rf"\$\{{{name}:-[^}}]+\}}", text), f"{name} has a default"
    assert "pki/" in (ROOT / ".gitignore").read_text()


def test_proxy_conf_has_the_spid_cie_backends_the_oidc_frontend_and_idp_hinting():
    conf = yaml.load((DEPLOY / "proxy_conf.yaml").read_text(), Loader=_EnvLoader)  # noqa: S506
    assert conf["BACKEND_MODULES"] == [
        "conf/backends/spidsaml2_backend.yaml",
        "conf/backends/ciesaml2_backend.yaml",
    ]
    assert conf["FRONTEND_MODULES"] == ["conf/frontends/oidcop_frontend.yaml"]
    assert "conf/microservices/idp_hinting.yaml" in conf["MICRO_SERVICES"]
    assert conf["STATE_ENCRYPTION_KEY"] == "${SATOSA_STATE_ENCRYPTION_KEY}"


def test_client_registration_matches_the_portal():
    script = (DEPLOY / "mongo-init.sh").read_text()
    assert subprocess.run(["bash", "-n", str(DEPLOY / "mongo-init.sh")]).returncode == 0
    for scheme in ("spid", "cie"):
        callback = reverse("openid_connect_callback", kwargs={"provider_id": scheme})
        assert f'["${{SITE_URL}}{callback}", {{}}]' in script
    assert f'[["${{SITE_URL}}{reverse("core:home")}", null]]' in script
    released = re.search(r"profile: \[([^\]]*)\]", script).group(1)
    assert any(f'"{claim}"' in released for claim in FISCAL_CODE_CLAIMS)


@pytest.mark.skipif(CADDY is None, reason="caddy is not installed")
def test_caddy_publishes_the_proxy_site_when_its_file_is_in_sites(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    env = {"PATH": "/usr/bin:/bin", "CADDY_SITES": str(sites), "SITE_ADDRESS": "portale.test"}

    def adapt() -> str:
        result = subprocess.run(
            [CADDY, "adapt", "--config", str(ROOT / "deploy" / "Caddyfile")],
            env={**env, "SATOSA_HOSTNAME": "spid.portale.test"},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "spid.portale.test" not in adapt()  # nothing in sites/: the portal alone
    shutil.copy(DEPLOY / "iam-proxy.caddy", sites)
    config = adapt()
    assert '"spid.portale.test"' in config and "iam-proxy:10000" in config
