"""The permission pattern every app follows (see CONVENTIONS.md).

Each app writes, in its permissions.py, a `Policy` for each of its models: which rows a user may
see (`visible`) and whether they may change one (`can_change`). Views fetch objects only through
`policy.get(user, **lookup)`: a row the user may not see is a 404 (its existence is not revealed),
one they may see but not change is a 403 when `write=True`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

M = TypeVar("M", bound=models.Model)


class Policy(Generic[M]):
    model: type[M]
    #: get() reads the row by its key alone and asks can_view, instead of looking it up among
    #: visible(user): for a policy whose visible() needs lookups that one row does not (the
    #: sets of every table and procedure the user takes part in, where a row names one of each).
    views_one_in_python = False

    def visible(self, user) -> models.QuerySet[M]:
        """Rows `user` may read. Default: none."""
        return self.model._default_manager.none()

    def can_view(self, user, obj: M) -> bool:
        """visible(user) asked of one row, in Python (used when views_one_in_python; the two
        must agree, which that policy's tests check)."""
        return self.visible(user).filter(pk=obj.pk).exists()

    def can_change(self, user, obj: M) -> bool:
        return False

    def get(
        self,
        user,
        *,
        write: bool = False,
        queryset: models.QuerySet[M] | None = None,
        **lookup: Any,
    ) -> M:
        if queryset is None:
            queryset = (
                self.model._default_manager.all()
                if self.views_one_in_python
                else self.visible(user)
            )
        try:
            obj = queryset.get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:  # the model's DoesNotExist
            raise Http404 from exc
        if self.views_one_in_python and not self.can_view(user, obj):
            raise Http404
        if write and not self.can_change(user, obj):
            raise PermissionDenied
        return obj


def user_passes(test: Callable[[Any], bool]):
    """Decorator for views guarded by a predicate on the user (not on an object): anonymous users
    are sent to log in, logged-in users who fail the test get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
