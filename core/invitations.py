"""Invitations that survive sign-up: a colleague invited to an entity, a person invited to a
staff role of an ambito.

An invitation is a row of its app holding a random token (`new_token`), sent by e-mail. Its page,
opened by someone not logged in, calls `remember(request, kind=..., token=..., email=...)`: the
token waits in the session, and allauth is told that the invited address is verified (the person
read the e-mail), so signing up with it needs no second confirmation. When the person logs in,
after signing up or with an existing account, the acceptor the app registered for `kind`
(`register(kind, accept)`) runs: `accept(request, user, token)` returns True when the token is
done with (accepted, or gone), False to keep it for a later login (wrong account).

The rows share one shape and one life (`Invitation`, an abstract model: token, expiry, sending,
resending, revoking, accepting); each app adds what is offered (a role, and where) and what
accepting grants."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Acceptor = Callable[..., bool]
_acceptors: dict[str, Acceptor] = {}

VALID_DAYS = 14  # how long an invitation link works; resending it starts again


def new_token() -> str:
    return secrets.token_urlsafe(32)


def invitation_expiry() -> datetime:
    return timezone.now() + timedelta(days=VALID_DAYS)


class Invitation(models.Model):
    """An offer sent by e-mail to `email`: open until accepted, revoked or expired. A subclass
    adds the place it opens (an ambito, an entity), the role offered and its constraints, and
    words the refusals its people read (the class attributes)."""

    VALID_DAYS: ClassVar[int] = VALID_DAYS
    ALREADY_INVITED: ClassVar[str | Promise] = gettext_lazy(
        "Questa persona è già stata invitata: puoi inviare di nuovo l'invito dall'elenco."
    )
    REVOKED: ClassVar[str | Promise] = gettext_lazy("Questo invito è stato ritirato.")
    EXPIRED: ClassVar[str | Promise] = gettext_lazy("Questo invito è scaduto.")

    email = models.EmailField(gettext_lazy("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # manage.py create_ambito invites without a person behind
        related_name="+",
        verbose_name=gettext_lazy("invitato da"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    outgoing_email = models.ForeignKey(
        "core.OutgoingEmail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    def problem(self, user: Any) -> str:
        """Why `user` (None: a visitor not logged in) cannot accept it now ("" when they can)."""
        if self.accepted_at:
            return _("Questo invito è già stato accettato.")
        if self.revoked_at:
            return str(self.REVOKED)
        if self.expires_at <= timezone.now():
            return str(self.EXPIRED)
        if user is not None and self.email.lower() not in addresses_of(user):
            return _(
                "L'invito è stato inviato a %(email)s, ma hai effettuato l'accesso con un altro indirizzo. Esci e "
                "accedi (o registrati) con %(email)s."
            ) % {"email": self.email}
        return ""


# --- the life of an invitation: steps the apps' services call inside their transaction -----------
def make_room(open_invitations: QuerySet[Any], message: str | Promise) -> None:
    """Before inviting an address again: refuse while an invitation to it is still open
    (`message`), retire the expired ones (a row stays open for the database until then)."""
    for old in open_invitations.select_for_update().filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ):
        if old.is_open:
            raise ValidationError({"email": message})
        old.revoked_at = timezone.now()
        old.save(update_fields=["revoked_at"])


def send(
    invitation: Invitation, template: str, context: Mapping[str, Any], *, ambito_id: int | None
) -> None:
    """Queue the e-mail with the link (templates/emails/<template>/) and keep it on the row."""
    from core import mail

    invitation.outgoing_email = mail.enqueue(
        template,
        {
            "invitation": invitation,
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "",
            "role_label": invitation.get_role_display(),  # type: ignore[attr-defined]
            "url": invitation.get_absolute_url(),  # type: ignore[attr-defined]
            **context,
        },
        to=invitation.email,
        ambito_id=ambito_id,
    )
    invitation.save(update_fields=["outgoing_email"])


def extend(invitation: Invitation) -> None:
    """Before resending: the link works again for the whole validity."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("Questo invito non è più valido."))
    invitation.expires_at = timezone.now() + timedelta(days=invitation.VALID_DAYS)
    invitation.save(update_fields=["expires_at"])


def revoke(invitation: Invitation) -> bool:
    """Withdraw it; False when it was already accepted or revoked (nothing changes)."""
    if invitation.accepted_at or invitation.revoked_at:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return True


def lock_for_acceptance(invitation: Invitation, user: Any, *related: str) -> Any:
    """The row again, locked, with `related` joined; ValidationError when `user` may not accept
    it (Invitation.problem)."""
    invitation = (
        type(invitation)
        ._default_manager.select_for_update(of=("self",))
        .select_related(*related)
        .get(pk=invitation.pk)
    )
    problem = invitation.problem(user)
    if problem:
        raise ValidationError(problem)
    return invitation


def mark_accepted(invitation: Invitation, user: Any) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])


def visitor_links(request, *, kind: str, invitation: Invitation) -> dict[str, str]:
    """For the invitation page seen by a visitor not logged in: remember the token through the
    sign-up or login, and the two links (sign-up with the address filled in, login)."""
    remember(request, kind=kind, token=invitation.token, email=invitation.email)
    next_url = invitation.get_absolute_url()  # type: ignore[attr-defined]
    return {
        "signup_url": f"{reverse('account_signup')}?"
        + urlencode({"email": invitation.email, "next": next_url}),
        "login_url": f"{reverse('account_login')}?" + urlencode({"next": next_url}),
    }


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
