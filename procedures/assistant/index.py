"""The in-memory index of the catalogue that the assistant matches callers' words against.

Built once per process from names, aliases and keywords, and rebuilt when the catalogue
version in the shared cache changes (``assistant_catalogue_changed`` bumps it), so every
gunicorn process follows an import or a new alias without a restart. The index only finds
procedures; the facts of an answer are always read from the database record.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max
from redis.exceptions import RedisError

from procedures.assistant.language import (
    ACTION_MODIFIERS,
    MODIFIERS,
    QUALIFIER_MODIFIERS,
    analyse,
    modifier_keys,
    modifier_said,
    said_variant_keys,
)
from procedures.assistant.language import tokens_of as catalogue_tokens
from procedures.text import fold as fold_text

logger = logging.getLogger(__name__)
VERSION_KEY = "assistant:catalogue-version"
# Safety net for catalogue changes made without calling assistant_catalogue_changed():
# a cheap fingerprint query at most this often per process.
FINGERPRINT_EVERY_SECONDS = 60.0
BIGRAM_WEIGHT = 0.8
MIN_TYPO_LENGTH = 4
PART_DISCOUNT = 0.92
MODIFIER_PENALTY = 0.8
# Between phrases that match equally (two names with the same head), the fuller match wins.
NAME_TIEBREAK = 0.1
# Action words of names that callers leave out ("khai tử" for "Thủ tục đăng ký khai tử").
GENERIC_NAME_WORDS = frozenset({"dang", "ki", "dang ki", "cap", "giai", "quyet", "giai quyet"})
GENERIC_SHARE = 0.5
# Words a name may carry that a caller never needs to say for the name to count as said whole.
UNSAID_NAME_WORDS = GENERIC_NAME_WORDS | {"thu", "tuc"}
# Words that match one by one but never side by side are a coincidence ("giá vàng" / "tạm vắng").
SCATTERED_PENALTY = 0.6
LACKING_PENALTY = 0.85
# A word in this share of the catalogue's procedures (and in at least that many) is common.
COMMON_SHARE = 0.1
COMMON_AT_LEAST = 5
_ANY_BRACKETED = re.compile(r"\([^()]*\)")
_BRACKETED = re.compile(r"\(([^()]{8,120})\)")
_BOILERPLATE = re.compile(r"^(thuc hien|ap dung|tru|gom|bao gom|neu co|theo)\b")
_HEAD_END = re.compile(r"[(,;:/]| (?:đối với|cho|tại|trong|theo) ", re.IGNORECASE)


@dataclass
class Phrase:
    procedure: int  # position in CatalogueIndex.procedures
    kind: str  # name, alias, keyword
    features: frozenset[str]
    weight: float = 0.0
    modifiers: frozenset[str] = frozenset()
    # Its words a caller must say for the phrase to be said whole (``UNSAID_NAME_WORDS`` out).
    core: int = 0


@dataclass
class Entry:
    id: int
    code: str
    name: str
    folded_name: str
    popularity: int = 0


@dataclass
class Match:
    entry: Entry
    score: float
    variant: bool = False  # a variant ("cấp lại", "lưu động") the caller did not name
    # How fully the caller said one of its names or aliases: the number of that phrase's words,
    # half a point more for the whole name or an alias; 0 when no such phrase was said whole.
    said_whole: float = 0.0
    # The caller's words (not the generic ones) that its best phrase shares.
    shared_words: int = 0
    # Variant words the caller said ("lại") that none of its phrases has.
    lacking: int = 0
    # The share of the weight of the caller's words that its best phrase explains.
    query_cover: float = 0.0


def features_of(tokens: list[str]) -> set[str]:
    found = set(tokens)
    found.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))
    return found


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    """Optimal string alignment distance ≤ 1 (one insertion, deletion, substitution or swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))


