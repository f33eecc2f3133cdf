"""The submission path, measured as work: queries and CPU milliseconds per submission.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_x REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python bench/submit_bench.py [N] [--mode requests|service] [--fee] \\
        [--skip-notifications] [--profile]

``requests`` (the default) replays what ``make bench`` sends for one dossier, through Django's
WSGI handler in this process (no HTTP server, no test client): a multipart POST uploading a
small PDF to ``/ho-so/<public_id>/giay-to/tai-len/<document_id>/``, then a POST to
``/ho-so/<public_id>/nop/``, both with a signed-in citizen's session cookie and the CSRF
cookie and token, on fresh drafts of a procedure shaped like bench/fill.py's (one required
paper, no fee; ``--fee`` adds a fee line). It prints the queries of each request (BEGIN and
COMMIT included), the statements of one, and the CPU time this process spent per submission
(``time.process_time``: the web side only, not PostgreSQL's or Redis's).

``service`` times ``dossier_submit`` alone on drafts whose papers are already there (the
bench of the earlier sessions).

``--skip-notifications`` replaces the after-commit hook that tells the notifications app
with a no-op, to see the submission path's own share; ``--profile`` prints the functions
that took the most CPU.

The machine is shared: compare CPU milliseconds within one run, or runs taken close together.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from run import wsgi_environ  # noqa: E402 - bench/ is the script's folder, on sys.path

# As in production: no query log (DEBUG keeps one, which costs CPU on every query). DEBUG=1
# above only spares the caller SECRET_KEY and ALLOWED_HOSTS.
settings.DEBUG = False

from django.core.files.base import ContentFile  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from applications import services  # noqa: E402
from applications.constants import DossierState  # noqa: E402
from applications.models import Dossier, DossierPaper  # noqa: E402
from portal.models import User  # noqa: E402
from procedures.constants import LevelCode, OnlineLevel  # noqa: E402
from procedures.models import AdministrativeLevel, Agency, Fee, Procedure, RequiredDocument  # noqa: E402

# The size and shape of bench/run.py's PDF, with its padding before the trailer: a PDF whose
# %%EOF is not within its last 1024 bytes is refused as damaged (applications/uploads.py).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"%" + b"0" * 2000 + b"\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
BOUNDARY = "----bench7MA4YWxkTrZu0gW"
COUNTED = 20  # submissions whose queries are captured, and as many whose Python calls are counted


def make_procedure(*, documents: int, fee: bool) -> tuple[Agency, Procedure, list[RequiredDocument]]:
    tag = secrets.token_hex(3).upper()
    level, _ = AdministrativeLevel.objects.get_or_create(code=LevelCode.COMMUNE, defaults={"name": "Cấp xã"})
    agency = Agency.objects.create(code=f"BENCH{tag}", name=f"UBND phường Thử nghiệm {tag}", level=level)
    procedure = Procedure.objects.create(
        code=f"B.{tag}", name="Đăng ký thử tải hồ sơ trực tuyến", online_level=OnlineLevel.FULL, processing_days=3
    )
    procedure.agencies.add(agency)
    names = ["Tờ khai đề nghị", "Bản sao CCCD"][:documents]
    docs = [RequiredDocument.objects.create(procedure=procedure, order=i + 1, name=n) for i, n in enumerate(names)]
    if fee:
        Fee.objects.create(procedure=procedure, amount=100000)
    return agency, procedure, docs


def make_drafts(agency, procedure, users) -> list[Dossier]:
    return Dossier.objects.bulk_create(
        Dossier(
            procedure=procedure,
            agency=agency,
            citizen=user,
            applicant_name=user.full_name,
            applicant_citizen_id=f"0011{i:08d}",
            applicant_phone=user.phone,
            applicant_address="2 Nguyễn Huệ",
        )
        for i, user in enumerate(users)
    )


def make_users(n: int) -> list[User]:
    tag = secrets.token_hex(3).lower()
    return User.objects.bulk_create(
        User(email=f"bench-{tag}-{i}@example.vn", full_name="Trần Thị Nộp", phone="+84980000001", phone_verified=True)
        for i in range(n)
    )


def skip_notifications() -> None:
    if hasattr(services, "dossier_event_committed"):
        services.dossier_event_committed = lambda *args, **kwargs: None


class Replayer:
    """Calls Django's WSGI handler the way gunicorn does, with wrk's bodies and headers."""

    def __init__(self, user):
        client = Client()
        client.force_login(user)
        self.token = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={self.token}"
        )
        self.handler = WSGIHandler()

    def post(self, path: str, body: bytes, content_type: str) -> int:
        environ = wsgi_environ("POST", path, body=body, content_type=content_type, cookie=self.cookie)
        status: list[str] = []
        response = self.handler(environ, lambda s, headers, exc_info=None: status.append(s))
        b"".join(response)
        response.close()
        return int(status[0].split()[0])

    def upload(self, dossier: Dossier, document: RequiredDocument) -> int:
        body = (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{self.token}\r\n'
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="to-khai.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + PDF
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )
        return self.post(
            f"/ho-so/{dossier.public_id}/giay-to/tai-len/{document.pk}/",
            body,
            f"multipart/form-data; boundary={BOUNDARY}",
        )

    def submit(self, dossier: Dossier) -> int:
        body = f"csrfmiddlewaretoken={self.token}".encode()
        return self.post(f"/ho-so/{dossier.public_id}/nop/", body, "application/x-www-form-urlencoded")


def count_calls(work, items) -> float:
    """Python function calls per item: a measure of work that other processes do not disturb."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for item in items:
        work(item)
    profile.disable()
    return pstats.Stats(profile).total_calls / len(items)


