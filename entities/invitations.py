"""Invitations followed by people who had to sign up or log in first (core.invitations): when
the person logs in, after signing up or with an existing account, the pending invitation is
accepted; they then land on the entity."""

from __future__ import annotations

import contextlib
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import invitations

KIND = "entities"
logger = logging.getLogger(__name__)


def accept_pending_invitation(request, user, token: str) -> bool:
    from entities import services
    from entities.models import EntityInvitation

    invitation = EntityInvitation.objects.select_related("entity").filter(token=token).first()
    if invitation is None:
        return True
    if services.invitation_problem(invitation, user):
        return False  # the invitation page explains why, the token stays for a later login
    try:
        services.invitation_accept(invitation=invitation, user=user)
    except ValidationError:
        logger.info("invitation %s not accepted at login", invitation.pk)
        return False
    with contextlib.suppress(messages.MessageFailure):
        messages.success(
            request, _("Ti diamo il benvenuto in %(entity)s.") % {"entity": invitation.entity.name}
        )
    return True


invitations.register(KIND, accept_pending_invitation)
