"""allauth's OpenID Connect provider for SPID and CIE (settings: SOCIALACCOUNT_PROVIDERS).

The same provider with three differences: the SPID claim names (`name`/`familyName`, the
e-mail the identity provider vouches for), and the ID token of the login kept in the
SocialLogin's state, so that the logout can end the session at the provider too
(RP-initiated logout's `id_token_hint`, core.adapters.AccountAdapter). Its URLs are allauth's
(`openid_connect_login`, `openid_connect_callback` under /account/oidc/<spid|cie>/)."""
