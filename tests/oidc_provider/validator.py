from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.settings import CONFIG


class SpidClaimsValidator(OAuth2Validator):
    """The claims of each test identity (CONFIG["identities"][username]["claims"]), whatever
    the scopes; `acr` (the SPID level) only in the ID token, as SPID/CIE providers do."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        return dict(CONFIG["identities"][request.user.username]["claims"])

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        claims.pop("acr", None)
        return claims
