"""Invitations to staff roles followed by people who had to sign up or log in first
(core.invitations): when the person logs in, after signing up or with an existing account, the
pending invitation is accepted."""

from __future__ import annotations

import contextlib
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import invitations

KIND = "ambito_staff"
logger = logging.getLogger(__name__)


def welcome(staff_role) -> str:
    return _("Ora sei %(role)s (%(where)s).") % {
        "role": staff_role.get_role_display().lower(),
        "where": staff_role.comune.name if staff_role.comune_id else staff_role.ambito.name,
    }


def accept_pending_invitation(request, user, token: str) -> bool:
    from ambito import services
    from ambito.models import StaffInvitation

    invitation = StaffInvitation.objects.filter(token=token).first()
    if invitation is None:
        return True
    if invitation.problem(user):
        return False  # the invitation page explains why, the token stays for a later login
    try:
        staff_role = services.staff_invitation_accept(invitation=invitation, user=user)
    except ValidationError:
        logger.info("staff invitation %s not accepted at login", invitation.pk)
        return False
    with contextlib.suppress(messages.MessageFailure):
        messages.success(request, welcome(staff_role))
    return True


invitations.register(KIND, accept_pending_invitation)
