"""Invitations that survive sign-up: a colleague invited to an entity, a person invited to a
staff role of an ambito.

An invitation is a row of its app holding a random token (`new_token`), sent by e-mail. Its page,
opened by someone not logged in, calls `remember(request, kind=..., token=..., email=...)`: the
token waits in the session, and allauth is told that the invited address is verified (the person
read the e-mail), so signing up with it needs no second confirmation. When the person logs in,
after signing up or with an existing account, the acceptor the app registered for `kind`
(`register(kind, accept)`) runs: `accept(request, user, token)` returns True when the token is
done with (accepted, or gone), False to keep it for a later login (wrong account)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

Acceptor = Callable[..., bool]
_acceptors: dict[str, Acceptor] = {}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def session_key(kind: str) -> str:
    return f"{kind}_invitation_token"


def addresses_of(user) -> set[str]:
    """The addresses an invitation may be accepted with: the account's, and its verified ones
    (lower case)."""
    from allauth.account.models import EmailAddress

    emails = {user.email.lower()}
    emails |= {
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    return emails


def register(kind: str, accept: Acceptor) -> None:
    _acceptors[kind] = accept


def remember(request, *, kind: str, token: str, email: str) -> None:
    from allauth.account.adapter import get_adapter

    request.session[session_key(kind)] = token
    get_adapter(request).stash_verified_email(request, email)


@receiver(user_logged_in, dispatch_uid="core_accept_pending_invitations")
def accept_pending(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    for kind, accept in sorted(_acceptors.items()):
        token = request.session.get(session_key(kind))
        if token and accept(request, user, token):
            request.session.pop(session_key(kind), None)