def print_statements(label: str, captured) -> None:
    print(f"statements of one {label} ({len(captured)}):")
    for i, query in enumerate(captured, 1):
        print(f"  {i:2d}. {query['sql'][:150]}")


def run_requests(n: int, *, fee: bool, profile) -> None:
    agency, procedure, (document,) = make_procedure(documents=1, fee=fee)
    # One citizen a draft would sign in n sessions; like wrk's connections, one citizen does all.
    (user,) = make_users(1)
    drafts = make_drafts(agency, procedure, [user] * (1 + COUNTED + n + COUNTED))
    warm, queried, timed, called = drafts[0], drafts[1 : 1 + COUNTED], drafts[1 + COUNTED : -COUNTED], drafts[-COUNTED:]
    replayer = Replayer(user)
    # A first submission warms what a long-running worker has warm (templates, translations).
    assert replayer.upload(warm, document) == 302, "the warm-up upload was refused"
    assert replayer.submit(warm) == 302
    # The queries, on a few submissions (capturing them costs CPU: not during the timed ones).
    uploads, submits, shown = [], [], None
    for dossier in queried:
        connection.queries_log.clear()  # a bounded deque: empty it so that counts stay exact
        with CaptureQueriesContext(connection) as q_upload:
            status_upload = replayer.upload(dossier, document)
        with CaptureQueriesContext(connection) as q_submit:
            status_submit = replayer.submit(dossier)
        assert (status_upload, status_submit) == (302, 302), (status_upload, status_submit)
        uploads.append(len(q_upload.captured_queries))
        submits.append(len(q_submit.captured_queries))
        shown = shown or (q_upload.captured_queries, q_submit.captured_queries)
    cpu, wall = [], []
    for dossier in timed:
        c0, w0 = time.process_time(), time.perf_counter()
        if profile:
            profile.enable()
        status = (replayer.upload(dossier, document), replayer.submit(dossier))
        if profile:
            profile.disable()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        assert status == (302, 302), status
    calls = count_calls(lambda d: (replayer.upload(d, document), replayer.submit(d)), called)
    done = drafts[1:]
    submitted = Dossier.objects.filter(pk__in=[d.pk for d in done], state=DossierState.SUBMITTED).count()
    assert submitted == len(done), f"only {submitted} of {len(done)} dossiers were submitted"
    assert DossierPaper.objects.filter(dossier__in=done).count() == len(done)
    print_statements("upload", shown[0])
    print_statements("submit", shown[1])
    print(f"submitted: {len(done)} (each = 1 upload + 1 submit request); timed: {n}")
    print(f"queries per upload request: mean {statistics.mean(uploads):.1f}, max {max(uploads)}")
    print(f"queries per submit request: mean {statistics.mean(submits):.1f}, max {max(submits)}")
    print(
        f"CPU of this process per submission (both requests): mean {statistics.mean(cpu) * 1000:.2f} ms, "
        f"median {statistics.median(cpu) * 1000:.2f} ms"
    )
    print(f"wall time per submission: median {statistics.median(wall) * 1000:.2f} ms")
    print(f"Python function calls per submission (steady, unlike CPU time on a shared machine): {calls:,.0f}")


