"""Read-side queries of the catalogue, shaped for the pages, the API and the assistant:
each returns a queryset whose related rows are fetched in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from procedures.constants import OnlineLevel
from procedures.models import AdministrativeLevel, Agency, Fee, Procedure, ProcedureChannel, Sector
from procedures.search import search_procedures

LIST_FIELDS = (
    "id",
    "code",
    "name",
    "processing_days",
    "processing_time_text",
    "online_level",
    "popularity",
    "sector__id",
    "sector__code",
    "sector__name",
)


def popular_procedures(*, limit: int = 8) -> QuerySet[Procedure]:
    return (
        Procedure.objects.filter(is_active=True)
        .select_related("sector")
        .only("code", "name", "processing_days", "online_level", "sector__name")
        .order_by("-popularity", "code")[:limit]
    )


def _with_list_relations(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return (
        queryset.select_related("sector")
        .only(*LIST_FIELDS)
        .prefetch_related(
            Prefetch("levels", queryset=AdministrativeLevel.objects.only("id", "code", "name", "rank")),
            Prefetch("fees", queryset=Fee.objects.only("id", "procedure_id", "amount", "kind", "order")),
        )
    )


def procedure_search(
    *,
    query: str = "",
    level: str | None = None,
    sector: str | None = None,
    agency: str | None = None,
    fully_online: bool | None = None,
) -> QuerySet[Procedure]:
    """Active procedures matching ``query`` (any spelling, see ``procedures.search``), ranked by
    relevance, narrowed by level, sector and agency codes and by "can be done fully online"."""
    procedures = Procedure.objects.filter(is_active=True)
    if level:
        procedures = procedures.filter(levels__code=level)
    if sector:
        procedures = procedures.filter(sector__code=sector)
    if agency:
        procedures = procedures.filter(agencies__code=agency)
    if fully_online is True:
        procedures = procedures.filter(online_level=OnlineLevel.FULL)
    elif fully_online is False:
        procedures = procedures.exclude(online_level=OnlineLevel.FULL)
    return _with_list_relations(search_procedures(procedures, query))


def procedure_for_page(*, code: str) -> Procedure:
    """One active procedure with everything its page and the API detail show, in a fixed
    number of queries. Raises ``Procedure.DoesNotExist``."""
    return (
        Procedure.objects.filter(is_active=True, code=code)
        .select_related("sector")
        .prefetch_related(
            "levels",
            Prefetch("agencies", queryset=Agency.objects.select_related("level", "parent")),
            Prefetch("channels", queryset=ProcedureChannel.objects.prefetch_related("fees")),
            Prefetch("fees", queryset=Fee.objects.select_related("channel")),
            "steps",
            "documents",
            "results",
            "legal_bases",
            "aliases",
        )
        .get()
    )


FILTER_OPTIONS_CACHE_KEY = "procedures:filter-options:v1"
FILTER_OPTIONS_SECONDS = 300


@dataclass(frozen=True)
class FilterOptions:
    """(code, name) pairs for the catalogue page's selects."""

    levels: list[tuple[str, str]]
    sectors: list[tuple[str, str]]
    agencies: list[tuple[str, str]]


def _filter_options() -> FilterOptions:
    return FilterOptions(
        levels=list(AdministrativeLevel.objects.order_by("rank").values_list("code", "name")),
        sectors=list(Sector.objects.order_by("name").values_list("code", "name")),
        agencies=list(
            Agency.objects.filter(is_active=True).order_by("level__rank", "name").values_list("code", "name")
        ),
    )


def catalogue_filter_options() -> FilterOptions:
    """Cached for a few minutes: every catalogue page shows them, and they change rarely."""
    return cache.get_or_set(FILTER_OPTIONS_CACHE_KEY, _filter_options, FILTER_OPTIONS_SECONDS)


def agencies_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("level", "parent")


def sectors_list() -> QuerySet[Sector]:
    return Sector.objects.all()
