"""The catalogue of administrative procedures (thủ tục hành chính).

Structured values sit next to the text they were parsed from (``*_text`` fields), because
the national records contradict themselves often enough that an official must be able to
see what was published.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procedures.constants import Channel, FeeKind, LevelCode, OnlineLevel, TimeUnit
from procedures.text import fold_padded, join_padded


class AdministrativeLevel(models.Model):
    """Kept as data: the 2025 reform removed the district tier and may change again."""

    code = models.CharField(_("code"), max_length=20, unique=True, choices=LevelCode.choices)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), default=0, help_text=_("0 = highest"))

    class Meta:
        verbose_name = _("administrative level")
        verbose_name_plural = _("administrative levels")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    level = models.ForeignKey(
        AdministrativeLevel, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("level")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["level__rank", "name"]

    def __str__(self) -> str:
        return self.name


class Sector(models.Model):
    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(_("procedure code"), max_length=40, unique=True)
    name = models.TextField(_("name"))
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("sector"), null=True, blank=True
    )
    levels = models.ManyToManyField(
        AdministrativeLevel, related_name="procedures", verbose_name=_("levels"), blank=True
    )
    agencies = models.ManyToManyField(
        Agency, related_name="procedures", verbose_name=_("implementing agencies"), blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=200, blank=True)
    procedure_type = models.CharField(_("procedure type"), max_length=200, blank=True)
    applicants = models.TextField(_("who may apply"), blank=True)
    competent_authority = models.TextField(_("competent authority"), blank=True)
    implementing_agency_text = models.TextField(_("implementing agency (as published)"), blank=True)
    # Summary of the channels: the shortest time stated in working days, for lists and the assistant.
    processing_days = models.DecimalField(
        _("processing time (working days)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    processing_time_text = models.CharField(
        _("processing time (text)"),
        max_length=500,
        blank=True,
        help_text=_('When not a plain number, e.g. "trong ngày".'),
    )
    conditions = models.TextField(_("requirements and conditions"), blank=True)
    result_location = models.TextField(_("where the result is received"), blank=True)
    online_level = models.CharField(
        _("online service level"), max_length=20, choices=OnlineLevel.choices, default=OnlineLevel.INFORMATION
    )
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("Words people use for it, comma-separated."))
    # Folded (procedures.text.fold) and space-padded copies for search: name and code, keywords,
    # aliases and steps kept apart so a match can be ranked by where it was found, and all of
    # them in search_text, the column the trigram index serves. Aliases and steps live in other
    # tables, so procedures.search.procedure_refresh_search_text refreshes them.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_name = models.TextField(_("search text: name"), blank=True, editable=False)
    search_keywords = models.TextField(_("search text: keywords"), blank=True, editable=False)
    search_aliases = models.TextField(_("search text: aliases"), blank=True, editable=False)
    search_steps = models.TextField(_("search text: steps"), blank=True, editable=False)
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    source_record = models.JSONField(_("source record"), default=dict, blank=True, editable=False)
    parse_issues = models.JSONField(_("parsing issues"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]
        indexes = [models.Index(fields=["-popularity", "code"], name="procedure_popularity_idx")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name[:120]}"

    def save(self, *args, **kwargs):
        self.fill_search_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "search_name", "search_keywords"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("procedures:detail", kwargs={"code": self.code})

    def fill_search_fields(self) -> None:
        """Folds the row's own text; aliases and steps keep their last refreshed value."""
        self.search_name = fold_padded(
            f"{self.name} {self.code}"
        )  # name first: the search ranks a name that starts with the query
        self.search_keywords = fold_padded(self.keywords)
        self.search_text = join_padded(self.search_name, self.search_aliases, self.search_keywords, self.search_steps)

    @property
    def is_fully_online(self) -> bool:
        return self.online_level == OnlineLevel.FULL

    @property
    def accepts_online(self) -> bool:
        return self.online_level in {OnlineLevel.PARTIAL, OnlineLevel.FULL}


class ProcedureAlias(models.Model):
    """An everyday name for a procedure ("giấy phép kinh doanh hộ cá thể")."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="aliases")
    phrase = models.CharField(_("phrase"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["procedure", "phrase"]
        constraints = [models.UniqueConstraint(fields=["procedure", "phrase"], name="unique_alias_per_procedure")]

    def __str__(self) -> str:
        return self.phrase


class ProcedureChannel(models.Model):
    """One row of "Cách thức thực hiện": a way to submit, with its time and fee note."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="channels")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    time_value = models.DecimalField(_("time"), max_digits=6, decimal_places=1, null=True, blank=True)
    time_unit = models.CharField(_("time unit"), max_length=20, choices=TimeUnit.choices, blank=True)
    time_text = models.CharField(_("time (as published)"), max_length=500, blank=True)
    fee_text = models.TextField(_("fee (as published)"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("submission channel")
        verbose_name_plural = _("submission channels")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.get_channel_display()


class Fee(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    channel = models.ForeignKey(ProcedureChannel, on_delete=models.CASCADE, related_name="fees", null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # Blank when the published text does not say whether it is a phí or a lệ phí.
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices, default=FeeKind.CHARGE, blank=True)
    amount = models.PositiveBigIntegerField(_("amount (đồng)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    condition = models.TextField(_("condition"), blank=True)
    text = models.TextField(_("as published"), blank=True)

    class Meta:
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class Step(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.text[:80]


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    group = models.CharField(_("case"), max_length=500, blank=True, help_text=_('e.g. "Trường hợp cấp mới"'))
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    form_name = models.CharField(_("blank form"), max_length=300, blank=True)
    form_file = models.FileField(_("blank form file"), upload_to="forms/", blank=True)
    is_required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("required paper")
        verbose_name_plural = _("required papers")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class ProcedureResult(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.TextField(_("name"))
    code = models.CharField(_("code"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.name[:80]


class LegalBasis(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="legal_bases")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.TextField(_("title"))
    number = models.CharField(_("number"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["procedure", "order"]

    def __str__(self) -> str:
        return self.number or self.title[:80]


class SearchTerm(models.Model):
    """A folded word that occurs in the catalogue: the vocabulary that corrects a typo in a
    query word. Words are added when a procedure's search text is refreshed; a word no
    longer used only costs a lookup that finds nothing."""

    word = models.CharField(_("word"), max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word
