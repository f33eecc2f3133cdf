from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from procedures.models import Fee, Procedure, ProcedureChannel
from procedures.text import fold

pytestmark = pytest.mark.django_db


def test_generates_the_requested_number_with_searchable_vietnamese_names():
    out = io.StringIO()
    call_command("generate_catalogue", "--count", "120", "--batch-size", "50", stdout=out)
    assert "120 synthetic procedures created" in out.getvalue()
    assert Procedure.objects.filter(code__startswith="9.").count() == 120
    procedure = Procedure.objects.order_by("code").first()
    assert procedure.code == "9.000001"
    assert fold(procedure.name) in procedure.search_text and fold(procedure.keywords) in procedure.search_text
    assert procedure.levels.exists() and procedure.sector is not None
    assert ProcedureChannel.objects.count() == 120 and Fee.objects.count() == 120
    assert Procedure.objects.filter(name__startswith="Đăng ký").exists()


def test_running_again_adds_new_codes_and_clear_replaces_them():
    call_command("generate_catalogue", "--count", "30", stdout=io.StringIO())
    call_command("generate_catalogue", "--count", "30", stdout=io.StringIO())
    assert Procedure.objects.count() == 60
    call_command("generate_catalogue", "--count", "10", "--clear", stdout=io.StringIO())
    assert Procedure.objects.count() == 10
