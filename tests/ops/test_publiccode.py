"""publiccode.yml for the Developers Italia catalogue, and the licence it names.

No maintained publiccode.yml validator installs from PyPI or npm (the standard's own,
publiccode-parser, is a Go program), so the file is checked against a JSON Schema written for
this repository from the text of the standard, version 0.4 with the Italian extension 1.0
(tests/ops/publiccode-0.4.schema.json, its "description" says where each rule comes from),
plus the rules a schema cannot express."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "publiccode-0.4.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _load() -> dict:
    # YAML 1.2 has no yes/no booleans; the file must mean the same to a 1.1 parser.
    return yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))


def problems(data: dict) -> list[str]:
    found = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in VALIDATOR.iter_errors(data)
    ]
    descriptions = data.get("description") or {}
    # "mandatory for at least one language"
    for key in ("longDescription", "features"):
        if not any(isinstance(d, dict) and d.get(key) for d in descriptions.values()):
            found.append(f"description: no language has {key}")
    languages = (data.get("localisation") or {}).get("availableLanguages") or []
    for lang in descriptions:
        if lang not in languages:
            found.append(f"description/{lang}: not in localisation/availableLanguages")
    for key in ("logo", "monochromeLogo"):
        if key in data and not (ROOT / data[key]).is_file():
            found.append(f"{key}: {data[key]} is not a file of the repository")
    return found


def test_publiccode_yml_is_valid():
    assert problems(_load()) == []


def test_it_describes_the_portal_in_italian_under_the_licence_of_the_repository():
    data = _load()
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["it"]["countryExtensionVersion"] == "1.0"
    italian = data["description"]["it"]
    assert "co-progettazione" in italian["shortDescription"]
    assert "Terzo settore" in italian["longDescription"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert data["legal"]["license"] == pyproject["project"]["license"] == "EUPL-1.2"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(developmentStatus="finished"), "developmentStatus"),
        (lambda d: d.pop("url"), "'url' is a required property"),
        (lambda d: d["description"]["it"].update(shortDescription="x" * 151), "shortDescription"),
        (lambda d: d["description"]["it"].update(longDescription="breve"), "longDescription"),
        (lambda d: d["categories"].append("social-services"), "categories/"),
        (lambda d: d["it"].update(countryExtensionVersion="0.2"), "countryExtensionVersion"),
        (lambda d: d["it"]["piattaforme"].update(spid="yes"), "piattaforme/spid"),
        (lambda d: d["maintenance"].update(type="internal"), "'contacts' is a required property"),
        (lambda d: d.update(softwareVersion="1.0"), "releaseDate"),
        (lambda d: d.update(logo="img/missing.svg"), "logo"),
        (lambda d: d["description"].update(en=d["description"]["it"]), "description/en"),
        (lambda d: d.update(releaseDate="2026-13-01", softwareVersion="1.0"), "releaseDate"),
    ],
)
def test_the_check_refuses_what_the_standard_refuses(change, expected):
    data = copy.deepcopy(_load())
    change(data)
    found = problems(data)
    assert any(expected in p for p in found), found


def test_licence_is_the_full_official_eupl_1_2_text():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    for article in range(1, 16):
        assert f"\n{article}." in text, f"article {article} missing"
    assert "Appendix" in text and "Compatible Licences" in text
    assert len(text) > 13_000
