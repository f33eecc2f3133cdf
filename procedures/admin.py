"""The operators' back office for the catalogue: procedures with their parts inline,
agencies, sectors and levels, and import/export of the whole catalogue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from procedures import services
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

IMPORT_FORMATS = [("json", "JSON"), ("csv", "CSV"), ("csdl", _("National database records (csdl)"))]
EXPORT_FORMATS = [("json", "JSON"), ("csv", "CSV")]
EXPORT_CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    fmt = forms.ChoiceField(label=_("Format"), choices=IMPORT_FORMATS, initial="json")
    dry_run = forms.BooleanField(label=_("Dry run: check and report, change nothing"), required=False, initial=True)


class CatalogueExportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("Format"), choices=EXPORT_FORMATS, initial="json")


class ChannelInline(admin.TabularInline):
    model = ProcedureChannel
    extra = 0
    fields = ["order", "channel", "time_value", "time_unit", "time_text", "fee_text"]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["order", "channel", "kind", "amount", "condition", "text"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only this procedure's channels, not every channel of the catalogue.
        if db_field.name == "channel":
            procedure_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = ProcedureChannel.objects.filter(procedure_id=procedure_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "text"]


class DocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0
    fields = [("order", "group"), "name", ("originals", "copies", "is_required"), ("form_name", "form_file")]


class ResultInline(admin.TabularInline):
    model = ProcedureResult
    extra = 0
    fields = ["order", "name", "code"]


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0
    fields = ["order", "number", "title"]


class AliasInline(admin.TabularInline):
    model = ProcedureAlias
    extra = 1
    fields = ["phrase"]


class CatalogueChangeMixin:
    """Saving or deleting a catalogue row here changes what the public pages show: their cache
    (procedures.pagecache) starts anew once the change commits."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalogue_pages_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        catalogue_pages_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        catalogue_pages_changed()


@admin.register(Procedure)
class ProcedureAdmin(CatalogueChangeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "sector", "online_level", "processing_days", "popularity", "is_active"]
    list_display_links = ["code", "name"]
    list_filter = ["is_active", "online_level", "levels", "sector"]
    list_select_related = ["sector"]
    search_fields = ["code", "name", "search_text"]
    autocomplete_fields = ["sector", "agencies"]
    filter_horizontal = ["levels"]
    date_hierarchy = "updated_at"
    readonly_fields = ["created_at", "updated_at", "source_record", "parse_issues", "search_text"]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [
        ChannelInline,
        FeeInline,
        StepInline,
        DocumentInline,
        ResultInline,
        LegalBasisInline,
        AliasInline,
    ]
    fieldsets = [
        (None, {"fields": ["code", "name", "sector", "levels", "agencies", "is_active", "popularity"]}),
        (
            _("Time and online service"),
            {"fields": ["processing_days", "processing_time_text", "online_level"]},
        ),
        (
            _("As published"),
            {
                "fields": [
                    "decision_number",
                    "procedure_type",
                    "applicants",
                    "competent_authority",
                    "implementing_agency_text",
                    "conditions",
                    "result_location",
                    "source_url",
                ]
            },
        ),
        (_("Search"), {"fields": ["keywords", "search_text"]}),
        (
            _("System"),
            {"classes": ["collapse"], "fields": ["source_record", "parse_issues", "created_at", "updated_at"]},
        ),
    ]
    change_list_template = "admin/procedures/procedure/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        # The operators' box accepts what citizens type: no diacritics needed.
        from procedures.text import fold

        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Aliases and steps live in inlines: refresh the search text once they are saved.
        services.catalogue_changed(procedure_ids=[form.instance.pk])

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="procedures_procedure_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="procedures_procedure_export"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = CatalogueImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = services.catalogue_import(
                    file=form.cleaned_data["file"], fmt=form.cleaned_data["fmt"], dry_run=form.cleaned_data["dry_run"]
                )
            except services.CatalogueImportError as error:
                form.add_error("file", str(error))
            else:
                if not report.ok:
                    messages.error(request, gettext("The file was rejected: nothing was changed."))
                elif report.dry_run:
                    messages.info(request, gettext("Dry run: nothing was changed."))
                else:
                    messages.success(request, gettext("The catalogue was imported."))
        return TemplateResponse(
            request,
            "admin/procedures/procedure/import.html",
            self._context(request, title=gettext("Import the catalogue"), form=form, report=report),
        )

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CatalogueExportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            fmt = form.cleaned_data["fmt"]
            content = services.catalogue_export(fmt=fmt)
            response = HttpResponse(
                content.encode("utf-8"),
                content_type=EXPORT_CONTENT_TYPES[fmt],
            )
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = f'attachment; filename="thu-tuc-{stamp}.{fmt}"'
            return response
        return TemplateResponse(
            request,
            "admin/procedures/procedure/export.html",
            self._context(request, title=gettext("Export the catalogue"), form=form),
        )


@admin.register(Agency)
class AgencyAdmin(CatalogueChangeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "phone", "is_active"]
    list_filter = ["is_active", "level"]
    list_select_related = ["level", "parent"]
    search_fields = ["code", "name", "short_name", "address"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Sector)
class SectorAdmin(CatalogueChangeMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(AdministrativeLevel)
class AdministrativeLevelAdmin(CatalogueChangeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "rank"]
    ordering = ["rank"]
