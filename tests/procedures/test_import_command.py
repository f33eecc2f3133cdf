from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from procedures.models import Agency, Fee, Procedure, ProcedureAlias, Sector
from procedures.services import CatalogueImportError, catalogue_import

from .catalogue_samples import csdl_file, csdl_record, portal_document, portal_procedure

pytestmark = pytest.mark.django_db


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_procedures", *args, stdout=out)
    return out.getvalue()


def test_csdl_import_creates_structured_procedures_and_agencies(tmp_path):
    path = write(tmp_path, "procedures.jsonl", csdl_file(csdl_record("3.000333"), csdl_record("1.001321")))
    output = run(str(path), "--format", "csdl")
    assert "2 thêm mới, 0 cập nhật, 0 không đổi, 0 bị từ chối" in output
    procedure = Procedure.objects.get(code="3.000333")
    assert procedure.processing_days == Decimal(7)
    assert procedure.online_level == "full"
    assert procedure.sector.name == "Lý lịch tư pháp"
    assert procedure.sector.code == "ly-lich-tu-phap"
    assert [level.code for level in procedure.levels.all()] == ["province"]
    (agency,) = procedure.agencies.all()
    assert (agency.name, agency.level.code) == ("Công an tỉnh", "province")
    assert sorted(Fee.objects.filter(procedure=procedure).values_list("amount", flat=True)) == [0, 2000]
    assert procedure.legal_bases.get().number == "28/2009/QH12"
    assert procedure.documents.get().form_name == "MuTkhaixaK.docx"
    assert procedure.source_record["ma_thu_tuc"] == "3.000333"
    assert "fold" not in procedure.search_text and "thu tuc 3 000333" in procedure.search_text


def test_second_import_reports_everything_unchanged_and_writes_nothing(tmp_path):
    path = write(tmp_path, "procedures.jsonl", csdl_file(csdl_record("3.000333"), csdl_record("1.001321")))
    run(str(path), "--format", "csdl")
    stamps = dict(Procedure.objects.values_list("code", "updated_at"))
    fee_ids = set(Fee.objects.values_list("id", flat=True))
    report = catalogue_import(file=path, fmt="csdl")
    assert report.counts == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert (report.agencies_created, report.agencies_updated) == (0, 0)
    assert dict(Procedure.objects.values_list("code", "updated_at")) == stamps
    assert set(Fee.objects.values_list("id", flat=True)) == fee_ids


def test_changed_record_is_updated(tmp_path):
    path = write(tmp_path, "a.jsonl", csdl_file(csdl_record("3.000333")))
    catalogue_import(file=path, fmt="csdl")
    changed = write(tmp_path, "b.jsonl", csdl_file(csdl_record("3.000333", ten_thu_tuc="Cấp Phiếu Lý lịch tư pháp")))
    report = catalogue_import(file=changed, fmt="csdl")
    assert report.counts["updated"] == 1
    assert Procedure.objects.get().name == "Cấp Phiếu Lý lịch tư pháp"
    assert Fee.objects.count() == 2  # children replaced, not added


def test_dry_run_reports_and_changes_nothing(tmp_path):
    path = write(tmp_path, "procedures.jsonl", csdl_file(csdl_record("3.000333")))
    output = run(str(path), "--format", "csdl", "--dry-run")
    assert "1 thêm mới" in output and "Chạy thử" in output
    assert not Procedure.objects.exists()
    assert not Agency.objects.exists() and not Sector.objects.exists()


