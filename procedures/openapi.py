"""The OpenAPI 3.1 description of the catalogue API (``/api/v1/openapi.json``).

Kept next to the views and checked by ``tests/procedures/test_api.py``: every documented
field must be in the responses, with the documented type.
"""

from __future__ import annotations

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel, TimeUnit

API_VERSION = "1.0.0"


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}


def _object(properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": sorted(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


LEVEL = _object({"code": {"type": "string", "enum": LevelCode.values}, "name": STRING})
SECTOR = _object({"code": STRING, "name": STRING})
FEE = _object(
    {
        "kind": {"type": "string", "enum": FeeKind.values, "description": "fee = phí, charge = lệ phí"},
        "kind_label": STRING,
        "amount": _nullable({"type": "integer", "description": "Đồng; null when the text gives no amount"}),
        "currency": STRING,
        "condition": STRING,
        "text": {"type": "string", "description": "As published"},
    }
)
SUMMARY_PROPERTIES = {
    "code": {"type": "string", "description": "Official procedure code"},
    "name": STRING,
    "url": {"type": "string", "format": "uri", "description": "The procedure's page"},
    "api_url": {"type": "string", "format": "uri"},
    "sector": {"oneOf": [_ref("Sector"), {"type": "null"}]},
    "levels": _array(_ref("Level")),
    "processing_days": _nullable({"type": "number", "description": "Shortest stated time, in working days"}),
    "processing_time_text": STRING,
    "online_level": {"type": "string", "enum": OnlineLevel.values},
    "fully_online": BOOLEAN,
    "fee_min": _nullable({"type": "integer", "description": "Lowest fee line in đồng"}),
    "fee_max": _nullable({"type": "integer", "description": "Highest fee line in đồng"}),
}
AGENCY = _object(
    {
        "code": STRING,
        "name": STRING,
        "short_name": STRING,
        "level": _ref("Level"),
        "parent": _nullable({"type": "string", "description": "Code of the parent agency"}),
        "address": STRING,
        "phone": STRING,
        "email": STRING,
        "opening_hours": STRING,
    }
)
CHANNEL = _object(
    {
        "channel": {"type": "string", "enum": Channel.values},
        "channel_label": STRING,
        "time_value": _nullable(NUMBER),
        "time_unit": {"type": ["string", "null"], "enum": [*TimeUnit.values, None]},
        "time_text": STRING,
        "fee_text": STRING,
        "description": STRING,
        "fees": _array(_ref("Fee")),
    }
)
DETAIL_PROPERTIES = {
    **SUMMARY_PROPERTIES,
    "online_level_label": STRING,
    "accepts_online": {"type": "boolean", "description": "An online dossier can be submitted"},
    "decision_number": STRING,
    "procedure_type": STRING,
    "applicants": STRING,
    "agencies": _array(_ref("Agency")),
    "implementing_agency_text": STRING,
    "channels": _array(_ref("Channel")),
    "fees": _array(
        {
            "allOf": [_ref("Fee")],
            "type": "object",
            "required": ["channel"],
            "properties": {"channel": {"type": ["string", "null"], "enum": [*Channel.values, None]}},
        }
    ),
    "documents": _array(
        _object(
            {
                "group": STRING,
                "name": STRING,
                "originals": INTEGER,
                "copies": INTEGER,
                "is_required": BOOLEAN,
                "form_name": STRING,
                "form_url": _nullable({"type": "string", "format": "uri"}),
            }
        )
    ),
    "steps": _array(_object({"order": INTEGER, "text": STRING})),
    "results": _array(_object({"name": STRING, "code": STRING})),
    "result_location": STRING,
    "conditions": STRING,
    "legal_bases": _array(_object({"title": STRING, "number": STRING})),
    "aliases": _array(STRING),
    "keywords": _array(STRING),
    "updated_at": {"type": "string", "format": "date-time"},
}
ERROR = _object(
    {
        "error": _object(
            {
                "code": {"type": "string", "enum": ["invalid_parameter", "not_found"]},
                "parameter": _nullable(STRING),
                "message": {"type": "string", "description": "In the request's language (vi or en)"},
            }
        )
    }
)


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_schema(*, server_url: str = "/api/v1") -> dict:
    bad = _json(_ref("Error"), "A parameter is wrong; the message says which and why.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cổng Dịch vụ công – catalogue API",
            "version": API_VERSION,
            "description": (
                "Read-only access to the province's catalogue of administrative procedures. "
                "Responses are public and may be cached for five minutes. Send Accept-Language: en "
                "for English error messages (Vietnamese by default)."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/procedures/": {
                "get": {
                    "operationId": "listProcedures",
                    "summary": "Search and list procedures, most relevant first",
                    "parameters": [
                        _query(
                            "q",
                            "Words, with or without diacritics; a typo is tolerated",
                            {"type": "string", "maxLength": 200},
                        ),
                        _query("level", "Administrative level code", {"type": "string", "enum": LevelCode.values}),
                        _query("sector", "Sector code (see /sectors/)", STRING),
                        _query("agency", "Agency code (see /agencies/)", STRING),
                        _query("online", "true: only fully online; false: only not fully online", BOOLEAN),
                        _query("page", "Page number, from 1", {"type": "integer", "minimum": 1}),
                        _query("page_size", "Results a page", {"type": "integer", "minimum": 1, "maximum": 100}),
                    ],
                    "responses": {"200": _json(_ref("ProcedurePage"), "A page of procedures"), "400": bad},
                }
            },
            "/procedures/{code}/": {
                "get": {
                    "operationId": "getProcedure",
                    "summary": "Everything about one procedure",
                    "parameters": [{"name": "code", "in": "path", "required": True, "schema": STRING}],
                    "responses": {
                        "200": _json(_ref("Procedure"), "The procedure"),
                        "404": _json(_ref("Error"), "No active procedure has this code"),
                    },
                }
            },
            "/agencies/": {
                "get": {
                    "operationId": "listAgencies",
                    "summary": "Active agencies",
                    "responses": {"200": _json(_object({"results": _array(_ref("Agency"))}), "All active agencies")},
                }
            },
            "/sectors/": {
                "get": {
                    "operationId": "listSectors",
                    "summary": "Sectors (lĩnh vực)",
                    "responses": {"200": _json(_object({"results": _array(_ref("Sector"))}), "All sectors")},
                }
            },
        },
        "components": {
            "schemas": {
                "Level": LEVEL,
                "Sector": SECTOR,
                "Fee": FEE,
                "Agency": AGENCY,
                "Channel": CHANNEL,
                "ProcedureSummary": _object(SUMMARY_PROPERTIES),
                "Procedure": _object(DETAIL_PROPERTIES),
                "ProcedurePage": _object(
                    {
                        "count": INTEGER,
                        "page": INTEGER,
                        "page_size": INTEGER,
                        "num_pages": INTEGER,
                        "next": _nullable({"type": "string", "format": "uri"}),
                        "previous": _nullable({"type": "string", "format": "uri"}),
                        "results": _array(_ref("ProcedureSummary")),
                    }
                ),
                "Error": ERROR,
            }
        },
    }
