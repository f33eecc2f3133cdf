from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.validators import format_phone, validate_citizen_id, validate_phone


class PortalUserManager(UserManager):
    """Users sign in by e-mail; the username is not used."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """A citizen or an official. The citizen's profile lives on the same row (one query)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    citizen_id = models.CharField(
        _("citizen ID number (CCCD)"), max_length=12, blank=True, validators=[validate_citizen_id]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=12, blank=True, validators=[validate_phone])
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    address = models.CharField(_("permanent address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"], condition=~models.Q(citizen_id=""), name="unique_citizen_id"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split()[-1] if self.full_name else "") or self.email

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    @property
    def profile_complete(self) -> bool:
        return bool(self.full_name and self.citizen_id and self.date_of_birth and self.phone and self.address)
