"""The DCAT-AP_IT catalogue of an ambito validates as JSON-LD: expanded and flattened by pyld,
each node of each class has the properties the Italian profile makes mandatory, with values
from the vocabularies it names. The checker fails on a catalogue missing any of them."""

from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse
from pyld import jsonld

pytestmark = pytest.mark.django_db

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
DCATAPIT = "http://dati.gov.it/onto/dcatapit#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
EU = "http://publications.europa.eu/resource/authority/"

# DCAT-AP_IT (AgID): the classes and their mandatory properties (plus, for the dataset and
# distribution, the recommended ones this portal promises: publisher, contact, download URL).
REQUIRED = {
    DCATAPIT + "Catalog": [
        DCT + "title",
        DCT + "description",
        DCT + "publisher",
        DCT + "modified",
        DCAT + "dataset",
    ],
    DCATAPIT + "Dataset": [
        DCT + "identifier",
        DCT + "title",
        DCT + "description",
        DCT + "modified",
        DCAT + "theme",
        DCT + "rightsHolder",
        DCT + "accrualPeriodicity",
        DCAT + "distribution",
        DCT + "publisher",
        DCAT + "contactPoint",
    ],
    DCATAPIT + "Distribution": [
        DCAT + "accessURL",
        DCT + "format",
        DCT + "license",
        DCAT + "downloadURL",
    ],
    DCATAPIT + "Agent": [DCT + "identifier", FOAF + "name"],
    DCATAPIT + "LicenseDocument": [DCT + "type", FOAF + "name"],
    DCATAPIT + "Organization": [VCARD + "fn", VCARD + "hasEmail"],
}
# Each of those classes is also its DCAT / FOAF / DCT parent class.
PARENTS = {
    DCATAPIT + "Catalog": DCAT + "Catalog",
    DCATAPIT + "Dataset": DCAT + "Dataset",
    DCATAPIT + "Distribution": DCAT + "Distribution",
    DCATAPIT + "Agent": FOAF + "Agent",
    DCATAPIT + "LicenseDocument": DCT + "LicenseDocument",
    DCATAPIT + "Organization": VCARD + "Organization",
}
VOCABULARIES = {
    DCAT + "theme": EU + "data-theme/",
    DCT + "accrualPeriodicity": EU + "frequency/",
    DCT + "format": EU + "file-type/",
}


def violations(document: dict) -> list[str]:
    """What a DCAT-AP_IT harvester would refuse in `document` (JSON-LD), as messages."""
    found = []
    nodes = jsonld.flatten(document)
    by_type: dict[str, list[dict]] = {}
    for node in nodes:
        for t in node.get("@type", []):
            by_type.setdefault(t, []).append(node)
    for cls, properties in REQUIRED.items():
        if not by_type.get(cls):
            found.append(f"no node of class {cls}")
        for node in by_type.get(cls, []):
            if PARENTS[cls] not in node.get("@type", []):
                found.append(f"{node['@id']}: {cls} without {PARENTS[cls]}")
            for prop in properties:
                values = node.get(prop) or []
                if not values or all(v.get("@value", v.get("@id", "")) == "" for v in values):
                    found.append(f"{node['@id']} ({cls}): missing {prop}")
            for prop, vocabulary in VOCABULARIES.items():
                for v in node.get(prop, []):
                    if not v.get("@id", "").startswith(vocabulary):
                        found.append(f"{node['@id']}: {prop} {v} not in {vocabulary}")
            for v in node.get(DCT + "modified", []):
                if v.get("@type") != XSD_DATE:
                    found.append(f"{node['@id']}: modified is not an xsd:date")
    catalog_datasets = {
        v["@id"] for c in by_type.get(DCATAPIT + "Catalog", []) for v in c[DCAT + "dataset"]
    }
    for dataset in by_type.get(DCATAPIT + "Dataset", []):
        if dataset["@id"] not in catalog_datasets:
            found.append(f"{dataset['@id']}: not in the catalogue")
        identifier = dataset.get(DCT + "identifier", [{}])[0].get("@value", "")
        holder = {v["@id"] for v in dataset.get(DCT + "rightsHolder", [])}
        ipa = {
            v["@value"]
            for n in by_type.get(DCATAPIT + "Agent", [])
            if n["@id"] in holder
            for v in n.get(DCT + "identifier", [])
        }
        if not any(identifier.startswith(f"{code}:") for code in ipa):
            found.append(
                f"{dataset['@id']}: identifier {identifier} does not start with the IPA code"
            )
    return found


