"""Citizen pages: thin views over the services (post/redirect/get, no JavaScript needed)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from applications import ratelimit, reports, services
from applications.constants import DossierState
from applications.display import citizen_next_step
from applications.forms import (
    ApplicantForm,
    ExtraPaperForm,
    LookupForm,
    MonthForm,
    PaperUploadForm,
    RatingForm,
    ResubmitForm,
    WithdrawForm,
)
from applications.models import Dossier, DossierPaper
from applications.selectors import (
    dossier_detail_for_citizen,
    dossier_exists_for_citizen,
    dossier_for_lookup,
    dossier_for_viewer,
    dossier_page_for_citizen,
    missing_papers_view,
    personal_documents_for,
    procedures_online,
    required_document_for,
)
from applications.uploads import max_upload_bytes, request_too_large, sanitize_filename, too_large_message
from procedures.models import Procedure

S = DossierState


# --- Helpers -------------------------------------------------------------------------------


def citizen_dossier(*methods: str):
    """Load the signed-in citizen's own dossier or answer 404, before anything else: another
    citizen's dossier is a 404 for every method (never a 405 that confirms it exists)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, public_id, *args, **kwargs):
            try:
                dossier = dossier_detail_for_citizen(citizen=request.user, public_id=public_id)
            except Dossier.DoesNotExist as exc:
                raise Http404 from exc
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, dossier, *args, **kwargs)

        return wrapper

    return decorator


def citizen_action(view):
    """A citizen's POST whose service reads the dossier itself, locked and only if it is the
    citizen's own: that read is the ownership check (another citizen's dossier, or none, is
    a 404), so the view reads nothing before and gets the public id only. Other methods get
    the 404 (not the citizen's) or the 405 that ``citizen_dossier`` gives."""

    @login_required
    @wraps(view)
    def wrapper(request, public_id, *args, **kwargs):
        if request.method != "POST":
            if not dossier_exists_for_citizen(citizen=request.user, public_id=public_id):
                raise Http404
            return HttpResponseNotAllowed(["POST"])
        try:
            return view(request, public_id, *args, **kwargs)
        except services.DossierPermissionDenied as exc:
            raise Http404 from exc

    return wrapper


def _named(public_id) -> Dossier:
    """The dossier as its URL names it, for a service that reads it (by public id, locked,
    the citizen's own): an unsaved instance whose other fields mean nothing."""
    return Dossier(public_id=public_id)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading a file part as soon as it passes the limit (Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE does not count files)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def limited_upload(view):
    """Install the size-limit handler before the body is parsed (CSRF is checked after it,
    as Django's documentation shows for custom upload handlers)."""

    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_too_large = request_too_large(request)
        if not request.upload_too_large:
            request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return protected(request, *args, **kwargs)

    return wrapper


def _refuse(request, error: services.DossierError):
    if isinstance(error, services.DossierPermissionDenied):
        raise Http404 from error
    messages.error(request, error.message)


# --- Start and create ------------------------------------------------------------------------


