"""Pages where an ambito's staff roles are managed (ambito.permissions says who may do what):
the roles of an ambito with its invitations, a role's change, revocation, the invitation link;
and the superuser's page that creates an ambito."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambito import permissions, selectors, services
from ambito.forms import AmbitoForm, StaffInvitationForm, StaffRoleForm
from ambito.invitations import KIND, welcome
from ambito.models import Ambito, StaffInvitation, StaffRole
from core import invitations
from core.forms import add_service_errors, form_action, int_id
from core.http import AuthenticatedHttpRequest
from core.permissions import user_passes


def _refused(user, ambito: Ambito, post) -> bool:
    """A role (or a comune) the user may not give, whatever the form says of the rest."""
    role = post.get("role")
    if role not in StaffRole.Role.values:
        return False  # not a role: the form says so next to the field
    comune_id = int_id(post.get("comune")) if role == StaffRole.Role.COMUNE else None
    return not permissions.may_manage_roles(user, ambito, role=role, comune_id=comune_id)


def _role_form_args(user, ambito: Ambito) -> dict:
    colleague = permissions.colleague_comuni(user, ambito)
    coordinated = ambito.pk in permissions.coordinated_ambito_ids(user)
    comuni = selectors.comuni_of(ambito)
    return {
        "roles": permissions.role_choices_for(user, ambito),
        "comuni": comuni if coordinated else comuni.filter(pk__in=colleague),
    }


def _crumbs(ambito: Ambito, label: str = "") -> list[tuple[str, str]]:
    roles = (_("Ruoli del personale"), reverse("ambito:roles", kwargs={"code": ambito.code}))
    return [(_("La mia area"), reverse("core:my_area")), roles, *([(label, "")] if label else [])]


@login_required
def roles(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The roles of the ambito the user may see, the invitations in course, the form to invite."""
    user = request.user
    ambito = permissions.roles_ambito(user, code)
    args = _role_form_args(user, ambito)
    form = StaffInvitationForm(request.POST or None, **args) if args["roles"] else None
    if request.method == "POST":
        if form is None or _refused(user, ambito, request.POST):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.staff_invitation_create(
                    ambito=ambito, invited_by=user, **data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Invito inviato a %(email)s.") % {"email": invitation.email}
                )
                return redirect("ambito:roles", code=ambito.code)
    return render(
        request,
        "ambito/roles.html",
        {
            "ambito": ambito,
            "form": form,
            **selectors.roles_page(user, ambito),
            "now": timezone.now(),
            "crumbs": _crumbs(ambito),
        },
    )


def _staff_role(request: HttpRequest, code: str, pk: int) -> tuple[Ambito, StaffRole]:
    """The ambito of the roles page and one of its roles the user may change (404/403)."""
    ambito = permissions.roles_ambito(request.user, code)
    staff_role = permissions.staff_role_policy.get(
        request.user,
        pk=pk,
        write=True,
        queryset=permissions.staff_role_policy.visible(request.user)
        .filter(ambito=ambito)
        .select_related("user", "comune"),
    )
    return ambito, staff_role


@login_required
def role_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    ambito, staff_role = _staff_role(request, code, pk)
    initial = {
        "role": staff_role.role,
        "comune": staff_role.comune_id,
        "job_title": staff_role.job_title,
        "rup_eligible": staff_role.rup_eligible,
    }
    form = StaffRoleForm(request.POST or None, initial=initial, **_role_form_args(user, ambito))
    if request.method == "POST" and _refused(user, ambito, request.POST):
        raise PermissionDenied
    return form_action(
        request,
        form,
        lambda data: services.staff_role_update(staff_role=staff_role, actor=user, **data),
        success=lambda _role: (
            _("Ruolo di %(person)s aggiornato.") % {"person": staff_role.user.display_name}
        ),
        redirect_to=reverse("ambito:roles", kwargs={"code": ambito.code}),
    ) or render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Ruolo di %(name)s") % {"name": staff_role.user.display_name},
            "intro": _(
                "Oggi: %(role)s (%(ambito)s), %(email)s. La persona riceve un'e-mail con il ruolo "
                "aggiornato."
            )
            % {
                "role": staff_role.get_role_display(),
                "ambito": ambito.name,
                "email": staff_role.user.email,
            },
            "submit_label": _("Salva il ruolo"),
            "cancel_url": reverse("ambito:roles", args=[ambito.code]),
            "crumbs": _crumbs(ambito, staff_role.user.display_name),
        },
    )


