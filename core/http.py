"""Small HTTP answers every app gives the same way (and the type of a logged-in request): a stored file as a download (404 when the file
is missing, never 500) and the current query string without its page number (for pagination and
export links that keep the filters)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse, Http404, HttpRequest, QueryDict

from core.storage import file_basename

if TYPE_CHECKING:
    from core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind login (login_required, user_passes): its user is a User, not
    an AnonymousUser. Only a type for the checker; Django passes the usual HttpRequest."""

    user: User


def file_response(
    file,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    inline: bool = False,
) -> FileResponse:
    """`file` (a FieldFile, possibly empty) as a download named `filename` (default: its stored
    name without folders). A row without a file, or a file gone from the storage, answers 404."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename or file_basename(file),
        content_type=content_type,
    )


def without_page(query: QueryDict) -> QueryDict:
    """A copy of the query string `query` without "page": what a list's filters are."""
    rest = query.copy()
    rest.pop("page", None)
    return rest


def query_without_page(request: HttpRequest) -> str:
    """The current GET parameters without "page", urlencoded ("" when none): for export links
    that keep the page's filters (components/export_links.html `querystring`)."""
    return without_page(request.GET).urlencode()


def page_prefix(request: HttpRequest) -> str:
    """query_without_page followed by "&" ("" when none): the `querystring_prefix` that
    components/pagination.html puts before "page=N"."""
    encoded = query_without_page(request)
    return f"{encoded}&" if encoded else ""
