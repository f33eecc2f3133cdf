from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from procedures.openapi import openapi_schema
from tests.procedures.catalogue_factories import DocumentFactory, LegalBasisFactory, ResultFactory, StepFactory
from tests.procedures.sample_catalogue import catalogue_fixture  # noqa: F401 - the "catalogue" fixture

pytestmark = pytest.mark.django_db
SCHEMA = openapi_schema()
TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def validate(value, schema: dict, path: str = "$") -> None:
    """A small JSON Schema check: types, required fields, enums, nested objects and arrays."""
    schema = _resolve(schema)
    if "oneOf" in schema:
        errors = []
        for option in schema["oneOf"]:
            try:
                validate(value, option, path)
            except AssertionError as error:
                errors.append(error)
        assert len(errors) == len(schema["oneOf"]) - 1, f"{path}: matches not exactly one of {schema['oneOf']}"
        return
    for part in schema.get("allOf", []):
        validate(value, part, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(
            isinstance(value, TYPES[t]) and not (t in {"integer", "number"} and isinstance(value, bool)) for t in types
        ), f"{path}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict):
        for name in schema.get("required", []):
            assert name in value, f"{path}: documented field {name!r} is missing"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                validate(value[name], sub, f"{path}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{index}]")


def response_schema(path: str, status: str = "200") -> dict:
    return SCHEMA["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_list_searches_and_matches_the_schema(client, catalogue):
    response = client.get(reverse("api:procedures"), {"q": "dang ky ho kinh doanh", "page_size": 1})
    assert response.status_code == 200
    data = response.json()
    validate(data, response_schema("/procedures/"))
    assert data["results"][0]["code"] == catalogue.household_business.code
    assert data["results"][0]["fee_min"] == 50000 and data["results"][0]["fee_max"] == 100000
    assert data["count"] == 2 and data["num_pages"] == 2
    assert "page=2" in data["next"] and "q=dang+ky+ho+kinh+doanh" in data["next"]
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]


def test_list_filters(client, catalogue):
    data = client.get(reverse("api:procedures"), {"sector": "ho-tich", "online": "true"}).json()
    assert [item["code"] for item in data["results"]] == [catalogue.birth.code]
    data = client.get(reverse("api:procedures"), {"level": "province", "agency": "STP-BA"}).json()
    assert [item["code"] for item in data["results"]] == [catalogue.criminal_record.code]


def test_detail_has_all_structured_data_and_matches_the_schema(client, catalogue):
    procedure = catalogue.household_business
    StepFactory(procedure=procedure, order=2, text="Nhận kết quả")
    document = DocumentFactory(
        procedure=procedure, name="Giấy đề nghị đăng ký hộ kinh doanh", form_name="Phụ lục III-1"
    )
    document.form_file.save("phu-luc.docx", ContentFile(b"x"))
    ResultFactory(procedure=procedure, name="Giấy chứng nhận đăng ký hộ kinh doanh")
    LegalBasisFactory(procedure=procedure)
    response = client.get(reverse("api:procedure", kwargs={"code": procedure.code}))
    assert response.status_code == 200
    data = response.json()
    validate(data, response_schema("/procedures/{code}/"))
    assert data["fully_online"] is True and data["accepts_online"] is True
    assert [c["channel"] for c in data["channels"]] == ["counter", "online"]
    assert data["channels"][1]["fees"][0]["amount"] == 50000
    assert data["documents"][0]["form_url"].endswith(f"/mau/{document.pk}/")
    assert data["aliases"] == ["giấy phép kinh doanh hộ cá thể"]
    assert data["keywords"] == ["hộ cá thể", "mở cửa hàng"]
    assert data["agencies"][0]["level"]["code"] == "district"
    assert [s["text"] for s in data["steps"]][-1] == "Nhận kết quả"


def test_detail_of_unknown_or_inactive_code_is_404_json(client, catalogue):
    for code in ["0.000000", catalogue.inactive.code]:
        response = client.get(reverse("api:procedure", kwargs={"code": code}))
        assert response.status_code == 404
        validate(response.json(), response_schema("/procedures/{code}/", "404"))


def test_agencies_and_sectors_match_the_schema(client, catalogue):
    agencies = client.get(reverse("api:agencies")).json()
    validate(agencies, response_schema("/agencies/"))
    assert {"STP-BA", "UBX-AN"} <= {a["code"] for a in agencies["results"]}
    sectors = client.get(reverse("api:sectors")).json()
    validate(sectors, response_schema("/sectors/"))
    assert "ho-tich" in {s["code"] for s in sectors["results"]}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "99"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"level": "galaxy"}, "level"),
        ({"sector": "khong-co"}, "sector"),
        ({"agency": "KHONG"}, "agency"),
        ({"online": "maybe"}, "online"),
        ({"q": "x" * 201}, "q"),
        ({"sort": "name"}, "sort"),
    ],
)
def test_bad_parameters_are_400_with_a_json_error(client, catalogue, params, parameter):
    response = client.get(reverse("api:procedures"), params)
    assert response.status_code == 400
    data = response.json()
    validate(data, response_schema("/procedures/", "400"))
    assert data["error"]["parameter"] == parameter
    assert "no-store" in response["Cache-Control"]


def test_error_message_follows_the_request_language(client, catalogue):
    vietnamese = client.get(reverse("api:procedures"), {"page": "abc"}).json()["error"]["message"]
    english = client.get(reverse("api:procedures"), {"page": "abc"}, HTTP_ACCEPT_LANGUAGE="en").json()["error"][
        "message"
    ]
    assert english == "page must be a whole number."
    assert vietnamese != english and "số nguyên" in vietnamese


def test_the_schema_is_served_and_documents_every_path(client):
    data = client.get(reverse("api:openapi")).json()
    assert data["openapi"].startswith("3.1")
    assert set(data["paths"]) == {"/procedures/", "/procedures/{code}/", "/agencies/", "/sectors/"}
    assert data["servers"][0]["url"].endswith("/api/v1")


def test_only_get(client, catalogue):
    assert client.post(reverse("api:procedures")).status_code == 405


def test_list_query_count_is_constant(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("api:procedures"), {"q": "dang ky"})
