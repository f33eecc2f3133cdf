from django.db import models
from django.utils.translation import gettext_lazy as _

# The role that may read the audit trail (permission security.view_auditentry).
SECURITY_OFFICER_GROUP = "Security officer"

# Session keys written by portal.security (prefixed so no other app collides with them).
SESSION_LOGIN_AT = "security.login_at"
SESSION_LAST_ACTIVITY = "security.last_activity"
SESSION_SECOND_FACTOR = "security.second_factor"

# Writing the session on every request would cost a database write a request (cached_db):
# the last activity is refreshed at most this often, so an idle timeout is exact to a minute.
LAST_ACTIVITY_GRANULARITY = 60


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    SECOND_FACTOR_FAILED = "mfa_failed", _("Wrong second-factor code")
    SECOND_FACTOR_ADDED = "mfa_added", _("Second factor added")
    SECOND_FACTOR_REMOVED = "mfa_removed", _("Second factor removed")
    SECOND_FACTOR_RESET = "mfa_reset", _("Recovery codes regenerated")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    SESSIONS_ENDED = "sessions_ended", _("Other sessions ended")
    ADMIN_ADDITION = "admin_add", _("Added in the back office")
    ADMIN_CHANGE = "admin_change", _("Changed in the back office")
    ADMIN_DELETION = "admin_delete", _("Deleted in the back office")
