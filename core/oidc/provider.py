from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider

from core import identity
from core.oidc.views import SpidCieOAuth2Adapter


class SpidCieProvider(OpenIDConnectProvider):
    # allauth builds the provider's URLs from `<package>.urls`: ours, with our views.
    package = "core.oidc"
    oauth2_adapter_class = SpidCieOAuth2Adapter

    def serialize(self) -> dict:
        # By app (spid / cie), not by client id: both apps may be the same client of the proxy.
        return {"id": self.app.provider_id, "app.client_id": self.app.client_id}

    def extract_common_fields(self, data):
        contact = identity.contact_of(identity.claims_of(data))
        return {
            "email": contact.email or None,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
        }

    def extract_email_addresses(self, data):
        contact = identity.contact_of(identity.claims_of(data))
        if not contact.email:
            return []
        return [EmailAddress(email=contact.email, verified=contact.email_verified, primary=True)]


provider_classes = [SpidCieProvider]
