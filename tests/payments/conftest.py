from __future__ import annotations

import pytest

from tests.payments.factories import submitted_dossier


@pytest.fixture(autouse=True)
def _payment_settings(settings):
    # The mock's HTTP sender is exercised by the live-server test; elsewhere tests deliver
    # the IPN themselves.
    settings.PAYMENT_MOCK_SEND_IPN = False
    settings.SITE_URL = "http://testserver"
    settings.PAYMENT_GATEWAY_SECRET = "test-shared-secret-0123456789"


@pytest.fixture
def dossier(db, citizen):
    return submitted_dossier(citizen=citizen, fee_amount=50000)


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client
