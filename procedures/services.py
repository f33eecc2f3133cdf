"""Changing the catalogue: import (csdl, portal JSON, portal CSV), export, the bundled catalogue.

``catalogue_import`` is what the command and the admin call. The whole import runs in one
transaction: when any row is rejected nothing is written, and the report names each bad row.
A row is compared with what the database holds through the same plain form the exporter
writes, so a second import of the same file, or the import of an export, reports every row
unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from procedures.constants import LevelCode
from procedures.importers import csdl, portal_format
from procedures.importers.records import (
    AgencyData,
    ChannelData,
    DocumentData,
    FeeData,
    LegalBasisData,
    ProcedureData,
    ResultData,
)
from procedures.models import (
    AdministrativeLevel,
    Agency,
    Fee,
    LegalBasis,
    Procedure,
    ProcedureAlias,
    ProcedureChannel,
    ProcedureResult,
    RequiredDocument,
    Sector,
    Step,
)
from procedures.pagecache import catalogue_pages_changed
from procedures.search import procedure_refresh_search_text
from procedures.text import fold

FORMATS = ("json", "csv", "csdl")
BUNDLED_CATALOGUE = Path(__file__).resolve().parent / "data" / "catalogue.json"

LEVEL_NAMES = {
    LevelCode.MINISTRY: ("Cấp bộ", 0),
    LevelCode.PROVINCE: ("Cấp tỉnh", 1),
    LevelCode.DISTRICT: ("Cấp huyện", 2),
    LevelCode.COMMUNE: ("Cấp xã", 3),
    LevelCode.OTHER: ("Cơ quan khác", 4),
}
LEVEL_ORDER = list(LEVEL_NAMES)

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"


class CatalogueImportError(Exception):
    """The file cannot be read at all; nothing was imported."""


@dataclass
class RowOutcome:
    row: int
    code: str
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    fmt: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    agencies_created: int = 0
    agencies_updated: int = 0
    file_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        counter = Counter(outcome.status for outcome in self.rows)
        return {status: counter.get(status, 0) for status in (CREATED, UPDATED, UNCHANGED, REJECTED)}

    @property
    def ok(self) -> bool:
        return not self.file_errors and self.counts[REJECTED] == 0

    @property
    def applied(self) -> bool:
        return self.ok and not self.dry_run

    def as_text(self, *, verbose: bool = True) -> str:
        counts = self.counts
        lines = []
        if verbose:
            for outcome in self.rows:
                line = f"row {outcome.row}\t{outcome.code or '-'}\t{outcome.status}"
                if outcome.reasons:
                    line += "\t" + "; ".join(outcome.reasons)
                lines.append(line)
        else:
            lines.extend(
                f"row {o.row}\t{o.code or '-'}\t{o.status}\t" + "; ".join(o.reasons)
                for o in self.rows
                if o.status == REJECTED
            )
        lines.extend(f"file: {error}" for error in self.file_errors)
        lines.append(
            _(
                "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(rejected)d rejected; "
                "agencies: %(agencies_created)d created, %(agencies_updated)d updated."
            )
            % {**counts, "agencies_created": self.agencies_created, "agencies_updated": self.agencies_updated}
        )
        if not self.ok:
            lines.append(_("The file was rejected: nothing was changed."))
        elif self.dry_run:
            lines.append(_("Dry run: nothing was changed."))
        return "\n".join(lines)


class _Rollback(Exception):
    pass


# --- reference data -----------------------------------------------------------------------------


def levels_ensure() -> dict[str, AdministrativeLevel]:
    """The administrative levels are data (the 2025 reform removed the district tier)."""
    existing = {level.code: level for level in AdministrativeLevel.objects.all()}
    for code, (name, rank) in LEVEL_NAMES.items():
        if code not in existing:
            existing[code] = AdministrativeLevel.objects.create(code=code, name=name, rank=rank)
    return existing


def code_slug(text: str, max_length: int) -> str:
    """A code from a Vietnamese name: folded, slugified, cut with a stable hash suffix when too long."""
    slug = slugify(fold(text)) or "x"
    if len(slug) <= max_length:
        return slug
    digest = hashlib.sha1(slug.encode()).hexdigest()[:8]  # noqa: S324 - a short stable suffix, not security
    return f"{slug[: max_length - 9].rstrip('-')}-{digest}"


_MINISTRY_PREFIXES = (
    " bo ",
    " cuc ",
    " tong cuc ",
    " chi cuc ",
    " vu ",
    " ngan hang nha nuoc viet nam ",
    " uy ban chung khoan ",
    " thanh tra chinh phu ",
)


def _agency_level_from_text(name: str, procedure_levels: list[str]) -> str:
    # "xã hội" (social) is not "xã" (commune): "Bảo hiểm xã hội cấp tỉnh", "trật tự, xã hội".
    folded = f" {fold(name)} ".replace(" xa hoi ", " ")
    if folded.startswith(_MINISTRY_PREFIXES):
        return LevelCode.MINISTRY
    if any(word in folded for word in (" cap xa ", " xa ", " phuong ", " dac khu ")):
        return LevelCode.COMMUNE
    if any(word in folded for word in (" tinh ", " cap tinh ", " so ", " thanh pho ")):
        return LevelCode.PROVINCE
    if " cap huyen " in folded:
        return LevelCode.DISTRICT  # pre-2025 wording still in some records
    if len(procedure_levels) == 1:
        return procedure_levels[0]
    return LevelCode.OTHER


# A new agency starts after ";" or after ", " followed by a capital ("Sở Xây dựng, Uỷ ban Nhân dân cấp xã");
# a lower-case word after a comma continues the same name ("Ủy ban Nhân dân xã, phường, thị trấn").
_AGENCY_SPLIT = re.compile(r";|,\s+(?=[A-ZĐÀ-ÝẠ-Ỹ])")


def agencies_from_text(*, text: str, procedure_levels: list[str]) -> tuple[list[AgencyData], list[str]]:
    """The csdl "Cơ quan thực hiện" text → agencies (one per name) and issues."""
    agencies, issues = [], []
    for part in _AGENCY_SPLIT.split(text):
        name = " ".join(part.split()).strip(" .,-")
        if not name:
            continue
        if len(name) > 200:
            issues.append(f"agency text too long to be an agency name, kept as text: {name[:80]!r}")
            continue
        level = _agency_level_from_text(name, procedure_levels)
        code = code_slug(f"{level} {name}", 40)
        if all(agency.code != code for agency in agencies):
            agencies.append(AgencyData(code=code, name=name, level=level))
    return agencies, issues


class _References:
    """Sectors, levels and agencies looked up once per import."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.levels = levels_ensure()
        self.sectors = {sector.name: sector for sector in Sector.objects.all()}
        self.sector_codes = {sector.code for sector in self.sectors.values()}
        self.agencies = {agency.code: agency for agency in Agency.objects.select_related("level", "parent")}

    def sector(self, name: str) -> Sector | None:
        if not name:
            return None
        if name not in self.sectors:
            code = base = code_slug(name, 60)
            suffix = 2
            while code in self.sector_codes:
                code = f"{base[:56]}-{suffix}"
                suffix += 1
            self.sectors[name] = Sector.objects.create(code=code, name=name)
            self.sector_codes.add(code)
        return self.sectors[name]

    def agency_upsert(self, data: AgencyData, *, update: bool) -> Agency:
        values = {
            "name": data.name,
            "short_name": data.short_name,
            "level": self.levels[data.level],
            "parent": self.agencies.get(data.parent) if data.parent else None,
            "address": data.address,
            "phone": data.phone,
            "email": data.email,
            "opening_hours": data.opening_hours,
            "is_active": data.is_active,
        }
        agency = self.agencies.get(data.code)
        if agency is None:
            agency = Agency.objects.create(code=data.code, **values)
            self.agencies[data.code] = agency
            self.report.agencies_created += 1
        elif update and any(getattr(agency, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(agency, key, value)
            agency.save()
            self.report.agencies_updated += 1
        return agency


# --- database ↔ plain form ---------------------------------------------------------------------


def _fee_data(fee: Fee) -> FeeData:
    return FeeData(kind=fee.kind, amount=fee.amount, currency=fee.currency, condition=fee.condition, text=fee.text)


def procedure_to_data(procedure: Procedure) -> ProcedureData:
    """Expects the prefetches of ``_procedures_for_export``."""
    fees = list(procedure.fees.all())
    return ProcedureData(
        code=procedure.code,
        name=procedure.name,
        sector=procedure.sector.name if procedure.sector_id else "",
        levels=sorted((level.code for level in procedure.levels.all()), key=LEVEL_ORDER.index),
        agencies=sorted(agency.code for agency in procedure.agencies.all()),
        decision_number=procedure.decision_number,
        procedure_type=procedure.procedure_type,
        applicants=procedure.applicants,
        competent_authority=procedure.competent_authority,
        implementing_agency_text=procedure.implementing_agency_text,
        processing_days=procedure.processing_days,
        processing_time_text=procedure.processing_time_text,
        conditions=procedure.conditions,
        result_location=procedure.result_location,
        online_level=procedure.online_level,
        keywords=procedure.keywords,
        popularity=procedure.popularity,
        is_active=procedure.is_active,
        source_url=procedure.source_url,
        channels=[
            ChannelData(
                channel=channel.channel,
                time_value=channel.time_value,
                time_unit=channel.time_unit,
                time_text=channel.time_text,
                fee_text=channel.fee_text,
                description=channel.description,
                fees=[_fee_data(fee) for fee in fees if fee.channel_id == channel.pk],
            )
            for channel in procedure.channels.all()
        ],
        fees=[_fee_data(fee) for fee in fees if fee.channel_id is None],
        steps=[step.text for step in procedure.steps.all()],
        documents=[
            DocumentData(
                name=d.name,
                group=d.group,
                originals=d.originals,
                copies=d.copies,
                form_name=d.form_name,
                is_required=d.is_required,
            )
            for d in procedure.documents.all()
        ],
        results=[ResultData(name=r.name, code=r.code) for r in procedure.results.all()],
        legal_bases=[LegalBasisData(title=b.title, number=b.number) for b in procedure.legal_bases.all()],
        aliases=sorted(alias.phrase for alias in procedure.aliases.all()),
        parse_issues=list(procedure.parse_issues),
        source_record=dict(procedure.source_record),
    )


def _canonical(data: ProcedureData) -> ProcedureData:
    """Orders that carry no meaning (levels, agencies, aliases) sorted, as the database returns them."""
    data.levels = sorted(dict.fromkeys(data.levels), key=LEVEL_ORDER.index)
    data.agencies = sorted(dict.fromkeys(data.agencies))
    data.aliases = sorted(dict.fromkeys(alias.strip() for alias in data.aliases if alias.strip()))
    return data


def _procedures_for_export(queryset=None):
    queryset = Procedure.objects.all() if queryset is None else queryset
    return queryset.select_related("sector").prefetch_related(
        "levels", "agencies", "channels", "fees", "steps", "documents", "results", "legal_bases", "aliases"
    )


_SCALARS = (
    "name",
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
    "parse_issues",
    "source_record",
)


def _write_procedures(items: list[tuple[Procedure | None, ProcedureData]], refs: _References) -> None:
    """Write a chunk of new or changed procedures: one save() each (it keeps ``search_text``), and
    their lists in one bulk insert per table for the whole chunk."""
    updated_ids = [procedure.pk for procedure, _data in items if procedure is not None]
    if updated_ids:
        # Lists are replaced whole: their order is their identity in the published text.
        for model in (Fee, ProcedureChannel, Step, RequiredDocument, ProcedureResult, LegalBasis, ProcedureAlias):
            model.objects.filter(procedure_id__in=updated_ids).delete()
        Procedure.levels.through.objects.filter(procedure_id__in=updated_ids).delete()
        Procedure.agencies.through.objects.filter(procedure_id__in=updated_ids).delete()
    written: list[tuple[Procedure, ProcedureData]] = []
    for procedure, data in items:
        procedure = procedure or Procedure(code=data.code)
        for key in _SCALARS:
            setattr(procedure, key, getattr(data, key))
        procedure.sector = refs.sector(data.sector)
        procedure.save()
        written.append((procedure, data))
    level_links, agency_links, channels = [], [], []
    steps, documents, results, bases, aliases = [], [], [], [], []
    for procedure, data in written:
        level_links += [
            Procedure.levels.through(procedure_id=procedure.pk, administrativelevel_id=refs.levels[code].pk)
            for code in data.levels
        ]
        agency_links += [
            Procedure.agencies.through(procedure_id=procedure.pk, agency_id=refs.agencies[code].pk)
            for code in data.agencies
        ]
        channels += [
            ProcedureChannel(
                procedure=procedure,
                order=index,
                channel=channel.channel,
                time_value=channel.time_value,
                time_unit=channel.time_unit,
                time_text=channel.time_text,
                fee_text=channel.fee_text,
                description=channel.description,
            )
            for index, channel in enumerate(data.channels)
        ]
        steps += [Step(procedure=procedure, order=index, text=text) for index, text in enumerate(data.steps, start=1)]
        documents += [
            RequiredDocument(procedure=procedure, order=index, **asdict(document))
            for index, document in enumerate(data.documents)
        ]
        results += [
            ProcedureResult(procedure=procedure, order=index, **asdict(result))
            for index, result in enumerate(data.results)
        ]
        bases += [
            LegalBasis(procedure=procedure, order=index, **asdict(basis))
            for index, basis in enumerate(data.legal_bases)
        ]
        aliases += [ProcedureAlias(procedure=procedure, phrase=phrase) for phrase in data.aliases]
    Procedure.levels.through.objects.bulk_create(level_links)
    Procedure.agencies.through.objects.bulk_create(agency_links)
    # bulk_create returns primary keys on PostgreSQL and SQLite ≥ 3.35, which the fees need.
    ProcedureChannel.objects.bulk_create(channels)
    channel_rows = iter(channels)
    fees = []
    for procedure, data in written:
        order = 0
        for channel_data in data.channels:
            channel = next(channel_rows)
            for fee in channel_data.fees:
                fees.append(Fee(procedure=procedure, channel=channel, order=order, **asdict(fee)))
                order += 1
        for fee in data.fees:
            fees.append(Fee(procedure=procedure, channel=None, order=order, **asdict(fee)))
            order += 1
    Fee.objects.bulk_create(fees)
    Step.objects.bulk_create(steps)
    RequiredDocument.objects.bulk_create(documents)
    ProcedureResult.objects.bulk_create(results)
    LegalBasis.objects.bulk_create(bases)
    ProcedureAlias.objects.bulk_create(aliases)


# --- import ------------------------------------------------------------------------------------


def _read(*, file: IO | str | Path, fmt: str) -> portal_format.ParsedFile:
    raw = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    if fmt == "json":
        return portal_format.read_json(text)
    if fmt == "csv":
        return portal_format.read_csv(text)
    if fmt == "csdl":
        return _read_csdl_with_agencies(text)
    raise CatalogueImportError(_("Unknown format %(fmt)s: use json, csv or csdl.") % {"fmt": fmt})


def guess_format(filename: str) -> str:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".jsonl"):
        return "csdl"
    return "json"


def catalogue_import(*, file: IO | str | Path, fmt: str = "json", dry_run: bool = False) -> ImportReport:
    """Upsert procedures by code from a file; returns the per-row report.

    Raises ``CatalogueImportError`` when the file cannot be read as the given format at all.
    """
    started = time.monotonic()
    report = ImportReport(fmt=fmt, dry_run=dry_run)
    try:
        parsed = _read(file=file, fmt=fmt)
    except (portal_format.FormatError, UnicodeDecodeError) as exc:
        raise CatalogueImportError(str(exc)) from exc
    report.file_errors.extend(parsed.errors)
    try:
        with transaction.atomic():
            _apply(parsed, report)
            if not report.ok or dry_run:
                raise _Rollback
            written = [row.code for row in report.rows if row.status in {CREATED, UPDATED}]
            if written:
                # Aliases and steps are bulk-created: refresh the search columns and vocabulary.
                catalogue_changed(procedure_ids=Procedure.objects.filter(code__in=written).values_list("pk", flat=True))
    except _Rollback:
        pass
    report.seconds = time.monotonic() - started
    return report


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_contains_nul(v) for v in value)
    return False


