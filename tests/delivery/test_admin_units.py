from __future__ import annotations

import json
import unicodedata

import pytest
from django.core.management import call_command

from delivery.models import Province, Ward

pytestmark = pytest.mark.django_db


def test_load_admin_units_brings_34_provinces_and_3321_wards_and_is_idempotent(capsys):
    call_command("load_admin_units")
    call_command("load_admin_units")
    out = capsys.readouterr().out
    assert "34 provinces, 3321 wards" in out
    assert Province.objects.count() == 34
    assert Ward.objects.count() == 3321
    hanoi = Province.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội"
    assert hanoi.wards.filter(name="Phường Hoàn Kiếm").exists()
    # Former provinces merged on 1 July 2025 are gone (Hà Giang → Tuyên Quang).
    assert not Province.objects.filter(name__contains="Hà Giang").exists()
    assert all(unicodedata.is_normalized("NFC", name) for name in Ward.objects.values_list("name", flat=True))


def test_reloading_updates_names_in_place(tmp_path):
    data = [{"code": 1, "name": "Hà Nội", "wards": [{"code": 70, "name": "Hoàn Kiếm"}]}]
    path = tmp_path / "units.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_admin_units", file=path)
    data[0]["wards"][0]["name"] = "Phường Hoàn Kiếm"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_admin_units", file=path)
    ward = Ward.objects.get()
    assert (ward.code, ward.name, ward.province.code) == ("00070", "Phường Hoàn Kiếm", "01")
