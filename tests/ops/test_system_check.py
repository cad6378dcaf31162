"""scripts/check_system.py, run by `make run` and `make test` before anything is installed: one
line naming what is missing and how to install it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("check_system", ROOT / "scripts" / "check_system.py")
check_system = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_system)


@pytest.fixture
def bare(monkeypatch):
    """A bare Debian 12: python3 without venv, no make, no Pango, no fonts."""
    monkeypatch.setattr(check_system, "venv_ok", lambda: False)
    monkeypatch.setattr(check_system, "make_ok", lambda: False)
    monkeypatch.setattr(check_system, "library_ok", lambda name: False)
    monkeypatch.setattr(check_system, "fonts_ok", lambda system: False)


def test_this_machine_has_everything():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_system.py")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == result.stderr == ""


def test_a_bare_debian_gets_one_line_with_the_apt_command(bare, capsys):
    assert check_system.main() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err == (
        "Missing: python3-venv, make, libpango-1.0-0, libpangoft2-1.0-0, fonts-dejavu-core. "
        "Install with: sudo apt-get install -y python3-venv make libpango-1.0-0 "
        "libpangoft2-1.0-0 fonts-dejavu-core\n"
    )


def test_only_what_is_missing_is_named(monkeypatch, capsys):
    monkeypatch.setattr(check_system, "library_ok", lambda name: name != "pangoft2-1.0")
    monkeypatch.setattr(check_system, "fonts_ok", lambda system: True)
    assert check_system.main() == 1
    assert capsys.readouterr().err == (
        "Missing: libpangoft2-1.0-0. Install with: sudo apt-get install -y libpangoft2-1.0-0\n"
    )


def test_macos_gets_the_homebrew_command(bare, monkeypatch):
    monkeypatch.setattr(check_system, "fonts_ok", lambda system: system == "Darwin")
    found = check_system.missing("Darwin")
    assert check_system.message(found, "Darwin") == (
        "Missing: make, pango, python@3.12. Install with: brew install pango python@3.12 "
        "(and `xcode-select --install` for make)"
    )


def test_the_probes_look_for_the_libraries_weasyprint_loads():
    assert check_system.library_ok("pango-1.0") and check_system.library_ok("pangoft2-1.0")
    assert not check_system.library_ok("surely-not-a-library-0")


def test_make_run_and_make_test_check_first():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nrun: system-check " in makefile and "\ntest: system-check " in makefile
