from __future__ import annotations

import pytest
from django.core.management import call_command

from applications.demo import DEMO_OFFICIAL, DEMO_PROCEDURE_CODE, OFFICIALS_GROUP
from applications.models import Official
from tests.applications.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_official_when_the_catalogue_is_loaded(django_user_model):
    procedure = ProcedureFactory(code=DEMO_PROCEDURE_CODE)
    call_command("seed_demo")
    call_command("seed_demo")
    official = Official.objects.get(user__email=DEMO_OFFICIAL["email"])
    assert official.agency == procedure.agencies.get()
    user = official.user
    assert user.is_staff and user.check_password(DEMO_OFFICIAL["password"])
    assert user.groups.filter(name=OFFICIALS_GROUP).exists()
    assert user.has_perm("applications.validate_dossier")
    assert django_user_model.objects.filter(email=DEMO_OFFICIAL["email"]).count() == 1


def test_seed_demo_without_catalogue_skips_the_official():
    call_command("seed_demo")
    assert not Official.objects.exists()
