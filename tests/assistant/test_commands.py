import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_evaluate_assistant_prints_scores_and_failures(catalogue, tmp_path):
    lines = [
        {"question": "đăng ký kết hôn ở đâu", "procedure": "1.000894", "intent": "where"},
        {"question": "mất mấy ngày", "procedure": "1.000894", "intent": "time", "history": ["đăng ký kết hôn"]},
        {"question": "khai sinh mất bao lâu", "procedure": "1.000894", "intent": "time"},
        {"question": "giá vàng hôm nay", "procedure": None, "intent": "out_of_scope"},
    ]
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    out = StringIO()
    call_command("evaluate_assistant", str(path), stdout=out)
    text = out.getvalue()
    assert "procedure right:         66.7% (2/3)" in text
    assert "intent right:            100.0% (3/3)" in text
    assert "out-of-scope refused:    100.0% (1/1)" in text
    assert "khai sinh mất bao lâu" in text


def test_shipped_evaluation_set_is_well_formed():
    path = Path(__file__).resolve().parents[2] / "procedures" / "assistant" / "data" / "evaluation.jsonl"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(cases) >= 150
    assert sum(1 for c in cases if c["procedure"] is None) >= 15
    assert sum(1 for c in cases if c.get("history")) >= 15
