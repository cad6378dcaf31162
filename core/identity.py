"""SPID and CIE: who a person is, as the identity provider says, and what the portal keeps of it.

People log in with SPID or CIE through an OpenID Connect provider (in production the SPID/CIE
proxy italia/iam-proxy-italia, which speaks SAML2 to the identity providers): two allauth
`openid_connect` apps, `spid` and `cie` (config/settings/base.py, `SPID_OIDC_*`, `CIE_OIDC_*`).
The person is recognised by the fiscal code the identity provider proves (`fiscalNumber`),
never by e-mail: `sub` changes with the identity provider (each SPID provider issues its own
`spidCode`), the fiscal code does not. `core.adapters.SocialAccountAdapter` decides which account
a login opens; this module reads the claims and keeps, in the session, how the session was
authenticated: the scheme and its level (SpidL1/L2/L3), so that a feature can ask for level 2
(`spid_level(request) >= 2`) and staff can be required to use SPID/CIE (ambito.middleware)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from codicefiscale import codicefiscale
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The allauth app ids (provider_id) of the two schemes, in the order the buttons are shown.
SCHEMES = ("spid", "cie")
SCHEME_LABELS = {"spid": "SPID", "cie": "CIE"}

# The claim names a fiscal code arrives under: the SPID SAML attribute name (as the issue and
# the SPID test identities use it), iam-proxy-italia's default OIDC mapping, and AgID's
# SPID/CIE OpenID Connect profile.
FISCAL_CODE_CLAIMS = (
    "fiscalNumber",
    "fiscal_number",
    "https://attributes.eid.gov.it/fiscal_number",
)
EMAIL_CLAIMS = ("email", "mail", "https://attributes.eid.gov.it/email")
# The authentication level: acr "https://www.spid.gov.it/SpidL2" (SPID and CIE use the same
# values), or a bare "SpidL2" / "CieL3".
_LEVEL = re.compile(r"(?:spid|cie)l([123])$", re.IGNORECASE)
SESSION_KEY = "spid_cie_identity"


class IdentityRefused(Exception):
    """A SPID/CIE login the portal cannot accept; `message` says why, in Italian."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_fiscal_code(value: str | None) -> str:
    """The 16-character fiscal code of a person, upper case, without the "TINIT-" prefix SPID
    puts in front of it; a ValidationError (in Italian) when it is not a valid one."""
    code = re.sub(r"\s", "", value or "").upper()
    if code.startswith("TINIT-"):
        code = code[len("TINIT-") :]
    if len(code) != 16 or not codicefiscale.is_valid(code):
        raise ValidationError(
            _("Il codice fiscale %(code)s non è un codice fiscale personale valido.")
            % {"code": code[:32]},
            code="invalid_fiscal_code",
        )
    return code


def level_of(acr: str | None) -> int:
    """1, 2 or 3 for a SPID/CIE acr value; 0 when there is none or it is not one of those."""
    match = _LEVEL.search((acr or "").strip().rstrip("/"))
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class Contact:
    email: str
    # The identity providers verify the contact address when they issue the identity, so an
    # address they release counts as verified unless the provider says it is not.
    email_verified: bool
    first_name: str
    last_name: str


@dataclass(frozen=True)
class Identity:
    scheme: str  # "spid" or "cie"
    fiscal_code: str
    level: int  # 1-3; 0 when the provider did not say
    acr: str
    contact: Contact


def _first(claims: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def claims_of(extra_data: dict[str, Any]) -> dict[str, Any]:
    """The claims of an allauth openid_connect login: the userinfo over the ID token (the ID
    token alone carries `acr`)."""
    if "userinfo" in extra_data or "id_token" in extra_data:
        return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}
    return dict(extra_data)


