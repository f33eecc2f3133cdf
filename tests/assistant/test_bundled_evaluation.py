"""The shipped evaluation set over the bundled catalogue (the one ``load_catalogue`` installs):
the issue's figures, guarded in CI."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from procedures.assistant.engine import Assistant, State
from procedures.assistant.evaluation import evaluate
from procedures.assistant.index import CatalogueIndex, load_rows
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector

pytestmark = pytest.mark.django_db

EVALUATION = Path(__file__).resolve().parents[2] / "procedures" / "assistant" / "data" / "evaluation.jsonl"


@pytest.fixture(scope="module")
def bundled(django_db_setup, django_db_blocker):
    """The bundled catalogue, loaded once for the module and removed afterwards."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", stdout=io.StringIO())
        yield
        Procedure.objects.all().delete()
        Agency.objects.filter(parent__isnull=False).delete()
        Agency.objects.all().delete()
        Sector.objects.all().delete()
        AdministrativeLevel.objects.all().delete()


@pytest.fixture(scope="module")
def index(bundled, django_db_blocker):
    """Built once: the autouse fixture forgets the process index before every test."""
    with django_db_blocker.unblock():
        return CatalogueIndex.build(load_rows())


def test_shipped_evaluation_reaches_the_issue_figures(bundled):
    scores = evaluate(EVALUATION.read_text(encoding="utf-8").splitlines())
    failures = "\n".join(
        f"{f['line']}: {f['question']} → {f['got']} (expected {f['expected']})" for f in scores.failures
    )
    assert scores.in_scope >= 140 and scores.out_of_scope >= 15
    assert scores.both_right / scores.in_scope >= 0.9, failures
    assert scores.refused == scores.out_of_scope, failures


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # The caller names the base procedure: the plain one, not its variants (lưu động, đăng
        # ký lại, có yếu tố nước ngoài, cho người đã có hồ sơ…).
        ("đăng ký khai sinh", "1.001193"),
        ("dang ky khai sinh", "1.001193"),
        # The caller names the variant: the variant.
        ("đăng ký khai sinh lưu động", "1.003583"),
        ("đăng ký khai sinh có yếu tố nước ngoài", "2.000528"),
        ("cấp thị thực cho người nước ngoài", "1.001194"),
    ],
)
def test_base_or_named_variant_is_answered_with_confidence(index, text, code):
    reply, _state = Assistant(index).respond(text)
    assert reply.procedure is not None and reply.procedure.code == code


@pytest.mark.parametrize(
    "text",
    [
        "kể chuyện cười đi",  # "cười" / "cưới": one common word is no match
        "xin giấy phép bắn pháo hoa",  # "giấy phép" alone names no procedure
        "làm lại sổ đỏ",  # "lại": the caller names a variant the best match is not
    ],
)
def test_a_common_word_never_names_a_procedure_with_confidence(index, text):
    reply, _state = Assistant(index).respond(text)
    assert reply.procedure is None


def test_follow_ups_keep_the_procedure_on_the_bundle(index):
    assistant = Assistant(index)
    reply, state = assistant.respond("đăng ký khai sinh")
    assert reply.procedure.code == "1.001193"
    for text, intent in [("ừ", "yes"), ("bao giờ thì có kết quả", "time"), ("còn lệ phí thì sao", "fee")]:
        reply, state = assistant.respond(text, state)
        assert (reply.procedure.code, reply.intent) == ("1.001193", intent)
    reply, state = assistant.respond("làm lại sổ đỏ", State())
    assert reply.asking_back and "1.012786" in [entry.code for entry in reply.candidates]
    reply, state = assistant.respond("số " + str(1 + [e.code for e in reply.candidates].index("1.012786")), state)
    assert reply.procedure.code == "1.012786"
