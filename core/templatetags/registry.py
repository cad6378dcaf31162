"""{% registry_blocks %}: the blocks other apps add to a page through a core.registry slot.

    {% load registry %}
    {% registry_blocks "entity_profile" entity %}      calls the slot's functions with the
                                                        request and `entity`, in order
    {% registry_blocks blocks ambito=ambito %}         blocks the view already computed (a list
                                                        of (template, context) pairs: render_each
                                                        slots, or a slot the view chooses)

Each block's template is included as `{% include %}` would, with `section` set to the block's
context and the keyword arguments added; the page's context stays readable (request, user...).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from core import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def registry_blocks(
    context: template.Context, slot_or_blocks: Any, *args: Any, **extra: Any
) -> SafeString:
    blocks: list[registry.Block]
    if isinstance(slot_or_blocks, str):
        request = getattr(context, "request", None) or context["request"]
        blocks = registry.render(slot_or_blocks, request, *args)
    else:
        blocks = list(slot_or_blocks or ())
    assert context.template is not None  # a tag renders inside a template  # noqa: S101
    engine = context.template.engine
    html = []
    for name, section in blocks:
        with context.push(section=section, **extra):
            html.append(engine.get_template(name).render(context))
    # each part is the engine's SafeString (its variables escaped): joined without escaping again
    return format_html_join("", "{}", ((part,) for part in html))
