from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from portal.money import format_vnd
from procedures.models import AdministrativeLevel, Agency, Procedure, Sector
from procedures.services import BUNDLED_CATALOGUE

pytestmark = pytest.mark.django_db

MUST = (
    "1.001612 1.001266 1.001570 3.000333 3.000334 1.001193 1.000894 1.000656 1.004873 2.000815 "
    "1.002755 1.003197 1.004194 1.004222 1.001456 1.012753 1.013225 1.002438 3.000348"
).split()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Loaded once for the module (300 procedures take seconds), removed afterwards."""
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("load_catalogue", stdout=out)
        yield out.getvalue()
        Procedure.objects.all().delete()
        Agency.objects.filter(parent__isnull=False).delete()
        Agency.objects.all().delete()
        Sector.objects.all().delete()
        AdministrativeLevel.objects.all().delete()


def test_bundled_file_is_the_portal_format_with_province_overrides():
    document = json.loads(BUNDLED_CATALOGUE.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("dichvucong-catalogue", 1)
    assert any(override["code"] == "1.001612" for override in document["province_overrides"])


def test_bundled_catalogue_loads_with_its_counts(loaded):
    assert ", 0 bị từ chối" in loaded
    assert Procedure.objects.count() >= 250
    assert Sector.objects.filter(procedures__isnull=False).distinct().count() >= 12
    assert Procedure.objects.filter(levels__code="province").exists()
    assert Procedure.objects.filter(levels__code="commune").exists()
    assert set(MUST) <= set(Procedure.objects.values_list("code", flat=True))
    assert 30 <= Procedure.objects.filter(online_level="full").count() <= 50


def test_household_business_registration_carries_the_province_decision(loaded):
    procedure = Procedure.objects.get(code="1.001612")
    assert procedure.processing_days == Decimal(3)
    assert procedure.online_level == "full"
    amounts = {(fee.kind, format_vnd(fee.amount)) for fee in procedure.fees.all()}
    assert amounts == {("charge", "50.000 đ")}
    assert {channel.time_unit for channel in procedure.channels.all()} == {"working_days"}
    assert "giấy phép kinh doanh hộ cá thể" in procedure.aliases.values_list("phrase", flat=True)
    assert procedure.popularity > 0


def test_demo_agencies_at_both_levels_with_contact_details(loaded):
    province = Agency.objects.filter(level__code="province")
    communes = Agency.objects.filter(level__code="commune")
    assert province.filter(name="Ủy ban nhân dân tỉnh Bình An").exists()
    assert province.filter(name__startswith="Trung tâm Phục vụ hành chính công").exists()
    assert 3 <= communes.count() <= 4
    assert all(agency.address and agency.phone and agency.opening_hours for agency in Agency.objects.all())
    birth = Procedure.objects.get(code="1.001193")
    assert birth.agencies.filter(level__code="commune").count() == communes.count()
    assert Procedure.objects.get(code="3.000333").agencies.filter(code="cong-an-tinh").exists()


def test_loading_twice_changes_nothing(loaded):
    stamps = dict(Procedure.objects.values_list("code", "updated_at"))
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    assert "0 thêm mới, 0 cập nhật, " in out.getvalue()
    assert dict(Procedure.objects.values_list("code", "updated_at")) == stamps


def test_bundled_catalogue_round_trips_through_export(loaded):
    from procedures.services import catalogue_export, catalogue_import

    exported = catalogue_export(fmt="json")
    report = catalogue_import(file=io.StringIO(exported), fmt="json")
    assert report.counts["unchanged"] == Procedure.objects.count()
    assert report.counts["created"] == report.counts["updated"] == report.counts["rejected"] == 0
