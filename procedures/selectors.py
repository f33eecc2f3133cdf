from __future__ import annotations

from django.db.models import QuerySet

from procedures.models import Procedure


def popular_procedures(*, limit: int = 8) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(is_active=True)
        .select_related("sector")
        .only("code", "name", "processing_days", "online_level", "sector__name")
        .order_by("-popularity", "code")[:limit]
    )
