"""The hotline API's turns: answered from the call's state in Redis, recorded in the database in
batches, and through the database directly whenever Redis is away."""

import json
import time
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from procedures.assistant import live
from procedures.assistant.engine import Assistant, State
from procedures.assistant.index import forget_index
from procedures.assistant.models import Conversation, RecordedBatch, Turn, UnansweredQuestion
from procedures.assistant.services import buffered_turns_record, turns_record
from procedures.assistant.tasks import record_buffered_turns

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def ask(client, text, conversation_id=None):
    payload = {"text": text, **({"conversation_id": conversation_id} if conversation_id else {})}
    response = client.post(reverse("assistant:api"), data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def record(key, at, *, question="đăng ký kết hôn", procedure_id=None, told=(), unanswered="", best_guess_id=None):
    return {
        "key": key,
        "at": at,
        "question": question,
        "answer": f"answer to {question}",
        "intent": "overview",
        "procedure_code": "",
        "state": {
            "procedure_id": procedure_id,
            "pending_offer": "steps",
            "candidates": [],
            "pending_intent": "",
            "told": list(told),
        },
        "unanswered": unanswered,
        "best_guess_id": best_guess_id,
    }


# --- Recording (any database, no Redis needed) ------------------------------------------------


def test_turns_are_recorded_with_their_conversation_and_the_time_they_were_said(catalogue):
    marriage = catalogue["marriage"]
    said = datetime(2026, 3, 2, 8, 30, tzinfo=UTC).timestamp()
    turns_record(
        [
            record("call-1", said, procedure_id=marriage.id, told=["where"]),
            record("call-1", said + 5, question="mất mấy ngày", procedure_id=marriage.id, told=["where", "time"]),
            record("call-2", said + 1, question="xem bói", unanswered="not_found", best_guess_id=marriage.id),
        ]
    )
    first = Conversation.objects.get(key="call-1")
    assert first.procedure == marriage
    assert first.told == ["where", "time"]
    assert first.turn_count == 2
    assert first.created_at == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert first.updated_at == datetime(2026, 3, 2, 8, 30, 5, tzinfo=UTC)
    turns = list(first.turns.all())
    assert [(t.speaker, t.text) for t in turns] == [
        ("caller", "đăng ký kết hôn"),
        ("assistant", "answer to đăng ký kết hôn"),
        ("caller", "mất mấy ngày"),
        ("assistant", "answer to mất mấy ngày"),
    ]
    assert turns[3].created_at == datetime(2026, 3, 2, 8, 30, 5, tzinfo=UTC)
    question = UnansweredQuestion.objects.get()
    assert (question.folded_text, question.count, question.best_guess) == ("xem boi", 1, marriage)
    assert Conversation.objects.get(key="call-2").turns.count() == 2


def test_a_late_batch_adds_its_turns_but_never_rolls_the_state_back(catalogue):
    marriage, birth = catalogue["marriage"], catalogue["birth"]
    now = time.time()
    turns_record([record("call-1", now, procedure_id=birth.id, told=["fee"])])
    turns_record([record("call-1", now - 60, procedure_id=marriage.id, told=["where"])])
    conversation = Conversation.objects.get(key="call-1")
    assert (conversation.procedure, conversation.told, conversation.turn_count) == (birth, ["fee"], 2)
    assert conversation.created_at == datetime.fromtimestamp(now - 60, tz=UTC)
    assert conversation.turns.count() == 4


def test_unanswered_questions_are_counted_across_batches_and_reopened(catalogue):
    from django.utils import timezone

    now = time.time()
    turns_record([record("a", now, question="xem bói", unanswered="not_found")] * 2)
    UnansweredQuestion.objects.update(resolved_at=timezone.now())
    turns_record([record("b", now + 1, question="Xem   BÓI", unanswered="not_found")])
    question = UnansweredQuestion.objects.get()
    assert question.count == 3
    assert question.text == "Xem   BÓI"
    assert question.resolved_at is None


def test_a_procedure_deleted_before_recording_leaves_the_turns_without_the_link(catalogue):
    gone = catalogue["death"]
    gone_id = gone.id
    gone.delete()
    turns_record([record("call-1", time.time(), procedure_id=gone_id, unanswered="ambiguous", best_guess_id=gone_id)])
    assert Conversation.objects.get(key="call-1").procedure is None
    assert UnansweredQuestion.objects.get().best_guess is None
    assert Turn.objects.count() == 2


def test_remembered_answers_are_copies(catalogue):
    assistant = Assistant()
    first, state = assistant.respond("đăng ký kết hôn", State())
    first.suggestions.clear()
    state.told.append("papers")
    again, again_state = assistant.respond("đăng ký kết hôn", State())
    assert again.suggestions and "papers" not in again_state.told
    assert again.text == first.text


# --- Redis down: answered and recorded through the database -------------------------------------


def test_without_redis_the_api_still_answers_continues_and_records(client, catalogue, settings):
    settings.CACHES = DEAD_REDIS
    body = ask(client, "đăng ký kinh doanh hộ cá thể")
    assert body["procedure"]["code"] == "1.001612"
    body = ask(client, "mất mấy ngày", body["conversation_id"])
    assert body["intent"] == "time" and body["procedure"]["code"] == "1.001612"
    ask(client, "xem bói hôm nay")
    conversation = Conversation.objects.get(key=body["conversation_id"])
    assert conversation.turn_count == 2 and conversation.turns.count() == 4
    assert UnansweredQuestion.objects.filter(folded_text="xem boi hom nay").exists()


def test_without_redis_the_rate_limit_still_holds(client, catalogue, settings, monkeypatch):
    from types import SimpleNamespace

    from procedures.assistant import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))  # one window
    settings.CACHES = DEAD_REDIS
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2
    ask(client, "đăng ký kết hôn")
    ask(client, "đăng ký kết hôn")
    response = client.post(
        reverse("assistant:api"), data=json.dumps({"text": "đăng ký kết hôn"}), content_type="application/json"
    )
    assert response.status_code == 429


