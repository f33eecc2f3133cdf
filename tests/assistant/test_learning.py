import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from procedures.assistant.engine import respond
from procedures.assistant.index import VERSION_KEY, get_index
from procedures.assistant.models import UnansweredQuestion
from procedures.assistant.services import assistant_catalogue_changed, conversation_reply, procedure_alias_add
from procedures.models import ProcedureAlias
from tests.conftest import login_official

pytestmark = pytest.mark.django_db

QUESTION = "làm giấy phép buôn bán nhỏ ở chợ"


def test_unanswered_questions_are_grouped_by_folded_text(catalogue):
    conversation_reply(text=QUESTION)
    conversation_reply(text="lam giay phep buon ban nho o cho")
    question = UnansweredQuestion.objects.get()
    assert question.count == 2
    assert question.reason == "not_found"


def test_admin_action_attaches_the_question_as_alias_and_it_is_then_answered(client, catalogue, django_user_model):
    _conversation, reply = conversation_reply(text=QUESTION)
    assert reply.procedure is None
    question = UnansweredQuestion.objects.get()
    admin = django_user_model.objects.create_superuser(email="admin@example.vn", password="correct horse battery")
    login_official(client, admin)
    url = reverse("admin:assistant_unansweredquestion_changelist")
    page = client.post(url, {"action": "attach_as_alias", ACTION_CHECKBOX_NAME: [question.pk]})
    assert page.status_code == 200
    response = client.post(
        url,
        {"action": "attach_as_alias", ACTION_CHECKBOX_NAME: [question.pk], "apply": "1", "procedure": "1.001612"},
        follow=True,
    )
    assert response.status_code == 200
    assert ProcedureAlias.objects.filter(procedure__code="1.001612", phrase=QUESTION).exists()
    question.refresh_from_db()
    assert question.resolved_at is not None

    _conversation, reply = conversation_reply(text=QUESTION)
    assert reply.procedure is not None and reply.procedure.code == "1.001612"


def test_index_follows_the_version_in_the_shared_cache_within_a_second(catalogue, monkeypatch):
    from types import SimpleNamespace

    from django.core.cache import cache

    from procedures.assistant import index

    clock = SimpleNamespace(now=1000.0)
    monkeypatch.setattr(index, "time", SimpleNamespace(monotonic=lambda: clock.now))
    first = get_index()
    assert get_index() is first
    cache.set(VERSION_KEY, "changed-by-another-process", None)
    # Asked of the shared cache at most once a second, not on every answer.
    clock.now += index.VERSION_CHECK_EVERY_SECONDS / 2
    assert get_index() is first
    clock.now += index.VERSION_CHECK_EVERY_SECONDS
    assert get_index() is not first
    before = cache.get(VERSION_KEY)
    assistant_catalogue_changed()
    assert cache.get(VERSION_KEY) != before


def test_alias_service_refreshes_the_index_after_commit(catalogue, django_capture_on_commit_callbacks):
    assert respond("mở tiệm tạp hóa")[0].procedure is None
    with django_capture_on_commit_callbacks(execute=True):
        procedure_alias_add(procedure=catalogue["business"], phrase="mở tiệm tạp hóa")
    assert respond("mở tiệm tạp hóa")[0].procedure.code == "1.001612"