@dataclass
class CatalogueIndex:
    procedures: list[Entry] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    vocabulary: dict[str, int] = field(default_factory=dict)  # word → document frequency
    delete_map: dict[str, list[str]] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    arrays: _Arrays | None = None
    unknown_weight: float = 1.0
    # Records read for answers, kept with the index they were read under: a new catalogue
    # version builds a new index, so they never outlive a change.
    records: OrderedDict = field(default_factory=OrderedDict)
    # Answers already composed under this index, by (language, question, state): callers ask
    # the same few questions all day, and an answer depends on nothing else.
    replies: OrderedDict = field(default_factory=OrderedDict)

    @classmethod
    def build(cls, rows: list[tuple]) -> CatalogueIndex:
        """rows: (id, code, name, aliases, keywords[, popularity])."""
        index = cls()
        document_frequency: dict[str, int] = defaultdict(int)
        # Names repeat their parts and catalogues repeat names: fold and split each text once.
        fold = lru_cache(maxsize=None)(fold_text)
        tokens_of = lru_cache(maxsize=None)(catalogue_tokens)
        for position, (pk, code, name, aliases, keywords, *rest) in enumerate(rows):
            folded_name = fold(name)
            popularity = int(rest[0] or 0) if rest else 0
            index.procedures.append(Entry(id=pk, code=code, name=name, folded_name=folded_name, popularity=popularity))
            index.by_code[code] = position
            texts = [("name", folded_name)]
            # Long names join several procedures with ";", and callers say only the head of a
            # name ("Cấp giấy phép xây dựng mới" of a 300-character name): both are phrases too.
            # (A ";" inside brackets lists cases of one procedure, not procedures.)
            joined = _ANY_BRACKETED.sub(" ", name)
            parts = [fold(part) for part in joined.split(";")] if ";" in joined else []
            head = fold(_HEAD_END.split(name, maxsplit=1)[0])
            parts += [head] if head != folded_name else []
            # A name often carries the everyday name in brackets: "(đăng ký sang tên xe)".
            # (A bracketed list, "(khai sinh; giám hộ; nhận cha, mẹ, con; …)", names no procedure.)
            parts += [
                fold(inner)
                for inner in _BRACKETED.findall(name)
                if not _BOILERPLATE.match(fold(inner)) and ";" not in inner
            ]
            texts += [("part", part) for part in parts if len(tokens_of(part)) >= 3]
            # Aliases and keywords are what callers say: read them the way questions are read.
            texts += [("alias", alias) for alias in aliases]
            texts += [("keyword", word) for word in keywords.replace(";", ",").split(",") if fold(word)]
            seen: set[str] = set()
            # Of a name joining several procedures with ";", the first says what the variant is.
            first = features_of(tokens_of(fold(name.split(";")[0])))
            if "dan viet" in first:  # "cho công dân Việt Nam, người nước ngoài": both, not a variant
                first.discard("nuoc ngoai")
            name_modifiers = frozenset(
                ACTION_MODIFIERS.intersection(features_of(tokens_of(head))) | QUALIFIER_MODIFIERS.intersection(first)
            )
            for kind, text in texts:
                tokens = tokens_of(text) if kind in ("name", "part") else analyse(text).content
                features = frozenset(features_of(tokens))
                if not features:
                    continue
                # A variant's name marks all its name phrases: its head alone may not say "lại".
                # An alias of a variant says it with the bare word ("làm lại giấy khai sinh").
                # A variant's keywords are topic words of the variant all the same.
                if kind in ("name", "part", "keyword"):
                    modifiers = name_modifiers
                else:
                    modifiers = frozenset(MODIFIERS.intersection(features)) | frozenset(
                        m for m in name_modifiers if modifier_said(m, set(features))
                    )
                core = sum(1 for f in features if " " not in f and f not in UNSAID_NAME_WORDS)
                index.phrases.append(
                    Phrase(procedure=position, kind=kind, features=features, modifiers=modifiers, core=core)
                )
                seen |= features
            for feature in seen:
                document_frequency[feature] += 1
        total = max(len(index.procedures), 1)
        # A name's head made only of words found all over the catalogue ("Cấp giấy phép" of
        # "Cấp giấy phép cho trung tâm sát hạch …") says nothing of that procedure.
        common = max(COMMON_SHARE * total, COMMON_AT_LEAST)
        index.phrases = [
            phrase
            for phrase in index.phrases
            if phrase.kind != "part"
            or any(
                document_frequency[f] < common for f in phrase.features if " " not in f and f not in UNSAID_NAME_WORDS
            )
        ]
        for feature, df in document_frequency.items():
            weight = math.log(1 + (total - df + 0.5) / (df + 0.5))
            index.idf[feature] = weight * (BIGRAM_WEIGHT if " " in feature else 1.0)
            if " " not in feature:
                index.vocabulary[feature] = df
        postings: dict[str, list[int]] = defaultdict(list)
        for number, phrase in enumerate(index.phrases):
            phrase.weight = sum(
                index.idf[f] * (GENERIC_SHARE if f in GENERIC_NAME_WORDS else 1.0) for f in phrase.features
            )
            for feature in phrase.features:
                postings[feature].append(number)
        index.postings = dict(postings)
        delete_map: dict[str, list[str]] = defaultdict(list)
        for word in index.vocabulary:
            if len(word) >= MIN_TYPO_LENGTH - 1:
                for deleted in _deletes(word):
                    delete_map[deleted].append(word)
        index.delete_map = dict(delete_map)
        index.freeze()
        return index

    # --- Query side ---------------------------------------------------------------------

    def correct(self, token: str) -> list[str]:
        """A word not in the catalogue: a typo (one edit away), or two words run together."""
        if token in self.vocabulary or token.isdigit():
            return [token]
        if len(token) >= MIN_TYPO_LENGTH:
            candidates = set(self.delete_map.get(token, ()))
            for deleted in _deletes(token):
                if deleted in self.vocabulary:
                    candidates.add(deleted)
                candidates.update(self.delete_map.get(deleted, ()))
            close = [word for word in candidates if _edit_distance_at_most_one(token, word)]
            if close:
                return [max(close, key=lambda w: (self.vocabulary[w], w))]
            for cut in range(2, len(token) - 1):
                left, right = token[:cut], token[cut:]
                if left in self.vocabulary and right in self.vocabulary:
                    return [left, right]
        return [token]

    def query_features(self, tokens: list[str]) -> list[str]:
        corrected: list[str] = []
        for token in tokens:
            corrected.extend(self.correct(token))
        return sorted(features_of(corrected))

    def match(
        self,
        tokens: list[str],
        *,
        hints: list[str] | None = None,
        only: set[int] | None = None,
        limit: int = 5,
    ) -> list[Match]:
        """The procedures best matching the caller's words, best first (scores in [0, 1]).

        Vectorised over the phrases with numpy: with 10,000 procedures a common word such as
        "cấp" touches thousands of phrases, too many for a Python loop within the time budget.
        """
        features = self.query_features(tokens)
        if not features or not self.phrases:
            return []
        arrays = self.arrays
        feature_set = set(features)
        said = set(feature_set)
        if "lai xe" in said and tokens.count("lai") == 1:
            said.discard("lai")  # "lái xe" (to drive), not "lại" (again)
        # Unknown words still count against the query: a question about football that shares
        # one word with a procedure must not look like a question about that procedure.
        query_weight = sum(self.idf.get(f, self.unknown_weight if " " not in f else 0.0) for f in features)
        matched = np.zeros(len(self.phrases))
        paired = np.zeros(len(self.phrases), dtype=bool)
        shared = np.zeros(len(self.phrases), dtype=np.int64)
        for feature in [*features, *(f for f in hints or () if f not in feature_set)]:
            weight = self.idf.get(feature)
            if weight is None:
                continue
            if " " not in feature and feature not in UNSAID_NAME_WORDS:
                shared[arrays.postings[feature]] += 1
            if feature in GENERIC_NAME_WORDS:
                weight *= GENERIC_SHARE
            if feature not in feature_set:  # a hint: evidence for, never against
                weight *= 0.5
            postings = arrays.postings[feature]
            matched[postings] += weight
            if " " in feature:
                paired[postings] = True
        touched = np.flatnonzero(matched)
        if only is not None:
            touched = touched[np.isin(arrays.procedure[touched], np.fromiter(only, dtype=np.int64))]
        if not touched.size or not query_weight:
            return []
        weight = matched[touched]
        phrase_cover = np.minimum(weight / arrays.weight[touched], 1.0)
        query_cover = np.minimum(weight / query_weight, 1.0)
        score = phrase_cover**0.6 * query_cover**0.4 * arrays.factor[touched]
        missing = arrays.modifier_count[touched].copy()
        for modifier in MODIFIERS:
            if modifier_said(modifier, said):
                missing -= arrays.modifiers[modifier][touched]
        score *= MODIFIER_PENALTY**missing
        # The other way round: a variant the caller named ("cấp lại sổ đỏ bị mất") makes the
        # procedures whose names lack it less likely.
        lacking = np.zeros(touched.size, dtype=np.int64)
        for key in said_variant_keys(said):
            has = np.zeros(touched.size, dtype=bool)
            for modifier in MODIFIERS:
                if key in modifier_keys(modifier):
                    has |= arrays.modifiers[modifier][touched].astype(bool)
            lacking += ~has
        score *= LACKING_PENALTY**lacking
        if any(" " in f for f in features):
            score[~paired[touched]] *= SCATTERED_PENALTY
        procedures = arrays.procedure[touched]
        best = np.zeros(len(self.procedures))
        np.maximum.at(best, procedures, score)
        names = arrays.is_name[touched]
        name_cover = np.zeros(len(self.procedures))
        np.maximum.at(name_cover, procedures[names], (phrase_cover * query_cover)[names])
        final = np.minimum(best + NAME_TIEBREAK * name_cover, 1.0)
        unsaid = np.full(len(self.procedures), 99, dtype=np.int64)
        np.minimum.at(unsaid, procedures, missing)
        # Phrases said whole: every word the caller must say was said, no variant word unsaid.
        core = arrays.core[touched]
        common = shared[touched]
        whole = arrays.sayable[touched] & (core > 0) & (common == core) & (missing == 0) & (lacking == 0)
        said_whole = np.zeros(len(self.procedures))
        np.maximum.at(said_whole, procedures[whole], core[whole] + 0.5 * arrays.full_name[touched][whole])
        shared_words = np.zeros(len(self.procedures), dtype=np.int64)
        np.maximum.at(shared_words, procedures, common)
        cover = np.zeros(len(self.procedures))
        np.maximum.at(cover, procedures, query_cover)
        least_lacking = np.full(len(self.procedures), 99, dtype=np.int64)
        np.minimum.at(least_lacking, procedures, lacking)
        candidates = np.flatnonzero(final)
        if candidates.size > limit * 4:
            candidates = candidates[np.argpartition(-final[candidates], limit * 4)[: limit * 4]]
        ranked = sorted(
            candidates.tolist(),
            key=lambda p: (-round(float(final[p]), 9), len(self.procedures[p].name), self.procedures[p].code),
        )
        return [
            Match(
                entry=self.procedures[p],
                score=float(final[p]),
                variant=bool(unsaid[p] > 0),
                said_whole=float(said_whole[p]),
                shared_words=int(shared_words[p]),
                lacking=int(least_lacking[p]),
                query_cover=float(cover[p]),
            )
            for p in ranked[:limit]
        ]

    def content_words(self, tokens: list[str]) -> int:
        """How many of the caller's words (after typo correction) the catalogue knows, generic ones
        left out. Unknown words are left to the score, which counts them against every match."""
        return sum(
            1
            for f in self.query_features(tokens)
            if " " not in f and f in self.vocabulary and f not in UNSAID_NAME_WORDS
        )

    def freeze(self) -> None:
        """Turn the phrase list into the arrays ``match`` works on."""
        count = len(self.phrases)
        modifiers = {word: np.zeros(count, dtype=np.int8) for word in MODIFIERS}
        for number, phrase in enumerate(self.phrases):
            for word in phrase.modifiers:
                modifiers[word][number] = 1
        self.arrays = _Arrays(
            procedure=np.fromiter((p.procedure for p in self.phrases), dtype=np.int64, count=count),
            weight=np.fromiter((p.weight or 1.0 for p in self.phrases), dtype=np.float64, count=count),
            factor=np.fromiter(
                (PART_DISCOUNT if p.kind == "part" else 1.0 for p in self.phrases), dtype=np.float64, count=count
            ),
            is_name=np.fromiter((p.kind == "name" for p in self.phrases), dtype=bool, count=count),
            full_name=np.fromiter((p.kind in ("name", "alias") for p in self.phrases), dtype=bool, count=count),
            sayable=np.fromiter((p.kind != "keyword" for p in self.phrases), dtype=bool, count=count),
            core=np.fromiter((p.core for p in self.phrases), dtype=np.int64, count=count),
            modifier_count=np.fromiter((len(p.modifiers) for p in self.phrases), dtype=np.int64, count=count),
            modifiers=modifiers,
            postings={feature: np.asarray(numbers, dtype=np.int64) for feature, numbers in self.postings.items()},
        )
        self.unknown_weight = max(self.idf.values(), default=1.0) * 0.5