def catalogue_of(client, ambito) -> dict:
    response = client.get(reverse("opendata:catalogue", kwargs={"code": ambito.code}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["ETag"]
    return json.loads(response.content)


def test_the_catalogue_is_valid_dcat_ap_it(client, world):
    ambito = world.ambito
    type(ambito).objects.filter(pk=ambito.pk).update(ipa_code="c_d488")
    document = catalogue_of(client, ambito)
    assert violations(document) == []
    nodes = {n["@id"]: n for n in jsonld.flatten(document)}
    datasets = [n for n in nodes.values() if DCATAPIT + "Dataset" in n.get("@type", [])]
    assert len(datasets) == 14
    enti = next(d for d in datasets if d["@id"].endswith("#enti"))
    assert enti[DCT + "identifier"][0]["@value"] == f"c_d488:{ambito.code}-enti"
    distributions = [nodes[d["@id"]] for d in enti[DCAT + "distribution"]]
    assert {d[DCT + "format"][0]["@id"] for d in distributions} == {
        EU + "file-type/CSV",
        EU + "file-type/JSON",
    }
    license_id = distributions[0][DCT + "license"][0]["@id"]
    assert license_id == "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40"
    assert nodes[license_id][FOAF + "name"][0]["@value"].endswith("(CC BY 4.0)")
    # the download addresses answer with the files
    for distribution in distributions:
        url = distribution[DCAT + "downloadURL"][0]["@id"]
        path = url.removeprefix("http://127.0.0.1:8000")
        response = client.get(path)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        assert "Associazione Il Faro" in body


def test_the_checker_fails_on_a_missing_property(client, world):
    document = catalogue_of(client, world.ambito)
    assert violations(document) == []
    for drop in (
        ("dcat:dataset", 0, "dct:rightsHolder"),
        ("dcat:dataset", 3, "dct:accrualPeriodicity"),
        ("dcat:dataset", 5, "dcat:theme"),
        ("dcat:dataset", 1, "dct:modified"),
    ):
        broken = copy.deepcopy(document)
        del broken[drop[0]][drop[1]][drop[2]]
        assert any(drop[2].split(":")[1] in v for v in violations(broken)), drop
    broken = copy.deepcopy(document)
    del broken["dcat:dataset"][2]["dcat:distribution"][0]["dct:license"]
    assert any("license" in v for v in violations(broken))
    broken = copy.deepcopy(document)
    for dataset in broken["dcat:dataset"]:
        dataset["dct:publisher"] = dataset["dct:rightsHolder"] = {"@id": "#nessuno"}
    broken["dct:publisher"] = {"@id": "#nessuno"}
    assert any("Agent" in v for v in violations(broken))
    broken = copy.deepcopy(document)
    broken["dcat:dataset"][0]["dcat:theme"] = {"@id": "http://example.org/tema"}
    assert any("data-theme" in v for v in violations(broken))


def test_without_an_ipa_code_the_catalogue_says_so_and_staff_are_told(client, world):
    document = catalogue_of(client, world.ambito)
    assert document["dct:publisher"]["dct:identifier"] == "codice_ipa_da_configurare"
    page = reverse("opendata:ambito", kwargs={"code": world.ambito.code})
    assert "Il codice IPA" not in client.get(page).content.decode()
    client.force_login(world.personas["udp"])
    assert "Il codice IPA" in client.get(page).content.decode()


def test_the_page_states_the_licence_and_documents_the_columns(client, world):
    page = client.get(reverse("opendata:ambito", kwargs={"code": world.ambito.code}))
    html = page.content.decode()
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)" in html
    assert 'id="enti"' in html and "<code>codice_fiscale</code>" in html
    assert reverse("opendata:catalogue", kwargs={"code": world.ambito.code}) in html
    footer = client.get("/").content.decode()
    assert f'href="{reverse("opendata:index")}"' in footer
    assert f'href="{reverse("opendata:api_docs")}"' in footer
