from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from applications.constants import CLOCK_RUNNING_STATES, OPEN_STATES, DossierState
from applications.models import Dossier, DossierEvent, DossierPaper, Official, PersonalDocument
from procedures.models import Procedure, RequiredDocument
from procedures.pagination import LookaheadPage


def official_for_user(*, user) -> Official | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        official = user.official
    except Official.DoesNotExist:
        return None
    return official if official.is_active else None


def official_with_agency(*, user) -> Official | None:
    """The user's active official row with its agency, in one query."""
    if user is None or not user.is_authenticated:
        return None
    return Official.objects.select_related("agency").filter(user=user, is_active=True).first()


def _with_related(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.select_related("procedure", "agency", "citizen")


def dossiers_for_citizen(*, citizen) -> QuerySet[Dossier]:
    return _with_related(Dossier.objects.filter(citizen=citizen))


# The "my dossiers" list: one hand-written statement on a cursor, whose query the ORM does not
# have to compile (2.2 ms of CPU against 0.6 ms here, for a page every signed-in citizen opens
# first), read as plain rows. Newest first; drafts the citizen withdrew are left out; the
# procedure's name only.
_CITIZEN_LIST_SQL = (
    "SELECT d.id, d.public_id, d.code, d.state, d.appointment_date, d.fee_amount, d.fee_settled, d.rating, "
    "p.name AS procedure_name FROM applications_dossier d "
    "JOIN procedures_procedure p ON p.id = d.procedure_id "
    "WHERE d.citizen_id = %s AND NOT (d.state = %s AND d.code IS NULL) "
    "ORDER BY d.created_at DESC, d.id DESC LIMIT %s OFFSET %s"
)


def dossier_page_for_citizen(*, citizen, number: int, per_page: int) -> LookaheadPage:
    """One page of the citizen's dossiers for their list, without counting them all. The rows
    carry ``procedure_name`` and only the columns the list shows."""
    from django.db import connection

    start = (number - 1) * per_page
    # Plain rows, not model instances: building 21 Dossier objects (each with its state
    # machine's bookkeeping) was a fifth of the page's CPU.
    with connection.cursor() as cursor:
        cursor.execute(_CITIZEN_LIST_SQL, [citizen.pk, DossierState.WITHDRAWN, per_page + 1, start])
        rows = [_citizen_row(*row) for row in cursor.fetchall()]
    return LookaheadPage(number=number, object_list=rows[:per_page], has_next=len(rows) > per_page)


def _citizen_row(pk, public_id, code, state, appointment_date, fee_amount, fee_settled, rating, procedure_name):
    # PostgreSQL hands back UUID, date and bool; SQLite text, text and 0/1.
    if not isinstance(public_id, uuid.UUID):
        public_id = uuid.UUID(public_id)
    if isinstance(appointment_date, str):
        appointment_date = dt.date.fromisoformat(appointment_date)
    return CitizenDossierRow(
        pk, public_id, code, state, appointment_date, fee_amount, bool(fee_settled), rating, procedure_name
    )


@dataclass(frozen=True, slots=True)
class CitizenDossierRow:
    """One line of "my dossiers", in the order of _CITIZEN_LIST_SQL's columns."""

    id: int
    public_id: uuid.UUID
    code: str | None
    state: str
    appointment_date: dt.date | None
    fee_amount: int | None
    fee_settled: bool
    rating: str
    procedure_name: str


def dossiers_for_official(*, official: Official | None, user=None) -> QuerySet[Dossier]:
    """The dossiers an official may see: their agency's, never drafts. A superuser sees all."""
    qs = _with_related(Dossier.objects.exclude(state=DossierState.DRAFT))
    if user is not None and user.is_superuser and official is None:
        return qs
    if official is None or not official.is_active:
        return qs.none()
    return qs.filter(agency_id=official.agency_id)


# What a row of the officials' queues shows (the work queue, the admin's dossier list), read
# from the queue index with the procedure's code and name only (a procedure row also carries
# its long search texts).
QUEUE_COLUMNS = (
    "code",
    "state",
    "applicant_name",
    "received_at",
    "appointment_date",
    "fee_amount",
    "fee_settled",
    "agency_id",
    "procedure__code",
    "procedure__name",
)


def official_queue_rows(*, agency_id: int, states, limit: int) -> list[dict]:
    """The agency's open dossiers for its work queue: the running ones (to accept, to process)
    by appointment date, then those with a result to hand over, then those waiting for the
    citizen's papers. Each part is read from the queue index in its order (dossier_agency_queue),
    stopping at ``limit`` rows, instead of sorting every open dossier of the agency."""
    columns = ("pk", *QUEUE_COLUMNS)
    running = [s for s in states if s in CLOCK_RUNNING_STATES]
    parts = [running] + [[s] for s in states if s not in running]
    rows: list[dict] = []
    for part in parts:
        if len(rows) >= limit:
            break
        rows += (
            Dossier.objects.filter(agency_id=agency_id, state__in=part)
            .order_by("appointment_date", "received_at", "-id")
            .values(*columns)[: limit - len(rows)]
        )
    return rows


def official_queue_counts(*, agency_id: int, states, today: dt.date) -> dict[str, int]:
    """State → number of the agency's dossiers, plus "overdue": running past their date."""
    from django.db.models import Count

    counts = dict.fromkeys(states, 0)
    overdue = 0
    for row in (
        Dossier.objects.filter(agency_id=agency_id, state__in=states)
        .values("state")
        .annotate(n=Count("id"), late=Count("id", filter=overdue_filter(today)))
        .order_by()
    ):
        counts[row["state"]] = row["n"]
        overdue += row["late"]
    counts["overdue"] = overdue
    return counts


def dossier_detail_for_citizen(*, citizen, public_id) -> Dossier:
    """Raises Dossier.DoesNotExist for anything but the citizen's own dossier."""
    return (
        dossiers_for_citizen(citizen=citizen)
        .prefetch_related(
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor")),
            Prefetch("papers", queryset=DossierPaper.objects.select_related("required_document")),
            "procedure__documents",
        )
        .get(public_id=public_id)
    )


def dossier_exists_for_citizen(*, citizen, public_id) -> bool:
    return Dossier.objects.filter(public_id=public_id, citizen=citizen).exists()


def required_document_for(*, citizen, public_id, slot: str) -> RequiredDocument | None:
    """The required paper whose id is ``slot`` (as it appears in a URL), if it belongs to the
    procedure of the citizen's own dossier ``public_id``; None otherwise."""
    if not slot.isdigit() or len(slot) > 18:
        return None
    return (
        RequiredDocument.objects.filter(
            pk=int(slot), procedure__dossiers__public_id=public_id, procedure__dossiers__citizen=citizen
        )
        .only("procedure_id", "name")
        .order_by()
        .first()
    )


def papers_of(*, dossier: Dossier) -> QuerySet[DossierPaper]:
    return DossierPaper.objects.filter(dossier=dossier).select_related("required_document", "dossier")


def personal_documents_for(*, owner) -> QuerySet[PersonalDocument]:
    return PersonalDocument.objects.filter(owner=owner)


def procedures_online() -> QuerySet[Procedure]:
    from procedures.constants import OnlineLevel

    return (
        Procedure.objects.filter(is_active=True, online_level__in=[OnlineLevel.PARTIAL, OnlineLevel.FULL])
        .filter(agencies__is_active=True)
        .distinct()
        .select_related("sector")
        .order_by("-popularity", "code")
    )


def overdue_filter(today: dt.date) -> Q:
    return Q(state__in=[DossierState.SUBMITTED, DossierState.VALIDATED], appointment_date__lt=today)


def open_dossiers(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return qs.filter(state__in=OPEN_STATES)


def dossier_for_viewer(*, user, public_id) -> Dossier:
    """The dossier if ``user`` is its citizen, or an official of its agency who may view
    dossiers; raises Dossier.DoesNotExist otherwise (views answer 404)."""
    if user is None or not user.is_authenticated:
        raise Dossier.DoesNotExist
    dossier = Dossier.objects.select_related("procedure", "agency", "citizen").get(public_id=public_id)
    if dossier.citizen_id == user.pk:
        return dossier
    if user.is_staff and user.has_perm("applications.view_dossier") and dossier.state != DossierState.DRAFT:
        if user.is_superuser:
            return dossier
        official = official_for_user(user=user)
        if official is not None and official.agency_id == dossier.agency_id:
            return dossier
    raise Dossier.DoesNotExist


@dataclass(frozen=True)
class LookupResult:
    """What the public lookup may show of a dossier: its status and appointment date only."""

    pk: int
    code: str
    state: str
    appointment_date: dt.date | None

    @property
    def state_label(self) -> str:
        return DossierState(self.state).label


# The public lookup is the one page strangers may call without an account, and every wrong
# guess is answered too: one indexed statement (dossier_code_upper), without the ORM's query
# compilation, which cost five times the query itself. Drafts have no code and are skipped.
_LOOKUP_SQL = (
    "SELECT id, code, state, appointment_date, lookup_pin, applicant_phone FROM applications_dossier "
    "WHERE UPPER(code) = UPPER(%s) AND state <> %s"
)


def dossier_for_lookup(*, code: str, secret: str) -> LookupResult | None:
    """The dossier whose code and second factor (the 6-digit PIN or the last 4 digits of the
    applicant's phone) match; None otherwise. Drafts have no code and are never found."""
    from django.db import connection
    from django.utils.crypto import constant_time_compare

    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [code, DossierState.DRAFT])
        row = cursor.fetchone()  # codes are unique, so at most one row
    if row is None:
        return None
    pk, found_code, state, appointment_date, lookup_pin, phone = row
    if isinstance(appointment_date, str):  # SQLite returns dates as text to a raw cursor
        appointment_date = dt.date.fromisoformat(appointment_date)
    result = LookupResult(pk=pk, code=found_code, state=state, appointment_date=appointment_date)
    if len(secret) == 6 and lookup_pin and constant_time_compare(secret, lookup_pin):
        return result
    phone = phone or ""
    if len(secret) == 4 and len(phone) >= 4 and constant_time_compare(secret, phone[-4:]):
        return result
    return None


def missing_papers_view(dossier: Dossier):
    from applications.services import missing_papers

    return missing_papers(dossier)
