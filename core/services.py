"""State changes of core: SPID/CIE identities linked to accounts, erasing a user's personal
data."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from core import audit, registry
from core.identity import SCHEME_LABELS, Identity
from core.models import AuditEvent, Notification, OutgoingEmail, User


def account_personal_data(user: User) -> dict:
    """What the account layer (allauth, audit trail, outbox) holds about the user, for the GDPR
    download: e-mail addresses, second factors (their kind, never the secrets), open sessions,
    the changes the user made, the e-mails the portal sent them."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    return {
        "digital_identities": list(
            SocialAccount.objects.filter(user=user).values(
                "provider", "uid", "date_joined", "last_login", "extra_data"
            )
        ),
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "second_factors": list(
            Authenticator.objects.filter(user=user).values("type", "created_at", "last_used_at")
        ),
        "sessions": list(
            UserSession.objects.filter(user=user).values(
                "ip", "user_agent", "created_at", "last_seen_at"
            )
        ),
        "changes_made": list(
            AuditEvent.objects.filter(actor=user).values(
                "created_at", "action", "object_repr", "reason"
            )[:5000]
        ),
        "emails_sent_to_you": list(
            OutgoingEmail.objects.filter(to__iexact=user.email).values(
                "created_at", "subject", "status", "sent_at"
            )[:5000]
        ),
    }


@transaction.atomic
def identity_linked(*, user: User, person: Identity, how: str) -> None:
    """A SPID/CIE identity now opens `user`'s account: at sign-up ("signup"), linked by the
    person from their area ("connect"), or found by its fiscal code at login ("fiscal_code").
    The account takes the fiscal code when it has none (core.adapters checked it is nobody
    else's). The audit trail names the scheme, never the code."""
    changes = {"scheme": SCHEME_LABELS[person.scheme], "how": how}
    if not user.fiscal_code:
        user.fiscal_code = person.fiscal_code
        User.objects.filter(pk=user.pk).update(fiscal_code=person.fiscal_code)
        changes["fiscal_code"] = "verificato"
    audit.record(actor=user, action="core.account.identity_linked", obj=user, changes=changes)


@transaction.atomic
def user_erase(*, user: User) -> None:
    """GDPR art. 17: the account is anonymised, not deleted, so that official records that must be
    kept (applications to procedures, minutes: art. 17(3)(b)) keep pointing at a row, now
    pseudonymous. Apps erase or pseudonymise their own data through registered erasers; the
    audit trail stays, without the person's address or name (core.audit.pseudonymise)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    email = user.email
    full_name = user.get_full_name() if user.first_name and user.last_name else ""
    rows = registry.erase_personal_data(user)
    audit.record(actor=user, action="core.account.erased", obj=user)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()  # SPID/CIE identities, with their claims
    UserSession.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    # The outbox's copies of the messages to the person go, those queued included (the sending
    # task skips a row that is gone); one a worker is sending right now is emptied instead.
    to_them = OutgoingEmail.objects.filter(to__iexact=email)
    to_them.exclude(status=OutgoingEmail.Status.SENDING).delete()
    to_them.update(to=user.pseudonymous_email, body_text="", body_html="", attachments=[])
    audit.pseudonymise(person=user, email=email, full_name=full_name, rows=rows)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
    user.email = user.pseudonymous_email
    user.first_name = ""
    user.last_name = "Utente cancellato"
    user.phone = ""
    user.fiscal_code = ""
    user.notification_email = User.EmailFrequency.NONE
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.anonymised_at = timezone.now()
    user.set_unusable_password()
    user.save()