@require_GET
def start(request):
    from django.core.paginator import Paginator

    page = Paginator(procedures_online(), 20).get_page(request.GET.get("page"))
    return render(request, "applications/start.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def create(request, code: str):
    procedure = get_object_or_404(Procedure.objects.filter(is_active=True), code=code)
    agencies = list(procedure.agencies.filter(is_active=True))
    if request.method == "POST":
        agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        try:
            dossier = services.dossier_create_draft(citizen=request.user, procedure=procedure, agency=agency)
        except services.DossierError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("applications:applicant", public_id=dossier.public_id)
    return render(request, "applications/create.html", {"procedure": procedure, "agencies": agencies})


# --- The draft wizard ------------------------------------------------------------------------


def _draft_only(request, dossier: Dossier):
    if dossier.state != S.DRAFT:
        messages.info(request, _("This dossier has been submitted and can no longer be edited."))
        return redirect(dossier)
    return None


@citizen_dossier("GET", "POST")
def applicant(request, dossier: Dossier):
    if (response := _draft_only(request, dossier)) is not None:
        return response
    initial = {name: getattr(dossier, name) for name in services.APPLICANT_FIELDS}
    form = ApplicantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_update_applicant(dossier=dossier, actor=request.user, data=form.cleaned_data)
        except services.DossierError as exc:
            _refuse(request, exc)
        else:
            messages.success(request, _("The applicant's details are saved."))
            return redirect("applications:papers", public_id=dossier.public_id)
    return render(request, "applications/applicant.html", {"dossier": dossier, "form": form, "step": 1})


def _paper_slots(dossier: Dossier, documents, bound: tuple[str, object] | None = None) -> list[dict]:
    papers = list(dossier.papers.all())
    slots = []
    for document in dossier.procedure.documents.all():
        form = bound[1] if bound and bound[0] == str(document.pk) else PaperUploadForm(documents=documents)
        slots.append(
            {
                "document": document,
                "papers": [p for p in papers if p.required_document_id == document.pk],
                "form": form,
                "prefix": f"doc{document.pk}",
            }
        )
    return slots


def _papers_context(dossier: Dossier, request, bound=None) -> dict:
    documents = list(personal_documents_for(owner=request.user))
    extra_form = bound[1] if bound and bound[0] == "khac" else ExtraPaperForm(documents=documents)
    return {
        "dossier": dossier,
        "slots": _paper_slots(dossier, documents, bound),
        "extras": [p for p in dossier.papers.all() if p.required_document_id is None],
        "extra_form": extra_form,
        "max_bytes": max_upload_bytes(),
        "step": 2,
    }


@citizen_dossier("GET")
def papers(request, dossier: Dossier):
    if (response := _draft_only(request, dossier)) is not None:
        return response
    return render(request, "applications/papers.html", _papers_context(dossier, request))


def _full(request, public_id) -> Dossier:
    """The dossier with what its pages show (404 if it is not the citizen's), for an action
    view that shows a page instead of redirecting."""
    try:
        return dossier_detail_for_citizen(citizen=request.user, public_id=public_id)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


def _no_longer_editable(request, public_id):
    messages.info(request, _("This dossier has been submitted and can no longer be edited."))
    return redirect("applications:detail", public_id=public_id)


@limited_upload
@citizen_action
def paper_upload(request, public_id, slot: str):
    """One upload: a required paper (slot = its id) or another paper (slot "khac"). A refused
    file re-renders the page with the message; everything saved before stays."""
    document = None
    if slot != "khac":
        # Also an ownership check: the paper must belong to the procedure of the citizen's dossier.
        document = required_document_for(citizen=request.user, public_id=public_id, slot=slot)
        if document is None:
            raise Http404
    # The personal store is read only when the citizen chose one of its documents, or below
    # when the form is shown again: an upload needs none of it.
    documents = list(personal_documents_for(owner=request.user)) if request.POST.get("personal_document") else None
    form_class = ExtraPaperForm if document is None else PaperUploadForm
    form = form_class(request.POST, request.FILES, documents=documents or ())
    too_large = getattr(request, "upload_too_large", False)
    if too_large:
        form.is_valid()
        form.errors.clear()
        form.add_error(None, too_large_message())
    elif form.is_valid():
        personal = None
        if form.cleaned_data.get("personal_document"):
            personal = next((d for d in documents if d.pk == form.cleaned_data["personal_document"]), None)
        try:
            paper = services.dossier_attach_paper(
                dossier=_named(public_id),
                actor=request.user,
                uploaded=None if personal else form.cleaned_data["file"],
                personal_document=personal,
                required_document=document,
                title=form.cleaned_data.get("title", ""),
                keep_in_store=form.cleaned_data.get("keep_in_store", False),
            )
        except services.DossierNotEditable:
            return _no_longer_editable(request, public_id)
        except services.DossierPermissionDenied:
            raise
        except services.DossierError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("The file is saved in your dossier."))
            if paper.is_supplement:
                return redirect("applications:detail", public_id=public_id)
            return redirect("applications:papers", public_id=public_id)
    dossier = _full(request, public_id)
    if dossier.state not in (S.DRAFT, S.NEEDS_SUPPLEMENT):
        return _no_longer_editable(request, public_id)
    if documents is None:
        form.offer_documents(list(personal_documents_for(owner=request.user)))
    if dossier.state == S.NEEDS_SUPPLEMENT:
        return _detail_response(request, dossier, supplement_form=form, status=400)
    context = _papers_context(dossier, request, bound=(slot, form))
    return render(request, "applications/papers.html", context, status=413 if too_large else 400)


@citizen_dossier("POST")
def paper_remove(request, dossier: Dossier, paper_id: int):
    paper = get_object_or_404(DossierPaper, dossier=dossier, pk=paper_id)
    try:
        services.dossier_remove_paper(paper=paper, actor=request.user)
    except services.DossierError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("The file is removed."))
    return redirect("applications:papers", public_id=dossier.public_id)


