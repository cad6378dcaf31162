from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ambito import routing
from ambito.models import Ambito
from ambito.permissions import is_ufficio_di_piano, managed_ambiti
from core.http import AuthenticatedHttpRequest, page_prefix
from core.permissions import user_passes
from participation import selectors
from participation.filters import LibraryFilter
from participation.forms import LibraryItemForm, NewsForm, PrincipleFormSet
from participation.models import LibraryItem, News, Principle
from participation.permissions import can_manage_content, library_policy, news_policy
from participation.services import content as services

PAGE_SIZE = 20


# --- news -----------------------------------------------------------------------------------
def news_list(request: HttpRequest) -> HttpResponse:
    news = routing.scoped(selectors.news_for_user(user=request.user))  # inside an ambito: its own
    page = Paginator(news, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/news_list.html",
        {"page_obj": page, "can_manage": can_manage_content(request.user)},
    )


def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    news = news_policy.get(
        request.user,
        pk=pk,
        queryset=news_policy.visible(request.user).select_related("ambito", "author"),
    )
    return render(
        request,
        "participation/news_detail.html",
        {"news": news, "can_change": news_policy.can_change(request.user, news)},
    )


@user_passes(can_manage_content)
def news_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _news_form(request, News(author=request.user))


def news_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _news_form(request, news_policy.get(request.user, pk=pk, write=True))


def _news_form(request: HttpRequest, news: News) -> HttpResponse:
    form = NewsForm(
        request.POST or None,
        request.FILES or None,
        instance=news,
        initial={"publish": news.is_published},
    )
    form.limit_ambito(managed_ambiti(request.user))
    if request.method == "POST" and form.is_valid():
        obj = services.content_save(
            instance=form.save(commit=False),
            by=request.user,
            fields=form.Meta.fields,
            publish=form.cleaned_data["publish"],
        )
        messages.success(
            request,
            _("Notizia pubblicata.") if obj.is_published else _("Notizia salvata come bozza."),
        )
        return redirect(obj)
    news_url = reverse("participation:news_list")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Modifica la notizia") if news.pk else _("Nuova notizia"),
            "cancel_url": news.get_absolute_url() if news.pk else news_url,
            "crumbs": [(_("Notizie"), news_url), (news.title or _("Nuova notizia"), "")],
        },
    )


# --- library --------------------------------------------------------------------------------
def library(request: HttpRequest) -> HttpResponse:
    base = routing.scoped(selectors.library_for_user(user=request.user))
    filterset = LibraryFilter(request.GET or None, queryset=base)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participation/library.html",
        {
            "filter": filterset,
            "page_obj": page,
            "querystring": page_prefix(request),
            "can_manage": can_manage_content(request.user),
        },
    )


def library_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = (
        library_policy.visible(request.user)
        .select_related("ambito")
        .prefetch_related("tags", "target_groups")
    )
    item = library_policy.get(request.user, pk=pk, queryset=qs)
    return render(
        request,
        "participation/library_detail.html",
        {"item": item, "can_change": library_policy.can_change(request.user, item)},
    )


@user_passes(can_manage_content)
def library_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _library_form(request, LibraryItem(created_by=request.user))


def library_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _library_form(request, library_policy.get(request.user, pk=pk, write=True))


def _library_form(request: HttpRequest, item: LibraryItem) -> HttpResponse:
    form = LibraryItemForm(
        request.POST or None,
        request.FILES or None,
        instance=item,
        initial={"publish": item.published_at is not None},
    )
    form.limit_ambito(managed_ambiti(request.user))
    if request.method == "POST" and form.is_valid():
        obj = services.content_save(
            instance=form.save(commit=False),
            by=request.user,
            fields=[f for f in form.Meta.fields if f != "target_groups"],
            m2m={
                "target_groups": form.cleaned_data["target_groups"],
                "tags": services.tags_from_names(form.cleaned_data["tag_names"]),
            },
            publish=form.cleaned_data["publish"],
        )
        messages.success(
            request,
            _("Documento pubblicato nella biblioteca.")
            if obj.published_at
            else _("Documento salvato come bozza."),
        )
        return redirect(obj)
    library_url = reverse("participation:library")
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "heading": _("Modifica il documento")
            if item.pk
            else _("Nuovo documento della biblioteca"),
            "cancel_url": item.get_absolute_url() if item.pk else library_url,
            "crumbs": [(_("Biblioteca"), library_url), (item.title or _("Nuovo documento"), "")],
        },
    )


# --- the ambito's Regolamento and principles ------------------------------------------------
def ambito_charter(request: HttpRequest, code: str) -> HttpResponse:
    ambito = Ambito.objects.filter(code=code).select_related("lead_comune").first()
    if ambito is None:
        raise Http404
    regolamenti = list(
        LibraryItem.objects.published()
        .filter(ambito=ambito, is_regolamento=True)
        .order_by("-published_at")
    )
    principles = list(Principle.objects.filter(ambito=ambito))
    regulations = list(
        LibraryItem.objects.published()
        .filter(ambito=ambito, kind=LibraryItem.Kind.REGULATION, is_regolamento=False)
        .order_by("level", "-year")[:10]
    )
    return render(
        request,
        "participation/ambito_charter.html",
        {
            "ambito": ambito,
            "regolamenti": regolamenti,
            "principles": principles,
            "regulations": regulations,
            "can_change": is_ufficio_di_piano(request.user, ambito),
        },
    )


def principles_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ambito = Ambito.objects.filter(code=code).first()
    if ambito is None:
        raise Http404
    if not is_ufficio_di_piano(request.user, ambito):
        raise PermissionDenied
    formset = PrincipleFormSet(
        request.POST or None, queryset=Principle.objects.filter(ambito=ambito)
    )
    if request.method == "POST" and formset.is_valid():
        services.principles_save(ambito=ambito, formset=formset, by=request.user)
        messages.success(request, _("Principi salvati."))
        return redirect("participation:ambito_charter", code=ambito.code)
    return render(
        request, "participation/principles_form.html", {"ambito": ambito, "formset": formset}
    )
