"""Property-based fuzzing of the JSON API from its OpenAPI schema (hypothesis driving Django's
test client: the same idea as schemathesis, without a running server). Every operation in
/api/v1/openapi.json gets ~50 generated requests — values that follow the schema and values
that do not — and must answer a documented status with JSON, never a server error. The
assistant API (a POST outside the catalogue schema) is fuzzed with arbitrary JSON bodies."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.applications.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)


def _schema() -> dict:
    return json.loads(Client().get("/api/v1/openapi.json").content)


def _value(schema: dict):
    kind = schema.get("type")
    conforming: st.SearchStrategy
    if "enum" in schema:
        conforming = st.sampled_from(schema["enum"])
    elif kind == "integer":
        conforming = st.integers(min_value=schema.get("minimum", -(2**40)), max_value=schema.get("maximum", 2**40))
    elif kind == "boolean":
        conforming = st.sampled_from(["true", "false"])
    else:
        conforming = st.text(max_size=schema.get("maxLength", 200))
    wild = st.one_of(TEXT, st.integers().map(str), st.sampled_from(["", "%", "'", "\x00", "-1", "1e9", "true"]))
    return st.one_of(conforming.map(str), wild)


def _operations() -> list[tuple[str, dict]]:
    schema = _schema()
    base = "/api/v1"
    return [(base + path, item["get"]) for path, item in schema["paths"].items() if "get" in item]


@pytest.fixture
def catalogue(db):
    return [ProcedureFactory(name="Đăng ký khai sinh", code="9.999001"), ProcedureFactory(name="Cấp căn cước")]


def test_the_schema_lists_the_catalogue_operations(catalogue):
    paths = [path for path, _op in _operations()]
    assert "/api/v1/procedures/" in paths and "/api/v1/procedures/{code}/" in paths


def _fuzz_operation(path: str, operation: dict) -> None:
    params = operation.get("parameters", [])
    # 400 is also allowed: a NUL character anywhere in a request is refused before the view.
    documented = {int(code) for code in operation["responses"]} | {400, 429}
    query_params = [p for p in params if p["in"] == "query"]
    path_params = [p for p in params if p["in"] == "path"]
    strategy = st.fixed_dictionaries(
        {p["name"]: _value(p["schema"]) for p in path_params},
        optional={p["name"]: _value(p["schema"]) for p in query_params},
    )

    @FUZZ
    @given(values=strategy)
    def run(values):
        url = path
        for p in path_params:
            url = url.replace("{" + p["name"] + "}", quote(values.pop(p["name"]), safe="") or "x")
        response = Client().get(url, values)
        assert response.status_code < 500, (url, values, response.status_code)
        assert response.status_code in documented, (url, values, response.status_code)
        assert response["Content-Type"].startswith("application/json"), (url, values)
        json.loads(response.content)

    run()


def test_every_catalogue_operation_survives_fuzzing(catalogue):
    operations = _operations()
    assert operations
    for path, operation in operations:
        _fuzz_operation(path, operation)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=10,
)
BODIES = st.one_of(
    st.fixed_dictionaries({"text": TEXT}, optional={"conversation_id": st.one_of(TEXT, JSON_VALUES)}).map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


@FUZZ
@given(body=BODIES)
def test_assistant_api_survives_fuzzing(db, body):
    from django.core.cache import cache

    cache.clear()  # the rate limit would otherwise answer 429 after 60 examples
    response = Client().post("/api/v1/assistant/", data=body, content_type="application/json")
    assert response.status_code in (200, 400, 413), (body, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    if response.status_code == 200:
        assert isinstance(data, dict)
    else:
        assert "error" in data
