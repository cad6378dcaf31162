"""{% pagination %} (core.pagination) writes components/pagination.html in Python: the markup
must be the included template's, character for character, for any page, count and prefix."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

INCLUDED = Template(
    '{% include "components/pagination.html" with page_obj=page_obj querystring_prefix=prefix %}'
)
TAG = Template("{% load portal %}{% pagination page_obj prefix %}")

CASES = [
    (count, number)
    for count in (0, 1, 20, 21, 40, 41, 100, 200, 1_000, 20_001)
    for number in (1, 2, 3, 4, 5, 6, 10, 25, 50, 1_001)
]


@pytest.mark.parametrize(("count", "number"), CASES)
@pytest.mark.parametrize("prefix", ["", None, "q=a&b=c&", 'q=<"x">&', mark_safe("q=a&amp;")])
def test_the_tag_renders_what_the_included_template_renders(count, number, prefix):
    page = Paginator(range(count), 20).get_page(number)
    context = {"page_obj": page, "prefix": prefix}
    assert TAG.render(Context(context)) == INCLUDED.render(Context(context))


@pytest.mark.parametrize("language", ["it", "en"])
def test_in_each_language(language):
    page = Paginator(range(1_000), 20).get_page(7)
    with translation.override(language):
        html = TAG.render(Context({"page_obj": page, "prefix": "a=1&"}))
        assert html == INCLUDED.render(Context({"page_obj": page, "prefix": "a=1&"}))
    assert 'href="?a=1&amp;page=8"' in html
    assert "1000" in html
