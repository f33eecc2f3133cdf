"""Plain-Python form of one catalogue entry, shared by every reader and writer.

The csdl parser, the portal's JSON and CSV readers and the exporter all go through these
dataclasses, so the database layer (``procedures.services``) has one shape to upsert and
one shape to compare when it decides whether a row is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any


def decimal_or_none(value: Any) -> Decimal | None:
    """Times are stored with one decimal; ``3``, ``"3"``, ``3.0`` and ``"3.0"`` are the same."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"))


def decimal_to_json(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class FeeData:
    kind: str = ""  # "fee" (phí), "charge" (lệ phí) or "" when the text does not say
    amount: int | None = None  # in đồng (or in the currency below); None when the text has no amount
    currency: str = "VND"
    condition: str = ""
    text: str = ""


@dataclass
class ChannelData:
    channel: str  # procedures.constants.Channel
    time_value: Decimal | None = None
    time_unit: str = ""  # procedures.constants.TimeUnit, "" when the text states no unit
    time_text: str = ""
    fee_text: str = ""
    description: str = ""
    fees: list[FeeData] = field(default_factory=list)


@dataclass
class DocumentData:
    name: str
    group: str = ""
    originals: int = 0
    copies: int = 0
    form_name: str = ""
    is_required: bool = True


@dataclass
class ResultData:
    name: str
    code: str = ""


@dataclass
class LegalBasisData:
    title: str
    number: str = ""


@dataclass
class AgencyData:
    code: str
    name: str
    level: str  # procedures.constants.LevelCode
    short_name: str = ""
    parent: str = ""  # code of the parent agency
    address: str = ""
    phone: str = ""
    email: str = ""
    opening_hours: str = ""
    is_active: bool = True


@dataclass
class ProcedureData:
    code: str
    name: str
    sector: str = ""  # sector name; its code is the slug of the folded name
    levels: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)  # agency codes
    decision_number: str = ""
    procedure_type: str = ""
    applicants: str = ""
    competent_authority: str = ""
    implementing_agency_text: str = ""
    processing_days: Decimal | None = None
    processing_time_text: str = ""
    conditions: str = ""
    result_location: str = ""
    online_level: str = "information"
    keywords: str = ""
    popularity: int = 0
    is_active: bool = True
    source_url: str = ""
    channels: list[ChannelData] = field(default_factory=list)
    fees: list[FeeData] = field(default_factory=list)  # fee lines not tied to one channel
    steps: list[str] = field(default_factory=list)
    documents: list[DocumentData] = field(default_factory=list)
    results: list[ResultData] = field(default_factory=list)
    legal_bases: list[LegalBasisData] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    parse_issues: list[str] = field(default_factory=list)
    source_record: dict = field(default_factory=dict)
    # Agencies the csdl parser derived from the agency text; the portal format lists them at the top.
    new_agencies: list[AgencyData] = field(default_factory=list)

    def to_dict(self, *, include_source: bool = True) -> dict[str, Any]:
        """The portal format's JSON object for one procedure (docs/catalogue-format.md).

        Built by hand rather than with ``dataclasses.asdict``: the import compares two of these
        per row, and asdict's deep copies made that the slowest part of a re-import.
        """
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in {"new_agencies", "source_record"}}
        if include_source:
            data["source_record"] = dict(self.source_record)
        data["processing_days"] = decimal_to_json(self.processing_days)
        for key in ("levels", "agencies", "steps", "aliases", "parse_issues"):
            data[key] = list(data[key])
        data["channels"] = [
            {
                **{key: value for key, value in vars(channel).items() if key != "fees"},
                "time_value": decimal_to_json(channel.time_value),
                "fees": [dict(vars(fee)) for fee in channel.fees],
            }
            for channel in self.channels
        ]
        for key in ("fees", "documents", "results", "legal_bases"):
            data[key] = [dict(vars(item)) for item in data[key]]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcedureData:
        """Build from a portal-format object; unknown keys are ignored, types are checked by the caller."""
        known = {f.name for f in fields(cls)} - {"new_agencies"}
        kwargs = {key: value for key, value in data.items() if key in known}
        kwargs["processing_days"] = decimal_or_none(data.get("processing_days"))
        kwargs["channels"] = [
            ChannelData(
                **{
                    **{k: v for k, v in ch.items() if k in {f.name for f in fields(ChannelData)}},
                    "time_value": decimal_or_none(ch.get("time_value")),
                    "fees": [FeeData(**fee) for fee in ch.get("fees", [])],
                }
            )
            for ch in data.get("channels", [])
        ]
        kwargs["fees"] = [FeeData(**fee) for fee in data.get("fees", [])]
        kwargs["documents"] = [DocumentData(**doc) for doc in data.get("documents", [])]
        kwargs["results"] = [ResultData(**res) for res in data.get("results", [])]
        kwargs["legal_bases"] = [LegalBasisData(**basis) for basis in data.get("legal_bases", [])]
        return cls(**kwargs)
