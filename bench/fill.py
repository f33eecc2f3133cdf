"""Fill the benchmark database and write the load plan (`make bench` runs it; see bench/run.py).

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/fill.py --plan var/bench/plan.json [--refill]

Fills, once (skipped when already there, redone with --refill): the bundled catalogue plus
10,000 synthetic procedures, 50,000 citizens (one precomputed password hash) and 200,000
dossiers spread over every state, with bulk_create in batches. Then, on every run: fresh
drafts for the submission endpoint (a procedure with one required paper, no paper yet),
signed-in sessions for citizens, submitters and an official (second factor proof in the
session, as tests/conftest.py `login_official` does), and a JSON plan that bench/run.py
turns into requests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.constants import DossierState as S  # noqa: E402
from applications.demo import ensure_officials_group  # noqa: E402
from applications.models import Dossier, Official  # noqa: E402
from portal.models import User  # noqa: E402
from procedures.constants import LevelCode, OnlineLevel  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Procedure, RequiredDocument  # noqa: E402

CITIZEN_DOMAIN = "bench.example.vn"
BATCH = 5000
STATES = [S.DRAFT, S.SUBMITTED, S.NEEDS_SUPPLEMENT, S.VALIDATED, S.PROCESSED, S.DELIVERED, S.REJECTED, S.WITHDRAWN]
# Search queries: with and without diacritics, common and rare words, a code.
SEARCHES = ["đăng ký khai sinh", "dang ky khai sinh", "hộ kinh doanh", "ho kinh doanh", "cấp giấy phép", "xây dựng"]


def log(message: str) -> None:
    print(f"fill: {message}", flush=True)


def fill_catalogue(count: int, refill: bool) -> None:
    have = Procedure.objects.filter(code__startswith="9.").count()
    if have >= count and not refill:
        log(f"catalogue: {have} synthetic procedures already there")
        return
    call_command("generate_catalogue", count=count, clear=True)


def fill_citizens(count: int, refill: bool) -> None:
    qs = User.objects.filter(email__endswith=f"@{CITIZEN_DOMAIN}", email__startswith="citizen")
    have = qs.count()
    if have >= count and not refill:
        log(f"citizens: {have} already there")
        return
    started = time.monotonic()
    password = make_password("bench-password-not-for-use")  # one hash for all: hashing is slow on purpose
    existing = set(qs.values_list("email", flat=True))
    rows = (
        User(
            email=f"citizen{i:06d}@{CITIZEN_DOMAIN}",
            password=password,
            full_name=f"Nguyễn Văn Thử {i}",
            citizen_id=f"0790{i:08d}",
            phone=f"+8491{i:07d}",
            phone_verified=True,
            address=f"{i % 300 + 1} Lê Lợi, phường Bến Thành",
        )
        for i in range(count)
        if f"citizen{i:06d}@{CITIZEN_DOMAIN}" not in existing
    )
    batch: list[User] = []
    for user in rows:
        batch.append(user)
        if len(batch) == BATCH:
            User.objects.bulk_create(batch)
            batch = []
    if batch:
        User.objects.bulk_create(batch)
    log(f"citizens: {count - len(existing)} created in {time.monotonic() - started:.1f} s")


def procedure_agency_pairs(limit: int) -> list[tuple[int, int]]:
    through = Procedure.agencies.through
    return list(
        through.objects.filter(procedure__online_level=OnlineLevel.FULL)
        .order_by("agency_id", "procedure_id")
        .values_list("procedure_id", "agency_id")[:limit]
    )


def fill_dossiers(count: int, refill: bool) -> None:
    qs = Dossier.objects.filter(citizen__email__endswith=f"@{CITIZEN_DOMAIN}", citizen__email__startswith="citizen")
    have = qs.count()
    if have >= count and not refill:
        log(f"dossiers: {have} already there")
        return
    started = time.monotonic()
    qs.delete()
    pairs = procedure_agency_pairs(500)
    citizens = list(
        User.objects.filter(email__endswith=f"@{CITIZEN_DOMAIN}", email__startswith="citizen")
        .order_by("email")
        .values_list("pk", "full_name", "citizen_id", "phone")
    )
    now = timezone.now()
    today = timezone.localdate()
    batch: list[Dossier] = []
    for i in range(count):
        citizen_id, name, cccd, phone = citizens[i % len(citizens)]
        procedure_id, agency_id = pairs[i % len(pairs)]
        state = STATES[i % len(STATES)]
        submitted = state != S.DRAFT
        when = now - dt.timedelta(minutes=i % 50000)
        batch.append(
            Dossier(
                procedure_id=procedure_id,
                agency_id=agency_id,
                citizen_id=citizen_id,
                applicant_name=name,
                applicant_citizen_id=cccd,
                applicant_phone=phone,
                applicant_address="1 Lê Lợi",
                state=state,
                code=f"BENCH-{i:07d}" if submitted else None,
                lookup_pin=f"{i % 1000000:06d}" if submitted else "",
                submitted_at=when if submitted else None,
                received_at=when if submitted else None,
                processing_days=5 if submitted else None,
                clock_started_on=today if submitted else None,
                appointment_date=today + dt.timedelta(days=7) if submitted else None,
            )
        )
        if len(batch) == BATCH:
            Dossier.objects.bulk_create(batch)
            batch = []
    if batch:
        Dossier.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE applications_dossier")
    log(f"dossiers: {count} created in {time.monotonic() - started:.1f} s")


def bench_procedure(agency: Agency) -> tuple[Procedure, RequiredDocument]:
    procedure, _ = Procedure.objects.get_or_create(
        code="B.BENCH",
        defaults={"name": "Đăng ký thử tải hồ sơ trực tuyến", "online_level": OnlineLevel.FULL, "processing_days": 3},
    )
    procedure.agencies.add(agency)
    document, _ = RequiredDocument.objects.get_or_create(
        procedure=procedure, order=1, defaults={"name": "Tờ khai đề nghị"}
    )
    return procedure, document


def sign_in(user, *, second_factor: bool = False) -> str:
    client = Client()
    client.force_login(user)
    if second_factor:
        from allauth.mfa.totp.internal import auth as totp_auth

        from portal.security.constants import SESSION_SECOND_FACTOR

        if not user.authenticator_set.exists():
            totp_auth.TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        session = client.session
        session[SESSION_SECOND_FACTOR] = {"user": str(user.pk), "at": time.time()}
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def plan(*, connections: int, drafts_per_connection: int) -> dict:
    pairs = procedure_agency_pairs(500)
    agency_counts: dict[int, int] = {}
    for _procedure_id, agency_id in pairs:
        agency_counts[agency_id] = agency_counts.get(agency_id, 0) + 1
    agency = Agency.objects.get(pk=max(agency_counts, key=agency_counts.get))

    # The official: staff, in the officials' group, an Official row for the agency, TOTP on.
    official_user, created = User.objects.get_or_create(
        email=f"official@{CITIZEN_DOMAIN}", defaults={"full_name": "Cán Bộ Thử Tải", "is_staff": True}
    )
    if created:
        official_user.set_unusable_password()
        official_user.save()
    official_user.groups.add(ensure_officials_group())
    Official.objects.update_or_create(user=official_user, defaults={"agency": agency, "is_active": True})

    citizens = list(
        User.objects.filter(email__startswith="citizen", email__endswith=f"@{CITIZEN_DOMAIN}").order_by("email")[
            :connections
        ]
    )
    # Submitters: one a connection, each with its own fresh drafts (earlier runs' are used up).
    procedure, document = bench_procedure(agency)
    AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    submitters = []
    for k in range(connections):
        user, _ = User.objects.get_or_create(
            email=f"submitter{k:02d}@{CITIZEN_DOMAIN}",
            defaults={"full_name": f"Trần Thị Nộp {k}", "phone": f"+8498{k:07d}", "phone_verified": True},
        )
        with transaction.atomic():
            drafts = Dossier.objects.bulk_create(
                Dossier(
                    procedure=procedure,
                    agency=agency,
                    citizen=user,
                    applicant_name=user.full_name,
                    applicant_citizen_id=f"0011{k:02d}{j:06d}",
                    applicant_phone=user.phone,
                    applicant_address="2 Nguyễn Huệ",
                )
                for j in range(drafts_per_connection)
            )
        submitters.append({"cookie": sign_in(user), "drafts": [str(d.public_id) for d in drafts]})

    lookups = list(
        Dossier.objects.filter(code__startswith="BENCH-").order_by("?").values_list("code", "lookup_pin")[:200]
    )
    procedure_codes = list(
        Procedure.objects.filter(code__startswith="9.").order_by("?").values_list("code", flat=True)[:200]
    )
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_secret": secrets.token_hex(16),  # 32 characters: Django accepts the unmasked secret
        "admin_url": "/" + settings.ADMIN_URL,
        "citizen_cookies": [sign_in(user) for user in citizens],
        "official_cookie": sign_in(official_user, second_factor=True),
        "official_agency": agency.name,
        "document_id": document.pk,
        "submitters": submitters,
        "lookups": lookups,
        "procedures": procedure_codes,
        "searches": SEARCHES,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", required=True, help="where to write the JSON plan")
    parser.add_argument("--refill", action="store_true", help="recreate the bulk data even when present")
    parser.add_argument("--procedures", type=int, default=10000)
    parser.add_argument("--citizens", type=int, default=50000)
    parser.add_argument("--dossiers", type=int, default=200000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--drafts", type=int, default=300, help="fresh drafts a submitting connection")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("bench/fill.py needs PostgreSQL (DATABASE_URL).", file=sys.stderr)
        return 2
    fill_catalogue(args.procedures, args.refill)
    fill_citizens(args.citizens, args.refill)
    fill_dossiers(args.dossiers, args.refill)
    started = time.monotonic()
    data = plan(connections=args.connections, drafts_per_connection=args.drafts)
    Path(args.plan).parent.mkdir(parents=True, exist_ok=True)
    Path(args.plan).write_text(json.dumps(data, ensure_ascii=False))
    log(f"plan: sessions and {args.connections * args.drafts} drafts in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
