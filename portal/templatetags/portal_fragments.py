"""``{% memo "name" var... %}…{% endmemo %}``: a fragment of the site's layout rendered once per
process for each language and each combination of the given values, then reused.

Why: the layout (header, menu, footer) is the same for every visitor of a language except a
few bits, yet it cost ~1.6 ms of a request to render: nine URL reversals, a dozen
translations and the static files manifest, more than three times what the server spends on a
bare response. What such a fragment shows depends only on the templates, the translations,
the settings and the URL configuration, which change with a deployment (a new process) or, in
tests, through ``override_settings`` (which clears the memo below). It is therefore a pure
function of its key, like the compiled templates of Django's cached loader: every process
keeps its own identical copy, and nothing here assumes a single process.

A memoised fragment must never hold anything of one visitor: the tag refuses, when the
template is compiled, a body containing ``{% csrf_token %}``, and the values it varies on
should be few (``user.is_authenticated``, ``user.is_staff``), never an identifier. Those values
are part of the key, so each combination is rendered from its own context.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_urlconf
from django.utils.translation import get_language

register = template.Library()

# A bounded number of keys: names in the templates × languages × the few varied values.
MAX_ENTRIES = 512
_memo: dict[tuple, str] = {}


def clear() -> None:
    _memo.clear()


def _on_setting_changed(**kwargs) -> None:
    clear()


setting_changed.connect(_on_setting_changed, dispatch_uid="portal_fragments_memo")


class MemoNode(template.Node):
    # Not walked by get_nodes_by_type: {% extends %} walks the whole parent template for its
    # blocks at every render, and a memo holds no block (refused below).
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList, name: str, vary_on: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context) -> str:
        key = (
            self.name,
            get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            *(bool(value.resolve(context)) for value in self.vary_on),
        )
        try:
            return _memo[key]
        except KeyError:
            pass
        rendered = self.nodelist.render(context)
        if len(_memo) < MAX_ENTRIES:
            _memo[key] = rendered
        return rendered


@register.tag("memo")
def do_memo(parser, token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "'\"" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% memo %} takes a quoted name, then the values it varies on.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError("{% memo %} must not hold a {% csrf_token %}: it belongs to one visitor.")
    if nodelist.get_nodes_by_type(BlockNode):
        raise template.TemplateSyntaxError(
            "{% memo %} must not hold a {% block %}: a child template could not fill it."
        )
    return MemoNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
