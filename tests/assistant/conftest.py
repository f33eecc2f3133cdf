import pytest
from django.utils import translation

from procedures.assistant.index import forget_index


@pytest.fixture(autouse=True)
def _fresh_index():
    # The index is per process; each test builds its own catalogue.
    forget_index()
    with translation.override("vi"):
        yield
    forget_index()


@pytest.fixture
def catalogue(db):
    from tests.assistant.factories import small_catalogue

    return small_catalogue()
