from __future__ import annotations

import json
from functools import lru_cache

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from procedures.assistant import answers, ratelimit, selectors, voice
from procedures.assistant.constants import OFFER_ORDER, Intent
from procedures.assistant.forms import QuestionForm
from procedures.assistant.ratelimit import limit_exceeded
from procedures.assistant.services import AssistantError, RateLimited, call_reply, conversation_reply

SESSION_KEY = "assistant_conversation"
MAX_BODY_BYTES = 4096


@require_http_methods(["GET", "POST"])
def chat(request):
    key = request.session.get(SESSION_KEY)
    form = QuestionForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            request.session.pop(SESSION_KEY, None)
            return redirect("assistant:chat")
        form = QuestionForm(request.POST)
        if limit_exceeded(request, scope="chat"):
            form.add_error(None, _("Too many questions in a short time. Please wait a minute."))
            status = 429
        elif form.is_valid():
            try:
                conversation, _reply = conversation_reply(text=form.cleaned_data["text"], key=key)
            except AssistantError:
                form.add_error("text", _("Please ask a shorter question."))
            else:
                request.session[SESSION_KEY] = conversation.key
                return redirect(reverse("assistant:chat") + "#latest")
    conversation = selectors.conversation_by_key(key=key)
    turns = selectors.conversation_turns(conversation=conversation)
    context = {
        "form": form,
        "turns": turns,
        "suggestions": _suggestions(turns),
        "voice": voice.voice_available(),
    }
    return render(request, "assistant/chat.html", context, status=status)


@require_http_methods(["GET"])
def speech(request, turn_id: int):
    """The spoken answer of a turn of the caller's own conversation (404 for anyone else's)."""
    turn = selectors.assistant_turn_of_conversation(key=request.session.get(SESSION_KEY), turn_id=turn_id)
    if turn is None:
        raise Http404("no such answer in this conversation")
    try:
        name = voice.speech_for(turn.text)
    except voice.VoiceUnavailable as error:
        raise Http404("speech unavailable") from error
    response = FileResponse(default_storage.open(name, "rb"), content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _suggestions(turns) -> list[str]:
    if not turns or not turns[-1].procedure_code:
        return []
    return [answers.suggestion(t) for t in [Intent.WHERE, Intent.TIME, Intent.FEE, *OFFER_ORDER]][:7]


@lru_cache(maxsize=4096)
def _procedure_path(prefix: str, code: str) -> str:
    # reverse() was a tenth of an answer's cost; an answer names one to three procedures.
    return reverse("procedures:detail", args=[code])


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # called by the telephone system (IVR) and apps, which hold no CSRF cookie; it changes no account
def api(request):
    if request.method != "POST":
        response = _error("method not allowed: use POST", 405)
        response["Allow"] = "POST"
        return response
    # Per address; an answered question is counted in the round trip that stores its turn.
    window = ratelimit.window_for(request, scope="api")
    if ratelimit.exceeded_here(window):
        return _error("too many requests", 429)

    def refused(message: str, status: int) -> JsonResponse:
        # A request refused unanswered counts all the same.
        if ratelimit.exceeded(window, ratelimit.count(window)):
            return _error("too many requests", 429)
        return _error(message, status)

    if len(request.body) > MAX_BODY_BYTES:
        return refused("request too large", 413)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return refused("invalid JSON", 400)
    if not isinstance(payload, dict):
        return refused("the body must be a JSON object", 400)
    text = payload.get("text")
    key = payload.get("conversation_id")
    if not isinstance(text, str) or not text.strip():
        return refused("text is required", 400)
    if key is not None and not isinstance(key, str):
        return refused("conversation_id must be a string", 400)
    try:
        conversation_id, reply = call_reply(text=text, key=key or None, window=window)
    except RateLimited:
        return _error("too many requests", 429)
    except AssistantError as error:
        return refused(str(error), 400)

    prefix = get_script_prefix()

    def described(code: str, name: str) -> dict:
        return {"code": code, "name": name, "url": request.build_absolute_uri(_procedure_path(prefix, code))}

    body = {
        "conversation_id": conversation_id,
        "answer": reply.text,
        "procedure": described(reply.procedure.code, reply.procedure.name) if reply.procedure else None,
        "intent": str(reply.intent),
        "suggestions": reply.suggestions,
        "asking_back": reply.asking_back,
        "candidates": [described(c.code, c.name) for c in reply.candidates],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
