from __future__ import annotations

from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from procedures.forms import CatalogueSearchForm
from procedures.models import Procedure, RequiredDocument
from procedures.pagecache import catalogue_page
from procedures.selectors import catalogue_filter_options, popular_procedures, procedure_page, procedure_search_page

PAGE_SIZE = 20


# What the catalogue page reads from the query string; nothing else reaches the page, so
# these values (and the language and catalogue version) are the whole key of its cache.
SEARCH_PARAMETERS = ("q", "level", "sector", "agency", "online", "page")


@require_GET
def procedure_list(request):
    arguments = QueryDict(mutable=True)
    for name in SEARCH_PARAMETERS:
        if values := request.GET.getlist(name):
            arguments.setlist(name, values)
    # Kept in this process only: visitors choose the queries, so they must not fill Redis.
    page = catalogue_page(("list", arguments.urlencode()), lambda: _list_page(arguments), shared=False)
    return render(request, "procedures/procedure_list.html", page)


def _list_page(data: QueryDict) -> dict[str, str]:
    form = CatalogueSearchForm(data or None, options=catalogue_filter_options())
    arguments = form.search_arguments() if form.is_bound else CatalogueSearchForm.empty_arguments()
    page = procedure_search_page(**arguments, page=data.get("page"), per_page=PAGE_SIZE)
    filtered = any(arguments[name] for name in ("level", "sector", "agency", "fully_online"))
    querystring = data.copy()
    querystring.pop("page", None)
    context = {
        "form": form,
        "query": arguments["query"],
        "page": page,
        "filtered": filtered,
        "querystring": querystring.urlencode(),
        "popular": popular_procedures(limit=5) if not page.object_list else [],
    }
    query = arguments["query"]
    # The same message ids as the templates' {% blocktranslate %}, the query escaped likewise.
    title = _("“%(query)s” – procedures") % {"query": escape(query)} if query else _("Administrative procedures")
    return {"title": title, "content": render_to_string("procedures/_procedure_list_content.html", context)}


@require_GET
def procedure_detail(request, code: str):
    return render(
        request, "procedures/procedure_detail.html", catalogue_page(("detail", code), lambda: _detail_page(code))
    )


def _detail_page(code: str) -> dict[str, str]:
    try:
        procedure = procedure_page(code=code)
    except Procedure.DoesNotExist:
        raise Http404 from None  # nothing cached: unknown codes never reach the shared cache
    return {
        "title": escape(Truncator(procedure.name).chars(60)),
        "content": render_to_string("procedures/_procedure_detail_content.html", {"procedure": procedure}),
    }


@require_GET
def blank_form(request, code: str, document_id: int):
    """A blank form (mẫu đơn, tờ khai) of an active procedure, as a download."""
    document = get_object_or_404(
        RequiredDocument.objects.select_related("procedure"),
        pk=document_id,
        procedure__code=code,
        procedure__is_active=True,
    )
    if not document.form_file:
        raise Http404
    filename = document.form_file.name.rsplit("/", 1)[-1]
    return FileResponse(document.form_file.open("rb"), as_attachment=True, filename=filename)
