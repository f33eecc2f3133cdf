from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from procedures.models import Agency, Procedure, Sector
from procedures.services import catalogue_export, catalogue_import

from .catalogue_samples import (
    H,
    csdl_file,
    csdl_record,
    portal_document,
    portal_procedure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tmp_path):
    path = tmp_path / "procedures.jsonl"
    path.write_text(
        csdl_file(
            csdl_record("3.000333"),
            csdl_record("1.000014", cach_thuc_thuc_hien=H + "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)"),
            csdl_record(
                "1.001010", cach_thuc_thuc_hien=H + "Trực tiếp6 Tháng100 USD(100 USD/thẻ.)", cap_thuc_hien="Cấp xã"
            ),
        ),
        encoding="utf-8",
    )
    catalogue_import(file=path, fmt="csdl")
    extra = tmp_path / "extra.json"
    extra.write_text(portal_document(portal_procedure("1.001193")), encoding="utf-8")
    catalogue_import(file=extra, fmt="json")
    return Procedure.objects.count()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_changes_nothing(catalogue, fmt):
    exported = catalogue_export(fmt=fmt)
    report = catalogue_import(file=io.StringIO(exported), fmt=fmt)
    assert report.counts == {"created": 0, "updated": 0, "unchanged": catalogue, "rejected": 0}
    assert (report.agencies_created, report.agencies_updated) == (0, 0)
    assert catalogue_export(fmt=fmt) == exported


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_into_an_empty_database_rebuilds_the_same_catalogue(catalogue, fmt):
    exported = catalogue_export(fmt=fmt)
    Procedure.objects.all().delete()
    Agency.objects.all().delete()
    Sector.objects.all().delete()
    report = catalogue_import(file=io.StringIO(exported), fmt=fmt)
    assert report.counts["created"] == catalogue and report.ok
    assert catalogue_export(fmt=fmt) == exported


def test_export_command_writes_a_file(catalogue, tmp_path):
    target = tmp_path / "out.json"
    call_command("export_procedures", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith('{\n "format": "dichvucong-catalogue",\n "version": 1,')
    assert '"code": "3.000333"' in text
    out = io.StringIO()
    call_command("import_procedures", str(target), stdout=out)
    assert f"0 thêm mới, 0 cập nhật, {catalogue} không đổi, 0 bị từ chối" in out.getvalue()
