"""The officials' back office: each official sees and acts on their own agency's dossiers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from applications import calendar, services
from applications.constants import DossierState
from applications.forms import NoteForm, ProcessForm, RejectForm, SupplementRequestForm
from applications.models import CalendarException, Dossier, DossierEvent, DossierPaper, Official
from applications.selectors import QUEUE_COLUMNS, dossiers_for_official, official_for_user, official_with_agency
from portal.adminmixins import ReadOnlyAdminMixin, ReadOnlyInline

# action → (transition method, button label, confirmation form); _run_service calls the service.
ACTIONS = {
    "validate": ("validate", _("Validate"), NoteForm),
    "request_supplement": ("request_supplement", _("Request more papers"), SupplementRequestForm),
    "reject": ("reject", _("Reject"), RejectForm),
    "process": ("process", _("Mark processed"), ProcessForm),
    "deliver": ("deliver", _("Mark delivered at the counter"), NoteForm),
}


def _run_service(action: str, dossier: Dossier, user, data: dict) -> Dossier:
    if action == "validate":
        return services.dossier_validate(dossier=dossier, actor=user, note=data.get("note", ""))
    if action == "request_supplement":
        return services.dossier_request_supplement(dossier=dossier, actor=user, request_text=data["request_text"])
    if action == "reject":
        return services.dossier_reject(dossier=dossier, actor=user, reason=data["reason"])
    if action == "process":
        return services.dossier_process(
            dossier=dossier, actor=user, result_file=data.get("result_file"), note=data.get("note", "")
        )
    return services.dossier_deliver(dossier=dossier, actor=user, channel="counter", note=data.get("note", ""))


class DueFilter(admin.SimpleListFilter):
    title = _("due date")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("soon", _("Due within 2 working days")),
            ("later", _("Due later")),
            ("paused", _("Clock stopped (waiting for papers)")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        running = Q(state__in=[DossierState.SUBMITTED, DossierState.VALIDATED])
        if self.value() == "overdue":
            return queryset.filter(running, appointment_date__lt=today)
        if self.value() == "soon":
            return queryset.filter(
                running, appointment_date__gte=today, appointment_date__lte=calendar.due_soon_limit(today)
            )
        if self.value() == "later":
            return queryset.filter(running, appointment_date__gt=calendar.due_soon_limit(today))
        if self.value() == "paused":
            return queryset.filter(state=DossierState.NEEDS_SUPPLEMENT)
        return queryset


class DossierEventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    verbose_name_plural = _("Event trail")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_view_permission(self, request, obj=None):
        return True


class DossierPaperInline(ReadOnlyInline):
    model = DossierPaper
    fields = ["title", "open_link", "original_name", "content_type", "size", "is_supplement", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dossier")

    def has_view_permission(self, request, obj=None):
        return True

    @admin.display(description=_("file"))
    def open_link(self, paper: DossierPaper):
        return format_html('<a href="{}">{}</a>', paper.get_download_url(), gettext("Open"))


# The queue counts at most this many dossiers: past it, the pages say "more than 5,000" and the
# last pages are reached through the filters and the search (an official works from the top).
QUEUE_COUNT_CAP = 5000


class QueuePaginator(Paginator):
    """COUNT(*) of at most QUEUE_COUNT_CAP + 1 rows, in the queue's order (read from the queue
    index, stopping there) instead of every dossier of the agency (~12 ms for 48,000)."""

    cap = QUEUE_COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


class DossierChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.select_related(None).select_related("procedure").only(*QUEUE_COLUMNS)


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # Read-only: nothing is edited through the form; changes go through the action buttons.
    list_display = [
        "code",
        "procedure_short",
        "applicant_name",
        "state_display",
        "received_at",
        "appointment_display",
        "fee_display",
    ]
    # Received date as a filter (today, past 7 days, this month, this year) rather than a
    # date_hierarchy: the hierarchy reads the first and last date and the distinct days or
    # months of the whole queue at every display (~150 ms over an agency's 48,000 dossiers).
    list_filter = ["state", DueFilter, "fee_settled", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["code", "applicant_name", "applicant_citizen_id", "procedure__code"]
    list_select_related = ["procedure"]
    # `make bench` (48,000 dossiers for one agency): the admin's 100-row page cost ~6 ms a row
    # to render and a second COUNT(*) of the agency's dossiers for "N total"; 25 rows and no
    # full count serve the queue about four times faster. The page count itself stops at
    # QUEUE_COUNT_CAP rows (QueuePaginator).
    list_per_page = 25
    show_full_result_count = False
    paginator = QueuePaginator
    ordering = ["appointment_date", "received_at"]
    inlines = [DossierPaperInline, DossierEventInline]
    actions = None
    change_form_template = "admin/applications/dossier/change_form.html"
    change_list_template = "admin/applications/dossier/change_list.html"
    fieldsets = (
        (None, {"fields": ("code", "state", "procedure", "agency", "received_at", "appointment_date")}),
        (
            _("Applicant"),
            {
                "fields": (
                    "applicant_name",
                    "applicant_citizen_id",
                    "applicant_date_of_birth",
                    "applicant_phone",
                    "applicant_address",
                    "applicant_email",
                )
            },
        ),
        (
            _("Processing"),
            {
                "fields": (
                    "processing_days",
                    "working_days_used",
                    "paused_at",
                    "fee_amount",
                    "fee_settled",
                    "fee_reference",
                    "supplement_request",
                    "rejection_reason",
                    "validated_at",
                    "processed_at",
                    "result_link",
                    "result_note",
                    "delivered_at",
                    "delivery_channel",
                    "rating",
                    "rating_comment",
                )
            },
        ),
    )

    def get_queryset(self, request):
        official = official_for_user(user=request.user)
        qs = dossiers_for_official(official=official, user=request.user)
        today = timezone.localdate()
        running = Q(state__in=[DossierState.SUBMITTED, DossierState.VALIDATED])
        return qs.annotate(
            due_status=Case(
                When(running & Q(appointment_date__lt=today), then=Value("overdue")),
                When(running & Q(appointment_date__lte=calendar.due_soon_limit(today)), then=Value("soon")),
                default=Value(""),
                output_field=CharField(),
            )
        )

    def get_changelist(self, request, **kwargs):
        return DossierChangeList

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    @admin.display(description=_("procedure"), ordering="procedure__code")
    def procedure_short(self, obj: Dossier) -> str:
        return f"{obj.procedure.code} – {obj.procedure.name[:60]}"

    @admin.display(description=_("status"), ordering="state")
    def state_display(self, obj: Dossier) -> str:
        return obj.get_state_display()

    @admin.display(description=_("appointment date"), ordering="appointment_date")
    def appointment_display(self, obj: Dossier):
        if obj.appointment_date is None:
            return "—"
        text = obj.appointment_date.strftime("%d/%m/%Y")
        status = getattr(obj, "due_status", "")
        if status == "overdue":
            return format_html('<strong class="due-overdue">⚠ {} ({})</strong>', text, gettext("overdue"))
        if status == "soon":
            return format_html('<strong class="due-soon">{} ({})</strong>', text, gettext("due soon"))
        return text

    @admin.display(description=_("fee"), ordering="fee_amount")
    def fee_display(self, obj: Dossier) -> str:
        from portal.money import format_vnd

        if not obj.fee_amount:
            return "—"
        paid = gettext("paid") if obj.fee_settled else gettext("unpaid")
        return f"{format_vnd(obj.fee_amount)} ({paid})"

    @admin.display(description=_("result document"))
    def result_link(self, obj: Dossier):
        if not obj.result_file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("applications:result_download", args=[obj.public_id]), gettext("Open")
        )

    # --- Scoping: another agency's dossier is a 404, not a redirect ---------------------------

    def _scoped_object(self, request, object_id) -> Dossier:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404(gettext("No such dossier."))
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self._scoped_object(request, object_id)
        extra_context = {**(extra_context or {}), "transition_buttons": self._buttons(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._scoped_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _buttons(self, request, obj: Dossier) -> list[dict]:
        buttons = []
        for action, (method_name, label, _form) in ACTIONS.items():
            method = getattr(obj, method_name)
            if can_proceed(method, check_conditions=False) and has_transition_perm(method, request.user):
                buttons.append(
                    {
                        "label": label,
                        "url": reverse("admin:applications_dossier_transition", args=[obj.pk, action]),
                    }
                )
        return buttons

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path("queue/", self.admin_site.admin_view(self.queue_view), name="applications_dossier_queue"),
            path(
                "statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="applications_dossier_statistics",
            ),
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.transition_view),
                name="applications_dossier_transition",
            ),
        ]
        return custom + urls

    def queue_view(self, request):
        """The official's work queue (applications.queue): their agency's open dossiers, the
        most urgent first. The admin chrome is rendered without the app list of the sidebar
        (each_context), which read every model's permissions at each display."""
        from django.core.exceptions import PermissionDenied

        from applications.queue import QUEUE_ROWS, agency_queue

        if not self.has_view_permission(request):
            raise PermissionDenied
        official = official_with_agency(user=request.user)
        agency = official.agency if official else None
        context = {
            "site_title": self.admin_site.site_title,
            "site_header": self.admin_site.site_header,
            "site_url": self.admin_site.site_url,
            "has_permission": True,
            "is_nav_sidebar_enabled": False,
            "is_popup": False,
            "opts": self.model._meta,
            "title": gettext("Work queue"),
            "agency": agency,
            "queue": agency_queue(agency=agency) if agency else None,
            "limit": QUEUE_ROWS,
        }
        return TemplateResponse(request, "admin/applications/dossier/queue.html", context)

    def statistics_view(self, request):
        """The official's own agency per month (a superuser without an agency sees all)."""
        from django.core.exceptions import PermissionDenied

        from applications.views import statistics_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        official = official_for_user(user=request.user)
        if official is None and not request.user.is_superuser:
            raise PermissionDenied
        return statistics_response(
            request,
            template="admin/applications/dossier/statistics.html",
            agency_id=official.agency_id if official else None,
            extra={
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Dossier statistics"),
                "agency": official.agency if official else None,
            },
        )

    def transition_view(self, request, object_id, action: str):
        if action not in ACTIONS:
            raise Http404
        obj = self._scoped_object(request, object_id)
        method_name, label, form_class = ACTIONS[action]
        form = form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                _run_service(action, obj, request.user, form.cleaned_data)
            except services.DossierPermissionDenied as exc:
                raise Http404 from exc
            except services.DossierError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    gettext("Dossier %(code)s: %(action)s done.") % {"code": obj, "action": label},
                    messages.SUCCESS,
                )
                return redirect("admin:applications_dossier_change", obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{label}: {obj}",
            "form": form,
            "action_label": label,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/applications/dossier/transition.html", context)


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "dossier", "action", "from_state", "to_state", "actor"]
    list_filter = ["action", "to_state"]
    search_fields = ["dossier__code"]
    date_hierarchy = "at"
    list_select_related = ["dossier", "actor"]
    readonly_fields = ["dossier", "actor", "at", "action", "from_state", "to_state", "note"]
    actions = None

    def get_queryset(self, request):
        official = official_for_user(user=request.user)
        dossiers = dossiers_for_official(official=official, user=request.user)
        return super().get_queryset(request).filter(dossier__in=dossiers.values("pk"))


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["description"]
    date_hierarchy = "date"
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "position", "is_active"]
    list_filter = ["is_active", "agency__level"]
    search_fields = ["user__email", "user__full_name", "agency__name", "agency__code"]
    list_select_related = ["user", "agency"]
    raw_id_fields = ["user", "agency"]
    readonly_fields = ["created_at", "updated_at"]
