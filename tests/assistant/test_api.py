import json

import pytest
from django.urls import reverse

from procedures.assistant.models import Conversation, UnansweredQuestion
from procedures.assistant.tasks import record_buffered_turns

pytestmark = pytest.mark.django_db


def ask(client, text, conversation_id=None, **extra):
    payload = {"text": text}
    if conversation_id:
        payload["conversation_id"] = conversation_id
    return client.post(reverse("assistant:api"), data=json.dumps(payload), content_type="application/json", **extra)


def test_seed_conversation_end_to_end(client, catalogue):
    response = ask(client, "Tôi cần biết thông tin về thủ tục đăng ký kinh doanh hộ cá thể")
    assert response.status_code == 200
    body = response.json()
    assert body["procedure"]["code"] == "1.001612"
    assert body["procedure"]["url"].endswith("/thu-tuc/1.001612/")
    assert body["intent"] == "overview"
    assert body["asking_back"] is False
    answer = body["answer"]
    assert "Phòng Kinh tế Ủy ban nhân dân xã Hòa Phong" in answer
    assert "ba ngày làm việc" in answer
    assert "năm mươi nghìn đồng" in answer
    assert "50" not in answer
    assert answer.endswith("trình tự thực hiện không ạ?")
    conversation_id = body["conversation_id"]

    body = ask(client, "có", conversation_id).json()
    assert body["intent"] == "yes"
    assert body["procedure"]["code"] == "1.001612"
    assert "Bước 1" not in body["answer"] and "Bước một" in body["answer"]
    assert "Bộ phận Một cửa" in body["answer"]

    body = ask(client, "còn giấy tờ thì sao", conversation_id).json()
    assert body["intent"] == "papers"
    assert body["procedure"]["code"] == "1.001612"
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in body["answer"]
    assert "một bản chính" in body["answer"]

    body = ask(client, "mất mấy ngày?", conversation_id).json()
    assert body["intent"] == "time" and "ba ngày làm việc" in body["answer"]
    record_buffered_turns()  # with Redis, the API's turns reach the database in batches
    assert Conversation.objects.get(key=conversation_id).turns.count() == 8


def test_no_declines_the_offer(client, catalogue):
    conversation_id = ask(client, "đăng ký kinh doanh hộ cá thể").json()["conversation_id"]
    body = ask(client, "không cần", conversation_id).json()
    assert body["intent"] == "no"
    assert body["procedure"] is None
    record_buffered_turns()
    assert Conversation.objects.get(key=conversation_id).pending_offer == ""


def test_out_of_scope_is_refused_with_the_hotline(client, catalogue):
    body = ask(client, "thời tiết hôm nay thế nào").json()
    assert body["procedure"] is None
    assert body["intent"] == "out_of_scope"
    assert "một chín không không" in body["answer"]
    record_buffered_turns()
    assert UnansweredQuestion.objects.filter(folded_text="thoi tiet hom nay the nao").exists()


def test_ambiguous_question_asks_back_and_understands_the_choice(client, catalogue):
    body = ask(client, "xin giấy phép xây dựng cần giấy tờ gì").json()
    assert body["asking_back"] is True
    assert body["procedure"] is None
    assert {c["code"] for c in body["candidates"]} == {"1.013225", "1.013230"}
    second = body["candidates"][1]["code"]
    body = ask(client, "cái thứ hai", body["conversation_id"]).json()
    assert body["procedure"]["code"] == second
    assert body["intent"] == "choice"
    record_buffered_turns()
    assert UnansweredQuestion.objects.get().reason == "ambiguous"


def test_follow_up_without_a_procedure_asks_which_one(client, catalogue):
    body = ask(client, "lệ phí bao nhiêu").json()
    assert body["asking_back"] is True and body["procedure"] is None and body["intent"] == "fee"
    body = ask(client, "đăng ký kết hôn", body["conversation_id"]).json()
    assert body["procedure"]["code"] == "1.000894"
    assert body["intent"] == "fee"


def test_caller_chosen_conversation_id_is_kept(client, catalogue):
    body = ask(client, "gia hạn tạm trú", "call-2026-0001").json()
    assert body["conversation_id"] == "call-2026-0001"
    assert ask(client, "mất mấy ngày", "call-2026-0001").json()["procedure"]["code"] == "1.002755"


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("not json", 400),
        (json.dumps([1, 2]), 400),
        (json.dumps({"text": ""}), 400),
        (json.dumps({"text": 5}), 400),
        (json.dumps({"text": "x" * 501}), 400),
        (json.dumps({"text": "hi", "conversation_id": "bad id with spaces"}), 400),
        (json.dumps({"text": "hi", "conversation_id": 7}), 400),
        (json.dumps({"text": "a" * 5000}), 413),
    ],
)
def test_bad_requests_get_json_errors(client, catalogue, payload, status):
    response = client.post(reverse("assistant:api"), data=payload, content_type="application/json")
    assert response.status_code == status
    assert "error" in response.json()


def test_get_is_refused_as_json(client, db):
    response = client.get(reverse("assistant:api"))
    assert response.status_code == 405
    assert response.json()["error"]


def test_api_is_csrf_exempt(catalogue):
    from django.test import Client

    response = ask(Client(enforce_csrf_checks=True), "đăng ký kết hôn")
    assert response.status_code == 200


def test_rate_limited_per_address(client, catalogue, settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2
    assert ask(client, "đăng ký kết hôn").status_code == 200
    assert ask(client, "đăng ký kết hôn").status_code == 200
    response = ask(client, "đăng ký kết hôn")
    assert response.status_code == 429
    assert response.json()["error"]
    assert ask(client, "đăng ký kết hôn", REMOTE_ADDR="10.0.0.9").status_code == 200
