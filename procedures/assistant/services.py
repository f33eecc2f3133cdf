"""Actions of the assistant: a caller's turn, the index version, unanswered questions, aliases."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import JSONField, Model
from django.utils import timezone
from redis.exceptions import RedisError

from procedures.assistant import index as catalogue_index
from procedures.assistant import live, ratelimit
from procedures.assistant.engine import Assistant, Reply, State
from procedures.assistant.models import Conversation, RecordedBatch, Turn, UnansweredQuestion
from procedures.models import Procedure, ProcedureAlias
from procedures.services import catalogue_changed
from procedures.text import fold

logger = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 500
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Buffered turns moved to the database per transaction, and batches per task run at most.
RECORD_BATCH_SIZE = 1000
RECORD_BATCHES_PER_RUN = 50
# A batch claimed this long ago and not finished belongs to a worker that died: take it over.
ABANDONED_AFTER_SECONDS = 60
RECORDED_BATCHES_KEPT = timedelta(days=7)


class AssistantError(Exception):
    """A request the assistant refuses, with a message fit for the caller."""


class RateLimited(AssistantError):
    """Too many questions from one address in the window (``ratelimit``)."""

    def __init__(self, message: str = "too many requests"):
        super().__init__(message)


def assistant_catalogue_changed() -> str:
    """Call after any change to procedures, aliases or keywords (import, admin, alias action):
    every process rebuilds its index on its next answer."""
    version = catalogue_index.bump_version()
    catalogue_index.forget_index()
    return version


def _state_of(conversation: Conversation) -> State:
    return State(
        procedure_code=conversation.procedure.code if conversation.procedure_id else "",
        pending_offer=conversation.pending_offer,
        candidates=list(conversation.candidates),
        pending_intent=conversation.pending_intent,
        told=list(conversation.told),
    )


def unanswered_record(*, text: str, reason: str, best_guess_id: int | None = None) -> None:
    """Count a question the assistant could not answer with confidence, grouped by its folded words."""
    _unanswered_count([(text, reason, best_guess_id, timezone.now())])


def _unanswered_count(asked: list[tuple[str, str, int | None, datetime]]) -> None:
    """(text, reason, best guess id, when) in the order asked: one upsert, however many there are."""
    rows: dict[str, dict] = {}
    for text, reason, best_guess_id, at in asked:
        folded = fold(text)[:500]
        if not folded:
            continue
        row = rows.setdefault(
            folded,
            {
                "folded_text": folded,
                "count": 0,
                "best_guess_id": best_guess_id,
                "first_asked_at": at,
                "resolved_at": None,
            },
        )
        row.update(text=text, reason=reason, last_asked_at=at, count=row["count"] + 1)
    # Asked again: counted, the latest wording kept, and open again if it had been resolved.
    _upsert(
        UnansweredQuestion,
        list(rows.values()),
        conflict="folded_text",
        update={
            "count": "{old}.count + {new}.count",
            "text": "{new}.text",
            "reason": "{new}.reason",
            "last_asked_at": _LATER.format(column="last_asked_at"),
            "resolved_at": "NULL",
        },
    )


# An upsert's SET expressions: the row in the table is ``{old}``, the one inserted ``{new}``.
_LATER = "CASE WHEN {{old}}.{column} < {{new}}.{column} THEN {{new}}.{column} ELSE {{old}}.{column} END"
_EARLIER = "CASE WHEN {{old}}.{column} > {{new}}.{column} THEN {{new}}.{column} ELSE {{old}}.{column} END"
_IF_NEWER = "CASE WHEN {{old}}.updated_at <= {{new}}.updated_at THEN {{new}}.{column} ELSE {{old}}.{column} END"


def _upsert(
    model: type[Model], rows: list[dict], *, conflict: str, update: dict[str, str], returning: str = ""
) -> dict:
    """INSERT … ON CONFLICT (conflict) DO UPDATE SET column = expression, in one statement.

    The ORM's bulk_create(update_conflicts=True) can only copy the new values; a count must be
    added to and a newer state must win. PostgreSQL and SQLite (3.24+) share this syntax.
    ``rows`` hold attribute names (``procedure_id``) and Python values. With ``returning``
    (a field name), returns {conflict value: returning value} for every row written.
    """
    if not rows:
        return {}
    qn = connection.ops.quote_name
    meta = model._meta
    names = {"old": qn(meta.db_table), "new": "excluded"}
    assignments = ", ".join(
        f"{qn(meta.get_field(name).column)} = {expression.format(**names)}" for name, expression in update.items()
    )
    tail = f"ON CONFLICT ({qn(meta.get_field(conflict).column)}) DO UPDATE SET {assignments}"
    if connection.vendor == "postgresql":
        found = {}
        sql = _insert_sql(model, list(rows[0])) + " " + tail
        if returning:
            sql += f" RETURNING {qn(meta.get_field(conflict).column)}, {qn(meta.get_field(returning).column)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, _columns(model, rows))
            if returning:
                found = dict(cursor.fetchall())
        return found
    fields = [meta.get_field(name) for name in rows[0]]
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        columns = ", ".join(qn(f.column) for f in fields)
        # Quoted identifiers from the model's metadata; the values are parameters.
        sql = f"INSERT INTO {names['old']} ({columns}) VALUES {', '.join([placeholders] * len(chunk))} {tail}"  # noqa: S608
        params = [f.get_db_prep_save(row[f.attname], connection) for row in chunk for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    if not returning:
        return {}
    keys = [row[conflict] for row in rows]
    return dict(model.objects.filter(**{f"{conflict}__in": keys}).values_list(conflict, returning))


def _insert(model: type[Model], rows: list[dict]) -> None:
    """Rows (attribute names → Python values) inserted in one statement on PostgreSQL; through
    bulk_create elsewhere. Building thousands of model instances cost more than the insert."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, list(rows[0])), _columns(model, rows))


