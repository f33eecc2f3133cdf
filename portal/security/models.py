from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.security.constants import AuditAction


class AuditEntryImmutable(Exception):
    """An audit entry is written once and never changed or deleted."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditEntryImmutable("Audit entries cannot be changed.")

    def delete(self):
        raise AuditEntryImmutable("Audit entries cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditEntryImmutable("Audit entries cannot be changed.")


class AuditEntry(models.Model):
    """One security-relevant event: who did what, to which object, when and from where.

    Rows are append-only: the model refuses updates and deletions, the admin shows them
    read-only, and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002).
    The actor is kept as an id without a database constraint plus the e-mail at the time,
    so deleting a user neither deletes nor rewrites that user's trail.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.TextField(_("changes"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["-created_at"], name="security_audit_created"),
            models.Index(fields=["actor", "-created_at"], name="security_audit_actor"),
            models.Index(fields=["object_type", "object_id"], name="security_audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_email or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditEntryImmutable("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEntryImmutable("Audit entries cannot be deleted.")
