from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from procedures.models import Procedure
from procedures.text import fold


def procedure_list(request):
    query = request.GET.get("q", "").strip()[:200]
    procedures = Procedure.objects.filter(is_active=True).select_related("sector").order_by("-popularity", "code")
    for word in fold(query).split():
        procedures = procedures.filter(search_text__contains=word)
    page = Paginator(procedures, 20).get_page(request.GET.get("page"))
    return render(request, "procedures/procedure_list.html", {"query": query, "page": page})


def procedure_detail(request, code: str):
    procedure = get_object_or_404(
        Procedure.objects.select_related("sector").prefetch_related(
            "channels", "fees", "steps", "documents", "results", "legal_bases", "agencies", "levels"
        ),
        code=code,
        is_active=True,
    )
    return render(request, "procedures/procedure_detail.html", {"procedure": procedure})
