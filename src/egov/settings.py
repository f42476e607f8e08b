"""The platform's one settings module (12-factor).

Every value comes from an environment variable with a default that makes the embedded setup (SQLite, local
files, database-backed task queue) work with no configuration. ``EGOV_ENV=production`` switches to secure
defaults and makes the secret key and allowed hosts mandatory. README.md lists every variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from egov.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("EGOV_VAR_DIR", str(PROJECT_DIR / "var")))

EGOV_ENV = env_str("EGOV_ENV", "development")
PRODUCTION = EGOV_ENV == "production"

DEBUG = env_bool("EGOV_DEBUG", not PRODUCTION)
if PRODUCTION:
    SECRET_KEY = env_required("EGOV_SECRET_KEY")
    ALLOWED_HOSTS = env_list("EGOV_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        env_required("EGOV_ALLOWED_HOSTS")
else:
    SECRET_KEY = env_str("EGOV_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
    ALLOWED_HOSTS = env_list("EGOV_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("EGOV_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "egov.core.third_party.TotpVietnamese",
    "egov.core.third_party.AxesVietnamese",
    "csp",
    "ninja",
    "django_htmx",  # ships htmx (static django_htmx/htmx-2.min.js) for the address picker
    "django_tasks",
    "egov.core.third_party.TasksVietnamese",
    "egov.core",
    "egov.audit",
    "egov.units",
    "egov.agencies",
    "egov.accounts",
    "egov.worktime",
    "egov.catalog",
    "egov.dossiers",
    "egov.submission",
    "egov.onestop",
    "egov.demo",
    "egov.signing",
    "egov.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "egov.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "egov.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the security headers' middleware, so its refusals carry them too.
    "egov.core.middleware.InputGuardMiddleware",
    "egov.portal.middleware.VisitorCounterMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "egov.urls"
WSGI_APPLICATION = "egov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "egov.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# SQLite file under var/ by default; DATABASE_URL (postgres://user:pass@host:5432/name) for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'egov.sqlite3'}"),
        conn_max_age=env_int("EGOV_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL + a busy timeout let the web process and the task worker share the file safely.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too (not an in-memory database), so threads and the live server share it with locking.
    # Named after the main file (var/egov.sqlite3 → var/test-egov.sqlite3), so two checkouts or two runs with
    # different DATABASE_URL files do not share a test database.
    _main_db = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_main_db.with_name(f"test-{_main_db.name}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------
# One cache shared by every process (sessions, rate-limit counters, certificate checks, revocations): Redis
# when EGOV_CACHE_URL (or REDIS_URL) names one, else the database cache (table created by a migration).
# A per-process cache (locmem://) is for a single development process and refused in production.
_CACHE_URL = env_str("EGOV_CACHE_URL", "") or env_str("REDIS_URL", "")
_PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
if _CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": _CACHE_URL}
    }
elif _CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "egov"}}
elif _CACHE_URL:
    raise ImproperlyConfigured(
        f"EGOV_CACHE_URL={_CACHE_URL!r} không hợp lệ: dùng redis://máy-chủ:6379/0 (hoặc locmem:// khi phát triển)."
    )
else:
    _backend = env_str("EGOV_CACHE_BACKEND", "egov.core.cache.DatabaseCache")
    if _backend == "django.core.cache.backends.db.DatabaseCache":
        _backend = (
            "egov.core.cache.DatabaseCache"  # the same table, with counters that hold under concurrency
        )
    CACHES = {"default": {"BACKEND": _backend, "LOCATION": env_str("EGOV_CACHE_LOCATION", "egov_cache")}}
    if _backend == "egov.core.cache.DatabaseCache":
        CACHES["default"]["OPTIONS"] = {"MAX_ENTRIES": env_int("EGOV_CACHE_MAX_ENTRIES", 100_000)}
SHARED_CACHE = CACHES["default"]["BACKEND"] not in _PER_PROCESS_CACHES
if PRODUCTION and not SHARED_CACHE:
    raise ImproperlyConfigured(
        "Chế độ production cần bộ đệm dùng chung giữa các tiến trình (phiên đăng nhập, giới hạn truy cập, thu "
        "hồi chứng thư): đặt EGOV_CACHE_URL=redis://máy-chủ:6379/0, hoặc bỏ EGOV_CACHE_URL/EGOV_CACHE_BACKEND "
        "để dùng bộ đệm trong cơ sở dữ liệu. (A per-process cache is refused in production.)"
    )

# --- Background tasks (Django Tasks API, durable database backend) --------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("EGOV_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The periodic sweep (`manage.py sweep`, README “Periodic sweeps”): an e-mail still unsent this many minutes
# after it was due is enqueued again, up to this many attempts in all; a running task whose worker has not
# reported for this many seconds is taken back; a stored file no row references is deleted after this many hours.
EGOV_OUTBOX_RETRY_MINUTES = env_int("EGOV_OUTBOX_RETRY_MINUTES", 10)
EGOV_OUTBOX_MAX_ATTEMPTS = env_int("EGOV_OUTBOX_MAX_ATTEMPTS", 6)
EGOV_TASK_WORKER_STALE_SECONDS = env_int("EGOV_TASK_WORKER_STALE_SECONDS", 120)
EGOV_ORPHAN_FILE_GRACE_HOURS = env_int("EGOV_ORPHAN_FILE_GRACE_HOURS", 24)

# --- Accounts, sign-in, sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "egov.accounts.backends.EmailOrPhoneBackend",
    # Object permissions from the action rules (egov.onestop.rules): user.has_perm("dossiers.forward", dossier).
    "rules.permissions.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "egov.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
SESSION_COOKIE_AGE = env_int("EGOV_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions live in the database; with a shared cache they are also cached there (ended on one process, ended
# on all). Never in a per-process cache: a session signed out on one worker would stay valid on another.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if SHARED_CACHE else "django.contrib.sessions.backends.db"
)
PASSWORD_RESET_TIMEOUT = env_int("EGOV_PASSWORD_RESET_SECONDS", 3600)
# A sign-up opens the account only through the link e-mailed to the address given, valid this long.
EGOV_SIGN_UP_CONFIRM_HOURS = env_int("EGOV_SIGN_UP_CONFIRM_HOURS", 72)
# An officer adds an authenticator app only through a one-time link their agency's administrator issues.
EGOV_ENROLMENT_LINK_HOURS = env_int("EGOV_ENROLMENT_LINK_HOURS", 72)

AXES_FAILURE_LIMIT = env_int("EGOV_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("EGOV_LOGIN_LOCKOUT_MINUTES", 30) / 60
# Lock an account on the client that failed, not everywhere: whoever types wrong passwords for an officer
# elsewhere must not lock the officer out of their own desk. Failures per client over all accounts, and per
# account from browsers that never signed in to it, are limited as well (EGOV_RATE_LIMITS, accounts.views).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "egov.core.throttle.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "egov.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "egov.accounts.views.locked_out"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("EGOV_OTP_ISSUER", "Chính quyền điện tử")

# --- Rate limits (egov.core.throttle: django-ratelimit counters in the shared cache) ---------------------
# The client is the connection's address; behind a reverse proxy, the header the proxy writes
# (EGOV_CLIENT_IP_HEADER, e.g. X-Forwarded-For or X-Real-IP), read only on connections from
# EGOV_TRUSTED_PROXIES. IPv6 clients are counted per /64 (one household or phone).
EGOV_CLIENT_IP_HEADER = env_str("EGOV_CLIENT_IP_HEADER", "")
EGOV_TRUSTED_PROXIES = env_list("EGOV_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
RATELIMIT_IP_META_KEY = "egov.core.throttle.client_ip"
# "count/period" (s, m, h, d; "15m" = 15 minutes) or "off". EGOV_RATE_LIMITS overrides some, e.g.
# "lookup=60/m,sign_up_ip=off". A commune office or a mobile network puts many people behind one address:
# limits per client are set for a busy office, limits per account or typed address are the tight ones.
EGOV_RATE_LIMITS = {
    "lookup": "30/m",  # public dossier look-ups (page and API) per client
    "sign_in_ip": "30/15m",  # failed sign-ins per client, all accounts together
    "sign_in_account": "20/h",  # failed sign-ins per account, from browsers that never signed in to it
    "second_factor_ip": "20/15m",  # wrong authenticator codes per client
    "second_factor_account": "10/15m",  # wrong authenticator codes per account
    "sign_up_ip": "10/h",  # sign-up requests per client
    "sign_up_address": "3/h",  # sign-up requests per e-mail address, phone number, CCCD or tax code typed
    "password_reset_ip": "10/h",  # password-reset requests per client
    "password_reset_address": "3/h",  # password-reset requests per e-mail address
}
for _item in env_list("EGOV_RATE_LIMITS", []):
    _name, _, _rate = _item.partition("=")
    if _name.strip() not in EGOV_RATE_LIMITS or not re.fullmatch(r"off|\d+/\d*[smhd]", _rate.strip()):
        raise ImproperlyConfigured(
            f"EGOV_RATE_LIMITS: “{_item}” không hợp lệ; dùng tên=số/thời gian (ví dụ lookup=60/m) hoặc tên=off. "
            f"Tên: {', '.join(EGOV_RATE_LIMITS)}."
        )
    EGOV_RATE_LIMITS[_name.strip()] = _rate.strip()

# --- Internationalisation: Vietnamese first -------------------------------------------------------------
# Vietnamese is the source language of every string (msgids are Vietnamese); locale/en holds the English
# catalogue, compiled (.mo) and committed like locale/vi. The public portal switches to English only when the
# visitor chooses it (the header's switch posts to /i18n/setlang/, kept in a cookie); the browser's
# Accept-Language is not followed (egov.core.middleware.LanguageMiddleware) and URLs have no language prefix.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "egov_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["egov.formats"]
TIME_ZONE = env_str("EGOV_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("EGOV_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("EGOV_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": env_str("EGOV_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env_required("EGOV_S3_BUCKET"),
        "endpoint_url": env_str("EGOV_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("EGOV_S3_REGION", "") or None,
        "access_key": env_str("EGOV_S3_ACCESS_KEY", ""),
        "secret_key": env_str("EGOV_S3_SECRET_KEY", ""),
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders; the folder must exist

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EGOV_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",  # var/mail/: the demo's e-mails survive a restart
)
EMAIL_HOST = env_str("EGOV_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EGOV_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EGOV_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("EGOV_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EGOV_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("EGOV_DEFAULT_FROM_EMAIL", "Cổng dịch vụ công <no-reply@localhost>")
# Outside production e-mails are files: one .log file per connection (each outbox e-mail is sent on its own) in
# EGOV_EMAIL_FILE_PATH, read with any text editor.
EMAIL_FILE_PATH = env_str("EGOV_EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# --- SMS (egov.core.sms) ----------------------------------------------------------------------------------
# Empty: no SMS, e-mail only. "file": each message a text file in EGOV_SMS_FILE_PATH (the demo). "http": a POST
# of JSON {to, text, reference, sender} to EGOV_SMS_HTTP_URL with a Bearer EGOV_SMS_HTTP_TOKEN.
EGOV_SMS_BACKEND = env_str("EGOV_SMS_BACKEND", "")
EGOV_SMS_FILE_PATH = env_str("EGOV_SMS_FILE_PATH", str(VAR_DIR / "sms"))
EGOV_SMS_HTTP_URL = env_str("EGOV_SMS_HTTP_URL", "")
EGOV_SMS_HTTP_TOKEN = env_str("EGOV_SMS_HTTP_TOKEN", "")
EGOV_SMS_HTTP_TIMEOUT = env_int("EGOV_SMS_HTTP_TIMEOUT", 10)
EGOV_SMS_SENDER = env_str("EGOV_SMS_SENDER", "DVC")

# --- Security -------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("EGOV_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("EGOV_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("EGOV_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("EGOV_BEHIND_PROXY", PRODUCTION) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Logging: one JSON object per line ------------------------------------------------------------------
LOG_LEVEL = env_str("EGOV_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- The platform ---------------------------------------------------------------------------------------
# Which province this installation serves: its GSO code. After a merge the code of the successor province
# is found through the unit history, so an old code keeps working.
EGOV_PROVINCE_CODE = env_str("EGOV_PROVINCE_CODE", "70")
EGOV_VISITOR_ONLINE_MINUTES = env_int("EGOV_VISITOR_ONLINE_MINUTES", 5)
# Uploads with dossiers: kinds checked by content, size limits per file and per dossier, optional ClamAV.
EGOV_UPLOAD_TYPES = env_list("EGOV_UPLOAD_TYPES", ["pdf", "jpeg", "png", "docx"])
EGOV_UPLOAD_MAX_FILE_MB = env_int("EGOV_UPLOAD_MAX_FILE_MB", 20)
EGOV_UPLOAD_MAX_DOSSIER_MB = env_int("EGOV_UPLOAD_MAX_DOSSIER_MB", 50)
EGOV_CLAMD_ADDRESS = env_str("EGOV_CLAMD_ADDRESS", "")  # "host:port" or a Unix socket path; empty: no scan
# Working hours for deadlines (one-stop shop): comma-separated periods of each working day.
EGOV_WORKING_HOURS = env_str("EGOV_WORKING_HOURS", "07:30-11:30,13:00-17:00")
# The site's public address (scheme, host and port if any): every absolute link — e-mails, QR codes on forms,
# results and acknowledgements, the demo banner — is built from it (egov.core.site.site_url). Production
# defaults to https:// and the first allowed host. EGOV_PUBLIC_URL is the former name, still read.
EGOV_SITE_URL = (
    env_str("EGOV_SITE_URL", "")
    or env_str("EGOV_PUBLIC_URL", "")
    or (f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
).rstrip("/")

# --- Digital signatures (egov.signing) ------------------------------------------------------------------
# Key backends that may be used (each certificate names its own): encrypted PKCS#12 files, PKCS#11 tokens/HSMs.
EGOV_SIGNING_BACKENDS = env_list("EGOV_SIGNING_BACKENDS", ["pkcs12", "pkcs11"])
# Time-stamping authority (RFC 3161): empty = none (signatures are PAdES B-B), "internal" = the platform's own
# TSA (the demo PKI's, also served at /chu-ky-so/tsa), or the URL of any RFC 3161 server.
EGOV_SIGNING_TSA_URL = env_str("EGOV_SIGNING_TSA_URL", "internal")
EGOV_SIGNING_TSA_RETRIES = env_int("EGOV_SIGNING_TSA_RETRIES", 2)
# Seconds to wait for a TSA, CRL or OCSP server.
EGOV_SIGNING_NETWORK_TIMEOUT = env_int("EGOV_SIGNING_NETWORK_TIMEOUT", 10)
# Encrypts the keys the server may use by itself (agency files without a PIN, the platform's own CA and TSA).
EGOV_SIGNING_KEY_SECRET = env_str("EGOV_SIGNING_KEY_SECRET", "") or f"egov-signing:{SECRET_KEY}"
# PKCS#11 module (the token's or HSM's driver); SoftHSM2 by default.
EGOV_SIGNING_PKCS11_MODULE = env_str("EGOV_SIGNING_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
# How long (seconds) a successful check of a signing certificate (chain, revocation) is reused.
EGOV_SIGNING_CHECK_SECONDS = env_int("EGOV_SIGNING_CHECK_SECONDS", 300)
# Largest PDF accepted for signing or verification, in megabytes.
EGOV_SIGNING_MAX_PDF_MB = env_int("EGOV_SIGNING_MAX_PDF_MB", 50)
