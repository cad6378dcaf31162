"""Survey pages: the list, the survey (read and answer), the builder, publish and close, the
results with charts, the download of the answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambito.permissions import managed_ambiti
from core.http import page_prefix
from core.permissions import user_passes
from participation.models import Question, Survey
from participation.surveys import exports, permissions, services
from participation.surveys.forms import QuestionFormSet, ResponseForm, SurveyForm
from participation.surveys.permissions import survey_policy
from participation.surveys.results import survey_results as results_of

PAGE_SIZE = 25
PHASES = {
    "draft": (gettext_lazy("Bozza"), "secondary"),
    "upcoming": (gettext_lazy("Non ancora aperto"), "warning"),
    "open": (gettext_lazy("Aperto"), "success"),
    "closed": (gettext_lazy("Chiuso"), "secondary"),
}


def _login_first(request: HttpRequest) -> HttpResponse | None:
    return None if request.user.is_authenticated else redirect_to_login(request.get_full_path())


def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = survey_policy.visible(request.user).select_related("ambito", "table")
    page = Paginator(surveys.order_by("-opens_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for s in page:
        s.phase_label, s.phase_tone = PHASES[s.phase(now)]
    return render(
        request,
        "participation/surveys/list.html",
        {
            "page_obj": page,
            "querystring": page_prefix(request),
            "can_create": permissions.can_manage_surveys(request.user),
            "crumbs": [(_("Questionari"), "")],
        },
    )


@user_passes(permissions.can_manage_surveys)
def survey_create(request: HttpRequest) -> HttpResponse:
    return _builder(request, Survey())


def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    survey = survey_policy.get(request.user, pk=pk, write=True)
    if not survey.is_draft:
        messages.error(request, _("Un questionario pubblicato non si modifica più."))
        return redirect(survey)
    return _builder(request, survey)


def _builder(request: HttpRequest, survey: Survey) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = SurveyForm(data, instance=survey)
    form.limit_to(managed_ambiti(request.user))
    formset = QuestionFormSet(
        data,
        queryset=survey.questions.all() if survey.pk else Question.objects.none(),
        prefix="domande",
    )
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            services.survey_save(
                survey=form.save(commit=False),
                by=request.user,
                questions=formset.questions(),
                target_groups=form.cleaned_data["target_groups"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Questionario salvato."))
            return redirect(survey)
    return render(
        request,
        "participation/surveys/builder.html",
        {
            "form": form,
            "formset": formset,
            "survey": survey,
            "crumbs": [
                (_("Questionari"), reverse("participation:survey_list")),
                (survey.title or _("Nuovo questionario"), ""),
            ],
        },
    )


def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_policy.get(
        request.user, pk=pk, queryset=survey_policy.visible(request.user).select_related("ambito")
    )
    may_answer = permissions.can_answer(request.user, survey)
    form = None
    if may_answer:
        entities = (
            permissions.unanswered_entities(request.user, survey) if survey.per_entity else None
        )
        form = ResponseForm(
            request.POST if request.method == "POST" else None, survey=survey, entities=entities
        )
    if request.method == "POST":
        if (login := _login_first(request)) is not None:
            return login
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.response_submit(
                    survey=survey,
                    user=request.user,
                    entity=form.cleaned_data.get("entity"),
                    values=form.values(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Grazie: la risposta è stata registrata."))
                return redirect(survey)
    phase = survey.phase()
    return render(
        request,
        "participation/surveys/detail.html",
        {
            "survey": survey,
            "questions": survey.questions.all(),
            "form": form,
            "phase_label": PHASES[phase][0],
            "phase_tone": PHASES[phase][1],
            "phase": phase,
            "answered": permissions.has_answered(request.user, survey),
            "in_audience": permissions.in_audience(request.user, survey),
            "can_change": survey_policy.can_change(request.user, survey),
            "can_read_results": permissions.can_read_results(request.user, survey),
            "crumbs": [
                (_("Questionari"), reverse("participation:survey_list")),
                (survey.title, ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def _staff_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    survey = survey_policy.get(request.user, pk=pk, write=True)
    try:
        action(survey=survey, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(survey)


@require_POST
def survey_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(
        request,
        pk,
        services.survey_publish,
        _("Questionario pubblicato: i destinatari ricevono una notifica."),
    )


@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, services.survey_close, _("Questionario chiuso."))


def _readable(request: HttpRequest, pk: int) -> Survey:
    survey = survey_policy.get(request.user, pk=pk)
    if not permissions.can_read_results(request.user, survey):
        raise PermissionDenied
    return survey


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    survey = _readable(request, pk)
    return render(
        request,
        "participation/surveys/results.html",
        {
            "survey": survey,
            **results_of(survey),
            "crumbs": [
                (_("Questionari"), reverse("participation:survey_list")),
                (survey.title, survey.get_absolute_url()),
                (_("Risultati"), ""),
            ],
        },
    )


def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    if (login := _login_first(request)) is not None:
        return login
    survey = _readable(request, pk)
    fmt = request.GET.get("formato", "csv")
    fmt = fmt if fmt in exports.FORMATS else "csv"
    stamp = timezone.localdate().isoformat()
    return exports.export_response(survey, fmt, filename=f"questionario-{survey.pk}-{stamp}")