def test_bad_file_changes_nothing_and_names_each_bad_row(tmp_path):
    good = portal_procedure("1.000001")
    bad_level = portal_procedure("1.000002", levels=["district-x"])
    no_name = portal_procedure("1.000003", name="")
    bad_amount = portal_procedure("1.000004", fees=[{"kind": "charge", "amount": -5}])
    path = write(tmp_path, "catalogue.json", portal_document(good, bad_level, no_name, bad_amount, good))
    report_path = tmp_path / "report.txt"
    with pytest.raises(CommandError):
        run(str(path), "--report", str(report_path))
    report = report_path.read_text(encoding="utf-8")
    assert "row 1\t1.000001\tcreated" in report
    assert "row 2\t1.000002\trejected\tlevel 'district-x' is not one of" in report
    assert "row 3\t1.000003\trejected\tname is missing" in report
    assert "row 4\t1.000004\trejected\tfees[1].amount must be a non-negative number" in report
    assert "row 5\t1.000001\trejected\tthe same code appears earlier in the file" in report
    assert "không có thay đổi nào" in report
    assert not Procedure.objects.exists() and not Agency.objects.exists()


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(CatalogueImportError):
        catalogue_import(file=io.StringIO("{not json"), fmt="json")
    with pytest.raises(CatalogueImportError, match="version"):
        catalogue_import(file=io.StringIO(json.dumps({"format": "dichvucong-catalogue", "version": 9})), fmt="json")
    with pytest.raises(CommandError):
        run(str(write(tmp_path, "x.csv", "foo,bar\n1,2\n")))
    bad_line = write(tmp_path, "bad.jsonl", csdl_file(csdl_record("3.000333")) + "{oops\n")
    report = catalogue_import(file=bad_line, fmt="csdl")
    assert report.counts["rejected"] == 1 and not Procedure.objects.exists()
    assert report.rows[1].row == 2 and "not valid JSON" in report.rows[1].reasons[0]


def test_unknown_agency_code_is_rejected(tmp_path):
    path = write(tmp_path, "c.json", portal_document(portal_procedure("1.000001"), agencies=[]))
    report = catalogue_import(file=path, fmt="json")
    assert report.rows[0].reasons == ["unknown agency codes: ubnd-xa-tan-lap"]
    assert not Procedure.objects.exists()


def test_portal_json_import_upserts_by_code(tmp_path):
    path = write(tmp_path, "c.json", portal_document(portal_procedure("1.000001")))
    assert catalogue_import(file=path, fmt="json").counts["created"] == 1
    procedure = Procedure.objects.get(code="1.000001")
    assert list(ProcedureAlias.objects.values_list("phrase", flat=True)) == ["làm giấy khai sinh"]
    assert procedure.agencies.get().opening_hours.startswith("Thứ Hai")
    assert procedure.channels.get().fees.get().amount == 50000
    again = catalogue_import(file=path, fmt="json")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    renamed = write(tmp_path, "d.json", portal_document(portal_procedure("1.000001", popularity=99)))
    assert catalogue_import(file=renamed, fmt="json").counts["updated"] == 1
    assert Procedure.objects.get().popularity == 99


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Công an tỉnh", [("Công an tỉnh", "province")]),
        ("Ủy ban Nhân dân xã, phường, thị trấn.", [("Ủy ban Nhân dân xã, phường, thị trấn", "commune")]),
        (
            "Sở Xây dựng, Uỷ ban Nhân dân cấp xã, phường, thị trấn",
            [("Sở Xây dựng", "province"), ("Uỷ ban Nhân dân cấp xã, phường, thị trấn", "commune")],
        ),
        ("Bảo hiểm xã hội cấp Tỉnh", [("Bảo hiểm xã hội cấp Tỉnh", "province")]),
        (
            "Cục cảnh sát quản lý hành chính về trật tự, xã hội",
            [("Cục cảnh sát quản lý hành chính về trật tự, xã hội", "ministry")],
        ),
        ("Không có thông tin", []),
    ],
)
def test_agencies_from_the_published_text(text, expected):
    from procedures.importers.csdl import value
    from procedures.services import agencies_from_text

    agencies, _issues = agencies_from_text(text=value(text), procedure_levels=["province", "commune"])
    assert [(agency.name, agency.level) for agency in agencies] == expected
