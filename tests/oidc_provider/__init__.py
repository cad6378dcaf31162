"""A real OpenID Connect provider for the SPID/CIE tests, run on loopback in its own process.

django-oauth-toolkit's OpenID Connect provider in a tiny Django project of its own (settings,
urls, its own SQLite database), started by the `oidc_provider` fixture (fixtures.py) with
`python -m tests.oidc_provider.serve CONFIG.json`. Its users carry SPID-style claims
(fiscalNumber, spidCode, name, familyName, email, acr in the ID token) from the config file,
as the SPID/CIE proxy (iam-proxy-italia) releases them to the portal; it offers the
RP-initiated logout (end_session_endpoint)."""