def test_a_question_with_a_nul_character_is_refused(client, catalogue):
    response = client.post(
        reverse("assistant:api"), data=json.dumps({"text": "kết hôn\x00"}), content_type="application/json"
    )
    assert response.status_code == 400
    assert Turn.objects.count() == 0


# --- With Redis: the call's state there, its turns recorded in batches --------------------------


@pytest.mark.redis
def test_an_answer_touches_no_database_and_its_turns_arrive_after_the_batch(
    client, catalogue, django_assert_num_queries
):
    ask(client, "đăng ký kết hôn")  # the index and the records are read once per process
    with django_assert_num_queries(0):
        body = ask(client, "đăng ký kinh doanh hộ cá thể")
        body = ask(client, "còn giấy tờ thì sao", body["conversation_id"])
    assert body["intent"] == "papers" and body["procedure"]["code"] == "1.001612"
    assert Turn.objects.count() == 0
    assert live.pending_count() == 3
    assert record_buffered_turns() == 3
    conversation = Conversation.objects.get(key=body["conversation_id"])
    assert conversation.turn_count == 2
    assert [t.text for t in conversation.turns.all()][::2] == ["đăng ký kinh doanh hộ cá thể", "còn giấy tờ thì sao"]
    assert conversation.told == ["where", "time", "fee", "papers"]
    assert live.pending_count() == 0 and RecordedBatch.objects.count() == 1


@pytest.mark.redis
def test_a_call_continues_in_another_process_and_after_its_state_expired(client, catalogue):
    body = ask(client, "xin giấy phép xây dựng cần giấy tờ gì")
    assert body["asking_back"] is True
    key = body["conversation_id"]
    forget_index()  # another process: its own index, nothing remembered but what is in Redis
    chosen = body["candidates"][1]["code"]
    assert ask(client, "cái thứ hai", key)["procedure"]["code"] == chosen
    record_buffered_turns()
    live.client().delete(live.key(live.STATE_PREFIX + key))  # the state expired: the database has it
    body = ask(client, "lệ phí bao nhiêu", key)
    assert body["intent"] == "fee" and body["procedure"]["code"] == chosen
    record_buffered_turns()
    assert Conversation.objects.get(key=key).turn_count == 3


