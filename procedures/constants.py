from django.db import models
from django.utils.translation import gettext_lazy as _


class LevelCode(models.TextChoices):
    MINISTRY = "ministry", _("Ministry level")
    PROVINCE = "province", _("Province level")
    DISTRICT = "district", _("District level")
    COMMUNE = "commune", _("Commune level")
    OTHER = "other", _("Other body")


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("days")
    HOURS = "hours", _("hours")
    MONTHS = "months", _("months")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee (phí)")
    CHARGE = "charge", _("Charge (lệ phí)")


class OnlineLevel(models.TextChoices):
    INFORMATION = "information", _("Information only")
    PARTIAL = "partial", _("Partly online")
    FULL = "full", _("Fully online with online payment")
