"""Invitations followed by people who had to sign up or log in first.

The invitation page keeps the token in the session (and tells allauth that the invited address
is verified, since the person read the e-mail). When the person logs in, after signing up or with
an existing account, `accept_pending_invitation` accepts it; they then land on the entity."""

from __future__ import annotations

import contextlib
import logging

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _

SESSION_KEY = "entities_invitation_token"
logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="entities_accept_pending_invitation")
def accept_pending_invitation(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.get(SESSION_KEY)
    if not token:
        return
    from entities import services
    from entities.models import EntityInvitation

    invitation = EntityInvitation.objects.select_related("entity").filter(token=token).first()
    if invitation is None:
        request.session.pop(SESSION_KEY, None)
        return
    if services.invitation_problem(invitation, user):
        return  # the invitation page explains why, the token stays for a later login
    try:
        services.invitation_accept(invitation=invitation, user=user)
    except ValidationError:
        logger.info("invitation %s not accepted at login", invitation.pk)
        return
    request.session.pop(SESSION_KEY, None)
    with contextlib.suppress(messages.MessageFailure):
        messages.success(
            request, _("Benvenuto in %(entity)s.") % {"entity": invitation.entity.name}
        )
