"""The open-data catalogue of an ambito in DCAT-AP_IT (the Italian profile of DCAT-AP, AgID),
serialised as JSON-LD, for the regional catalogues and dati.gov.it to harvest.

Classes and the properties the profile makes mandatory (all written here):
- dcatapit:Catalog: dct:title, dct:description, dct:publisher, dct:modified, dcat:dataset;
- dcatapit:Dataset: dct:identifier ("<IPA code>:<id>"), dct:title, dct:description,
  dct:modified, dcat:theme (EU data-theme vocabulary), dct:rightsHolder,
  dct:accrualPeriodicity (EU frequency vocabulary), dcat:distribution; recommended:
  dct:publisher, dcat:contactPoint, dcat:keyword, dct:language, dcat:landingPage;
- dcatapit:Distribution: dcat:accessURL, dct:format (EU file-type vocabulary), dct:license;
  recommended: dcat:downloadURL, dcat:mediaType, dct:title, dct:description, encoding;
- dcatapit:Agent (publisher and rights holder): dct:identifier (IPA code), foaf:name;
- dcatapit:LicenseDocument: dct:type (ADMS licence type), foaf:name;
- dcatapit:Organization (contact point): vcard:fn, vcard:hasEmail.
The context is inline (no remote context to fetch)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Ambito

from .datasets import DATASETS, FORMATS, FREQUENCY, LICENSE_NAME, THEME, Dataset

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "cnt": "http://www.w3.org/2011/content#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LICENSE_IRI = "https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40"
LICENSE_TYPE = "http://purl.org/adms/licencetype/Attribution"
ITALIAN = "http://publications.europa.eu/resource/authority/language/ITA"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
# Until the ambito (or the installation) names its IPA code, the catalogue says so plainly.
IPA_PLACEHOLDER = "codice_ipa_da_configurare"


def ipa_code(ambito: Ambito) -> str:
    return ambito.ipa_code or settings.OPENDATA_IPA_CODE or IPA_PLACEHOLDER


def _text(value) -> dict:
    return {"@language": "it", "@value": str(value)}


def _date(value) -> dict:
    return {"@type": "xsd:date", "@value": timezone.localdate(value).isoformat()}


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def download_url(ambito: Ambito, dataset: Dataset, fmt: str) -> str:
    return _absolute(
        reverse(
            "opendata:download", kwargs={"code": ambito.code, "dataset": dataset.slug, "fmt": fmt}
        )
    )


def catalogue(ambito: Ambito) -> dict:
    page = _absolute(reverse("opendata:ambito", kwargs={"code": ambito.code}))
    ipa = ipa_code(ambito)
    agent = {
        "@id": f"{page}#titolare",
        "@type": ["foaf:Agent", "dcatapit:Agent"],
        "dct:identifier": ipa,
        # who holds the ambito's data: the body its convention names, else the ente capofila
        "foaf:name": str(ambito.data_controller_name),
    }
    contact = {
        "@id": f"{page}#contatti",
        "@type": ["vcard:Organization", "dcatapit:Organization", "vcard:Kind"],
        "vcard:fn": _("Ufficio di Piano — %(a)s") % {"a": ambito.name},
        "vcard:hasEmail": {"@id": f"mailto:{ambito.email or settings.CONTACT_EMAIL}"},
    }
    license_document = {
        "@id": LICENSE_IRI,
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "dct:type": {"@id": LICENSE_TYPE},
        "foaf:name": LICENSE_NAME,
    }
    now = timezone.now()
    datasets = []
    for dataset in DATASETS.values():
        modified = dataset.modified(ambito) or now
        distributions = []
        for fmt in FORMATS:
            url = download_url(ambito, dataset, fmt)
            distributions.append(
                {
                    "@id": f"{page}#{dataset.slug}-{fmt}",
                    "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                    "dct:title": _text(f"{dataset.title} ({fmt.upper()})"),
                    "dct:description": _text(
                        _("%(title)s in formato %(fmt)s, UTF-8; colonne descritte nella pagina.")
                        % {"title": dataset.title, "fmt": fmt.upper()}
                    ),
                    "dct:format": {"@id": FILE_TYPE + fmt.upper()},
                    "dcat:mediaType": MEDIA_TYPES[fmt],
                    "cnt:characterEncoding": "UTF-8",
                    "dcat:accessURL": {"@id": url},
                    "dcat:downloadURL": {"@id": url},
                    "dct:license": license_document,
                    "dct:modified": _date(modified),
                }
            )
        datasets.append(
            {
                "@id": f"{page}#{dataset.slug}",
                "@type": ["dcat:Dataset", "dcatapit:Dataset"],
                "dct:identifier": f"{ipa}:{ambito.code}-{dataset.slug}",
                "dct:title": _text(f"{dataset.title} — {ambito.name}"),
                "dct:description": _text(dataset.description),
                "dct:modified": _date(modified),
                "dcat:theme": {"@id": THEME + dataset.theme},
                "dct:accrualPeriodicity": {"@id": FREQUENCY + dataset.frequency},
                "dct:rightsHolder": agent,
                "dct:publisher": agent,
                "dcat:contactPoint": contact,
                "dcat:keyword": [_text(k) for k in dataset.keywords],
                "dct:language": {"@id": ITALIAN},
                "dcat:landingPage": {"@id": f"{page}#{dataset.slug}"},
                "dcat:distribution": distributions,
            }
        )
    latest = max((d["dct:modified"]["@value"] for d in datasets), default=None)
    return {
        "@context": CONTEXT,
        "@id": page,
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": _text(_("Dati aperti — %(a)s") % {"a": ambito.name}),
        "dct:description": _text(
            _(
                "I dati pubblici dell'amministrazione condivisa dei servizi sociali dell'%(a)s: "
                "enti del Terzo settore verificati, tavoli e sedute, procedimenti e atti, piani di "
                "zona, eventi e notizie. Licenza CC BY 4.0."
            )
            % {"a": ambito.name}
        ),
        "dct:publisher": agent,
        "dct:modified": {"@type": "xsd:date", "@value": latest or now.date().isoformat()},
        "dct:language": {"@id": ITALIAN},
        "foaf:homepage": {"@id": page},
        "dcat:themeTaxonomy": {"@id": THEME.rstrip("/")},
        "dcat:dataset": datasets,
    }