def run_service(n: int, *, profile) -> None:
    agency, procedure, documents = make_procedure(documents=2, fee=True)
    users = make_users(n + COUNTED)
    dossiers = make_drafts(agency, procedure, users)
    # One stored file shared by every paper row: this mode times submission, not uploads.
    first = DossierPaper(
        dossier=dossiers[0],
        required_document=documents[0],
        title="x",
        uploaded_by=users[0],
        original_name="a.pdf",
        size=len(PDF),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    first.file.save("bench.pdf", ContentFile(PDF), save=True)
    DossierPaper.objects.bulk_create(
        DossierPaper(
            dossier=d,
            required_document=doc,
            title=doc.name,
            file=first.file.name,
            uploaded_by=d.citizen,
            original_name="a.pdf",
            size=len(PDF),
            content_type="application/pdf",
            sha256="0" * 64,
        )
        for d in dossiers
        for doc in documents
        if not (d.pk == dossiers[0].pk and doc.pk == documents[0].pk)
    )
    queries, cpu = [], []
    shown = None
    counted, dossiers = dossiers[n:], dossiers[:n]
    started = time.perf_counter()
    for i, dossier in enumerate(dossiers):
        connection.queries_log.clear()
        c0 = time.process_time()
        if profile:
            profile.enable()
        if i < COUNTED:  # capturing the queries costs CPU: only on the first few
            with CaptureQueriesContext(connection) as captured:
                services.dossier_submit(dossier=dossier, actor=dossier.citizen)
            queries.append(len(captured.captured_queries))
            shown = shown or captured.captured_queries
        else:
            services.dossier_submit(dossier=dossier, actor=dossier.citizen)
            cpu.append(time.process_time() - c0)
        if profile:
            profile.disable()
    elapsed = time.perf_counter() - started
    codes = set(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("code", flat=True))
    assert len(codes) == n, "every submission must get its own code"
    print_statements("dossier_submit", shown)
    print(f"submitted: {n} in {elapsed:.2f} s → {n / elapsed:.0f} dossiers/s")
    print(f"queries per submission: mean {statistics.mean(queries):.1f}, max {max(queries)}")
    print(
        f"CPU per submission: mean {statistics.mean(cpu) * 1000:.2f} ms, median {statistics.median(cpu) * 1000:.2f} ms"
    )
    calls = count_calls(lambda d: services.dossier_submit(dossier=d, actor=d.citizen), counted)
    print(f"Python function calls per submission: {calls:,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=300, help="submissions (default 300)")
    parser.add_argument("--mode", choices=["requests", "service"], default="requests")
    parser.add_argument("--fee", action="store_true", help="requests mode: the procedure has a fee line")
    parser.add_argument("--skip-notifications", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print the top functions by CPU time")
    args = parser.parse_args()
    if args.n <= COUNTED:
        parser.error(f"n must be more than {COUNTED}")
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}); DEBUG={settings.DEBUG}; "
        f"mode: {args.mode}; submissions: {args.n}" + ("; notifications skipped" if args.skip_notifications else "")
    )
    if args.skip_notifications:
        skip_notifications()
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile(time.process_time)
    if args.mode == "requests":
        run_requests(args.n, fee=args.fee, profile=profile)
    else:
        run_service(args.n, profile=profile)
    if profile:
        import pstats

        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(45)
        if os.environ.get("CALLEES"):
            stats.print_callees(os.environ["CALLEES"])


if __name__ == "__main__":
    main()
