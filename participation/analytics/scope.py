"""The period and the slice of an ambito that the analytics read.

The Ufficio di Piano reads the whole ambito; comune staff read their comune's slice: what the
entities seated in their comune did, what the comune itself did as a member or an invitee, and
the meetings of the comune's own (concertation) tables. People who register to an event are not
tied to a comune, so a comune's slice counts no event registrations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from ambito.permissions import comune_ids, is_staff_of, is_ufficio_di_piano
from core.forms import PortalForm
from participation.models import Proposal, Registration, Response
from processes.models import Application, ApplicationStatus
from tables.models import Invitation, Meeting

DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (Italian time)."""

    start: dt.date
    end: dt.date

    @classmethod
    def last_year(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - dt.timedelta(days=DEFAULT_DAYS - 1), today)

    @classmethod
    def of_years(cls, start_year: int, end_year: int) -> Period:
        return cls(dt.date(start_year, 1, 1), dt.date(end_year, 12, 31))

    def _moment(self, day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def q(self, field: str) -> Q:
        """`field` (a moment) falls within the period."""
        after = self._moment(self.end + dt.timedelta(days=1))
        return Q(**{f"{field}__gte": self._moment(self.start), f"{field}__lt": after})


class PeriodForm(PortalForm):
    dal = forms.DateField(label=_("Dal"), widget=forms.DateInput(attrs={"type": "date"}))
    al = forms.DateField(label=_("Al"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("dal") and data.get("al") and data["dal"] > data["al"]:
            raise forms.ValidationError(_("La data di inizio non può seguire quella di fine."))
        return data


def period_from(params) -> tuple[Period, PeriodForm]:
    """The period asked for with ?dal=&al= (the last twelve months when absent or invalid)."""
    default = Period.last_year()
    if "dal" not in params and "al" not in params:
        form = PeriodForm(initial={"dal": default.start.isoformat(), "al": default.end.isoformat()})
        return default, form
    form = PeriodForm(params)
    if form.is_valid():
        return Period(form.cleaned_data["dal"], form.cleaned_data["al"]), form
    return default, form


@dataclass(frozen=True)
class Scope:
    """What the figures count: the rows of `ambito` in `period`, restricted to the comuni
    `comuni` when it is not None (a comune's slice)."""

    ambito_id: int
    period: Period
    comuni: frozenset[int] | None = None

    @property
    def is_comune_slice(self) -> bool:
        return self.comuni is not None

    def _by_entity(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}entity__seat_comune_id__in": self.comuni or ()})

    def meetings(self) -> QuerySet[Meeting]:
        rows = Meeting.objects.filter(self.period.q("starts_at"), table__ambito_id=self.ambito_id)
        rows = rows.exclude(status=Meeting.Status.CANCELLED)
        if self.is_comune_slice:
            invited = self.invitations(all_meetings=True).filter(meeting_id=OuterRef("pk"))
            rows = rows.filter(Q(table__comune_id__in=self.comuni) | Exists(invited))
        return rows

    def invitations(self, *, all_meetings: bool = False) -> QuerySet[Invitation]:
        rows = Invitation.objects.filter(meeting__table__ambito_id=self.ambito_id)
        if not all_meetings:
            rows = rows.filter(self.period.q("meeting__starts_at")).exclude(
                meeting__status=Meeting.Status.CANCELLED
            )
        if self.is_comune_slice:
            rows = rows.filter(
                self._by_entity()
                | Q(comune_id__in=self.comuni)
                | Q(meeting__table__comune_id__in=self.comuni)
            )
        return rows

    def applications(self) -> QuerySet[Application]:
        rows = Application.objects.filter(
            self.period.q("submitted_at"), procedure__ambito_id=self.ambito_id
        ).exclude(status=ApplicationStatus.DRAFT)
        return rows.filter(self._by_entity()) if self.is_comune_slice else rows

    def responses(self) -> QuerySet[Response]:
        rows = Response.objects.filter(
            self.period.q("submitted_at"), survey__ambito_id=self.ambito_id
        )
        return rows.filter(self._by_entity()) if self.is_comune_slice else rows

    def proposals(self) -> QuerySet[Proposal]:
        rows = Proposal.objects.filter(self.period.q("created_at"), ambito_id=self.ambito_id)
        if self.is_comune_slice:
            about = Proposal.comuni.through.objects.filter(
                proposal_id=OuterRef("pk"), comune_id__in=self.comuni or ()
            )
            rows = rows.filter(self._by_entity() | Exists(about))
        return rows

    def registrations(self) -> QuerySet[Registration]:
        if self.is_comune_slice:
            return Registration.objects.none()
        return Registration.objects.filter(
            self.period.q("event__starts_at"),
            event__ambito_id=self.ambito_id,
            cancelled_at__isnull=True,
        )


def analytics_ambito(user, code: str) -> Ambito:
    """The ambito whose analytics `user` opens: 404 when it does not exist, 403 unless they are
    its staff."""
    ambito = Ambito.objects.filter(code=code).first()
    if ambito is None:
        raise Http404
    if not is_staff_of(user, ambito):
        raise PermissionDenied
    return ambito


def scope_for(user, ambito: Ambito, period: Period) -> Scope:
    """The Ufficio di Piano (and superusers) read the whole ambito; comune staff their comuni."""
    if is_ufficio_di_piano(user, ambito):
        return Scope(ambito.pk, period)
    return Scope(ambito.pk, period, frozenset(comune_ids(user)))