@citizen_dossier("GET")
def review(request, dossier: Dossier):
    if (response := _draft_only(request, dossier)) is not None:
        return response
    return render(
        request,
        "applications/review.html",
        {
            "dossier": dossier,
            "missing": missing_papers_view(dossier),
            "fee": services.procedure_online_fee(dossier.procedure),
            "processing_days": services.procedure_processing_days(dossier.procedure),
            "step": 3,
        },
    )


@citizen_action
def submit(request, public_id):
    try:
        dossier = services.dossier_submit(dossier=_named(public_id), actor=request.user)
    except services.DossierNotDraft:
        # A second click or another device: the dossier is already in, with one code.
        return redirect("applications:detail", public_id=public_id)
    except services.DossierIncomplete as exc:
        messages.error(request, exc.message)
        return redirect("applications:review", public_id=public_id)
    except services.DossierError as exc:
        _refuse(request, exc)
        return redirect("applications:detail", public_id=public_id)
    messages.success(
        request,
        _("Your dossier is submitted with the code %(code)s. Appointment date: %(date)s.")
        % {"code": dossier.code, "date": dossier.appointment_date.strftime("%d/%m/%Y")},
    )
    return redirect(dossier)


# --- My dossiers and the dossier page ------------------------------------------------------------


@login_required
@require_GET
def my_dossiers(request):
    from procedures.pagination import page_number

    # One query: a row more than the page says whether there is a next one (no COUNT).
    page = dossier_page_for_citizen(citizen=request.user, number=page_number(request.GET.get("page")), per_page=20)
    # Rows as plain values: the template's per-row work (a status label looked up through
    # every choice, filters, URL tags) was most of the page's rendering time.
    labels = dict(S.choices)
    rows = [
        {
            "url": reverse(
                "applications:applicant" if d.state == S.DRAFT else "applications:detail", args=[d.public_id]
            ),
            "code": d.code,
            # A slice, not the template's truncatechars (which walks every character looking
            # for combining marks: catalogue names are NFC, precomposed): 7% of the page's CPU.
            "procedure": d.procedure_name if len(d.procedure_name) <= 100 else d.procedure_name[:99] + "…",
            "state": d.state,
            "state_label": labels[d.state],
            "appointment_date": d.appointment_date.strftime("%d/%m/%Y") if d.appointment_date else "",
            "next_step": citizen_next_step(d),
        }
        for d in page.object_list
    ]
    return render(request, "applications/my_dossiers.html", {"page": page, "rows": rows})


def _detail_response(request, dossier: Dossier, *, supplement_form=None, rating_form=None, status=200):
    documents = list(personal_documents_for(owner=request.user))
    return render(
        request,
        "applications/detail.html",
        {
            "dossier": dossier,
            "next_step": citizen_next_step(dossier),
            "events": dossier.events.all(),
            "papers": dossier.papers.all(),
            "supplement_form": supplement_form or ExtraPaperForm(documents=documents),
            "resubmit_form": ResubmitForm(),
            "rating_form": rating_form or RatingForm(),
            "can_withdraw": dossier.state in (S.DRAFT, S.SUBMITTED, S.NEEDS_SUPPLEMENT),
            "max_bytes": max_upload_bytes(),
        },
        status=status,
    )


@citizen_dossier("GET")
def detail(request, dossier: Dossier):
    return _detail_response(request, dossier)


@citizen_dossier("POST")
def resubmit(request, dossier: Dossier):
    form = ResubmitForm(request.POST)
    form.is_valid()
    try:
        dossier = services.dossier_resubmit(dossier=dossier, actor=request.user, note=form.cleaned_data.get("note", ""))
    except services.DossierError as exc:
        _refuse(request, exc)
    else:
        messages.success(
            request,
            _("Your dossier is sent back. New appointment date: %(date)s.")
            % {"date": dossier.appointment_date.strftime("%d/%m/%Y")},
        )
    return redirect(dossier)


@citizen_dossier("GET", "POST")
def withdraw(request, dossier: Dossier):
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_withdraw(dossier=dossier, actor=request.user, note=form.cleaned_data["note"])
        except services.DossierError as exc:
            _refuse(request, exc)
        else:
            messages.success(request, _("The dossier is withdrawn."))
        return redirect("applications:my_dossiers")
    return render(request, "applications/withdraw.html", {"dossier": dossier, "form": form})


