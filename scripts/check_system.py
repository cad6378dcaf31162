#!/usr/bin/env python3
"""What `make run` and `make test` need from the system, checked before anything is installed.

Python 3.11+ with venv (Debian: python3-venv), make, and WeasyPrint's Pango library and a font
(without them the PDF of the demo data fails). Prints nothing and exits 0 when all is there;
otherwise prints ONE line naming what is missing and the command that installs it, and exits 1.

Standard library only: it runs with the system python3, before .venv exists.
"""

from __future__ import annotations

import ctypes.util
import glob
import importlib.util
import os
import platform
import shutil
import sys

# Debian/Ubuntu package, Homebrew formula (None: nothing to install there).
PYTHON = ("python3", "python@3.12")
VENV = ("python3-venv", "python@3.12")  # Homebrew's Python has venv and ensurepip
MAKE = ("make", None)  # macOS: the Xcode command line tools (xcode-select --install)
PANGO = ("libpango-1.0-0", "pango")
PANGOFT2 = ("libpangoft2-1.0-0", "pango")
FONTS = ("fonts-dejavu-core", None)

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"))


def python_ok() -> bool:
    return sys.version_info >= (3, 11)


def venv_ok() -> bool:
    # Debian ships ensurepip (which venv uses to put pip in .venv) only in python3-venv.
    return all(importlib.util.find_spec(name) is not None for name in ("venv", "ensurepip"))


def library_ok(name: str) -> bool:
    return ctypes.util.find_library(name) is not None


def make_ok() -> bool:
    return shutil.which("make") is not None


def fonts_ok(system: str) -> bool:
    if system == "Darwin":
        return True  # macOS ships its fonts
    return any(
        glob.glob(os.path.join(folder, "**", pattern), recursive=True)
        for folder in FONT_DIRS
        for pattern in ("*.ttf", "*.otf", "*.ttc")
    )


def missing(system: str | None = None) -> list[tuple[str, str | None]]:
    system = system or platform.system()
    found = []
    if not python_ok():
        found.append(PYTHON)
    if not venv_ok():
        found.append(VENV)
    if not make_ok():
        found.append(MAKE)
    if not library_ok("pango-1.0"):
        found.append(PANGO)
    if not library_ok("pangoft2-1.0"):
        found.append(PANGOFT2)
    if not fonts_ok(system):
        found.append(FONTS)
    return found


def message(found: list[tuple[str, str | None]], system: str) -> str:
    if system == "Darwin":
        formulas = sorted({brew for _, brew in found if brew})
        names = ", ".join(sorted({brew or apt for apt, brew in found}))
        hint = f"brew install {' '.join(formulas)}" if formulas else "xcode-select --install"
        extra = " (and `xcode-select --install` for make)" if MAKE in found and formulas else ""
        return f"Missing: {names}. Install with: {hint}{extra}"
    packages = " ".join(dict.fromkeys(apt for apt, _ in found))
    return (
        f"Missing: {', '.join(dict.fromkeys(apt for apt, _ in found))}. "
        f"Install with: sudo apt-get install -y {packages}"
    )


def main() -> int:
    system = platform.system()
    found = missing(system)
    if not found:
        return 0
    print(message(found, system), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
