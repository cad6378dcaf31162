"""The avviso: draft, page, publication."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors
from processes import services
from processes.forms import (
    CriterionFormSet,
    NoticeForm,
)
from processes.models import (
    Notice,
)
from processes.permissions import (
    procedure_policy,
)
from processes.views.common import _form_page, _rows


# --- notice ---------------------------------------------------------------------------------
@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = procedure_policy.get(request.user, pk=pk, write=True)
    draft = procedure.notices.filter(published_at__isnull=True).first()
    current = procedure.current_notice
    base = draft or procedure.notices.order_by("-version").first()
    correction = current is not None
    # After the first submission the criteria and requirements are those of the published avviso.
    locked = procedure.notice_locked_at is not None and current is not None
    source = current if locked else base
    initial_criteria: list[dict[str, Any]] = (
        [
            {"name": c.name, "weight": c.weight, "description": c.description}
            for c in source.criteria.all()
        ]
        if source
        else []
    )
    instance = draft or (
        Notice(
            **{
                f: getattr(base, f)
                for f in (
                    "subject",
                    "requirements",
                    "documents_required",
                    "deadline",
                    "admission_threshold",
                )
            }
        )
        if base
        else Notice(subject=procedure.subject)
    )
    if locked:
        for name in services.LOCKED_NOTICE_FIELDS:
            setattr(instance, name, getattr(current, name))
    form = NoticeForm(
        request.POST or None,
        instance=instance,
        procedure=procedure,
        correction=correction,
        locked_at=procedure.notice_locked_at if locked else None,
    )
    formsets = []
    criteria = None
    if procedure.is_codesign and not locked:
        criteria = CriterionFormSet(
            request.POST or None, initial=initial_criteria, prefix="criteria"
        )
        formsets = [criteria]
    if request.method == "POST" and form.is_valid() and (criteria is None or criteria.is_valid()):
        if criteria is not None:
            rows = [
                services.CriterionData(r["name"], r["weight"], r.get("description") or "")
                for r in _rows(criteria, "name", "weight", "description")
            ]
        else:
            rows = [services.CriterionData(**c) for c in initial_criteria]
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            notice = services.notice_save_draft(
                procedure=procedure, actor=request.user, data=data, criteria=rows
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bozza dell'avviso salvata. Controllala e pubblicala."))
            return redirect(notice)
    title = _("Rettifica dell'avviso (nuova versione)") if correction else _("Avviso pubblico")
    intro = (
        _(
            "Il termine è in ora italiana. Per la co-progettazione indica i criteri: i pesi devono sommare a 100."
        )
        if procedure.is_codesign
        else _("Il termine è in ora italiana.")
    )
    if correction:
        intro = f"{intro} " + _(
            "Una rettifica è una nuova versione pubblicata: il termine si può prorogare, mai "
            "anticipare, e chi ha iniziato una domanda ne riceve notizia."
        )
    if locked:
        intro = f"{intro} " + _(
            "Dalla prima domanda presentata (%(d)s) criteri, pesi, requisiti, documenti "
            "richiesti e soglia sono bloccati."
        ) % {"d": timezone.localtime(procedure.notice_locked_at).strftime("%d/%m/%Y %H:%M")}
    return _form_page(
        request,
        title=title,
        procedure=procedure,
        form=form,
        formsets=formsets,
        submit=_("Salva la bozza"),
        intro=intro,
    )


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.select_related("procedure__ambito").filter(pk=pk).first()
    if notice is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=notice.procedure_id)
    can_change = procedure_policy.can_change(request.user, procedure)
    if not notice.is_published and not can_change:
        raise Http404
    return render(
        request,
        "processes/notice_detail.html",
        {
            "notice": notice,
            "procedure": procedure,
            "criteria": list(notice.criteria.all()),
            "can_change": can_change,
            "problems": services.notice_problems(notice) if not notice.is_published else [],
            "changes": services.notice_changes(notice) if notice.is_correction else [],
            "warnings": services.notice_warnings(notice) if not notice.is_published else [],
            "versions": list(
                procedure.notices.filter(published_at__isnull=False).order_by("version")
            ),
        },
    )


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = Notice.objects.filter(pk=pk).first()
    if notice is None:
        raise Http404
    procedure = procedure_policy.get(request.user, pk=notice.procedure_id, write=True)
    try:
        services.notice_publish(notice=notice, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(notice)
    messages.success(request, _("Avviso pubblicato. Gli enti interessati riceveranno un'e-mail."))
    return redirect(procedure)
