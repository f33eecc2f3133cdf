"""The officials' work queue ("Việc cần xử lý"): what their agency has to act on, most urgent
first, with a count for each kind of work.

It is the page an official opens first and again after each dossier, so it is cheap: its
rows and counts are rendered once for an agency, a day and a language, and kept in the
shared cache for QUEUE_TTL seconds. Whatever saves one of the agency's dossiers (a
submission, a transition, a payment) drops them after its transaction commits
(``forget_queue``), so an official sees their own action at once; the short lifetime is the
safety net for writes that bypass ``Dossier.save()`` (a queryset update, a shell). A request
that read the database before such a commit and stores its render after it can keep an old
view for at most QUEUE_TTL seconds.

The Django changelist stays the place to search and filter every dossier; rendering its 25
rows, filters and counts cost about 25 ms of CPU against about 1 ms for this page
(bench/pages_bench.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from applications.constants import CLOCK_RUNNING_STATES
from applications.constants import DossierState as S

QUEUE_TTL = 10  # seconds
QUEUE_ROWS = 50
# What an agency acts on: accept or ask for papers, process, hand over the result; and what
# waits for the citizen (counted, listed after the rest).
QUEUE_STATES = (S.SUBMITTED, S.VALIDATED, S.PROCESSED, S.NEEDS_SUPPLEMENT)


def _key(agency_id: int, language: str) -> str:
    return f"officequeue:{agency_id}:{language}"


def forget_queue(agency_id: int) -> None:
    """Drop the agency's cached queue once the current transaction commits (now, outside one).
    With Redis unreachable the delete is dropped and logged by the cache backend, never raised
    (portal.cache.SoftFailRedisCache): the dossier is saved all the same, the entry lives out
    its QUEUE_TTL, and the callbacks after this one still run."""
    from django.db import transaction

    keys = [_key(agency_id, language) for language, _name in settings.LANGUAGES]

    def drop() -> None:
        cache.delete_many(keys)

    transaction.on_commit(drop)


def agency_queue(*, agency, today: dt.date | None = None) -> dict:
    """The rendered rows and counts of the agency's queue: {"html": ..., "counts": ...}."""
    today = today or timezone.localdate()
    key = _key(agency.pk, get_language() or settings.LANGUAGE_CODE)
    cached = cache.get(key)  # Redis down: a miss, rendered from the database
    if cached is not None and cached["day"] == today:  # rendered today: "overdue" is still right
        return cached
    entry = _render(agency=agency, today=today)
    cache.set(key, entry, QUEUE_TTL)
    return entry


def _render(*, agency, today: dt.date) -> dict:
    from applications.calendar import due_soon_limit
    from applications.selectors import official_queue_counts, official_queue_rows
    from portal.money import format_vnd

    soon = due_soon_limit(today)
    labels = dict(S.choices)
    rows = []
    for row in official_queue_rows(agency_id=agency.pk, states=QUEUE_STATES, limit=QUEUE_ROWS):
        due = ""
        if row["state"] in CLOCK_RUNNING_STATES and row["appointment_date"]:
            due = "overdue" if row["appointment_date"] < today else "soon" if row["appointment_date"] <= soon else ""
        rows.append(
            {
                **row,
                "state_label": labels[row["state"]],
                "received": timezone.localtime(row["received_at"]).strftime("%d/%m/%Y") if row["received_at"] else "—",
                "appointment": row["appointment_date"].strftime("%d/%m/%Y") if row["appointment_date"] else "—",
                "due": due,
                "fee": format_vnd(row["fee_amount"]) if row["fee_amount"] else "",
            }
        )
    counts = official_queue_counts(agency_id=agency.pk, states=QUEUE_STATES, today=today)
    html = render_to_string(
        "admin/applications/dossier/_queue_rows.html",
        {"rows": rows, "counts": counts, "agency": agency, "limit": QUEUE_ROWS, "today": today},
    )
    return {"day": today, "html": html, "counts": counts}
