import pytest

from procedures.assistant.engine import State, respond
from procedures.assistant.language import analyse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("nộp hồ sơ ở đâu", "where"),
        ("mất mấy ngày", "time"),
        ("bao giờ có kết quả", "time"),
        ("lệ phí bao nhiêu", "fee"),
        ("hết bao nhiêu tiền", "fee"),
        ("cần giấy tờ gì", "papers"),
        ("các bước thực hiện", "steps"),
        ("nhận kết quả ở đâu", "result"),
        ("có nộp online được không", "online"),
    ],
)
def test_intents(text, intent):
    assert analyse(text).intents[0] == intent


@pytest.mark.parametrize("text", ["có", "vâng", "dạ có", "ừ", "ok"])
def test_yes(text):
    assert analyse(text).yes


@pytest.mark.parametrize("text", ["không", "không cần", "thôi", "dạ không ạ"])
def test_no(text):
    assert analyse(text).no


@pytest.mark.parametrize(("text", "choice"), [("cái thứ hai", 1), ("số 1", 0), ("thứ ba", 2), ("cái đầu tiên", 0)])
def test_choice(text, choice):
    assert analyse(text).choice == choice


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("làm khai sinh cho con", "1.001193"),
        ("dang ky ket hon", "1.000894"),
        ("đăng kí kết hôn", "1.000894"),
        ("đăng ký kêt hôm", "1.000894"),  # typos
        ("dangky khai tu", "1.000656"),  # words run together
        ("xin lý lịch tư pháp", "3.000333"),
        ("gia han tam tru", "1.002755"),
    ],
)
def test_everyday_names_typos_and_missing_diacritics(catalogue, text, code):
    reply, _state = respond(text)
    assert reply.procedure is not None and reply.procedure.code == code


@pytest.mark.parametrize("text", ["giá vàng hôm nay", "kết quả bóng đá tối qua", "đặt vé máy bay", "cho hỏi"])
def test_never_names_a_procedure_for_unrelated_questions(catalogue, text):
    reply, _state = respond(text)
    assert reply.procedure is None


def test_answers_only_facts_of_the_record(catalogue):
    reply, _state = respond("đăng ký kết hôn lệ phí bao nhiêu")
    assert reply.procedure.code == "1.000894"
    assert "chưa ghi" in reply.text  # no fee row: says so rather than guessing


def test_greeting_thanks_goodbye(catalogue):
    assert respond("xin chào")[0].intent == "greeting"
    assert respond("cảm ơn nhé")[0].intent == "thanks"
    assert respond("tạm biệt")[0].intent == "goodbye"


def test_offers_next_topics_in_turn(catalogue):
    state = State()
    reply, state = respond("đăng ký kinh doanh hộ cá thể", state)
    assert state.pending_offer == "steps"
    reply, state = respond("vâng", state)
    assert state.pending_offer == "papers"
    reply, state = respond("dạ có", state)
    assert reply.intent == "yes" and "Giấy đề nghị" in reply.text
    assert state.pending_offer == "result"


def test_a_variant_the_caller_did_not_name_is_confirmed_first(catalogue):
    reply, state = respond("làm giấy phép lái xe")
    assert reply.procedure is None and reply.asking_back
    assert [c.code for c in reply.candidates] == ["3.000348"]
    reply, _state = respond("vâng", state)
    assert reply.procedure.code == "3.000348"

    reply, state = respond("làm giấy phép lái xe")
    reply, state = respond("không phải", state)
    assert reply.intent == "no" and reply.procedure is None and state.candidates == []


def test_a_caller_may_name_another_procedure_instead_of_choosing(catalogue):
    _reply, state = respond("làm giấy phép lái xe")
    reply, _state = respond("gia hạn tạm trú", state)
    assert reply.procedure.code == "1.002755"
