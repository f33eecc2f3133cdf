from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from procedures.forms import CatalogueSearchForm
from procedures.models import Procedure, RequiredDocument
from procedures.selectors import catalogue_filter_options, popular_procedures, procedure_for_page, procedure_search_page

PAGE_SIZE = 20


@require_GET
def procedure_list(request):
    form = CatalogueSearchForm(request.GET or None, options=catalogue_filter_options())
    arguments = form.search_arguments() if form.is_bound else CatalogueSearchForm.empty_arguments()
    page = procedure_search_page(**arguments, page=request.GET.get("page"), per_page=PAGE_SIZE)
    filtered = any(arguments[name] for name in ("level", "sector", "agency", "fully_online"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {
        "form": form,
        "query": arguments["query"],
        "page": page,
        "filtered": filtered,
        "querystring": querystring.urlencode(),
        "popular": popular_procedures(limit=5) if not page.object_list else [],
    }
    return render(request, "procedures/procedure_list.html", context)


@require_GET
def procedure_detail(request, code: str):
    try:
        procedure = procedure_for_page(code=code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    return render(request, "procedures/procedure_detail.html", {"procedure": procedure})


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
