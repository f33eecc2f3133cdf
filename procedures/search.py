"""Searching the catalogue in Vietnamese, typed with or without diacritics.

The query and the catalogue are folded the same way (``procedures.text.fold``: no case, no
diacritics, đ→d), and a query word matches a whole folded word of a procedure's
``search_text`` (name, code, aliases, keywords and steps). On PostgreSQL the match is
``to_tsvector('simple', search_text) @@ to_tsquery(...)`` served by a GIN index (migration
``0002_search``); on SQLite it is ``LIKE '% word %'`` on the space-padded column. Both select
the same procedures and the ranking expression is the same SQL on both.

Typos: trigram similarity over the whole table is far too slow (FIELD-NOTES: 0.2–1.4 s on
100,000 titles) and Vietnamese syllables are too short for it. Instead a query word that is
not in the catalogue's vocabulary (``SearchTerm``) is replaced by the vocabulary words one
edit away (one letter wrong, missing, extra or two swapped), found with one indexed
``IN`` lookup. If the words together still find nothing, procedures that contain all but one
of them are returned, ranked below.

Ranking, best first: how many query words matched; then where each matched (name or code >
alias > keyword > steps) and whether the name starts with the whole query; then popularity;
then code. (A phrase anywhere in the name is no sign: "Đăng ký thay đổi nội dung đăng ký hộ
kinh doanh" holds "đăng ký hộ kinh doanh", the query of people who want to open one.)
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from procedures.models import Procedure, SearchTerm
from procedures.text import fold, fold_padded

MAX_QUERY_WORDS = 8
MIN_CORRECTED_LENGTH = 3
MAX_CORRECTED_LENGTH = 20
WEIGHT_NAME = 8
WEIGHT_ALIAS = 4
WEIGHT_KEYWORD = 2
WEIGHT_OTHER = 1
WEIGHT_PHRASE = 10
_LETTERS = string.ascii_lowercase
_SEARCH_FIELDS = ["search_text", "search_name", "search_keywords", "search_aliases", "search_steps"]


@dataclass(frozen=True)
class QueryWord:
    """One word of the query and what it may match: itself, or the words it may be a typo of."""

    word: str
    alternatives: tuple[str, ...]


def query_words(query: str) -> list[str]:
    words: list[str] = []
    for word in fold(query).split():
        if word not in words:
            words.append(word)
    return words[:MAX_QUERY_WORDS]


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {word}


def _correctable(word: str) -> bool:
    return MIN_CORRECTED_LENGTH <= len(word) <= MAX_CORRECTED_LENGTH and word.isascii() and word.isalpha()


def resolve_query_words(words: Sequence[str]) -> list[QueryWord]:
    """Pairs each word with the vocabulary words it may stand for (two queries at most)."""
    if not words:
        return []
    known = set(SearchTerm.objects.filter(word__in=words).values_list("word", flat=True))
    unknown = [w for w in words if w not in known and _correctable(w)]
    candidates: dict[str, set[str]] = {w: _edits1(w) for w in unknown}
    found: set[str] = set()
    if candidates:
        pool = set().union(*candidates.values())
        found = set(SearchTerm.objects.filter(word__in=pool).values_list("word", flat=True))
    resolved = []
    for word in words:
        corrections = sorted(candidates.get(word, set()) & found)
        # The word itself stays: a procedure saved since the last refresh may hold it.
        resolved.append(QueryWord(word=word, alternatives=(word, *corrections)))
    return resolved


def _has(field: str, alternatives: Iterable[str]) -> Q:
    condition = Q()
    for alternative in alternatives:
        condition |= Q(**{f"{field}__contains": f" {alternative} "})
    return condition


def _score(words: Sequence[QueryWord], *, all_matched: bool):
    total = None
    for qw in words:
        # When every word matched, a word not in name, alias or keyword is in the steps (or
        # the code): no need to scan search_text again.
        otherwise = (
            Value(WEIGHT_OTHER)
            if all_matched
            else Case(When(_has("search_text", qw.alternatives), then=Value(WEIGHT_OTHER)), default=Value(0))
        )
        term = Case(
            When(_has("search_name", qw.alternatives), then=Value(WEIGHT_NAME)),
            When(_has("search_aliases", qw.alternatives), then=Value(WEIGHT_ALIAS)),
            When(_has("search_keywords", qw.alternatives), then=Value(WEIGHT_KEYWORD)),
            default=otherwise,
            output_field=IntegerField(),
        )
        total = term if total is None else total + term
    if len(words) > 1:
        phrase = " ".join(qw.word for qw in words)
        total = total + Case(
            When(search_name__startswith=f" {phrase} ", then=Value(WEIGHT_PHRASE)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return total


def _hits(words: Sequence[QueryWord]):
    total = None
    for qw in words:
        term = Case(
            When(_has("search_text", qw.alternatives), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        total = term if total is None else total + term
    return total


def _tsquery_group(qw: QueryWord) -> str:
    # Folded words hold only letters, digits and "_"; quoting keeps them plain lexemes.
    lexemes = [f"'{alternative}'" for alternative in qw.alternatives]
    return lexemes[0] if len(lexemes) == 1 else "(" + " | ".join(lexemes) + ")"


def _words_match(
    queryset: QuerySet[Procedure], words: Sequence[QueryWord], *, all_but_one: bool = False, field: str = "search_text"
):
    """The condition "``field`` holds every word" (or every word but one), for ``queryset.filter``.
    ``field`` is ``search_text`` or ``search_name``, the two columns with a word index."""
    subsets = [words] if not all_but_one else [[w for w in words if w is not left_out] for left_out in words]
    if connections[queryset.db].vendor == "postgresql":
        tsquery = " | ".join("(" + " & ".join(_tsquery_group(qw) for qw in subset) + ")" for subset in subsets)
        table = connections[queryset.db].ops.quote_name(Procedure._meta.db_table)
        # RawSQL so the expression is exactly the index's (Django's SearchVector adds COALESCE);
        # the query text is a bound parameter.
        return RawSQL(  # noqa: S611
            f"to_tsvector('simple'::regconfig, {table}.\"{field}\") @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
            output_field=BooleanField(),
        )
    condition = Q()
    for subset in subsets:
        every = Q()
        for qw in subset:
            every &= _has(field, qw.alternatives)
        condition |= every
    return condition


def search_procedures(queryset: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    """Narrows ``queryset`` to the procedures that match ``query`` and orders them by relevance.

    Without query words it orders by popularity. The result carries ``search_hits`` and
    ``search_score`` annotations when there was a query.
    """
    return rank_matches(queryset, resolve_query_words(query_words(query)))


def rank_matches(queryset: QuerySet[Procedure], words: Sequence[QueryWord]) -> QuerySet[Procedure]:
    if not words:
        return queryset.order_by("-popularity", "code")
    matched = queryset.filter(_words_match(queryset, words)).annotate(
        search_hits=Value(len(words), output_field=IntegerField())
    )
    all_matched = True
    if len(words) > 1 and not matched.exists():
        all_matched = False
        matched = queryset.filter(_words_match(queryset, words, all_but_one=True)).annotate(search_hits=_hits(words))
    return matched.annotate(search_score=_score(words, all_matched=all_matched)).order_by(
        "-search_hits", "-search_score", "-popularity", "code"
    )


def first_results(queryset: QuerySet[Procedure], words: Sequence[QueryWord], *, limit: int) -> list[Procedure] | None:
    """The first ``limit`` results of ``rank_matches``, when they all hold every query word in
    their name; otherwise None and the caller ranks every match.

    Such a procedure outscores any other (8 points a word, against at most 8 × (words − 1) + 4),
    so the best come in two groups ordered by popularity alone: names that start with the
    query, then the other names holding every word. "cấp" is in a third of all names: ranking them
    all reads a third of the table, while the popularity index finds the first twenty at once.
    """
    if not words:
        return None
    phrase = " ".join(qw.word for qw in words)
    starts = Q(search_name__startswith=f" {phrase} ") if len(words) > 1 else None
    in_name = queryset.filter(_words_match(queryset, words, field="search_name"))
    first: list[Procedure] = []
    if starts is not None:
        first = list(in_name.filter(starts).order_by("-popularity", "code")[:limit])
        in_name = in_name.exclude(starts)
    if len(first) < limit:
        first += list(in_name.order_by("-popularity", "code")[: limit - len(first)])
    return first if len(first) == limit else None


@transaction.atomic
def procedure_refresh_search_text(*, procedure_ids: Iterable[int] | None = None, batch_size: int = 500) -> int:
    """Recomputes the folded search columns of procedures from their name, code, keywords,
    aliases and steps, and adds their words to the vocabulary. Call it after changing aliases
    or steps, and after ``bulk_create``/``bulk_update`` (which bypass ``Procedure.save``).
    ``procedure_ids=None`` refreshes the whole catalogue. Returns how many were refreshed."""
    ids = (
        list(Procedure.objects.order_by("pk").values_list("pk", flat=True))
        if procedure_ids is None
        else sorted(set(procedure_ids))
    )
    refreshed = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        procedures = list(
            Procedure.objects.filter(pk__in=chunk)
            .only("pk", "code", "name", "keywords", *_SEARCH_FIELDS)
            .prefetch_related("aliases", "steps")
        )
        words: set[str] = set()
        for procedure in procedures:
            procedure.search_aliases = fold_padded(" ".join(a.phrase for a in procedure.aliases.all()))
            procedure.search_steps = fold_padded(" ".join(s.text for s in procedure.steps.all()))
            procedure.fill_search_fields()
            words.update(procedure.search_text.split())
        Procedure.objects.bulk_update(procedures, _SEARCH_FIELDS)
        SearchTerm.objects.bulk_create(
            [SearchTerm(word=w) for w in sorted(words) if len(w) <= 64], ignore_conflicts=True, batch_size=1000
        )
        refreshed += len(procedures)
    return refreshed
