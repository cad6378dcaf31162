"""Signed tokens of the RSVP link (an invitation) and of the personal calendar feed (a user)."""

from __future__ import annotations

from django.core import signing

from core.models import User
from tables.models import Invitation

RSVP_SALT = "tables.rsvp"
FEED_SALT = "tables.feed"


def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=RSVP_SALT, compress=True)


def invitation_from_token(token: str) -> Invitation | None:
    try:
        pk = signing.loads(token, salt=RSVP_SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("meeting__table__ambito").filter(pk=pk).first()


def feed_token(user: User) -> str:
    return signing.dumps(user.pk, salt=FEED_SALT, compress=True)


def user_from_feed_token(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()
