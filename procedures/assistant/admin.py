from django.contrib import admin, messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from procedures.assistant.forms import AliasForm
from procedures.assistant.models import Conversation, Turn, UnansweredQuestion
from procedures.assistant.services import AssistantError, unanswered_resolve_as_alias


@admin.register(UnansweredQuestion)
class UnansweredQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "count", "reason", "best_guess", "last_asked_at", "resolved_at"]
    list_filter = ["reason", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["folded_text", "text"]
    date_hierarchy = "last_asked_at"
    list_select_related = ["best_guess"]
    readonly_fields = [
        "folded_text",
        "text",
        "reason",
        "count",
        "best_guess",
        "first_asked_at",
        "last_asked_at",
        "resolved_at",
    ]
    ordering = ["resolved_at", "-count", "-last_asked_at"]
    actions = ["attach_as_alias"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Attach the question as an alias of a procedure"), permissions=["change"])
    def attach_as_alias(self, request, queryset):
        if "apply" in request.POST:
            form = AliasForm(request.POST)
            if form.is_valid():
                procedure = form.cleaned_data["procedure"]
                done = 0
                for question in queryset:
                    try:
                        unanswered_resolve_as_alias(question=question, procedure=procedure)
                    except AssistantError:
                        continue
                    done += 1
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d question attached to %(code)s.",
                        "%(count)d questions attached to %(code)s.",
                        done,
                    )
                    % {"count": done, "code": procedure.code},
                    messages.SUCCESS,
                )
                return None
        else:
            guess = next((q.best_guess for q in queryset if q.best_guess_id), None)
            form = AliasForm(initial={"procedure": guess.code if guess else ""})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Attach as alias"),
            "questions": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "assistant/admin_attach_alias.html", context)


class TurnInline(admin.TabularInline):
    model = Turn
    extra = 0
    can_delete = False
    fields = ["created_at", "speaker", "text", "intent", "procedure_code"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["key", "procedure", "turn_count", "updated_at"]
    list_select_related = ["procedure"]
    search_fields = ["key", "procedure__code"]
    date_hierarchy = "updated_at"
    list_filter = ["pending_offer"]
    readonly_fields = [
        "key",
        "procedure",
        "pending_offer",
        "candidates",
        "pending_intent",
        "told",
        "turn_count",
        "created_at",
        "updated_at",
    ]
    inlines = [TurnInline]

    def has_add_permission(self, request):
        return False
