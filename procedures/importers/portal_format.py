"""The portal's own catalogue format, JSON and CSV (``docs/catalogue-format.md``), version 1.

Readers return ``ParsedRow`` objects (one per procedure, with its row number and either the
data or the reasons it was rejected) so that the import can report every bad row at once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel, TimeUnit
from procedures.importers.records import AgencyData, ProcedureData

FORMAT_NAME = "dichvucong-catalogue"
FORMAT_VERSION = 1

# CSV: one row per procedure; scalar columns as text, nested lists as JSON in their cell.
CSV_SCALAR_COLUMNS = [
    "code",
    "name",
    "sector",
    "decision_number",
    "procedure_type",
    "applicants",
    "competent_authority",
    "implementing_agency_text",
    "processing_days",
    "processing_time_text",
    "conditions",
    "result_location",
    "online_level",
    "keywords",
    "popularity",
    "is_active",
    "source_url",
]
CSV_JSON_COLUMNS = [
    "levels",
    "agencies",
    "channels",
    "fees",
    "steps",
    "documents",
    "results",
    "legal_bases",
    "aliases",
    "parse_issues",
    "source_record",
]
CSV_COLUMNS = CSV_SCALAR_COLUMNS + CSV_JSON_COLUMNS

_MAX_LENGTHS = {
    "code": 40,
    "decision_number": 200,
    "procedure_type": 200,
    "processing_time_text": 500,
    "source_url": 500,
    "sector": 200,
}


class FormatError(ValueError):
    """The file as a whole cannot be read (not JSON, wrong format name or version, no header)."""


@dataclass
class ParsedRow:
    row: int
    code: str = ""
    data: ProcedureData | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[ParsedRow]
    agencies: list[AgencyData] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems with the agencies list


def _check_text(errors: list[str], where: str, value: Any, *, max_length: int | None = None) -> None:
    if not isinstance(value, str):
        errors.append(f"{where} must be text")
    elif max_length and len(value) > max_length:
        errors.append(f"{where} is longer than {max_length} characters")


def _check_list(errors: list[str], where: str, value: Any, item_type: type) -> bool:
    if not isinstance(value, list) or not all(isinstance(item, item_type) for item in value):
        errors.append(f"{where} must be a list of {'objects' if item_type is dict else 'texts'}")
        return False
    return True


def _check_number(errors: list[str], where: str, value: Any, *, allow_none: bool = True, integer: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        errors.append(f"{where} must be a non-negative number")
    elif integer and not isinstance(value, int):
        errors.append(f"{where} must be a whole number")


def _check_fee(errors: list[str], where: str, fee: dict) -> None:
    unknown = set(fee) - {"kind", "amount", "currency", "condition", "text"}
    if unknown:
        errors.append(f"{where}: unknown keys {sorted(unknown)}")
    if fee.get("kind", "") not in {"", *FeeKind.values}:
        errors.append(f"{where}.kind {fee.get('kind')!r} is not one of fee, charge or empty")
    _check_number(errors, f"{where}.amount", fee.get("amount"), integer=True)
    currency = fee.get("currency", "VND")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        errors.append(f"{where}.currency must be a three-letter code such as VND")
    for key in ("condition", "text"):
        _check_text(errors, f"{where}.{key}", fee.get(key, ""))


def validate_procedure(obj: Any) -> list[str]:
    """Reasons why a portal-format procedure object cannot be imported (empty when it can)."""
    if not isinstance(obj, dict):
        return ["the procedure must be a JSON object"]
    errors: list[str] = []
    code, name = obj.get("code"), obj.get("name")
    if not isinstance(code, str) or not code.strip():
        errors.append("code is missing")
    elif len(code) > 40 or code != code.strip():
        errors.append("code must be at most 40 characters without surrounding spaces")
    if not isinstance(name, str) or not name.strip():
        errors.append("name is missing")
    for key, max_length in _MAX_LENGTHS.items():
        if key in obj and key != "code":
            _check_text(errors, key, obj[key], max_length=max_length)
    for key in ("applicants", "competent_authority", "implementing_agency_text", "conditions", "result_location"):
        if key in obj:
            _check_text(errors, key, obj[key])
    if "keywords" in obj:
        _check_text(errors, "keywords", obj["keywords"])
    if obj.get("online_level", OnlineLevel.INFORMATION) not in OnlineLevel.values:
        errors.append(f"online_level {obj.get('online_level')!r} is not one of {', '.join(OnlineLevel.values)}")
    _check_number(errors, "processing_days", obj.get("processing_days"))
    _check_number(errors, "popularity", obj.get("popularity", 0), allow_none=False, integer=True)
    if not isinstance(obj.get("is_active", True), bool):
        errors.append("is_active must be true or false")
    if _check_list(errors, "levels", obj.get("levels", []), str):
        for level in obj.get("levels", []):
            if level not in LevelCode.values:
                errors.append(f"level {level!r} is not one of {', '.join(LevelCode.values)}")
    _check_list(errors, "agencies", obj.get("agencies", []), str)
    _check_list(errors, "steps", obj.get("steps", []), str)
    if _check_list(errors, "aliases", obj.get("aliases", []), str):
        for alias in obj.get("aliases", []):
            if not alias.strip() or len(alias) > 300:
                errors.append(f"alias {alias[:40]!r} must be 1 to 300 characters")
    _check_list(errors, "parse_issues", obj.get("parse_issues", []), str)
    if not isinstance(obj.get("source_record", {}), dict):
        errors.append("source_record must be an object")
    if _check_list(errors, "channels", obj.get("channels", []), dict):
        for index, channel in enumerate(obj.get("channels", []), start=1):
            where = f"channels[{index}]"
            unknown = set(channel) - {
                "channel",
                "time_value",
                "time_unit",
                "time_text",
                "fee_text",
                "description",
                "fees",
            }
            if unknown:
                errors.append(f"{where}: unknown keys {sorted(unknown)}")
            if channel.get("channel") not in Channel.values:
                errors.append(f"{where}.channel {channel.get('channel')!r} is not one of {', '.join(Channel.values)}")
            if channel.get("time_unit", "") not in {"", *TimeUnit.values}:
                errors.append(f"{where}.time_unit {channel.get('time_unit')!r} is not a known unit")
            _check_number(errors, f"{where}.time_value", channel.get("time_value"))
            _check_text(errors, f"{where}.time_text", channel.get("time_text", ""), max_length=500)
            for key in ("fee_text", "description"):
                _check_text(errors, f"{where}.{key}", channel.get(key, ""))
            if _check_list(errors, f"{where}.fees", channel.get("fees", []), dict):
                for fee_index, fee in enumerate(channel.get("fees", []), start=1):
                    _check_fee(errors, f"{where}.fees[{fee_index}]", fee)
    if _check_list(errors, "fees", obj.get("fees", []), dict):
        for index, fee in enumerate(obj.get("fees", []), start=1):
            _check_fee(errors, f"fees[{index}]", fee)
    if _check_list(errors, "documents", obj.get("documents", []), dict):
        for index, document in enumerate(obj.get("documents", []), start=1):
            where = f"documents[{index}]"
            unknown = set(document) - {"name", "group", "originals", "copies", "form_name", "is_required"}
            if unknown:
                errors.append(f"{where}: unknown keys {sorted(unknown)}")
            _check_text(errors, f"{where}.name", document.get("name"))
            _check_text(errors, f"{where}.group", document.get("group", ""), max_length=500)
            _check_text(errors, f"{where}.form_name", document.get("form_name", ""), max_length=300)
            for key in ("originals", "copies"):
                _check_number(errors, f"{where}.{key}", document.get(key, 0), allow_none=False, integer=True)
    if _check_list(errors, "results", obj.get("results", []), dict):
        for index, result in enumerate(obj.get("results", []), start=1):
            if set(result) - {"name", "code"}:
                errors.append(f"results[{index}]: unknown keys {sorted(set(result) - {'name', 'code'})}")
            _check_text(errors, f"results[{index}].name", result.get("name"))
            _check_text(errors, f"results[{index}].code", result.get("code", ""), max_length=60)
    if _check_list(errors, "legal_bases", obj.get("legal_bases", []), dict):
        for index, basis in enumerate(obj.get("legal_bases", []), start=1):
            if set(basis) - {"title", "number"}:
                errors.append(f"legal_bases[{index}]: unknown keys {sorted(set(basis) - {'title', 'number'})}")
            _check_text(errors, f"legal_bases[{index}].title", basis.get("title"))
            _check_text(errors, f"legal_bases[{index}].number", basis.get("number", ""), max_length=200)
    return errors


def validate_agency(obj: Any) -> list[str]:
    if not isinstance(obj, dict):
        return ["the agency must be a JSON object"]
    errors: list[str] = []
    known = {"code", "name", "level", "short_name", "parent", "address", "phone", "email", "opening_hours", "is_active"}
    if set(obj) - known:
        errors.append(f"unknown keys {sorted(set(obj) - known)}")
    for key, max_length in {"code": 40, "name": 300}.items():
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            errors.append(f"{key} is missing")
        else:
            _check_text(errors, key, obj[key], max_length=max_length)
    if obj.get("level") not in LevelCode.values:
        errors.append(f"level {obj.get('level')!r} is not one of {', '.join(LevelCode.values)}")
    for key, max_length in {"short_name": 100, "parent": 40, "address": 300, "phone": 40, "opening_hours": 200}.items():
        _check_text(errors, key, obj.get(key, ""), max_length=max_length)
    return errors


def _row(number: int, obj: Any) -> ParsedRow:
    errors = validate_procedure(obj)
    code = obj.get("code", "") if isinstance(obj, dict) and isinstance(obj.get("code"), str) else ""
    if errors:
        return ParsedRow(row=number, code=code, errors=errors)
    try:
        return ParsedRow(row=number, code=code, data=ProcedureData.from_dict(obj))
    except (TypeError, ValueError, ArithmeticError) as exc:
        return ParsedRow(row=number, code=code, errors=[str(exc)])


def _agencies(items: Any, errors: list[str]) -> list[AgencyData]:
    if not isinstance(items, list):
        errors.append("agencies must be a list")
        return []
    agencies = []
    for index, item in enumerate(items, start=1):
        problems = validate_agency(item)
        if problems:
            errors.append(f"agencies[{index}]: " + "; ".join(problems))
        else:
            agencies.append(AgencyData(**item))
    return agencies


def read_json(text: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise FormatError(f'not a catalogue document: "format" must be "{FORMAT_NAME}"')
    if document.get("version") != FORMAT_VERSION:
        raise FormatError(
            f"unsupported version {document.get('version')!r}; this portal reads version {FORMAT_VERSION}"
        )
    if not isinstance(document.get("procedures"), list):
        raise FormatError('"procedures" must be a list')
    errors: list[str] = []
    agencies = _agencies(document.get("agencies", []), errors)
    rows = [_row(number, obj) for number, obj in enumerate(document["procedures"], start=1)]
    return ParsedFile(rows=rows, agencies=agencies, errors=errors)


def read_csv(text: str) -> ParsedFile:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name"} - set(reader.fieldnames or [])
    if missing:
        raise FormatError(f"the CSV header lacks the columns {', '.join(sorted(missing))}")
    rows: list[ParsedRow] = []
    agencies: dict[str, dict] = {}
    errors: list[str] = []
    for number, record in enumerate(reader, start=1):
        obj: dict[str, Any] = {}
        problems = []
        for column, cell in record.items():
            if column is None or column not in CSV_COLUMNS:
                problems.append(f"unknown column {column!r}")
                continue
            if column in CSV_JSON_COLUMNS:
                if cell in {None, ""}:
                    continue
                try:
                    obj[column] = json.loads(cell)
                except json.JSONDecodeError:
                    problems.append(f"column {column} is not valid JSON")
            elif column == "processing_days":
                try:
                    obj[column] = float(cell) if cell else None
                except ValueError:
                    problems.append("processing_days must be a number")
            elif column == "popularity":
                obj[column] = int(cell) if (cell or "0").isdigit() else -1
            elif column == "is_active":
                obj[column] = {"1": True, "true": True, "0": False, "false": False}.get((cell or "1").lower(), cell)
            else:
                obj[column] = cell or ""
        # In CSV the agencies cell holds the agency objects themselves; the procedure keeps their codes.
        if isinstance(obj.get("agencies"), list) and all(isinstance(a, dict) for a in obj["agencies"]):
            for agency in obj["agencies"]:
                agencies.setdefault(agency.get("code"), agency)
            obj["agencies"] = [a.get("code") for a in obj["agencies"]]
        if problems:
            rows.append(ParsedRow(row=number, code=obj.get("code", ""), errors=problems))
        else:
            rows.append(_row(number, obj))
    return ParsedFile(rows=rows, agencies=_agencies(list(agencies.values()), errors), errors=errors)


def write_json(procedures: list[ProcedureData], agencies: list[AgencyData], *, extra: dict | None = None) -> str:
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        **(extra or {}),
        "agencies": [asdict(agency) for agency in agencies],
        "procedures": [procedure.to_dict() for procedure in procedures],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def write_csv(procedures: list[ProcedureData], agencies: list[AgencyData]) -> str:
    by_code = {agency.code: asdict(agency) for agency in agencies}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for procedure in procedures:
        data = procedure.to_dict()
        data["agencies"] = [by_code[code] for code in data["agencies"] if code in by_code]
        row = {}
        for column in CSV_SCALAR_COLUMNS:
            value = data[column]
            row[column] = "" if value is None else ("true" if value is True else "false" if value is False else value)
        for column in CSV_JSON_COLUMNS:
            row[column] = json.dumps(data[column], ensure_ascii=False)
        writer.writerow(row)
    return out.getvalue()
