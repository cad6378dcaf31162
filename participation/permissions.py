"""Who may see and do what in participation (see core.permissions for the pattern).

- Proposals: seen by their author, the members of their table, the admitted applicants of their
  procedure and the staff of their ambito; supported and commented on by the same people; answered
  by the Ufficio di Piano of the ambito. Where the ambito opens proposals to citizens
  (ParticipationSettings), any registered person (with a verified address, or SPID/CIE when the
  ambito asks for it) proposes to the ambito; a public proposal is read by everyone, supported
  and commented on by registered people, and moderated by the ambito's Ufficio di Piano (hidden
  with a reason, restored). Hidden proposals and comments take no more support or comments.
- Events, news and the library are public once published; the Ufficio di Piano of the ambito
  manages them (drafts included). Comune staff read drafts but do not change them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ambito.permissions import is_ufficio_di_piano, managed_ambito_ids, staff_ambito_ids
from core import usercache
from core.permissions import Policy
from entities.permissions import member_entity_ids
from participation.models import (
    Event,
    LibraryItem,
    News,
    ParticipationSettings,
    Proposal,
)
from processes.models import Application, ApplicationStatus, Procedure
from tables.models import Table, TableMembership

# An entity takes part in a procedure's co-design phase once its application is admitted.
CODESIGN_APPLICATION_STATES = (ApplicationStatus.ADMITTED,)


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@usercache.per_user("participation.seat_holder_table_ids", anonymous=set)
def seat_holder_table_ids(user) -> set[int]:
    """Tables where the user is delegate or substitute of an active membership (in person)."""
    return set(TableMembership.objects.current(user).values_list("table_id", flat=True).distinct())


@usercache.per_user("participation.codesign_procedure_ids", anonymous=set)
def codesign_procedure_ids(user) -> set[int]:
    """Procedures where one of the user's entities is admitted to the co-design phase."""
    return set(
        Application.objects.filter(
            entity_id__in=member_entity_ids(user), status__in=CODESIGN_APPLICATION_STATES
        )
        .order_by()
        .values_list("procedure_id", flat=True)
        .distinct()
    )


def is_table_member(user, table: Table) -> bool:
    return table.pk in seat_holder_table_ids(user)


def is_codesign_applicant(user, procedure: Procedure) -> bool:
    return procedure.pk in codesign_procedure_ids(user)


def can_propose(user, *, table: Table | None = None, procedure: Procedure | None = None) -> bool:
    """Members of an open table, or admitted applicants of a procedure, put forward proposals."""
    if table is not None:
        return table.archived_at is None and is_table_member(user, table)
    if procedure is not None:
        return is_codesign_applicant(user, procedure)
    return False


def is_participant(user, proposal: Proposal) -> bool:
    """Members of the proposal's table or procedure (who may support and comment)."""
    if proposal.table_id and proposal.table_id in seat_holder_table_ids(user):
        return True
    return bool(proposal.procedure_id and proposal.procedure_id in codesign_procedure_ids(user))


@usercache.per_user("participation.is_registered_person", anonymous=lambda: False)
def is_registered_person(user) -> bool:
    """An account whose person the portal knows: a verified e-mail address, or a SPID/CIE
    identity linked to it."""
    from allauth.account.models import EmailAddress

    return bool(user.fiscal_code) or EmailAddress.objects.filter(user=user, verified=True).exists()


def has_spid_identity(user) -> bool:
    from allauth.socialaccount.models import SocialAccount

    from core.identity import SCHEMES

    return SocialAccount.objects.filter(user=user, provider__in=SCHEMES).exists()


def citizen_settings(ambito) -> ParticipationSettings:
    """The ambito's settings (unsaved defaults, everything closed, when it has none)."""
    found = ParticipationSettings.objects.filter(ambito=ambito).first()
    return found or ParticipationSettings(ambito=ambito)


def citizens_may_propose(ambito) -> bool:
    return citizen_settings(ambito).citizen_proposals


def citizen_proposal_refusal(user, ambito) -> str:
    """Why `user` may not propose to `ambito` as a citizen ("" when they may)."""
    from django.utils.translation import gettext as _

    from core.identity import configured_schemes

    options = citizen_settings(ambito)
    if not options.citizen_proposals:
        return _("Questo ambito non raccoglie proposte dei cittadini.")
    if not _authenticated(user):
        return _("Accedi per presentare una proposta.")
    if not is_registered_person(user):
        return _("Conferma il tuo indirizzo e-mail per presentare una proposta.")
    if options.citizen_proposals_need_spid and configured_schemes() and not has_spid_identity(user):
        return _("Per presentare una proposta collega al tuo account la tua identità SPID o CIE.")
    return ""


