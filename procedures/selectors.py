"""Read-side queries of the catalogue, shaped for the pages, the API and the assistant:
each returns a queryset whose related rows are fetched in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from procedures.constants import OnlineLevel
from procedures.models import AdministrativeLevel, Agency, Fee, Procedure, ProcedureChannel, Sector
from procedures.pagecache import CATALOGUE_PAGES
from procedures.pagination import LookaheadPage, lookahead_page, page_number
from procedures.search import first_results, query_words, rank_matches, resolve_query_words

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


def _list_lookups() -> list[Prefetch]:
    return [
        Prefetch("levels", queryset=AdministrativeLevel.objects.only("id", "code", "name", "rank")),
        Prefetch("fees", queryset=Fee.objects.only("id", "procedure_id", "amount", "kind", "order")),
    ]


def _with_list_relations(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    return queryset.select_related("sector").only(*LIST_FIELDS).prefetch_related(*_list_lookups())


def _filtered(
    *, level: str | None, sector: str | None, agency: str | None, fully_online: bool | None
) -> QuerySet[Procedure]:
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
    return procedures


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
    procedures = _filtered(level=level, sector=sector, agency=agency, fully_online=fully_online)
    words = resolve_query_words(query_words(query))
    return _with_list_relations(rank_matches(procedures, words))


def procedure_search_page(
    *,
    page: str | int | None,
    per_page: int,
    query: str = "",
    level: str | None = None,
    sector: str | None = None,
    agency: str | None = None,
    fully_online: bool | None = None,
) -> LookaheadPage:
    """One page of ``procedure_search``, for the catalogue page. The first page of a query whose
    best matches hold every word in their name is read from the popularity index (see
    ``procedures.search.first_results``); other pages rank every match."""
    procedures = _filtered(level=level, sector=sector, agency=agency, fully_online=fully_online)
    words = resolve_query_words(query_words(query))
    number = page_number(page)
    if words and number == 1:
        rows = first_results(procedures.select_related("sector").only(*LIST_FIELDS), words, limit=per_page + 1)
        if rows is not None:
            prefetch_related_objects(rows, *_list_lookups())
            return LookaheadPage(number=1, object_list=rows[:per_page], has_next=len(rows) > per_page)
    return lookahead_page(_with_list_relations(rank_matches(procedures, words)), number, per_page=per_page)


# The columns only search, import and the operators' pages read: long texts and the national
# record as published.
PAGE_DEFERRED = (
    "search_text",
    "search_name",
    "search_keywords",
    "search_aliases",
    "search_steps",
    "source_record",
    "parse_issues",
)


def _detail_prefetches(*agency_related: str) -> tuple:
    """What a procedure's page and its API detail both show, one query each; the agencies
    with ``agency_related`` joined."""
    return (
        "levels",
        Prefetch("agencies", queryset=Agency.objects.select_related(*agency_related)),
        Prefetch("channels", queryset=ProcedureChannel.objects.prefetch_related("fees")),
        Prefetch("fees", queryset=Fee.objects.select_related("channel")),
        "steps",
        "documents",
        "results",
        "legal_bases",
    )


def procedure_page(*, code: str) -> Procedure:
    """One active procedure with what its public page shows (procedure_detail), in a fixed
    number of queries: without the search texts, the national record and the aliases (which
    only the API shows). Raises ``Procedure.DoesNotExist``."""
    return (
        Procedure.objects.filter(is_active=True, code=code)
        .select_related("sector")
        .defer(*PAGE_DEFERRED)
        .prefetch_related(*_detail_prefetches("level"))
        .get()
    )


def procedure_for_page(*, code: str) -> Procedure:
    """One active procedure with everything its page and the API detail show, in a fixed
    number of queries. Raises ``Procedure.DoesNotExist``."""
    return (
        Procedure.objects.filter(is_active=True, code=code)
        .select_related("sector")
        .prefetch_related(*_detail_prefetches("level", "parent"), "aliases")
        .get()
    )


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
    """Cached with the catalogue's pages: every catalogue page shows them, and they change
    only with the catalogue."""
    return CATALOGUE_PAGES.get_or_render(("filter-options",), _filter_options)


def agencies_list() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("level", "parent")


def sectors_list() -> QuerySet[Sector]:
    return Sector.objects.all()