@login_required
@require_POST
def role_revoke(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    user = request.user
    ambito, staff_role = _staff_role(request, code, pk)
    try:
        services.staff_role_revoke(staff_role=staff_role, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(person)s non ha più il ruolo di %(role)s.")
            % {"person": staff_role.user.display_name, "role": staff_role.get_role_display()},
        )
    return redirect("ambito:roles", code=ambito.code)


def _invitation(request: HttpRequest, code: str, pk: int) -> StaffInvitation:
    ambito = permissions.roles_ambito(request.user, code)
    return permissions.staff_invitation_policy.get(
        request.user,
        pk=pk,
        write=True,
        queryset=permissions.staff_invitation_policy.visible(request.user).filter(ambito=ambito),
    )


@login_required
@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = _invitation(request, code, pk)
    try:
        services.staff_invitation_resend(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Invito inviato di nuovo a %(email)s.") % {"email": invitation.email}
        )
    return redirect("ambito:roles", code=code)


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = _invitation(request, code, pk)
    try:
        services.staff_invitation_revoke(invitation=invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invito a %(email)s ritirato.") % {"email": invitation.email})
    return redirect("ambito:roles", code=code)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. Without an account: the token waits in the session
    while the person signs up (the address is taken as verified) or logs in; then
    ambito.invitations accepts it. Logged in with the invited address: a button accepts it."""
    invitation = get_object_or_404(
        StaffInvitation.objects.select_related("ambito", "comune", "invited_by"), token=token
    )
    user = request.user if request.user.is_authenticated else None
    if user is not None and invitation.accepted_by_id == user.pk:
        return redirect("core:my_area")
    problem = invitation.problem(user)
    if request.method == "POST":  # accepting: only its addressee, logged in with that address
        if user is None:
            return redirect_to_login(request.get_full_path())
        if problem:
            raise PermissionDenied(problem)
        staff_role = services.staff_invitation_accept(invitation=invitation, user=user)
        messages.success(request, welcome(staff_role))
        return redirect("core:my_area")
    context = {"invitation": invitation, "problem": problem}
    if user is None and not problem:
        context |= invitations.visitor_links(request, kind=KIND, invitation=invitation)
    return render(request, "ambito/staff_invitation.html", context)


@user_passes(lambda u: u.is_superuser)
def ambito_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A superuser creates an ambito and invites its first coordinator."""
    form = AmbitoForm(request.POST or None)
    return form_action(
        request,
        form,
        lambda data: services.ambito_create(
            name=data["name"],
            code=data["code"],
            lead_comune=data["lead_comune"],
            comuni=data["members"],
            coordinator_email=data["coordinator_email"],
            actor=request.user,
        ),
        success=lambda made: (
            _("Ambito %(name)s creato; l'invito è stato inviato a %(email)s.")
            % {"name": made[0].name, "email": made[1].email}
        ),
        redirect_to=lambda made: reverse("ambito:roles", kwargs={"code": made[0].code}),
    ) or render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Nuovo ambito territoriale sociale"),
            "intro": _(
                "Indica i comuni dell'ambito dall'elenco ISTAT e l'ente capofila, poi l'indirizzo "
                "del coordinatore dell'Ufficio di Piano: riceverà l'invito e gestirà da sé gli altri "
                "ruoli."
            ),
            "submit_label": _("Crea l'ambito e invia l'invito"),
            "crumbs": [(_("Nuovo ambito"), "")],
        },
    )