def _apply(parsed: portal_format.ParsedFile, report: ImportReport) -> None:
    refs = _References(report)
    for agency in parsed.agencies:
        refs.agency_upsert(agency, update=True)
    seen: set[str] = set()
    valid: list[tuple[int, ProcedureData]] = []
    for row in parsed.rows:
        if row.errors or row.data is None:
            report.rows.append(RowOutcome(row.row, row.code, REJECTED, row.errors or ["unreadable"]))
            continue
        if _contains_nul(row.data.to_dict()):
            # PostgreSQL text cannot hold NUL: refuse the row instead of failing the whole import.
            report.rows.append(RowOutcome(row.row, row.code, REJECTED, ["a NUL character in the row"]))
            continue
        if row.data.code in seen:
            report.rows.append(RowOutcome(row.row, row.code, REJECTED, ["the same code appears earlier in the file"]))
            continue
        seen.add(row.data.code)
        valid.append((row.row, row.data))
    for start in range(0, len(valid), 200):
        chunk = valid[start : start + 200]
        existing = {
            procedure.code: procedure
            # Locked: two imports of overlapping files must not interleave their writes.
            for procedure in _procedures_for_export(
                Procedure.objects.select_for_update(of=("self",)).filter(code__in=[d.code for _, d in chunk])
            )
        }
        to_write: list[tuple[Procedure | None, ProcedureData]] = []
        for number, data in chunk:
            for agency in data.new_agencies:
                refs.agency_upsert(agency, update=False)
            missing = [code for code in data.agencies if code not in refs.agencies]
            if missing:
                report.rows.append(
                    RowOutcome(number, data.code, REJECTED, [f"unknown agency codes: {', '.join(missing)}"])
                )
                continue
            data = _canonical(data)
            procedure = existing.get(data.code)
            if procedure is not None and procedure_to_data(procedure).to_dict() == data.to_dict():
                report.rows.append(RowOutcome(number, data.code, UNCHANGED))
                continue
            to_write.append((procedure, data))
            report.rows.append(RowOutcome(number, data.code, UPDATED if procedure else CREATED))
        _write_procedures(to_write, refs)
    report.rows.sort(key=lambda outcome: outcome.row)