def contact_of(claims: dict[str, Any]) -> Contact:
    # SPID's attribute names ("name", "familyName") or OpenID Connect's ("given_name",
    # "family_name"; there "name" is the full name).
    last_name = _first(claims, ("family_name", "familyName"))
    first_name = _first(claims, ("given_name",)) or (
        _first(claims, ("name",)) if "familyName" in claims else ""
    )
    verified = claims.get("email_verified", True)
    if isinstance(verified, str):
        verified = verified.strip().lower() not in ("false", "0", "no", "")
    return Contact(
        email=_first(claims, EMAIL_CLAIMS).lower(),
        email_verified=bool(verified),
        first_name=first_name[:150],
        last_name=last_name[:150],
    )


def identity_from_claims(scheme: str, claims: dict[str, Any]) -> Identity:
    """The person the claims describe; IdentityRefused when they carry no valid fiscal code."""
    raw_code = _first(claims, FISCAL_CODE_CLAIMS)
    if not raw_code:
        raise IdentityRefused(
            str(
                _(
                    "Il gestore dell'identità digitale non ha comunicato il codice fiscale: senza, il portale non può riconoscerti. Riprova o accedi con e-mail e password."
                )
            )
        )
    try:
        fiscal_code = normalise_fiscal_code(raw_code)
    except ValidationError as exc:
        raise IdentityRefused(
            str(
                _(
                    "Il gestore dell'identità digitale ha comunicato un codice fiscale non valido: l'accesso non è possibile."
                )
            )
        ) from exc
    acr = str(claims.get("acr") or "")
    return Identity(
        scheme=scheme,
        fiscal_code=fiscal_code,
        level=level_of(acr),
        acr=acr,
        contact=contact_of(claims),
    )


# --- configuration ------------------------------------------------------------------------
def _apps() -> list[dict[str, Any]]:
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    return list((providers.get("openid_connect") or {}).get("APPS") or [])


def configured_schemes() -> list[str]:
    """The schemes whose OpenID Connect client is configured: their buttons are shown."""
    ids = {app.get("provider_id") for app in _apps()}
    return [scheme for scheme in SCHEMES if scheme in ids]


# --- the session --------------------------------------------------------------------------
def remember(request: HttpRequest, identity: Identity, *, id_token: str = "") -> None:
    """Record that this session was authenticated with `identity` (its scheme and level), and
    the ID token for the logout at the provider (RP-initiated logout's id_token_hint)."""
    request.session[SESSION_KEY] = {
        "user_id": request.user.pk,
        "scheme": identity.scheme,
        "level": identity.level,
        "acr": identity.acr,
        "fiscal_code": identity.fiscal_code,
        "at": int(time.time()),
        "id_token": id_token,
    }


def forget(request: HttpRequest) -> dict[str, Any] | None:
    return request.session.pop(SESSION_KEY, None)


def session_identity(request: HttpRequest) -> dict[str, Any] | None:
    """How this session was authenticated with SPID/CIE, or None (password, or nothing)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return None
    data = session.get(SESSION_KEY)
    if not data or data.get("user_id") != user.pk or data.get("fiscal_code") != user.fiscal_code:
        return None
    return data


def recently_authenticated(request: HttpRequest, seconds: int | None = None) -> bool:
    """Whether this session was opened (or confirmed) with SPID/CIE within `seconds` (allauth's
    reauthentication timeout by default): what stands for the password of an account that has
    none, before an irreversible action such as deleting it."""
    data = session_identity(request)
    if seconds is None:
        seconds = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 300)
    return data is not None and time.time() - data.get("at", 0) <= seconds


def spid_level(request: HttpRequest) -> int:
    """The SPID/CIE level (1, 2 or 3) this session was authenticated with; 0 when it was not
    authenticated with SPID or CIE (or the provider did not state a level). Features that need
    a qualified identification ask for `spid_level(request) >= 2`."""
    data = session_identity(request)
    return int(data["level"]) if data else 0


def proven_fiscal_code(request: HttpRequest) -> str:
    """The fiscal code SPID/CIE proved in this session ("" when the session was not
    authenticated with them)."""
    data = session_identity(request)
    return data["fiscal_code"] if data else ""
