"""Digital signatures of uploaded documents: CAdES envelopes (.p7m, also signed again, nested)
and PAdES PDFs. `inspect(data)` says who signed (name and fiscal code from the certificate),
when (the signing time the signature declares), whether the signature matches the document
(integrity) and whether the certificate chains to a trusted root (settings.SIGNATURE_TRUST_ROOTS,
a folder of PEM files; without it the report says plainly that no trust list was checked).

CAdES is checked with asn1crypto and cryptography (digest of the content against the signed
attributes, the signature against the signer's public key); PAdES with pyHanko. Revocation
(CRL/OCSP) is not checked: the portal does not reach the network for it."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TypeVar

from asn1crypto import cms
from asn1crypto import tsp as _tsp  # noqa: F401 - registers CAdES attribute names before use
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
T = TypeVar("T")

_DER = Encoding.DER
MAX_NESTING = 5
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
          "sha512": hashes.SHA512}  # fmt: skip


@dataclass
class Signer:
    name: str = ""
    fiscal_code: str = ""
    issuer: str = ""
    signed_at: str = ""  # ISO 8601, as the signature declares it
    valid: bool = False  # the signature matches the document
    trusted: bool | None = None  # None: not checked against a trust list
    note: str = ""


@dataclass
class Report:
    kind: str  # "cades", "pades" or "" (not a signed document)
    signers: list[Signer] = field(default_factory=list)
    trust_checked: bool = False
    error: str = ""
    content: bytes | None = field(default=None, repr=False)  # what a .p7m envelops

    @property
    def is_signed(self) -> bool:
        return bool(self.signers)

    @property
    def valid(self) -> bool:
        return self.is_signed and not self.error and all(s.valid for s in self.signers)

    @property
    def trusted(self) -> bool | None:
        if not self.trust_checked:
            return None
        return self.valid and all(s.trusted for s in self.signers)

    def as_json(self) -> dict:
        """What a model keeps of the report (a JSONField): everything but the content."""
        data = asdict(self)
        data.pop("content")
        data["valid"] = self.valid
        return data

    @classmethod
    def from_json(cls, data: dict) -> Report:
        return cls(
            kind=data.get("kind", ""),
            signers=[Signer(**s) for s in data.get("signers", [])],
            trust_checked=data.get("trust_checked", False),
            error=data.get("error", ""),
        )


def inspect(data: bytes) -> Report:
    """The signatures of `data` (a .p7m or a PDF); a report with no signers for anything else."""
    if data.lstrip()[:5] == b"%PDF-":
        return _inspect_pdf(data)
    der = _der(data)
    if der is None:
        return Report(kind="", error=_("Il file non contiene una firma digitale."))
    report = Report(kind="cades", trust_checked=bool(trust_roots()))
    content: bytes | None = der
    for _depth in range(MAX_NESTING):  # a .p7m of a .p7m: each envelope's signers in turn
        signed = _signed_data(content) if content is not None else None
        if signed is None:
            break
        content = _inspect_cades(signed, report)
        inner = _der(content) if content is not None else None
        if inner is None or _signed_data(inner) is None:
            break
        content = inner
    report.content = content
    if not report.signers:
        report.kind, report.error = "", _("Il file non contiene una firma digitale.")
    return report


# --- trust list ------------------------------------------------------------------------------
def trust_roots() -> list[x509.Certificate]:
    folder = getattr(settings, "SIGNATURE_TRUST_ROOTS", "")
    if not folder:
        return []
    roots: list[x509.Certificate] = []
    for path in sorted(Path(folder).glob("*")):
        if path.suffix.lower() in (".pem", ".crt", ".cer") and path.is_file():
            try:
                roots.extend(x509.load_pem_x509_certificates(path.read_bytes()))
            except ValueError:
                logger.warning("Not a PEM certificate file: %s", path)
    return roots


def _chains_to_root(
    cert: x509.Certificate, others: list[x509.Certificate], roots: list[x509.Certificate]
) -> bool:
    """Whether `cert` reaches one of `roots` through the certificates the signature carries,
    each signed by the next."""
    current = cert
    for _step in range(8):
        if any(current == root for root in roots):
            return True
        for issuer in [*roots, *others]:
            if issuer == current or issuer.subject != current.issuer:
                continue
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            if any(issuer == root for root in roots):
                return True
            current = issuer
            break
        else:
            return False
    return False


# --- the certificate's holder ----------------------------------------------------------------
def _holder(cert: x509.Certificate) -> tuple[str, str]:
    """(name, fiscal code): Italian qualified certificates carry the fiscal code in the
    subject's serialNumber as "TINIT-<code>" (ETSI EN 319 412-1)."""

    def first(oid) -> str:
        values = cert.subject.get_attributes_for_oid(oid)
        return str(values[0].value) if values else ""

    oids = x509.NameOID
    name = " ".join(p for p in (first(oids.GIVEN_NAME), first(oids.SURNAME)) if p)
    name = name or first(oids.COMMON_NAME) or cert.subject.rfc4514_string()
    serial = first(oids.SERIAL_NUMBER)
    fiscal_code = serial.split("-", 1)[1] if serial.upper().startswith("TINIT-") else serial
    return name, fiscal_code.upper()