def _read_csdl_with_agencies(text: str) -> portal_format.ParsedFile:
    """csdl records carry their agency as text; turn it into agencies before the upsert."""
    parsed = csdl.read_jsonl(text)
    for row in parsed.rows:
        if row.data is None:
            continue
        agencies, issues = agencies_from_text(text=row.data.implementing_agency_text, procedure_levels=row.data.levels)
        row.data.new_agencies = agencies
        row.data.agencies = [agency.code for agency in agencies]
        row.data.parse_issues.extend(issues)
    return parsed


# --- export --------------------------------------------------------------------------------------


def catalogue_export(*, fmt: str = "json", queryset=None, include_source: bool = True) -> str:
    """The catalogue (or a queryset of procedures) in the portal's format, as text."""
    procedures = [procedure_to_data(procedure) for procedure in _procedures_for_export(queryset)]
    if not include_source:
        for procedure in procedures:
            procedure.source_record = {}
    codes = {code for procedure in procedures for code in procedure.agencies}
    agencies = _agencies_with_parents(codes)
    if fmt == "json":
        return portal_format.write_json(procedures, agencies)
    if fmt == "csv":
        return portal_format.write_csv(procedures, agencies)
    raise CatalogueImportError(_("Unknown export format %(fmt)s: use json or csv.") % {"fmt": fmt})


