"""RSS 2.0 and Atom feeds of news and of published avvisi, for the comuni's own websites.
`?ambito=<code>` narrows a feed to one ambito."""

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
from processes.models import Procedure

ITEMS = 30


def published_avvisi() -> QuerySet[Procedure]:
    """Procedures whose avviso has been published (a published Notice version exists); closed and
    cancelled ones stay on record."""
    return (
        Procedure.objects.filter(notices__published_at__isnull=False)
        .distinct()
        .select_related("ambito")
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

    def items(self, obj: Ambito | None) -> QuerySet[Procedure]:
        return self._scope(published_avvisi(), obj).order_by("-created_at", "-id")[:ITEMS]

    def item_title(self, item: Procedure) -> str:
        return f"{item.get_kind_display()}: {item.title}"

    def item_description(self, item: Procedure) -> str:
        return strip_tags(item.subject)[:600]

    def item_link(self, item: Procedure) -> str:
        try:
            return item.get_absolute_url()
        except NoReverseMatch:
            return f"/procedimenti/{item.pk}/"

    def item_pubdate(self, item: Procedure):
        return item.created_at

    def item_updateddate(self, item: Procedure):
        return item.updated_at

    def item_categories(self, item: Procedure):
        return [item.ambito.name, str(item.get_kind_display())]


class AvvisiAtomFeed(AvvisiFeed):
    feed_type = Atom1Feed
    subtitle = AvvisiFeed.description