def _issuer(cert: x509.Certificate) -> str:
    values = cert.issuer.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME) or (
        cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    )
    return str(values[0].value) if values else cert.issuer.rfc4514_string()


# --- CAdES -----------------------------------------------------------------------------------
def _der(data: bytes) -> bytes | None:
    """The DER of a CMS envelope written as DER, PEM or base64 (some tools send .p7m so)."""
    stripped = data.strip()
    if stripped.startswith(b"-----BEGIN"):
        stripped = b"".join(
            line for line in stripped.splitlines() if line and not line.startswith(b"-----")
        )
    if stripped[:1] == b"\x30":
        return data
    try:
        decoded = base64.b64decode(stripped, validate=False)
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded[:1] == b"\x30" else None


def _signed_data(der: bytes) -> cms.SignedData | None:
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            return None
        signed = info["content"]
        signed["signer_infos"].native  # noqa: B018 - parse now: a broken file fails here
        return signed
    except (ValueError, TypeError, KeyError):
        return None


def _attribute(signed_attrs, name: str):
    for attr in signed_attrs:
        if attr["type"].native == name:
            return attr["values"][0]
    return None


def _verify(public_key, signature: bytes, data: bytes, digest: str, algo: str) -> None:
    hash_alg = HASHES[digest]()
    if isinstance(public_key, rsa.RSAPublicKey):
        pad = (
            padding.PSS(mgf=padding.MGF1(hash_alg), salt_length=padding.PSS.AUTO)
            if algo == "rsassa_pss"
            else padding.PKCS1v15()
        )
        public_key.verify(signature, data, pad, hash_alg)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(hash_alg))
    else:
        raise InvalidSignature("unsupported key type")


