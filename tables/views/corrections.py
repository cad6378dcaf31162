"""Pages of a correction (rettifica) of approved minutes: write, approve, discard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import flash_errors, form_action
from core.http import AuthenticatedHttpRequest
from tables import forms, selectors, services
from tables.views.common import minutes_for_write


@login_required
def minutes_correction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff write the correction of approved minutes, with its reason; it waits as a draft
    version until approved (minutes_correction_approve) or dropped."""
    minutes = minutes_for_write(request, pk)
    if not minutes.is_approved:
        messages.info(
            request, _("Il verbale non è ancora approvato: si corregge modificando la bozza.")
        )
        return redirect("tables:minutes_detail", pk=pk)
    draft = selectors.correction_draft(minutes)
    current = selectors.current_version(minutes)
    base = (draft or current).record
    data = request.POST if request.method == "POST" else None
    form = forms.CorrectionForm(
        data, initial={**base["minutes"], "reason": draft.reason if draft else ""}
    )
    items = [
        (
            item,
            forms.MinutesItemForm(
                data,
                prefix=f"a{item['id']}",
                initial={"summary": item["summary"], "decisions": item["decisions"]},
            ),
        )
        for item in base["agenda"]
    ]
    rows = [
        (
            row,
            forms.CorrectionAttendanceForm(
                data,
                prefix=f"p{row['id']}",
                initial={"attendance": row["attendance"], "delegated_to": row["delegated_to"]},
            ),
        )
        for row in base["attendance"]
    ]
    valid = [f.is_valid() for f in (form, *(f for _i, f in items), *(f for _r, f in rows))]
    saved = all(valid) and form_action(
        request,
        form,
        lambda cleaned: services.minutes_correction_save(
            minutes=minutes,
            reason=cleaned["reason"],
            data=cleaned,
            items=[{"id": i["id"], **f.cleaned_data} for i, f in items],
            attendance=[{"id": r["id"], **f.cleaned_data} for r, f in rows],
            actor=request.user,
        ),
        success=lambda new: (
            _(
                "Rettifica salvata, non ancora pubblicata: approvala per pubblicarla come "
                "versione %(n)d del verbale."
            )
            % {"n": new.number}
        ),
        redirect_to=reverse("tables:minutes_correction", args=[pk]),
    )
    return saved or render(
        request,
        "tables/minutes_correction.html",
        {
            "minutes": minutes,
            "meeting": minutes.meeting,
            "table": minutes.meeting.table,
            "current": current,
            "draft": draft,
            "form": form,
            "items": items,
            "rows": rows,
        },
    )


@login_required
@require_POST
def minutes_correction_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    minutes = minutes_for_write(request, pk)
    try:
        services.minutes_correction_approve(minutes=minutes, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("tables:minutes_correction", pk=pk)
    messages.success(
        request,
        _(
            "Rettifica approvata e pubblicata come nuova versione del verbale: il PDF è in "
            "preparazione. La versione precedente resta consultabile."
        ),
    )
    return redirect("tables:minutes_detail", pk=pk)


@login_required
@require_POST
def minutes_correction_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    minutes = minutes_for_write(request, pk)
    try:
        services.minutes_correction_discard(minutes=minutes, actor=request.user)
        messages.success(request, _("Rettifica annullata: il verbale in vigore non cambia."))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("tables:minutes_detail", pk=pk)