@dataclass
class _Arrays:
    procedure: np.ndarray
    weight: np.ndarray
    factor: np.ndarray
    is_name: np.ndarray
    full_name: np.ndarray
    sayable: np.ndarray
    core: np.ndarray
    modifier_count: np.ndarray
    modifiers: dict[str, np.ndarray]
    postings: dict[str, np.ndarray]


# --- Per-process cache, invalidated through the shared cache ---------------------------------

# Another process's catalogue change (an import, a new alias) is seen within this long: a
# round trip to the shared cache per answer cost more than matching the question.
VERSION_CHECK_EVERY_SECONDS = 1.0
_lock = threading.Lock()
_state: dict[str, object] = {
    "version": None,
    "index": None,
    "fingerprint": None,
    "checked_at": 0.0,
    "version_checked_at": 0.0,
}


def current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or ""
    return version


def bump_version() -> str:
    version = uuid.uuid4().hex
    cache.set(VERSION_KEY, version, None)
    return version


def _fingerprint() -> tuple:
    from procedures.models import Procedure, ProcedureAlias

    procedures = Procedure.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    aliases = ProcedureAlias.objects.aggregate(n=Count("id"), last=Max("id"))
    return (procedures["n"], procedures["changed"], aliases["n"], aliases["last"])


def load_rows() -> list[tuple[int, str, str, list[str], str, int]]:
    from procedures.models import Procedure, ProcedureAlias

    aliases: dict[int, list[str]] = defaultdict(list)
    for procedure_id, phrase in ProcedureAlias.objects.filter(procedure__is_active=True).values_list(
        "procedure_id", "phrase"
    ):
        aliases[procedure_id].append(phrase)
    return [
        (pk, code, name, aliases.get(pk, []), keywords, popularity)
        for pk, code, name, keywords, popularity in Procedure.objects.filter(is_active=True)
        .order_by("code")
        .values_list("id", "code", "name", "keywords", "popularity")
    ]