def _inspect_cades(signed: cms.SignedData, report: Report) -> bytes | None:
    """Add the signers of one envelope to `report`; return the content it envelops."""
    content = signed["encap_content_info"]["content"].native
    certs = [
        x509.load_der_x509_certificate(c.chosen.dump())
        for c in signed["certificates"] or []
        if c.name == "certificate"
    ]
    roots = trust_roots()
    for info in signed["signer_infos"]:
        signer = Signer()
        report.signers.append(signer)
        cert = _signer_cert(info["sid"], certs)
        if cert is None:
            signer.note = _("Il certificato del firmatario non è nel file.")
            continue
        signer.name, signer.fiscal_code = _holder(cert)
        signer.issuer = _issuer(cert)
        if content is None:
            signer.note = _("Firma separata dal documento (detached): contenuto assente.")
            continue
        digest = info["digest_algorithm"]["algorithm"].native
        if digest not in HASHES:
            signer.note = _("Algoritmo di hash non supportato: %(a)s") % {"a": digest}
            continue
        signed_attrs = info["signed_attrs"]
        to_verify = content
        if signed_attrs.native is not None and len(signed_attrs):
            when = _attribute(signed_attrs, "signing_time")
            if when is not None:
                signer.signed_at = when.native.isoformat()
            expected = _attribute(signed_attrs, "message_digest")
            if expected is None or expected.native != hashlib.new(digest, content).digest():
                signer.note = _("Il documento è stato modificato dopo la firma.")
                continue
            to_verify = b"\x31" + signed_attrs.dump()[1:]  # the attributes as a SET OF
        try:
            _verify(
                cert.public_key(),
                info["signature"].native,
                to_verify,
                digest,
                info["signature_algorithm"].signature_algo,
            )
        except (InvalidSignature, ValueError, TypeError, KeyError):
            signer.note = _("La firma non corrisponde al documento.")
            continue
        signer.valid = True
        if roots:
            signer.trusted = _chains_to_root(cert, certs, roots)
    return content


def _signer_cert(sid, certs: list[x509.Certificate]) -> x509.Certificate | None:
    if sid.name == "issuer_and_serial_number":
        serial = sid.chosen["serial_number"].native
        issuer = sid.chosen["issuer"].dump()
        for cert in certs:
            parsed = asn1_x509.Certificate.load(cert.public_bytes(_DER))
            if parsed.serial_number == serial and parsed.issuer.dump() == issuer:
                return cert
    else:
        key_id = sid.chosen.native
        for cert in certs:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == key_id:
                return cert
    return None


# --- PAdES -----------------------------------------------------------------------------------
def outside_event_loop(call: Callable[..., T], *args, **kwargs) -> T:
    """`call(*args, **kwargs)` for pyHanko's synchronous API, which runs its own event loop
    (asyncio.run): under a running loop (an ASGI server, the browser tests' Playwright) it runs
    in a thread of its own, where no loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *args, **kwargs).result()


def _inspect_pdf(data: bytes) -> Report:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [asn1_x509.Certificate.load(r.public_bytes(_DER)) for r in trust_roots()]
    report = Report(kind="pades", trust_checked=bool(roots))
    try:
        signatures = PdfFileReader(BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 - an unreadable PDF is reported, not raised
        logger.info("PDF not readable for signatures: %s", exc)
        return Report(kind="", error=_("Il PDF non è leggibile."))
    if not signatures:
        return Report(kind="", error=_("Il PDF non contiene firme digitali."))
    for embedded in signatures:
        signer = Signer()
        report.signers.append(signer)
        cert = embedded.signer_cert
        if cert is not None:
            signer.name, signer.fiscal_code = _holder(x509.load_der_x509_certificate(cert.dump()))
            signer.issuer = _issuer(x509.load_der_x509_certificate(cert.dump()))
        if embedded.self_reported_timestamp:
            signer.signed_at = embedded.self_reported_timestamp.isoformat()
        try:
            status = outside_event_loop(
                validate_pdf_signature,
                embedded,
                ValidationContext(trust_roots=roots, allow_fetching=False),
            )
        except Exception as exc:  # noqa: BLE001 - pyHanko raises on corrupt signatures
            logger.info("PDF signature not verifiable: %s", exc)
            signer.note = _("La firma non è verificabile: il file è danneggiato o alterato.")
            continue
        signer.valid = bool(status.intact and status.valid)
        if not status.intact:
            signer.note = _("Il documento è stato modificato dopo la firma.")
        elif status.docmdp_ok is False:
            signer.valid = False
            signer.note = _("Il documento è stato modificato dopo la firma in modo non consentito.")
        if roots:
            signer.trusted = bool(status.trusted)
    return report


def signed_at(signer: Signer) -> datetime | None:
    return datetime.fromisoformat(signer.signed_at) if signer.signed_at else None
