from __future__ import annotations

import pytest

from tests.applications.factories import OfficialFactory


@pytest.fixture
def official(db):
    return OfficialFactory()


@pytest.fixture
def official_user(official):
    return official.user
