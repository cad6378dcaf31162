"""RSS 2.0 and Atom feeds of news and of published avvisi, for the comuni's own websites.
`?ambito=<code>` narrows a feed to one ambito. The avvisi feed has an item per published version
of an avviso (the first and each correction), dated by its publication."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito
from participation.models import News
from processes import workflow
from processes.models import Notice

ITEMS = 30


def published_avvisi() -> QuerySet[Notice]:
    """Every published version of the avviso (a correction is news of its own) of procedures
    still running: closed and cancelled ones leave the feed (they stay on the portal's pages)."""
    return (
        Notice.objects.filter(published_at__isnull=False)
        .exclude(procedure__status__in=(workflow.CLOSED, workflow.CANCELLED))
        .select_related("procedure__ambito")
    )


class _AmbitoFeed(Feed):
    def get_object(self, request: HttpRequest, *args, **kwargs) -> Ambito | None:
        code = request.GET.get("ambito")
        if not code:
            return None
        ambito = Ambito.objects.filter(code=code).first()
        if ambito is None:
            raise Http404
        return ambito

    def _scope(self, qs: QuerySet, obj: Ambito | None) -> QuerySet:
        return qs.filter(ambito=obj) if obj is not None else qs


class NewsFeed(_AmbitoFeed):
    description = _("Le notizie sulle attività e sui risultati della partecipazione.")

    def title(self, obj: Ambito | None) -> str:
        return _("Notizie — %(who)s") % {"who": obj.name if obj else _("Amministrazione condivisa")}

    def link(self, obj: Ambito | None) -> str:
        return reverse("participation:news_list")

    def items(self, obj: Ambito | None) -> QuerySet[News]:
        return self._scope(
            News.objects.published().select_related("ambito", "author"), obj
        ).order_by("-published_at", "-id")[:ITEMS]

    def item_title(self, item: News) -> str:
        return item.title

    def item_description(self, item: News) -> str:
        return item.summary

    def item_pubdate(self, item: News):
        return item.published_at

    def item_updateddate(self, item: News):
        return item.updated_at

    def item_categories(self, item: News):
        return [item.ambito.name]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


class AvvisiFeed(_AmbitoFeed):
    description = _("Gli avvisi pubblici di co-programmazione e co-progettazione (art. 55 CTS).")

    def title(self, obj: Ambito | None) -> str:
        return _("Avvisi pubblici — %(who)s") % {
            "who": obj.name if obj else _("Amministrazione condivisa")
        }

    def link(self, obj: Ambito | None) -> str:
        try:
            return reverse("processes:list")
        except NoReverseMatch:  # processes/ may name its list differently
            return "/procedimenti/"

    def items(self, obj: Ambito | None) -> QuerySet[Notice]:
        qs = published_avvisi()
        if obj is not None:
            qs = qs.filter(procedure__ambito=obj)
        return qs.order_by("-published_at", "-id")[:ITEMS]

    def item_title(self, item: Notice) -> str:
        procedure = item.procedure
        title = f"{procedure.get_kind_display()}: {procedure.title}"
        if item.is_correction:
            return _("Rettifica dell'avviso (versione %(v)d) — %(t)s") % {
                "v": item.version,
                "t": title,
            }
        return title

    def item_description(self, item: Notice) -> str:
        text = item.correction_note if item.is_correction and item.correction_note else item.subject
        return strip_tags(text)[:600]

    def item_link(self, item: Notice) -> str:
        try:
            return item.get_absolute_url()
        except NoReverseMatch:
            return f"/procedimenti/avvisi/{item.pk}/"

    # A published version never changes: it is dated by its publication, and so updated.
    def item_pubdate(self, item: Notice):
        return item.published_at

    def item_updateddate(self, item: Notice):
        return item.published_at

    def item_categories(self, item: Notice):
        return [item.procedure.ambito.name, str(item.procedure.get_kind_display())]


class AvvisiAtomFeed(AvvisiFeed):
    feed_type = Atom1Feed
    subtitle = AvvisiFeed.description
