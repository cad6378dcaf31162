"""Staff roles of an ambito: invitations by e-mail, acceptance, changes and revocations, each with
its audit event and e-mail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.models import Ambito, Comune, StaffInvitation, StaffRole
from ambito.permissions import STAFF_ROLES_KEY
from core import audit, invitations, mail, usercache
from core.models import User
from core.notifications import notify


# --- staff roles: invitations ------------------------------------------------------------------
def _comune_in_ambito(ambito: Ambito, role: str, comune: Comune | None) -> None:
    if role == StaffRole.Role.COMUNE:
        if comune is None:
            raise ValidationError({"comune": _("Scegli il comune.")})
        if not ambito.comuni.filter(pk=comune.pk).exists():
            raise ValidationError({"comune": _("Il comune non fa parte dell'ambito.")})
    elif comune is not None:
        raise ValidationError(
            {"comune": _("Il comune si indica solo per i servizi sociali del comune.")}
        )


@transaction.atomic
def staff_invitation_create(
    *,
    ambito: Ambito,
    email: str,
    role: str,
    invited_by: User | None,
    comune: Comune | None = None,
    job_title: str = "",
    rup_eligible: bool = True,
) -> StaffInvitation:
    """Offer a role by e-mail: the person follows the link, logs in or signs up with that
    address, and gets the role (staff_invitation_accept)."""
    email = email.strip().lower()
    _comune_in_ambito(ambito, role, comune)
    if StaffRole.objects.filter(
        ambito=ambito, user__email__iexact=email, role=role, comune=comune
    ).exists():
        raise ValidationError({"email": _("Questa persona ha già questo ruolo.")})
    invitations.make_room(
        StaffInvitation.objects.filter(ambito=ambito, email__iexact=email),
        StaffInvitation.ALREADY_INVITED,
    )
    invitation = StaffInvitation(
        ambito=ambito,
        email=email,
        role=role,
        comune=comune,
        job_title=job_title,
        rup_eligible=rup_eligible,
        invited_by=invited_by,
    )
    invitation.full_clean()
    invitation.save()
    _send_invitation(invitation)
    audit.record(
        actor=invited_by,
        action="ambito.staff.invited",
        obj=ambito,
        changes=_role_fields(invitation) | {"email": email},
        ambito_id=ambito.pk,
    )
    return invitation


def _role_fields(obj: StaffRole | StaffInvitation) -> dict[str, object]:
    return {
        "role": obj.role,
        "comune": obj.comune.istat_code if obj.comune is not None else None,
        "job_title": obj.job_title,
        "rup_eligible": obj.rup_eligible,
    }


def _send_invitation(invitation: StaffInvitation) -> None:
    invitations.send(
        invitation,
        "ambito_staff_invitation",
        {"ambito": invitation.ambito, "where": invitation.where},
        ambito_id=invitation.ambito_id,
    )


@transaction.atomic
def staff_invitation_resend(*, invitation: StaffInvitation, actor: User) -> StaffInvitation:
    invitations.extend(invitation)
    _send_invitation(invitation)
    audit.record(
        actor=actor,
        action="ambito.staff_invitation.resent",
        obj=invitation.ambito,
        changes={"email": invitation.email},
        ambito_id=invitation.ambito_id,
    )
    return invitation


@transaction.atomic
def staff_invitation_revoke(*, invitation: StaffInvitation, actor: User) -> None:
    if not invitations.revoke(invitation):
        raise ValidationError(_("Questo invito non è più valido."))
    audit.record(
        actor=actor,
        action="ambito.staff_invitation.revoked",
        obj=invitation.ambito,
        changes={"email": invitation.email},
        ambito_id=invitation.ambito_id,
    )


@transaction.atomic
def staff_invitation_accept(*, invitation: StaffInvitation, user: User) -> StaffRole:
    invitation = invitations.lock_for_acceptance(invitation, user, "ambito", "comune", "invited_by")
    staff_role, _created = StaffRole.objects.update_or_create(
        user=user,
        ambito=invitation.ambito,
        role=invitation.role,
        comune=invitation.comune,
        defaults={"job_title": invitation.job_title, "rup_eligible": invitation.rup_eligible},
    )
    usercache.forget(user, STAFF_ROLES_KEY)
    invitations.mark_accepted(invitation, user)
    audit.record(
        actor=user,
        action="ambito.staff.joined",
        obj=staff_role,
        changes=_role_fields(staff_role) | {"email": user.email},
        ambito_id=invitation.ambito_id,
    )
    if invitation.invited_by is not None:
        notify(
            ambito_id=invitation.ambito_id,
            users=[invitation.invited_by],
            kind="staff_invitation_accepted",
            title=_("%(person)s ha accettato il ruolo di %(role)s (%(where)s)")
            % {
                "person": user.display_name,
                "role": staff_role.get_role_display(),
                "where": staff_role.where,
            },
            url=reverse("ambito:roles", kwargs={"code": invitation.ambito.code}),
        )
    return staff_role


# --- staff roles: changes ----------------------------------------------------------------------
def _last_coordinator(staff_role: StaffRole) -> bool:
    return (
        staff_role.role == StaffRole.Role.COORDINATOR
        and not StaffRole.objects.filter(ambito_id=staff_role.ambito_id, role=staff_role.role)
        .exclude(pk=staff_role.pk)
        .exists()
    )


LAST_COORDINATOR = gettext_lazy(
    "È l'unico coordinatore dell'Ufficio di Piano: prima invita chi lo sostituisce, poi cambia "
    "o revoca questo ruolo."
)


@transaction.atomic
def staff_role_update(
    *,
    staff_role: StaffRole,
    role: str,
    actor: User,
    comune: Comune | None = None,
    job_title: str = "",
    rup_eligible: bool = True,
) -> StaffRole:
    staff_role = (
        StaffRole.objects.select_for_update(of=("self",))
        .select_related("user", "ambito", "comune")
        .get(pk=staff_role.pk)
    )
    _comune_in_ambito(staff_role.ambito, role, comune)
    if role != staff_role.role and _last_coordinator(staff_role):
        raise ValidationError({"role": LAST_COORDINATOR})
    if (
        StaffRole.objects.filter(
            user=staff_role.user, ambito=staff_role.ambito, role=role, comune=comune
        )
        .exclude(pk=staff_role.pk)
        .exists()
    ):
        raise ValidationError({"role": _("La persona ha già questo ruolo.")})
    before = _role_fields(staff_role)
    staff_role.role, staff_role.comune = role, comune
    staff_role.job_title, staff_role.rup_eligible = job_title, rup_eligible
    staff_role.full_clean()
    staff_role.save()
    changes = audit.diff(before, _role_fields(staff_role))
    if not changes:
        return staff_role
    audit.record(
        actor=actor,
        action="ambito.staff.changed",
        obj=staff_role,
        changes=changes | {"email": staff_role.user.email},
        ambito_id=staff_role.ambito_id,
    )
    _tell(staff_role, "ambito_staff_role_changed", actor=actor)
    return staff_role


@transaction.atomic
def staff_role_revoke(*, staff_role: StaffRole, actor: User) -> None:
    staff_role = (
        StaffRole.objects.select_for_update(of=("self",))
        .select_related("user", "ambito", "comune")
        .get(pk=staff_role.pk)
    )
    if _last_coordinator(staff_role):
        raise ValidationError(LAST_COORDINATOR)
    audit.record(
        actor=actor,
        action="ambito.staff.revoked",
        obj=staff_role,
        changes=_role_fields(staff_role) | {"email": staff_role.user.email},
        ambito_id=staff_role.ambito_id,
    )
    _tell(staff_role, "ambito_staff_role_revoked", actor=actor)
    staff_role.delete()


def _tell(staff_role: StaffRole, template: str, *, actor: User) -> None:
    """E-mail the person whose role changed (or went): who did it, what it is now."""
    mail.enqueue(
        template,
        {
            "staff_role": staff_role,
            "ambito": staff_role.ambito,
            "person": staff_role.user.display_name,
            "actor": actor.display_name,
            "role_label": staff_role.get_role_display(),
            "where": staff_role.where,
        },
        to=staff_role.user.email,
        reply_to=staff_role.ambito.email,
        ambito_id=staff_role.ambito_id,
    )