@pytest.mark.redis
def test_a_batch_left_by_a_dead_worker_is_recorded_once(client, catalogue):
    redis = live.client()
    ask(client, "đăng ký kết hôn")
    # A worker took the turn out of the buffer and died before recording it.
    lost_id, _records = live.batch_claim(redis, 100)
    ask(client, "gia hạn tạm trú")
    # Another recorded its batch, then died before telling Redis.
    done_id, records = live.batch_claim(redis, 100)
    RecordedBatch.objects.create(batch_id=done_id, turns=len(records))
    turns_record(records)
    assert buffered_turns_record() == 0  # neither claim is old enough yet to be taken over
    for batch_id in (lost_id, done_id):
        redis.zadd(live.key(live.CLAIMED), {batch_id: time.time() - 3600})
    assert buffered_turns_record() == 1
    assert Turn.objects.count() == 4
    assert not redis.exists(live.key(live.BATCH_PREFIX + lost_id), live.key(live.BATCH_PREFIX + done_id))
    assert redis.zcard(live.key(live.CLAIMED)) == 0


@pytest.mark.redis
def test_a_turn_the_database_refuses_is_kept_and_the_others_recorded(client, catalogue):
    redis = live.client()
    ask(client, "đăng ký kết hôn")
    broken = record("call-x", time.time())
    del broken["answer"]
    redis.rpush(live.key(live.BUFFER), json.dumps(broken), b"\xff not json")
    ask(client, "gia hạn tạm trú")
    assert record_buffered_turns() == 2
    assert Turn.objects.count() == 4
    kept = [json.loads(item) for item in redis.lrange(live.key(live.REFUSED), 0, -1)]
    assert kept == [broken, {"unreadable": "\ufffd not json"}]
    assert live.pending_count() == 0


# --- The rate limit, counted in the round trip that stores the turn ------------------------------


def test_requests_refused_unanswered_count_towards_the_limit(client, catalogue, settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2
    url = reverse("assistant:api")
    assert client.post(url, data="not json", content_type="application/json").status_code == 400
    assert client.post(url, data=json.dumps({"text": ""}), content_type="application/json").status_code == 400
    response = client.post(url, data=json.dumps({"text": "đăng ký kết hôn"}), content_type="application/json")
    assert response.status_code == 429
    assert client.post(url, data="not json", content_type="application/json").status_code == 429


@pytest.mark.redis
def test_a_question_over_the_limit_stores_nothing_and_the_next_cost_no_round_trip(client, catalogue, settings):
    from django.test import RequestFactory

    from procedures.assistant import ratelimit

    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 1
    url = reverse("assistant:api")
    statuses = [
        client.post(url, data=json.dumps({"text": "đăng ký kết hôn"}), content_type="application/json").status_code
        for _ in range(4)
    ]
    assert statuses == [200, 429, 429, 429]
    counter = live.key(ratelimit.window_for(RequestFactory().get("/"), scope="api").name)
    assert int(live.client().get(counter)) == 2  # once known over the limit, not even counted
    assert live.pending_count() == 1
    assert len(live.client().keys(live.key(live.STATE_PREFIX + "*"))) == 1


@pytest.mark.django_db(transaction=True)
def test_warm_up_builds_the_index_before_the_first_question(django_assert_num_queries):
    """What gunicorn's master does before forking its workers (portal/gunicorn.conf.py)."""
    from procedures.assistant.engine import warm_up
    from tests.assistant.factories import small_catalogue

    small_catalogue()
    forget_index()
    warm_up()
    with django_assert_num_queries(0):
        reply, _state = Assistant().respond("đăng ký kết hôn", State())
    assert reply.procedure.code == "1.000894"
