"""The plan's PDF, rendered in the background for the staff of its ambito."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from core import jobs
from core.http import file_response
from core.models import FileJob
from plans import selectors, services
from plans.permissions import plan_policy


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_policy.get_for_staff(request.user, pk)
    if request.method == "POST":
        with transaction.atomic():
            services.pdf_export_start(plan=plan, user=request.user)
        return redirect("plans:export", pk=plan.pk)
    job = jobs.latest(owner=services.export_owner(plan), kind=services.PDF_KIND)
    return render(request, "plans/export.html", selectors.plan_context(request.user, plan, job=job))


@login_required
def export_status(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    plan = plan_policy.get_for_staff(request.user, pk)
    job = selectors.pdf_job(plan, job_pk, kind=services.PDF_KIND)
    return render(request, "plans/partials/job.html", {"plan": plan, "job": job})


@login_required
def export_download(request: HttpRequest, pk: int, job_pk: int) -> HttpResponseBase:
    plan = plan_policy.get_for_staff(request.user, pk)
    job = selectors.pdf_job(plan, job_pk, kind=services.PDF_KIND)
    if job.status != FileJob.Status.DONE:
        raise Http404
    return file_response(job.file)
