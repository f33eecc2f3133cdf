from __future__ import annotations

from django.db.models import QuerySet

from procedures.assistant.models import Conversation, Turn, UnansweredQuestion

CHAT_TURNS_SHOWN = 40


def conversation_by_key(*, key: str | None) -> Conversation | None:
    if not key:
        return None
    return Conversation.objects.filter(key=key).first()


def conversation_turns(*, conversation: Conversation | None, limit: int = CHAT_TURNS_SHOWN) -> list[Turn]:
    if conversation is None:
        return []
    turns = list(conversation.turns.order_by("-created_at", "-id")[:limit])
    return turns[::-1]


def unanswered_open() -> QuerySet[UnansweredQuestion]:
    return UnansweredQuestion.objects.filter(resolved_at__isnull=True).select_related("best_guess")


def assistant_turn_of_conversation(*, key: str | None, turn_id: int) -> Turn | None:
    """An answer of the given conversation only: a caller hears their own answers, nobody else's."""
    if not key:
        return None
    return Turn.objects.filter(pk=turn_id, conversation__key=key, speaker=Turn.Speaker.ASSISTANT).first()
