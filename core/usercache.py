"""Per-request caches kept on the user object: permission questions read the user's roles,
memberships and seats once per request, however many times a page asks. Every value lives in one
dict on the user (`user.__dict__["_portal_cache"]`), so a service that changes the rows can drop
one key or all of them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

T = TypeVar("T")

_ATTR = "_portal_cache"


def _store(user) -> dict[str, Any]:
    return user.__dict__.setdefault(_ATTR, {})


def cached(user, key: str, compute: Callable[[], T]) -> T:
    """The value cached on `user` under `key`, computed (once) by `compute()` when missing."""
    store = _store(user)
    if key not in store:
        store[key] = compute()
    return store[key]


def remember(user, key: str, value: Any) -> None:
    """Cache `value` under `key` (rows a caller already read, so that later questions need no
    query of their own)."""
    _store(user)[key] = value


def forget(user, key: str | None = None) -> None:
    """Drop `key` (every key when None): after a change of the rows within the same request."""
    if key is None:
        user.__dict__.pop(_ATTR, None)
    else:
        user.__dict__.get(_ATTR, {}).pop(key, None)


def per_user(key: str, *, anonymous: Callable[[], Any]):
    """Decorate `fn(user)`: anonymous users get `anonymous()` without a query; an authenticated
    user's value is computed once and cached under `key`.

        @per_user("tables.member_table_ids", anonymous=set)
        def member_table_ids(user) -> set[int]: ...
    """

    def decorate(fn: Callable[[Any], T]) -> Callable[[Any], T]:
        @wraps(fn)
        def wrapper(user) -> T:
            if not getattr(user, "is_authenticated", False):
                return anonymous()
            return cached(user, key, lambda: fn(user))

        wrapper.cache_key = key  # type: ignore[attr-defined]
        return wrapper

    return decorate
