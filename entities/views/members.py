"""An entity's people: the members page, invitations and their link, roles and removal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import invitations
from core.forms import form_action
from core.http import AuthenticatedHttpRequest
from entities import selectors, services
from entities.forms import (
    InvitationForm,
    RoleForm,
)
from entities.invitations import KIND
from entities.models import EntityInvitation, EntityMembership
from entities.permissions import entity_policy
from entities.views.common import crumbs


@login_required
def members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    manage = request.method == "POST"
    entity = entity_policy.get_for_people(request.user, pk, manage=manage)
    can_manage = entity_policy.can_change(request.user, entity)
    form = InvitationForm(request.POST or None)
    return form_action(
        request,
        form,
        lambda data: services.invitation_create(
            entity=entity, email=data["email"], role=data["role"], invited_by=request.user
        ),
        success=lambda _invitation: (
            _("Invito inviato a %(email)s.") % {"email": form.cleaned_data["email"]}
        ),
        redirect_to=reverse("entities:members", args=[entity.pk]),
    ) or render(
        request,
        "entities/members.html",
        {
            "entity": entity,
            "members": selectors.members_of(entity),
            "past_members": selectors.past_members_of(entity)[:50],
            "invitations": selectors.open_invitations(entity) if can_manage else [],
            "can_manage": can_manage,
            "form": form,
            "role_choices": EntityMembership.Role.choices,
            "now": timezone.now(),
            "crumbs": crumbs(_("Persone"), entity=entity),
        },
    )


@login_required
@require_POST
def invitation_action(
    request: AuthenticatedHttpRequest, pk: int, invitation_pk: int, action: str
) -> HttpResponse:
    entity = entity_policy.get_for_people(request.user, pk, manage=True)
    invitation = get_object_or_404(entity.invitations, pk=invitation_pk)
    try:
        if action == "reinvia":
            services.invitation_resend(invitation=invitation, user=request.user)
            messages.success(
                request, _("Invito inviato di nuovo a %(email)s.") % {"email": invitation.email}
            )
        elif action == "ritira":
            services.invitation_revoke(invitation=invitation, user=request.user)
            messages.success(
                request, _("Invito a %(email)s ritirato.") % {"email": invitation.email}
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("entities:members", pk=entity.pk)


@login_required
@require_POST
def membership_action(
    request: AuthenticatedHttpRequest, pk: int, membership_pk: int, action: str
) -> HttpResponse:
    entity = entity_policy.get_for_people(request.user, pk, manage=True)
    membership = get_object_or_404(
        entity.memberships.current().select_related("user"), pk=membership_pk
    )
    try:
        if action == "ruolo":
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Scegli un ruolo valido."))
            services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], user=request.user
            )
            messages.success(request, _("Ruolo aggiornato."))
        elif action == "rimuovi":
            services.membership_end(membership=membership, user=request.user)
            messages.success(
                request,
                _("%(person)s non fa più parte dell'ente.")
                % {"person": membership.user.display_name},
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("entities:members", pk=entity.pk)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. Without an account: the token waits in the session
    while the person signs up (the address is taken as verified) or logs in; then
    entities.invitations accepts it and the person lands on the entity's page."""
    invitation = get_object_or_404(
        EntityInvitation.objects.select_related("entity", "invited_by"), token=token
    )
    user = request.user if request.user.is_authenticated else None
    if user is not None and invitation.accepted_by_id == user.pk:
        messages.success(
            request, _("Fai parte di %(entity)s.") % {"entity": invitation.entity.name}
        )
        return redirect(invitation.entity)
    problem = invitation.problem(user)
    if request.method == "POST" and user is not None and not problem:
        services.invitation_accept(invitation=invitation, user=user)
        messages.success(
            request, _("Ti diamo il benvenuto in %(entity)s.") % {"entity": invitation.entity.name}
        )
        return redirect(invitation.entity)
    context = {"invitation": invitation, "problem": problem}
    if user is None and not problem:
        context |= invitations.visitor_links(request, kind=KIND, invitation=invitation)
    return render(request, "entities/invitation.html", context)