def _shared_version(now: float) -> object:
    """The version in the shared cache, asked at most once a ``VERSION_CHECK_EVERY_SECONDS``;
    the known one in between, and while the cache cannot be reached (the index goes on)."""
    if _state["index"] is not None and now - float(_state["version_checked_at"]) < VERSION_CHECK_EVERY_SECONDS:
        return _state["version"]
    try:
        version = current_version()
    except RedisError as error:  # Redis down: answer on with the index at hand
        logger.warning("assistant index: catalogue version unavailable (%s)", error.__class__.__name__)
        version = _state["version"]
    _state["version_checked_at"] = now
    return version


def get_index() -> CatalogueIndex:
    now = time.monotonic()
    with _lock:
        version = _shared_version(now)
        index = _state["index"]
        stale = index is None or _state["version"] != version
        if not stale and now - float(_state["checked_at"]) > FINGERPRINT_EVERY_SECONDS:
            _state["checked_at"] = now
            stale = _fingerprint() != _state["fingerprint"]
        if stale:
            fingerprint = _fingerprint()
            index = CatalogueIndex.build(load_rows())
            _state.update(version=version, index=index, fingerprint=fingerprint, checked_at=now)
        return index  # type: ignore[return-value]


def forget_index() -> None:
    with _lock:
        _state.update(version=None, index=None, fingerprint=None, checked_at=0.0, version_checked_at=0.0)