@citizen_dossier("POST")
def rate(request, dossier: Dossier):
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _detail_response(request, dossier, rating_form=form, status=400)
    try:
        services.dossier_rate(
            dossier=dossier,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except services.DossierError as exc:
        _refuse(request, exc)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect(dossier)


# --- Public status lookup ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Code plus a second factor → status and appointment date only, never personal data."""
    form = LookupForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        ip = ratelimit.client_ip(request)
        code = form.cleaned_data["code"]
        if ratelimit.lookup_blocked(ip=ip, code=code):
            form.add_error(None, _("Too many wrong attempts. Please wait 10 minutes and try again."))
            status = 429
        else:
            result = dossier_for_lookup(code=code, secret=form.cleaned_data["secret"])
            if result is None:
                ratelimit.lookup_failed(ip=ip, code=code)
                form.add_error(None, _("No dossier matches this code and PIN (or phone digits)."))
                status = 404
            else:
                # Found: an empty form for the next lookup (the PIN is not echoed back), the
                # same for everyone, so the template renders its fields once per process.
                form = LookupForm()
    return render(request, "applications/lookup.html", {"form": form, "result": result}, status=status)


# --- Statistics -----------------------------------------------------------------------------------


def month_from_request(request) -> tuple[int, int, MonthForm]:
    from django.utils import timezone

    today = timezone.localdate()
    form = MonthForm(request.GET or None, initial={"month": today.month, "year": today.year})
    if request.GET and form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"], form
    return today.year, today.month, form


def statistics_response(request, *, template: str, agency_id: int | None, extra: dict | None = None):
    """Shared by the public page and the officials' admin view: HTML, or .xlsx with ?format=xlsx."""
    from django.conf import settings
    from django.http import HttpResponse

    year, month, form = month_from_request(request)
    rows = reports.monthly_statistics(year=year, month=month, agency_id=agency_id)
    if request.GET.get("format") == "xlsx":
        content = reports.statistics_workbook(
            rows=rows,
            year=year,
            month=month,
            title=_("Dossier statistics – %(portal)s") % {"portal": settings.PORTAL_NAME},
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="thong-ke-ho-so-{year}-{month:02d}.xlsx"'
        return response
    context = {
        "form": form,
        "year": year,
        "month": month,
        "rows": rows,
        "total": reports.totals(rows),
        "labels": reports.column_labels(),
        **(extra or {}),
    }
    return render(request, template, context)


@require_GET
def statistics(request):
    return statistics_response(request, template="applications/statistics.html", agency_id=None)


# --- Files: the owner or the agency's officials, as downloads ------------------------------------


def _viewable(request, public_id) -> Dossier:
    try:
        return dossier_for_viewer(user=request.user, public_id=public_id)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


def _attachment(field_file, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=sanitize_filename(filename), content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def receipt(request, public_id):
    """ "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": for the citizen and the agency's officials."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.utils import timezone, translation

    from portal.pdf import render_pdf

    dossier = _viewable(request, public_id)
    if request.method not in ("GET", "HEAD") or not dossier.code:
        raise Http404
    # The receipt is an administrative document: always in Vietnamese.
    with translation.override("vi"):
        pdf = render_pdf(
            "applications/receipt.html",
            {
                "dossier": dossier,
                "papers": dossier.papers.all(),
                "portal_name": settings.PORTAL_NAME,
                "received_at": timezone.localtime(dossier.received_at),
            },
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="giay-tiep-nhan-{sanitize_filename(dossier.code)}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def paper_download(request, public_id, paper_id: int):
    dossier = _viewable(request, public_id)
    if request.method not in ("GET", "HEAD"):
        raise Http404
    paper = get_object_or_404(DossierPaper, dossier=dossier, pk=paper_id)
    return _attachment(paper.file, paper.original_name, paper.content_type)


def result_download(request, public_id):
    dossier = _viewable(request, public_id)
    if request.method not in ("GET", "HEAD") or not dossier.result_file:
        raise Http404
    from applications.uploads import CANONICAL_EXTENSION

    extension = dossier.result_file.name.rpartition(".")[2]
    content_type = {v: k for k, v in CANONICAL_EXTENSION.items()}.get(extension, "application/octet-stream")
    return _attachment(dossier.result_file, f"ket-qua-{dossier.code}.{extension}", content_type)
