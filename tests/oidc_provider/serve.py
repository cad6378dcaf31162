"""python -m tests.oidc_provider.serve CONFIG.json: set up and run the test provider.

CONFIG: {"port": 8123, "database": "/tmp/.../op.sqlite3",
         "clients": [{"client_id", "client_secret", "redirect_uris": [...],
                      "post_logout_redirect_uris": [...]}],
         "identities": {"username": {"password", "claims": {...}}}}"""

from __future__ import annotations

import os
import sys


def main(config_path: str) -> None:
    os.environ["OIDC_TEST_CONFIG"] = config_path
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    config = settings.CONFIG
    for username, identity in config["identities"].items():
        User.objects.create_user(username=username, password=identity["password"])
    for client in config["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            post_logout_redirect_uris=" ".join(client["post_logout_redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    print("ready", flush=True)
    run("127.0.0.1", int(config["port"]), get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(sys.argv[1])
