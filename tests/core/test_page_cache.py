"""core.middleware.AnonymousPageCacheMiddleware: which responses are kept, for whom."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from core.middleware import AnonymousPageCacheMiddleware


class View:
    """A counting view: each call renders a new body."""

    def __init__(self, make=None):
        self.calls = 0
        self.make = make or (lambda request: HttpResponse(f"page {self.calls}"))

    def __call__(self, request):
        self.calls += 1
        return self.make(request)


def _get(middleware, path="/tavoli/", user=None, **extra):
    request = RequestFactory().get(path, **extra)
    request.user = user or AnonymousUser()
    return middleware(request)


@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 30

    def build(view):
        middleware = AnonymousPageCacheMiddleware(view)
        middleware.cache.clear()  # one in-process cache, shared by every instance
        return middleware

    return build


def test_anonymous_page_rendered_once_per_url(cached):
    view = View()
    middleware = cached(view)
    assert _get(middleware).content == b"page 1"
    assert _get(middleware).content == b"page 1"
    assert _get(middleware, "/tavoli/?page=2").content == b"page 2"
    assert view.calls == 2


def test_off_when_seconds_is_zero(settings):
    settings.PAGE_CACHE_SECONDS = 0
    view = View()
    middleware = AnonymousPageCacheMiddleware(view)
    _get(middleware), _get(middleware)
    assert view.calls == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_COOKIE": "sessionid=abc"},  # has a session: may have messages, is someone
        {"HTTP_HX_REQUEST": "true"},  # an htmx fragment of the page
    ],
)
def test_requests_with_a_session_or_from_htmx_always_rendered(cached, extra):
    view = View()
    middleware = cached(view)
    _get(middleware, **extra), _get(middleware, **extra)
    assert view.calls == 2


def test_logged_in_users_never_cached(cached, no_role_user):
    view = View()
    middleware = cached(view)
    _get(middleware, user=no_role_user), _get(middleware, user=no_role_user)
    assert view.calls == 2


def _with_cookie(request):
    response = HttpResponse("x")
    response.set_cookie("something", "1")
    return response


def _with_csrf_outside_a_form(request):
    return HttpResponse(f'<meta name="csrf" content="{get_token(request)}">')


@pytest.mark.parametrize(
    "make",
    [
        lambda request: HttpResponse("missing", status=404),
        _with_cookie,
        _with_csrf_outside_a_form,
        lambda request: StreamingHttpResponse(iter([b"file"])),
    ],
)
def test_responses_that_are_not_plain_public_pages_never_kept(cached, make):
    view = View(make)
    middleware = cached(view)
    _get(middleware), _get(middleware)
    assert view.calls == 2


def test_health_check_never_cached(cached):
    view = View()
    middleware = cached(view)
    _get(middleware, "/health/"), _get(middleware, "/health/")
    assert view.calls == 2


def test_public_page_through_the_whole_stack(client, settings, ambito, no_role_user):
    """The real middleware chain: an anonymous visitor's second request runs no query; a
    logged-in user of the same URL gets the page rendered for them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 30
    AnonymousPageCacheMiddleware(None).cache.clear()
    visitor = Client()
    first = visitor.get("/ambiti/")
    with CaptureQueriesContext(connection) as queries:
        second = visitor.get("/ambiti/")
    assert second.status_code == 200 and second.content == first.content
    assert len(queries) == 0
    assert "Content-Security-Policy" in second.headers or "X-Frame-Options" in second.headers
    member = Client()
    member.force_login(no_role_user)
    assert member.get("/ambiti/").content != first.content


def _csrf_form(request):
    """What {% csrf_token %} writes in a form."""
    field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{get_token(request)}">'
    return HttpResponse(f'<form method="post">{field}</form>')


def test_page_with_a_form_kept_without_the_token(cached):
    """Each visitor of a kept page with a form gets a token of their own and its cookie."""
    from django.middleware.csrf import CsrfViewMiddleware

    view = View(_csrf_form)
    stack = CsrfViewMiddleware(cached(view))
    first, second = _get(stack), _get(stack)
    assert view.calls == 1
    tokens = [r.content.decode().split('value="')[1][:64] for r in (first, second)]
    assert tokens[0] != tokens[1]
    assert "csrftoken" in first.cookies and "csrftoken" in second.cookies
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