def _agencies_with_parents(codes: set[str]) -> list[AgencyData]:
    by_code = {agency.code: agency for agency in Agency.objects.select_related("level", "parent")}
    wanted, queue = set(), list(codes)
    while queue:
        code = queue.pop()
        if code in wanted or code not in by_code:
            continue
        wanted.add(code)
        if by_code[code].parent_id:
            queue.append(by_code[code].parent.code)
    result = []
    # Parents first, so that an import creates them before their children.
    for agency in sorted((by_code[code] for code in wanted), key=lambda a: (a.parent_id is not None, a.code)):
        result.append(
            AgencyData(
                code=agency.code,
                name=agency.name,
                level=agency.level.code,
                short_name=agency.short_name,
                parent=agency.parent.code if agency.parent_id else "",
                address=agency.address,
                phone=agency.phone,
                email=agency.email,
                opening_hours=agency.opening_hours,
                is_active=agency.is_active,
            )
        )
    return result


def catalogue_changed(*, procedure_ids: Iterable[int] | None = None) -> None:
    """After procedures, aliases, keywords or steps change (import, admin, the assistant's
    alias learning): refresh their search columns now, and once the change commits tell every
    process of the hotline assistant to rebuild its index and to render the pages anew."""
    from procedures.assistant.services import assistant_catalogue_changed

    procedure_refresh_search_text(procedure_ids=procedure_ids)
    catalogue_pages_changed()
    transaction.on_commit(assistant_catalogue_changed)


def catalogue_load_bundled(*, path: Path | None = None) -> ImportReport:
    """Load the province-sized catalogue shipped with the portal (``make run``); idempotent."""
    return catalogue_import(file=path or BUNDLED_CATALOGUE, fmt="json")
