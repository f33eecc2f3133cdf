"""The assistant's turn: understand one utterance in the light of the conversation so far,
decide, and compose the answer. Pure apart from reading the catalogue; ``services`` stores
the conversation and logs what could not be answered."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from procedures.assistant import answers
from procedures.assistant.constants import OFFER_ORDER, Intent, UnansweredReason
from procedures.assistant.index import CatalogueIndex, Entry, Match, get_index
from procedures.assistant.language import Utterance, analyse
from procedures.models import Agency, Procedure

logger = logging.getLogger(__name__)

# Scores are in [0, 1]: the geometric mean of how much of a procedure's phrase the caller
# said and how much of what the caller said belongs to it.
CONFIDENT = 0.5
POSSIBLE = 0.33
MARGIN = 0.08
# A weaker match still stands when nothing else comes near it.
WIDE_MARGIN = 0.15
MAX_CANDIDATES = 3
CHOICE_MARGIN = 0.05
# How far below the best score a procedure whose name was said whole still wins.
WHOLE_REACH = 0.3
RECORDS_KEPT = 1000
_records_lock = threading.Lock()
REPLIES_KEPT = 4096
_replies_lock = threading.Lock()


@dataclass
class State:
    procedure_code: str = ""
    pending_offer: str = ""
    candidates: list[str] = field(default_factory=list)
    pending_intent: str = ""
    told: list[str] = field(default_factory=list)


def _copied(state: State) -> State:
    return replace(state, candidates=list(state.candidates), told=list(state.told))


@dataclass
class Reply:
    text: str
    intent: str
    procedure: Procedure | None = None
    suggestions: list[str] = field(default_factory=list)
    asking_back: bool = False
    candidates: list[Entry] = field(default_factory=list)
    unanswered: str = ""  # an UnansweredReason when the question should be logged
    best_guess: Entry | None = None


def _records():
    return Procedure.objects.filter(is_active=True).prefetch_related(
        "channels",
        "fees",
        "steps",
        "documents",
        "results",
        Prefetch("agencies", queryset=Agency.objects.filter(is_active=True)),
    )


def load_procedure(code: str) -> Procedure | None:
    return _records().filter(code=code).first()


def _decide(matches: list[Match], content_words: int = 0) -> tuple[Match | None, list[Match]]:
    """(confident match, None) or (None, candidates to ask back) or (None, []).

    ``content_words``: how many of the caller's words are not generic ones. When the caller
    said several, a procedure sharing only one of them is a coincidence ("kể chuyện cười" /
    "cưới"), not a candidate.
    """
    if content_words >= 2:
        matches = [m for m in matches if m.shared_words >= 2 or m.said_whole]
    if not matches or matches[0].score < POSSIBLE:
        return None, []
    top = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    clear = (top.score >= CONFIDENT and top.score - runner_up >= MARGIN) or top.score - runner_up >= WIDE_MARGIN
    close = [m for m in matches if m.score >= max(POSSIBLE, top.score - WHOLE_REACH)]
    # (A variant the caller did not name does not count: its extra words may be a coincidence.)
    most = max(m.shared_words for m in close if not m.variant or m is top)
    # A close procedure that explains more of the caller's words ("mất hộ chiếu thì báo ở đâu":
    # "trình báo mất hộ chiếu", not "cấp hộ chiếu") makes the best score no proof.
    if top.shared_words < most:
        clear = False
    # The caller named a variant ("làm lại sổ đỏ") that the best match is not, and one of the
    # others is: confirm, never assume.
    named_variant = [m for m in matches[1:] if top.lacking and not m.lacking and m.score >= POSSIBLE]
    if named_variant:
        clear = False
    # A variant the caller did not name ("cấp lại …" for "cấp …") is confirmed, never assumed.
    if clear and not top.variant:
        return top, []
    fullest = [m for m in close if m.shared_words == most and not m.variant]
    # The procedure whose name the caller said whole, and no more ("đăng ký khai sinh"), is the
    # plain one: its variants ("… lưu động", "đăng ký lại …") have words the caller did not say.
    whole = sorted((m for m in fullest if m.said_whole), key=lambda m: -m.said_whole)
    if whole:
        tied = [m for m in whole if m.said_whole == whole[0].said_whole]
        if len(tied) == 1:
            return tied[0], []
        # Equally said (the same name at two levels): the one callers ask for most, if known.
        tied.sort(key=lambda m: -m.entry.popularity)
        if tied[0].entry.popularity > tied[1].entry.popularity:
            return tied[0], []
    # Only one procedure has every word the caller said, and it is no unnamed variant.
    if len(fullest) == 1 and most == content_words and fullest[0].score >= CONFIDENT:
        return fullest[0], []
    floor = max(POSSIBLE, top.score - 0.2)
    if named_variant:
        return None, [top, named_variant[0]]
    others = sorted(matches[1:], key=lambda m: (-(m in fullest and m.shared_words > top.shared_words), -m.score))
    return None, [top, *[m for m in others[: MAX_CANDIDATES - 1] if m.score >= floor or m in fullest]]


class Assistant:
    def __init__(self, index: CatalogueIndex | None = None):
        self.index = index or get_index()
        if not self.index.records and 0 < len(self.index.procedures) <= RECORDS_KEPT:
            # A provincial catalogue (a few hundred procedures) is read whole, in seven queries,
            # once per index: no caller then waits for a first reading of a record.
            records = {p.code: p for p in _records()}
            with _records_lock:
                if not self.index.records:
                    self.index.records.update((code, records[code]) for code in sorted(records))

    # --- Understanding -----------------------------------------------------------------

    def _choose_among(self, utterance: Utterance, state: State) -> Entry | None:
        codes = [c for c in state.candidates if c in self.index.by_code]
        if not codes:
            return None
        if utterance.choice is not None and utterance.choice < len(codes):
            return self.index.procedures[self.index.by_code[codes[utterance.choice]]]
        if len(codes) == 1 and utterance.yes:
            return self.index.procedures[self.index.by_code[codes[0]]]
        if utterance.content:
            positions = {self.index.by_code[c] for c in codes}
            matches = self.index.match(utterance.content, hints=utterance.hints, only=positions)
            clear = matches and (len(matches) == 1 or matches[0].score - matches[1].score >= CHOICE_MARGIN)
            if clear and matches[0].score >= POSSIBLE * 0.8:
                # The caller may name another procedure instead of choosing one offered.
                overall = self.index.match(utterance.content, hints=utterance.hints, limit=1)
                if not overall or overall[0].score < matches[0].score + MARGIN:
                    return matches[0].entry
        return None

    def _foreign(self, utterance: Utterance) -> bool:
        """Words the catalogue does not know at all (after typo correction)."""
        corrected = self.index.query_features(utterance.content)
        return any(" " not in f and f not in self.index.vocabulary and not f.isdigit() for f in corrected)

    # --- The turn ------------------------------------------------------------------------

    def respond(self, text: str, state: State | None = None) -> tuple[Reply, State]:
        """The answer to ``text`` in ``state``, and the state after it (``state`` is not changed).

        Deterministic for a given index, language, text and state, so an answer composed once
        is reused from the index's memo (bounded, dropped with the index on any catalogue change).
        """
        state = state or State()
        memo_key = (
            get_language(),
            text,
            state.procedure_code,
            state.pending_offer,
            tuple(state.candidates),
            state.pending_intent,
            tuple(state.told),
        )
        replies = self.index.replies
        with _replies_lock:
            found = replies.get(memo_key)
            if found is not None:
                replies.move_to_end(memo_key)
        if found is None:
            found = self._respond(text, _copied(state))
            with _replies_lock:
                replies[memo_key] = found
                while len(replies) > REPLIES_KEPT:
                    replies.popitem(last=False)
        reply, after = found
        # Copies: the memo's answer and state are shared by every later caller.
        return replace(reply, suggestions=list(reply.suggestions), candidates=list(reply.candidates)), _copied(after)

    def _respond(self, text: str, state: State) -> tuple[Reply, State]:
        utterance = analyse(text)
        if not utterance.folded:
            return Reply(text=_("I did not hear a question. Please say it again."), intent=Intent.OUT_OF_SCOPE), state

        # A choice among the procedures offered in the previous turn.
        if state.candidates:
            chosen = self._choose_among(utterance, state)
            if chosen is not None:
                intents = utterance.intents or [state.pending_intent or Intent.OVERVIEW]
                return self._answer(chosen, intents, state, new=True, intent=Intent.CHOICE)

        if utterance.choice is not None and not utterance.content[2:]:
            # "The first one" after a single procedure was named: that procedure.
            entry = self._entry(state.procedure_code) if state.procedure_code and utterance.choice == 0 else None
            if entry is not None:
                intents = utterance.intents or [Intent.OVERVIEW]
                return self._answer(entry, intents, state, new=False, intent=Intent.CHOICE)
            return self._plain(
                _("Which procedure are you asking about? Please tell me its name."), Intent.CHOICE, state
            )

        # Yes / no to the topic offered.
        if utterance.yes or utterance.no:
            if utterance.no:
                if state.candidates:
                    state.pending_offer, state.candidates = "", []
                    return self._plain(
                        _("Which procedure are you asking about? Please tell me its name."), Intent.NO, state
                    )
                state.pending_offer = ""
                return self._plain(_("Very well. Is there anything else you would like to ask?"), Intent.NO, state)
            if state.pending_offer and state.procedure_code:
                entry = self._entry(state.procedure_code)
                if entry is not None:
                    return self._answer(entry, [state.pending_offer], state, new=False, intent=Intent.YES)
            return self._plain(
                _(
                    "What would you like to know? You can ask where to submit, how long it takes, the fee, the papers or the steps."
                ),
                Intent.YES,
                state,
            )

        matches = self.index.match(utterance.content, hints=utterance.hints) if utterance.content else []
        confident, candidates = _decide(matches, self.index.content_words(utterance.content))
        intents = utterance.intents or ([Intent.PAPERS] if utterance.weak_papers else [])

        if confident is not None:
            if not intents and state.pending_intent and not state.procedure_code:
                intents = [state.pending_intent]  # "Lệ phí bao nhiêu?" — "Thủ tục nào ạ?" — "Kết hôn."
            same = confident.entry.code == state.procedure_code
            return self._answer(confident.entry, intents or [Intent.OVERVIEW], state, new=not same)

        # Follow-up about the procedure already being discussed ("còn lệ phí thì sao?").
        if state.procedure_code and intents and not candidates and not self._foreign(utterance):
            entry = self._entry(state.procedure_code)
            if entry is not None:
                return self._answer(entry, intents, state, new=False)

        if candidates:
            return self._ask_back(candidates, intents, state, utterance)

        social = self._social(utterance, state)
        if social is not None:
            return social

        if intents and not utterance.content:
            state.pending_intent = intents[0]
            reply = Reply(
                text=_("Which procedure are you asking about? Please tell me its name."),
                intent=intents[0],
                asking_back=True,
            )
            return reply, state

        best = matches[0].entry if matches else None
        text = " ".join(
            [
                _("Sorry, I have no information to answer that."),
                _(
                    "I answer questions about administrative procedures: where to submit, how long it takes, the fee, the papers and the steps."
                ),
                answers.office_contact(),
            ]
        )
        state.pending_offer, state.candidates = "", []
        return Reply(
            text=text, intent=Intent.OUT_OF_SCOPE, unanswered=UnansweredReason.NOT_FOUND, best_guess=best
        ), state

    # --- Composing ---------------------------------------------------------------------

    def _record(self, code: str) -> Procedure | None:
        records = self.index.records
        with _records_lock:
            if code in records:
                records.move_to_end(code)
                return records[code]
        procedure = load_procedure(code)
        if procedure is not None:
            with _records_lock:
                records[code] = procedure
                while len(records) > RECORDS_KEPT:
                    records.popitem(last=False)
        return procedure

    def _entry(self, code: str) -> Entry | None:
        position = self.index.by_code.get(code)
        return None if position is None else self.index.procedures[position]

    def _plain(self, text: str, intent: str, state: State) -> tuple[Reply, State]:
        return Reply(text=text, intent=intent), state

    def _social(self, utterance: Utterance, state: State) -> tuple[Reply, State] | None:
        if utterance.content and not (utterance.greeting or utterance.thanks or utterance.goodbye):
            return None
        if len(utterance.content) > 2:
            return None
        if utterance.thanks and not utterance.goodbye:
            return self._plain(
                _("You are welcome. Is there anything else you would like to ask?"), Intent.THANKS, state
            )
        if utterance.goodbye:
            state.pending_offer = ""
            return self._plain(_("Thank you for calling. Goodbye."), Intent.GOODBYE, state)
        if utterance.greeting:
            return self._plain(
                _(
                    "Hello. I am the automated assistant of the public service hotline. Which procedure would you like to ask about?"
                ),
                Intent.GREETING,
                state,
            )
        return None

    def _ask_back(
        self, candidates: list[Match], intents: list[str], state: State, utterance: Utterance
    ) -> tuple[Reply, State]:
        entries = [m.entry for m in candidates]
        state.candidates = [e.code for e in entries]
        names = [answers.spoken_name(e.name) for e in entries]
        # Catalogues repeat a name (the same procedure at two levels, or copied records): the
        # caller can only choose among them by their codes.
        names = [
            _("%(name)s, code %(code)s") % {"name": name, "code": e.code} if names.count(name) > 1 else name
            for name, e in zip(names, entries, strict=True)
        ]
        state.pending_intent = intents[0] if intents else Intent.OVERVIEW
        state.pending_offer = ""
        if len(entries) == 1:
            text = _("Do you mean the procedure %(name)s?") % {"name": names[0]}
        else:
            options = "; ".join(
                _("number %(number)s, %(name)s") % {"number": answers.number(i), "name": name}
                for i, name in enumerate(names, start=1)
            )
            text = _("Which procedure do you mean: %(options)s? Please say the number or the name.") % {
                "options": options
            }
        reply = Reply(
            text=text,
            intent=state.pending_intent,
            asking_back=True,
            candidates=entries,
            suggestions=names,
            unanswered=UnansweredReason.AMBIGUOUS,
            best_guess=entries[0],
        )
        return reply, state

    def _answer(
        self, entry: Entry, intents: list[str], state: State, *, new: bool, intent: str | None = None
    ) -> tuple[Reply, State]:
        procedure = self._record(entry.code)
        if procedure is None:
            return self._plain(
                _("Sorry, I have no information to answer that.") + " " + answers.office_contact(),
                Intent.OUT_OF_SCOPE,
                state,
            )
        if new or procedure.code != state.procedure_code:
            state.told = []
        state.procedure_code = procedure.code
        state.candidates, state.pending_intent = [], ""
        sentences = []
        if new:
            sentences.append(_("About the procedure %(name)s.") % {"name": answers.spoken_name(procedure.name)})
        for topic in intents:
            sentences += answers.facts(procedure, topic)
            told = [Intent.WHERE, Intent.TIME, Intent.FEE] if topic == Intent.OVERVIEW else [topic]
            state.told += [t for t in told if t not in state.told]
        next_topic = next((t for t in OFFER_ORDER if t not in state.told), "")
        state.pending_offer = next_topic
        sentences.append(
            answers.offer(next_topic) if next_topic else _("Is there anything else you would like to ask?")
        )
        suggestions = [
            answers.suggestion(t) for t in [Intent.WHERE, Intent.TIME, Intent.FEE, *OFFER_ORDER] if t not in state.told
        ]
        reply = Reply(
            text=" ".join(sentences),
            intent=intent or intents[0],
            procedure=procedure,
            suggestions=suggestions[:4],
        )
        return reply, state


def respond(text: str, state: State | None = None) -> tuple[Reply, State]:
    return Assistant().respond(text, state)


def warm_up() -> None:
    """Build this process's index and read the catalogue's records now, not on a caller's
    question (~0.5 s): e.g. in a server's master before it forks its workers, which then all
    start with them (``portal/gunicorn.conf.py``). Never fails: without the database the
    first question builds them as before."""
    from django.db import DatabaseError, connections
    from redis.exceptions import RedisError

    try:
        Assistant()
    except (DatabaseError, RedisError) as error:
        logger.warning("assistant index not built ahead (%s)", type(error).__name__)
    finally:
        connections.close_all()  # an open connection must not be shared with forked processes
