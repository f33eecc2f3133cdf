"""Actions of the assistant: a caller's turn, the index version, unanswered questions, aliases."""

from __future__ import annotations

import logging
import re
import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from procedures.assistant import index as catalogue_index
from procedures.assistant.engine import Assistant, Reply, State
from procedures.assistant.models import Conversation, Turn, UnansweredQuestion
from procedures.models import Procedure, ProcedureAlias
from procedures.services import catalogue_changed
from procedures.text import fold

logger = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 500
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class AssistantError(Exception):
    """A request the assistant refuses, with a message fit for the caller."""


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
    folded = fold(text)[:500]
    if not folded:
        return
    updated = UnansweredQuestion.objects.filter(folded_text=folded).update(
        count=F("count") + 1, text=text, reason=reason, last_asked_at=timezone.now(), resolved_at=None
    )
    if updated:
        return
    try:
        with transaction.atomic():
            UnansweredQuestion.objects.create(folded_text=folded, text=text, reason=reason, best_guess_id=best_guess_id)
    except IntegrityError:  # asked at the same moment by another caller
        UnansweredQuestion.objects.filter(folded_text=folded).update(count=F("count") + 1)


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


def conversation_reply(*, text: str, key: str | None = None) -> tuple[Conversation, Reply]:
    """One caller turn: remembers the procedure, the topic offered and the candidates asked back."""
    text = " ".join((text or "").split())
    if len(text) > MAX_QUESTION_LENGTH:
        raise AssistantError("question too long")
    if key is not None and not KEY_PATTERN.match(key):
        raise AssistantError("invalid conversation id")
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
