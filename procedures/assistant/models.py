"""What the assistant remembers: conversations and their turns (the log operators read; a
phone call's live state is in Redis, see ``live``) and the questions it could not answer,
which operators turn into aliases."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.assistant.constants import Intent, UnansweredReason


class Conversation(models.Model):
    # A phone system passes its own call id; the chat page gets a random one.
    key = models.CharField(_("conversation id"), max_length=64, unique=True)
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("procedure being discussed"),
    )
    pending_offer = models.CharField(_("topic offered"), max_length=20, choices=Intent.choices, blank=True)
    candidates = models.JSONField(_("candidates asked back"), default=list, blank=True)
    pending_intent = models.CharField(_("question waiting for a procedure"), max_length=20, blank=True)
    told = models.JSONField(_("topics already told"), default=list, blank=True)
    turn_count = models.PositiveIntegerField(_("turns"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.key


class Turn(models.Model):
    class Speaker(models.TextChoices):
        CALLER = "caller", _("Caller")
        ASSISTANT = "assistant", _("Assistant")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    speaker = models.CharField(_("speaker"), max_length=10, choices=Speaker.choices)
    text = models.TextField(_("text"))
    intent = models.CharField(_("intent"), max_length=20, blank=True)
    procedure_code = models.CharField(_("procedure code"), max_length=40, blank=True)
    # When the turn was said, which a turn recorded later in a batch carries with it.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["conversation", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class UnansweredQuestion(models.Model):
    """One row per folded question: the same words asked again only raise the count."""

    folded_text = models.CharField(_("folded question"), max_length=500, unique=True)
    text = models.TextField(_("question as last asked"))
    reason = models.CharField(_("reason"), max_length=20, choices=UnansweredReason.choices)
    count = models.PositiveIntegerField(_("times asked"), default=1)
    best_guess = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("best guess"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    first_asked_at = models.DateTimeField(_("first asked at"), auto_now_add=True)
    last_asked_at = models.DateTimeField(_("last asked at"), auto_now=True)

    class Meta:
        verbose_name = _("unanswered question")
        verbose_name_plural = _("unanswered questions")
        ordering = ["-count", "-last_asked_at"]

    def __str__(self) -> str:
        return self.text[:80]


class RecordedBatch(models.Model):
    """A batch of turns moved from Redis to the database, recorded in the same transaction as
    its turns: a worker that dies after the commit leaves the batch in Redis, and the next
    one sees here that it is done instead of recording its turns twice."""

    batch_id = models.CharField(_("batch id"), max_length=32, unique=True)
    turns = models.PositiveIntegerField(_("turns"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("recorded batch of turns")
        verbose_name_plural = _("recorded batches of turns")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return self.batch_id