def can_propose_to_ambito(user, ambito) -> bool:
    return not citizen_proposal_refusal(user, ambito)


def citizen_tables(ambito) -> QuerySet[Table]:
    """The tables of `ambito` a citizen's proposal may go to: public and not archived."""
    return Table.objects.public().filter(ambito=ambito, archived_at__isnull=True).order_by("name")


def can_moderate(user, proposal: Proposal) -> bool:
    """Hide and restore a public proposal and its comments: the ambito's Ufficio di Piano."""
    return is_ufficio_di_piano(user, proposal.ambito_id)


def can_export_proposals(user) -> bool:
    """The proposals' spreadsheet: the staff of an ambito and the members of a table (each
    downloads only what they may read); not an author alone, nor a citizen."""
    if not _authenticated(user):
        return False
    return user.is_superuser or bool(staff_ambito_ids(user)) or bool(seat_holder_table_ids(user))


class ProposalPolicy(Policy[Proposal]):
    model = Proposal
    views_one_in_python = True

    def visible(self, user) -> QuerySet[Proposal]:
        if not _authenticated(user):
            return Proposal.objects.filter(is_public=True)
        return Proposal.objects.filter(Q(is_public=True) | self._participant_q(user))

    def participant_visible(self, user) -> QuerySet[Proposal]:
        """The proposals `user` reads as author, participant or staff (the public ones of
        others aside): the logged-in list and its spreadsheet."""
        if not _authenticated(user):
            return Proposal.objects.none()
        return Proposal.objects.filter(self._participant_q(user))

    @staticmethod
    def _participant_q(user) -> Q:
        return (
            Q(author=user)
            | Q(ambito_id__in=staff_ambito_ids(user))
            | Q(table_id__in=seat_holder_table_ids(user))
            | Q(procedure_id__in=codesign_procedure_ids(user))
        )

    def can_view(self, user, obj: Proposal) -> bool:
        """visible(user), asked of one proposal in Python: it needs only the lookups of the
        proposal's own table or procedure, not every visibility set of the user."""
        if obj.is_public:
            return True
        return _authenticated(user) and (
            obj.author_id == user.pk
            or is_participant(user, obj)
            or obj.ambito_id in staff_ambito_ids(user)
        )

    def can_change(self, user, obj: Proposal) -> bool:
        """Give the official answer."""
        return is_ufficio_di_piano(user, obj.ambito_id)

    def can_support(self, user, obj: Proposal) -> bool:
        if not _authenticated(user) or obj.is_hidden or obj.author_id == user.pk:
            return False
        return is_participant(user, obj) or (obj.is_public and is_registered_person(user))

    def can_comment(self, user, obj: Proposal) -> bool:
        if not _authenticated(user) or obj.is_hidden:
            return False
        return (
            obj.author_id == user.pk
            or is_participant(user, obj)
            or is_ufficio_di_piano(user, obj.ambito_id)
            or (obj.is_public and is_registered_person(user))
        )


class _PublicContentPolicy(Policy):
    """Published rows are public; the ambito's staff see drafts; its Ufficio di Piano changes."""

    published_q = Q()

    def visible(self, user) -> QuerySet:
        q = self.published_q_now()
        if _authenticated(user):
            q |= Q(ambito_id__in=staff_ambito_ids(user))
        return self.model._default_manager.filter(q)

    def published_q_now(self) -> Q:
        return self.published_q

    def can_change(self, user, obj) -> bool:
        return is_ufficio_di_piano(user, obj.ambito_id)


class EventPolicy(_PublicContentPolicy):
    model = Event

    def published_q_now(self) -> Q:
        return Q(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])


def _published_now() -> Q:
    from django.utils import timezone

    return Q(published_at__isnull=False, published_at__lte=timezone.now())


class NewsPolicy(_PublicContentPolicy):
    model = News

    def published_q_now(self) -> Q:
        return _published_now()


class LibraryPolicy(_PublicContentPolicy):
    model = LibraryItem

    def published_q_now(self) -> Q:
        return _published_now()


def can_manage_content(user) -> bool:
    """Staff who may create events, news and library items (in at least one ambito)."""
    return bool(managed_ambito_ids(user))


proposal_policy = ProposalPolicy()
event_policy = EventPolicy()
news_policy = NewsPolicy()
library_policy = LibraryPolicy()
