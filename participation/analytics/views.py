"""The analytics page of an ambito's participation (its staff only) and its download."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.models import Comune
from core.spreadsheets import requested_format, spreadsheet_response
from participation.analytics.exports import analytics_dataset
from participation.analytics.figures import participation_figures
from participation.analytics.scope import analytics_ambito, period_from, scope_for


def _scope(request: HttpRequest, code: str):
    ambito = analytics_ambito(request.user, code)
    period, form = period_from(request.GET)
    return ambito, scope_for(request.user, ambito, period), form


BREAKDOWNS = (
    ("legal_form", gettext_lazy("Enti per forma giuridica"), gettext_lazy("Forma giuridica")),
    ("comune", gettext_lazy("Enti per comune della sede"), gettext_lazy("Comune")),
    ("target_group", gettext_lazy("Enti per area di utenza"), gettext_lazy("Area di utenza")),
)


def _breakdowns(figures) -> list[dict]:
    return [
        {
            "key": key,
            "heading": heading,
            "column": column,
            "rows": figures.breakdowns[key],
            "chart": figures.charts[key],
            "chart_id": f"chart-{key}",
        }
        for key, heading, column in BREAKDOWNS
    ]


def analytics(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ambito, scope, form = _scope(request, code)
    figures = participation_figures(scope)
    period = scope.period
    comuni = (
        list(
            Comune.objects.filter(pk__in=scope.comuni)
            .order_by("name")
            .values_list("name", flat=True)
        )
        if scope.is_comune_slice
        else []
    )
    return render(
        request,
        "participation/analytics.html",
        {
            "ambito": ambito,
            "form": form,
            "period": period,
            "f": figures,
            "breakdowns": _breakdowns(figures),
            "comuni": comuni,
            "querystring": urlencode(
                {"dal": period.start.isoformat(), "al": period.end.isoformat()}
            ),
            "export_url": reverse("participation:analytics_export", args=[ambito.code]),
            "crumbs": [(ambito.name, ambito.get_absolute_url()), (_("Partecipazione"), "")],
        },
    )


def analytics_export(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ambito, scope, _form = _scope(request, code)
    figures = participation_figures(scope, full=True)
    name = f"partecipazione-{ambito.code}-{scope.period.start.isoformat()}-{scope.period.end.isoformat()}"
    return spreadsheet_response(
        analytics_dataset(figures), requested_format(request), filename=name
    )