def _insert_sql(model: type[Model], names: list[str]) -> str:
    """PostgreSQL: INSERT … SELECT FROM UNNEST(one array per column): a fixed number of
    parameters whatever the number of rows (what Django's own bulk_create does there)."""
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    arrays = ", ".join("%s::text[]" if isinstance(f, JSONField) else f"%s::{f.db_type(connection)}[]" for f in fields)
    aliases = [f"c{i}" for i in range(len(fields))]
    selected = ", ".join(
        f"{alias}::jsonb" if isinstance(f, JSONField) else alias for alias, f in zip(aliases, fields, strict=True)
    )
    columns = ", ".join(qn(f.column) for f in fields)
    # Quoted identifiers from the model's metadata; the values are parameters.
    return f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT {selected} FROM UNNEST({arrays}) AS u({', '.join(aliases)})"  # noqa: S608


def _columns(model: type[Model], rows: list[dict]) -> list[list]:
    columns = []
    for name in rows[0]:
        values = [row[name] for row in rows]
        if isinstance(model._meta.get_field(name), JSONField):
            values = [json.dumps(value, ensure_ascii=False) for value in values]
        columns.append(values)
    return columns


def _conversation_locked(key: str) -> Conversation:
    """The conversation row, locked for this turn (two turns of one call must not interleave)."""
    locked = Conversation.objects.select_for_update(of=("self",)).select_related("procedure")
    conversation = locked.filter(key=key).first()
    if conversation is None:
        try:
            with transaction.atomic():
                Conversation.objects.create(key=key)
        except IntegrityError:  # created by a parallel request of the same call
            pass
        conversation = locked.get(key=key)
    return conversation


