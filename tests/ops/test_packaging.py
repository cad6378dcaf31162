"""Dependencies: pyproject.toml holds the ranges, the lock files the exact versions with their
hashes; make, CI and the Dockerfile install from the locks only (README › Deploying)."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _lock(name: str) -> dict[str, tuple[str, list[str]]]:
    """{package: (version, [sha256 hashes])} of a pip-compile lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / name).read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line)
        if pin:
            current = canonicalize_name(pin.group(1))
            pins[current] = (pin.group(2), [])
        hashed = re.search(r"--hash=sha256:([0-9a-f]{64})", line)
        if hashed and current:
            pins[current][1].append(hashed.group(1))
    return pins


RUNTIME = _lock("requirements.lock")
DEV = _lock("requirements-dev.lock")


@pytest.mark.parametrize(
    ("group", "lock"),
    [("dependencies", RUNTIME), ("dev", DEV)],
    ids=["runtime", "dev"],
)
def test_every_declared_dependency_is_locked_within_its_range(group, lock):
    declared = (
        PYPROJECT["project"]["dependencies"]
        if group == "dependencies"
        else PYPROJECT["project"]["optional-dependencies"]["dev"]
    )
    for line in declared:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement.name} is declared but not locked: run `make lock`"
        version = lock[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name}=={version} in the lock is outside {requirement.specifier}: "
            "run `make lock`"
        )


@pytest.mark.parametrize("lock", [RUNTIME, DEV], ids=["runtime", "dev"])
def test_every_locked_package_has_hashes(lock):
    assert lock
    assert not [name for name, (_, hashes) in lock.items() if not hashes]


def test_dev_lock_has_the_runtime_versions():
    assert {n: v for n, (v, _) in RUNTIME.items()} == {n: DEV[n][0] for n in RUNTIME if n in DEV}
    assert set(RUNTIME) <= set(DEV)


# The oldest Python the portal supports: Debian 12's (README › Quick start).
OLDEST_PYTHON = {
    "python_full_version": "3.11.2",
    "python_version": "3.11",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "extra": "",
}


@pytest.mark.parametrize("lock", [RUNTIME, DEV], ids=["runtime", "dev"])
def test_what_the_oldest_supported_python_needs_is_locked(lock):
    """pip-compile keeps only what the Python it runs on needs: a lock made on 3.11.7 missed
    async-timeout, which redis needs below 3.11.3, and `make run` failed on Debian 12."""
    missing = []
    for name in lock:
        try:
            requires = importlib.metadata.distribution(name).requires or []
        except importlib.metadata.PackageNotFoundError:
            continue  # not installed here (a runtime-only package seen from the dev venv)
        for line in requires:
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is None or "extra" in str(marker) or not marker.evaluate(OLDEST_PYTHON):
                continue
            if canonicalize_name(requirement.name) not in lock:
                missing.append(f"{name} needs {line}")
    assert missing == []


def test_unused_packages_are_not_declared():
    declared = {
        canonicalize_name(Requirement(line).name) for line in PYPROJECT["project"]["dependencies"]
    }
    # Neither was imported anywhere (deptry, `make deps-check`, keeps it so).
    assert not declared & {"qrcode", "filetype"}


def test_make_and_docker_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "install --require-hashes --no-deps -r $(LOCK)" in makefile
    assert "install --require-hashes --no-deps -r $(DEV_LOCK)" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
