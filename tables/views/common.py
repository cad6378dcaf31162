"""What the pages of tables share: the refusal of a frozen record, the meeting and the
minutes a request may reach."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tables import services
from tables.models import (
    Meeting,
    Minutes,
)
from tables.permissions import (
    can_manage_table,
    meeting_policy,
)


def refuses_frozen(view):
    """The pages that change a meeting's record answer 409 with the reason, and what to do
    instead, once the minutes are approved (services.RecordFrozen), whatever the method."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.RecordFrozen as exc:
            meeting = exc.meeting
            return render(
                request,
                "tables/record_frozen.html",
                {
                    "meeting": meeting,
                    "table": meeting.table,
                    "message": exc.messages[0],
                    "manager": can_manage_table(request.user, meeting.table),
                },
                status=409,
            )

    return wrapper


def meeting_for(request: HttpRequest, pk: int, *, write: bool = False) -> Meeting:
    user = request.user
    return meeting_policy.get(
        user,
        pk=pk,
        write=write,
        queryset=meeting_policy.visible(user).select_related("table__ambito"),
    )


def minutes_for_write(request: HttpRequest, pk: int) -> Minutes:
    meeting = meeting_for(request, pk, write=True)
    return get_object_or_404(
        Minutes.objects.select_related("meeting__table__ambito"), meeting=meeting
    )