def _checked(text: str, key: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > MAX_QUESTION_LENGTH:
        raise AssistantError("question too long")
    if "\x00" in text:  # PostgreSQL text cannot hold it
        raise AssistantError("the question contains a NUL character")
    if key is not None and not KEY_PATTERN.match(key):
        raise AssistantError("invalid conversation id")
    return text


def conversation_reply(*, text: str, key: str | None = None) -> tuple[Conversation, Reply]:
    """One caller turn, recorded before it is answered (the chat page shows and reads aloud the
    recorded turns): remembers the procedure, the topic offered and the candidates asked back."""
    text = _checked(text, key)
    new = key is None
    key = key or uuid.uuid4().hex
    assistant = Assistant()  # the index is read outside the transaction: building it may take a moment
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A conversation's state is worth less than a disk flush per turn: losing the last
            # turns in a crash only makes the assistant ask again.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # A new call's row is written once, with its first turn (one INSERT instead of a
        # get_or_create, a locking re-read and an UPDATE); a known call's row is locked.
        conversation = Conversation(key=key) if new else _conversation_locked(key)
        reply, state = assistant.respond(text, _state_of(conversation))
        position = assistant.index.by_code.get(state.procedure_code)
        conversation.procedure_id = assistant.index.procedures[position].id if position is not None else None
        conversation.pending_offer = state.pending_offer
        conversation.candidates = state.candidates
        conversation.pending_intent = state.pending_intent
        conversation.told = state.told
        conversation.turn_count += 1
        if new:
            conversation.save(force_insert=True)
        else:
            conversation.save(
                update_fields=[
                    "procedure",
                    "pending_offer",
                    "candidates",
                    "pending_intent",
                    "told",
                    "turn_count",
                    "updated_at",
                ]
            )
        code = reply.procedure.code if reply.procedure else ""
        Turn.objects.bulk_create(
            [
                Turn(conversation=conversation, speaker=Turn.Speaker.CALLER, text=text),
                Turn(
                    conversation=conversation,
                    speaker=Turn.Speaker.ASSISTANT,
                    text=reply.text,
                    intent=reply.intent,
                    procedure_code=code,
                ),
            ]
        )
        if reply.unanswered:
            unanswered_record(
                text=text, reason=reply.unanswered, best_guess_id=reply.best_guess.id if reply.best_guess else None
            )
    logger.info("assistant turn conversation=%s intent=%s procedure=%s", conversation.key, reply.intent, code or "-")
    return conversation, reply


def call_reply(*, text: str, key: str | None = None, window: ratelimit.Window | None = None) -> tuple[str, Reply]:
    """One turn of a phone call (the API), answered without waiting on the database.

    The call's state is read from and written to Redis (one round trip each; a new call reads
    nothing); the turn joins the buffer that ``buffered_turns_record`` writes to the database
    every few seconds, and the caller is counted in its rate-limit ``window`` in that same
    round trip (``RateLimited`` past the limit: nothing stored). A call not in Redis (older
    than ``ASSISTANT_CALL_TTL_SECONDS``, or begun through the database) continues from its
    database row. Without Redis — not configured, or not reachable — the turn goes through
    the database as ``conversation_reply`` does, so it is answered and recorded all the same.
    Returns the conversation id and the reply.
    """
    text = _checked(text, key)
    redis = live.client()
    if redis is None:
        _count_apart(window)
        conversation, reply = conversation_reply(text=text, key=key)
        return conversation.key, reply
    stored = None
    if key is not None:
        try:
            stored = live.state_get(redis, key)
        except RedisError as error:
            logger.warning(
                "assistant call state unavailable (%s): answering through the database", type(error).__name__
            )
            _count_apart(window)
            conversation, reply = conversation_reply(text=text, key=key)
            return conversation.key, reply
    if stored is not None:
        state = State(**stored)
    else:
        conversation = (
            Conversation.objects.select_related("procedure").filter(key=key).first() if key is not None else None
        )
        state = _state_of(conversation) if conversation is not None else State()
    key = key or uuid.uuid4().hex
    assistant = Assistant()
    reply, state = assistant.respond(text, state)
    position = assistant.index.by_code.get(state.procedure_code)
    code = reply.procedure.code if reply.procedure else ""
    record = {
        "key": key,
        "at": time.time(),
        "question": text,
        "answer": reply.text,
        "intent": str(reply.intent),
        "procedure_code": code,
        "state": {
            "procedure_id": assistant.index.procedures[position].id if position is not None else None,
            "pending_offer": state.pending_offer,
            "candidates": state.candidates,
            "pending_intent": state.pending_intent,
            "told": state.told,
        },
        "unanswered": str(reply.unanswered),
        "best_guess_id": reply.best_guess.id if reply.best_guess else None,
    }
    try:
        counted, _pending = live.turn_push(
            redis,
            key,
            state={
                "procedure_code": state.procedure_code,
                "pending_offer": state.pending_offer,
                "candidates": state.candidates,
                "pending_intent": state.pending_intent,
                "told": state.told,
            },
            record=record,
            ttl=settings.ASSISTANT_CALL_TTL_SECONDS,
            counter=window.name if window else "",
            limit=window.limit if window else None,
            counter_seconds=ratelimit.COUNTER_SECONDS,
        )
    except RedisError as error:
        logger.warning("assistant turn not buffered (%s): recorded through the database", type(error).__name__)
        _count_apart(window)
        turns_record([record])
    else:
        if window is not None and ratelimit.exceeded(window, counted):
            raise RateLimited()
    logger.info("assistant turn conversation=%s intent=%s procedure=%s", key, reply.intent, code or "-")
    return key, reply


def _count_apart(window: ratelimit.Window | None) -> None:
    """The caller counted on its own round trip (when no turn is pushed to Redis)."""
    if window is not None and ratelimit.exceeded(window, ratelimit.count(window)):
        raise RateLimited()


def turns_record(records: list[dict]) -> None:
    """Record turns answered by ``call_reply``: each conversation's row (the state after its
    latest turn, its turn count added to), both sides of every turn at the time it was said,
    and the unanswered questions counted. One transaction, four queries, however many turns.

    Batches may arrive out of order (one taken over from a dead worker, a turn recorded
    directly while Redis was away): a state never replaces a newer one, and counts add up.
    """
    if not records:
        return
    records = sorted(records, key=lambda r: r["at"])
    at = {id(r): datetime.fromtimestamp(r["at"], tz=UTC) for r in records}
    calls: dict[str, dict] = {}
    for record in records:
        state = record["state"]
        row = calls.setdefault(record["key"], {"key": record["key"], "turn_count": 0, "created_at": at[id(record)]})
        row.update(
            procedure_id=state["procedure_id"],
            pending_offer=state["pending_offer"],
            candidates=state["candidates"],
            pending_intent=state["pending_intent"],
            told=state["told"],
            turn_count=row["turn_count"] + 1,
            updated_at=at[id(record)],
        )
    mentioned = {row["procedure_id"] for row in calls.values()} | {r["best_guess_id"] for r in records}
    mentioned.discard(None)
    with transaction.atomic():
        # A procedure deleted since the answer: the conversation keeps its turns, not the link.
        known = set(Procedure.objects.filter(id__in=mentioned).values_list("id", flat=True)) if mentioned else set()
        for row in calls.values():
            if row["procedure_id"] not in known:
                row["procedure_id"] = None
        ids = _upsert(
            Conversation,
            list(calls.values()),
            conflict="key",
            returning="id",
            update={
                **{
                    column: _IF_NEWER.format(column=column)
                    for column in ("procedure_id", "pending_offer", "candidates", "pending_intent", "told")
                },
                "turn_count": "{old}.turn_count + {new}.turn_count",
                "created_at": _EARLIER.format(column="created_at"),
                "updated_at": _LATER.format(column="updated_at"),
            },
        )
        turns = []
        for record in records:
            conversation_id, when = ids[record["key"]], at[id(record)]
            turns.append(
                {
                    "conversation_id": conversation_id,
                    "speaker": Turn.Speaker.CALLER.value,
                    "text": record["question"],
                    "intent": "",
                    "procedure_code": "",
                    "created_at": when,
                }
            )
            turns.append(
                {
                    "conversation_id": conversation_id,
                    "speaker": Turn.Speaker.ASSISTANT.value,
                    "text": record["answer"],
                    "intent": record["intent"],
                    "procedure_code": record["procedure_code"],
                    "created_at": when,
                }
            )
        _insert(Turn, turns)
        _unanswered_count(
            [
                (r["question"], r["unanswered"], r["best_guess_id"] if r["best_guess_id"] in known else None, at[id(r)])
                for r in records
                if r["unanswered"]
            ]
        )


def buffered_turns_record(*, batch_size: int = RECORD_BATCH_SIZE, max_batches: int = RECORD_BATCHES_PER_RUN) -> int:
    """Move the turns buffered in Redis into the database, a batch per transaction; first any
    batch a dead worker left half done. Returns how many turns were recorded.

    Raises when the database cannot be reached: the batch in hand stays claimed in Redis and
    is taken over by a later run (``ABANDONED_AFTER_SECONDS``)."""
    redis = live.client()
    if redis is None:
        return 0
    recorded = 0
    for batch_id in live.batches_abandoned(redis, ABANDONED_AFTER_SECONDS):
        records = live.batch_reclaim(redis, batch_id)
        if records is not None:
            logger.warning("assistant: taking over batch %s of %d turns left by a worker", batch_id, len(records))
            recorded += _batch_record(redis, batch_id, records)
    for _ in range(max_batches):
        batch_id, records = live.batch_claim(redis, batch_size)
        if records:
            recorded += _batch_record(redis, batch_id, records)
        if len(records) < batch_size:
            break
    if recorded:
        RecordedBatch.objects.filter(recorded_at__lt=timezone.now() - RECORDED_BATCHES_KEPT).delete()
    return recorded


def _batch_record(redis, batch_id: str, records: list[dict]) -> int:
    try:
        with transaction.atomic():
            # First: a second worker recording the same batch waits on this row, then fails.
            RecordedBatch.objects.create(batch_id=batch_id, turns=len(records))
            turns_record(records)
        recorded = len(records)
    except (OperationalError, InterfaceError):
        raise
    except IntegrityError:
        if RecordedBatch.objects.filter(batch_id=batch_id).exists():
            recorded = 0  # recorded by the worker this batch was taken from
        else:
            recorded = _batch_record_one_by_one(redis, batch_id, records)
    except (DatabaseError, KeyError, TypeError, ValueError):
        recorded = _batch_record_one_by_one(redis, batch_id, records)
    live.batch_finish(redis, batch_id)
    return recorded


def _batch_record_one_by_one(redis, batch_id: str, records: list[dict]) -> int:
    """A batch the database refused as a whole: each turn on its own, and the turns still
    refused kept in a Redis list for an operator (logged, never dropped)."""
    refused = []
    with transaction.atomic():
        RecordedBatch.objects.create(batch_id=batch_id, turns=len(records))
        for record in records:
            try:
                with transaction.atomic():
                    turns_record([record])
            except (OperationalError, InterfaceError):
                raise
            except (DatabaseError, KeyError, TypeError, ValueError):
                refused.append(record)
        if refused:
            live.records_refused(redis, refused)
            logger.error(
                "assistant: %d turns refused by the database, kept in Redis list %s", len(refused), live.REFUSED
            )
    return len(records) - len(refused)


def procedure_alias_add(*, procedure: Procedure, phrase: str) -> ProcedureAlias:
    """Teach the assistant an everyday name for a procedure; the index follows at once."""
    phrase = " ".join((phrase or "").split())[:300]
    if not fold(phrase):
        raise AssistantError("empty phrase")
    with transaction.atomic():
        alias, _created = ProcedureAlias.objects.get_or_create(procedure=procedure, phrase=phrase)
        UnansweredQuestion.objects.filter(folded_text=fold(phrase)[:500], resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        # Search columns now; every assistant process rebuilds its index once this commits.
        catalogue_changed(procedure_ids=[procedure.pk])
    assistant_catalogue_changed()  # this process answers with the new alias at once
    return alias


def unanswered_resolve_as_alias(*, question: UnansweredQuestion, procedure: Procedure) -> ProcedureAlias:
    alias = procedure_alias_add(procedure=procedure, phrase=question.text)
    UnansweredQuestion.objects.filter(pk=question.pk).update(resolved_at=timezone.now())
    return alias
