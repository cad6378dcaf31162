"""The layers of ARCHITECTURE.md hold: no app imports one above it (import-linter's contract in
pyproject.toml, [tool.importlinter]), and every app of the project is in the contract."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    return config["importlinter"]


def test_no_app_imports_a_higher_layer():
    result = subprocess.run(  # noqa: S603 - the project's own linter, no input from outside
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_every_project_app_is_a_layer_of_the_contract():
    [contract] = _contract()["contracts"]
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    }
    assert set(contract["layers"]) == ours == set(_contract()["root_packages"])
    # top first, as ARCHITECTURE.md draws them; core at the bottom
    assert contract["layers"][-1] == "core" and contract["layers"][0] == "opendata"
