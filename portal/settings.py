"""Settings of the portal: one module, read from the environment.

The contract (see README and .env.example):

- ``DATABASE_URL`` unset → SQLite file in the project folder; set → PostgreSQL (psycopg 3).
- ``REDIS_URL`` unset → Celery runs tasks eagerly and the cache is local memory;
  set → Redis is the Celery broker, the result store and the cache.
- ``DEBUG`` defaults to on only where no ``SECRET_KEY`` is given: production sets both.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core -------------------------------------------------------------------------------

DEBUG = env.get_bool("DEBUG", default=env.get_str("SECRET_KEY") is None)
_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105 - refused when DEBUG is off
SECRET_KEY = env.get_str("SECRET_KEY") or (_DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise env.EnvError("SECRET_KEY is missing: production (DEBUG off) needs a long random key.")
if not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise env.EnvError("SECRET_KEY is too short or the development key: use 50+ random characters.")

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise env.EnvError("ALLOWED_HOSTS is missing: production needs the site's host names.")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])

# The address the portal is reached at, for links in e-mails, SMS and gateway callbacks.
SITE_URL = (env.get_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
PORTAL_NAME = env.get_str("PORTAL_NAME") or "Cổng Dịch vụ công tỉnh Bình An"
# The officials' admin lives at a path of the deployment's choosing, not /admin/.
ADMIN_URL = (env.get_str("ADMIN_URL") or "quan-tri/").strip("/") + "/"

INSTALLED_APPS = [
    "portal",
    "portal.notifications",
    "procedures",
    "procedures.assistant",
    "applications",
    "payments",
    "delivery",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "portal.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    # NUL in a path or query string is a 400 before any view can pass it to PostgreSQL.
    "portal.middleware.NulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: first end idle or too old sessions, then gate the admin.
    "portal.security.middleware.SessionTimeoutMiddleware",
    "portal.security.middleware.AdminAccessMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"
AUTH_USER_MODEL = "portal.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_LOADERS = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
            "builtins": ["portal.templatetags.portal_format"],
            # Cached loaders in production: rendering is most of a page's cost.
            "loaders": _LOADERS if DEBUG else [("django.template.loaders.cached.Loader", _LOADERS)],
        },
    }
]

# --- Data -------------------------------------------------------------------------------

DATABASES = {"default": env.database_config(env.get_str("DATABASE_URL"), sqlite_path=str(BASE_DIR / "db.sqlite3"))}

REDIS_URL = env.redis_url(env.get_str("REDIS_URL"))
if REDIS_URL:
    # portal.cache: Django's Redis backend, keeping its Redis client, and living without Redis a while.
    CACHES = {
        "default": {
            # Redis down: reads miss and writes are dropped (portal.cache), so sessions come
            # from the database and citizens go on; Redis is a cache here, never the only copy.
            "BACKEND": "portal.cache.SoftFailRedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis (not a refused port) must fail a cache call in seconds, not hold a
            # gunicorn worker forever.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

MEDIA_ROOT = Path(env.get_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"  # never served directly: uploads go through views that check the owner
STATIC_ROOT = Path(env.get_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Celery -----------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers an unacknowledged message after this long; keep it above any countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Celery's Django fixup closes the database connection before and after every task unless
# this is set (celery/fixups/django.py reads CELERY_DB_REUSE_MAX; CONN_MAX_AGE is ignored):
# a new PostgreSQL connection per task cost 4x the throughput. The connection is then
# recycled every N tasks, and portal.celery closes broken or aged ones like a request would.
CELERY_DB_REUSE_MAX = env.get_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_BEAT_SCHEDULE: dict = {
    # The outbox sweep: notifications whose task never reached the broker (Redis down at
    # commit) or was lost are queued again.
    "notifications-requeue-stuck": {
        "task": "notifications.requeue_stuck_notifications",
        "schedule": 300.0,
    },
    "notifications-due-soon-digest": {
        "task": "notifications.send_due_soon_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon-fri"),
    },
    "notifications-flag-overdue": {
        "task": "notifications.flag_overdue_dossiers",
        "schedule": crontab(hour=6, minute=30),
    },
}

# --- Accounts (django-allauth) -----------------------------------------------------------

# Django's and allauth's backends, keeping the signed-in user's row in the cache (portal.auth).
AUTHENTICATION_BACKENDS = [
    "portal.auth.CachedModelBackend",
    "portal.auth.CachedAllauthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Dịch vụ công] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelled out so the figures are visible and reviewable.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
LOGIN_REDIRECT_URL = "portal:profile"
LOGIN_URL = "account_login"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Dich vu cong"
# Account security (portal.security): changing the e-mail or setting a password asks for the
# password again (allauth.mfa already does so for the second factor: MFA_REAUTHENTICATION_REQUIRED).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_ADAPTER = "portal.security.adapters.PortalMFAAdapter"
# Sessions end after this many seconds without a request (officials, citizens) and, in any case,
# this many seconds after sign-in. Enforced by portal.security.middleware.SessionTimeoutMiddleware.
SESSION_IDLE_TIMEOUT_STAFF = env.get_int("SESSION_IDLE_TIMEOUT_STAFF", 30 * 60)
SESSION_IDLE_TIMEOUT_CITIZEN = env.get_int("SESSION_IDLE_TIMEOUT_CITIZEN", 120 * 60)
SESSION_ABSOLUTE_LIFETIME = env.get_int("SESSION_ABSOLUTE_LIFETIME", 12 * 3600)
# Client addresses in the audit trail come from REMOTE_ADDR; behind N trusted reverse proxies
# set this to N so the address is taken from X-Forwarded-For (allauth's rate limits read it too).
ALLAUTH_TRUSTED_PROXY_COUNT = env.get_int("TRUSTED_PROXY_COUNT", 0)

# --- E-mail -----------------------------------------------------------------------------

EMAIL_BACKEND = env.get_str("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env.get_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.get_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env.get_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env.get_str("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env.get_str("DEFAULT_FROM_EMAIL") or "Dịch vụ công <no-reply@dichvucong.example.vn>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (portal.notifications) ------------------------------------------------

# SMS: portal.notifications.sms.FileBackend (one line per SMS in SMS_FILE_PATH),
# .ConsoleBackend, or .BrandnameHttpBackend (the provider's JSON API below).
SMS_BACKEND = env.get_str("SMS_BACKEND") or "portal.notifications.sms.FileBackend"
SMS_FILE_PATH = env.get_str("SMS_FILE_PATH") or str(BASE_DIR / "var" / "sms.log")
SMS_API_URL = env.get_str("SMS_API_URL") or ""
SMS_API_KEY = env.get_str("SMS_API_KEY") or ""
SMS_BRANDNAME = env.get_str("SMS_BRANDNAME") or "DICHVUCONG"
SMS_TIMEOUT = env.get_int("SMS_TIMEOUT", 10)
if SMS_BACKEND.endswith("BrandnameHttpBackend") and not (SMS_API_URL and SMS_API_KEY):
    raise env.EnvError("SMS_BACKEND is the brandname gateway: set SMS_API_URL and SMS_API_KEY.")
# A queued notification untouched this long is queued again by the beat sweep.
NOTIFICATIONS_STUCK_AFTER_MINUTES = env.get_int("NOTIFICATIONS_STUCK_AFTER_MINUTES", 10)
# Officials' digest: open dossiers due within this many days.
NOTIFICATIONS_DUE_SOON_DAYS = env.get_int("NOTIFICATIONS_DUE_SOON_DAYS", 2)
# The new appointment date given in the apology for a late dossier, in working days.
NOTIFICATIONS_OVERDUE_EXTENSION_DAYS = env.get_int("NOTIFICATIONS_OVERDUE_EXTENSION_DAYS", 5)

# --- Language, time, formats ------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "allauth"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Security ---------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer polls the health endpoint over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env.get_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 8 * 3600)

# --- Logging: one structured line an event -------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Dossiers (applications) --------------------------------------------------------------

# One uploaded paper at most (PDF, JPEG or PNG); requests announcing more are refused early.
DOSSIER_MAX_UPLOAD_BYTES = env.get_int("DOSSIER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Processing time when the catalogue states none (working days).
DOSSIER_DEFAULT_PROCESSING_DAYS = 10
# WeasyPrint logs every rendering step at INFO.
LOGGING["loggers"].update({"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}})

# --- Payments ------------------------------------------------------------------------------

# The gateway adapter (dotted path) and the secret shared with the gateway (HMAC-SHA512).
# Without a secret, only DEBUG runs (with a development one); the deploy check says so.
PAYMENT_GATEWAY = env.get_str("PAYMENT_GATEWAY") or "payments.gateways.mock.MockGateway"
PAYMENT_GATEWAY_SECRET = env.get_str("PAYMENT_GATEWAY_SECRET") or ""
PAYMENT_TMN_CODE = env.get_str("PAYMENT_TMN_CODE") or "DVCBINHAN"
PAYMENT_EXPIRY_MINUTES = env.get_int("PAYMENT_EXPIRY_MINUTES", 15)
# A signed notification older than this is refused as a replay.
PAYMENT_NOTIFICATION_MAX_AGE_MINUTES = env.get_int("PAYMENT_NOTIFICATION_MAX_AGE_MINUTES", 10)
# The mock gateway sends its IPN over HTTP to SITE_URL (off in unit tests).
PAYMENT_MOCK_SEND_IPN = env.get_bool("PAYMENT_MOCK_SEND_IPN", True)
CELERY_BEAT_SCHEDULE.update(
    {
        "payments-expire-stale": {"task": "payments.expire_stale_payments", "schedule": 60.0},
        # Daily at 01:30 (Vietnam time): yesterday's payments against the gateway's list.
        "payments-reconcile-yesterday": {
            "task": "payments.reconcile_payments",
            "schedule": crontab(hour=1, minute=30),
        },
    }
)
# --- Postal delivery (delivery) -------------------------------------------------------------

# The carrier adapter (dotted path) and the secret that signs its webhooks. Without a secret
# every webhook is refused (fail closed); the development key exists only with DEBUG on.
DELIVERY_CARRIER = env.get_str("DELIVERY_CARRIER") or "delivery.carriers.mock.MockCarrier"
DELIVERY_CARRIER_SECRET = env.get_str("DELIVERY_CARRIER_SECRET") or ("dev-only-carrier-secret" if DEBUG else "")
# Where the carrier posts its webhooks (the portal's public address by default).
DELIVERY_WEBHOOK_BASE_URL = (env.get_str("DELIVERY_WEBHOOK_BASE_URL") or SITE_URL).rstrip("/")
# Agencies without a DeliveryOrigin row send from this province (code after 1 July 2025).
DELIVERY_DEFAULT_ORIGIN_PROVINCE = env.get_str("DELIVERY_DEFAULT_ORIGIN_PROVINCE") or "01"
CELERY_BEAT_SCHEDULE["delivery-dispatch-processed"] = {
    "task": "delivery.dispatch_processed_dossiers",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["delivery-mock-carrier-resend"] = {
    "task": "delivery.resend_carrier_webhooks",
    "schedule": 120.0,
}

# --- Load benchmark (`make bench`) ----------------------------------------------------------

# The hotline API's per-address limit a minute (the telephone system calls from one address:
# a deployment sets it to its callers' peak; `make bench` raises it for the loopback driver).
ASSISTANT_RATE_LIMIT_PER_MINUTE = env.get_int("ASSISTANT_RATE_LIMIT_PER_MINUTE", 60)
# A phone call's state stays in Redis this long after its last turn (longer than any call);
# after that a caller who comes back with the same conversation id continues from the database.
ASSISTANT_CALL_TTL_SECONDS = env.get_int("ASSISTANT_CALL_TTL_SECONDS", 30 * 60)
# The hotline API buffers its turns in Redis; this job writes them to the database in batches
# (operators read them in the admin a few seconds later). Expired runs are dropped: the next
# one records whatever is waiting.
CELERY_BEAT_SCHEDULE["assistant-record-buffered-turns"] = {
    "task": "assistant.record_buffered_turns",
    "schedule": 2.0,
    "options": {"expires": 10},
}
# A bare view (/bench/bare/) that the load benchmark measures as the server's ceiling; off
# unless `make bench` turns it on.
BENCH_BARE_VIEW = env.get_bool("BENCH_BARE_VIEW", default=False)
