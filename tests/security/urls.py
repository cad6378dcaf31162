"""Enumerate every URL pattern of the project, with its namespaced name and kwargs."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name", or the route when the pattern has no name
    route: str  # the full route, for messages and prefix rules
    kwargs: tuple[str, ...]


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = pattern.regex
    return list(regex.groupindex)


def endpoints(
    patterns=None, prefix: str = "", namespace: str = "", kwargs: tuple[str, ...] = ()
) -> list[Endpoint]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    found: list[Endpoint] = []
    for p in patterns:
        route = prefix + str(p.pattern)
        names = kwargs + tuple(_kwarg_names(p.pattern))
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            found += endpoints(p.url_patterns, route, ns, names)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            found.append(Endpoint(name=name, route=route, kwargs=names))
    return found
