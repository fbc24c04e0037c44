"""Settings for mesocare, read from the environment (see the table in README.md).

A `.env` file beside manage.py is read too (`make run` writes one with a fresh
SECRET_KEY); real environment variables win over it.
"""

import datetime
import sys
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language_info

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment, or run `make run` once, "
        "which writes a new random key into .env (never committed)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind HTTPS (production): secure cookies, HSTS and redirects.
HTTPS = env.bool("HTTPS", default=False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No script but our own files runs on any page, whatever an editor's text contains.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],  # table alignment in editors' Markdown, filtered to text-align
        "img-src": [SELF],  # our own pictures only (and MEDIA_URL's host, below); nothing from anyone else
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "mesocare.apps.StaticFilesTheSiteUses",  # django.contrib.staticfiles, collecting only what is used
    "django.contrib.sitemaps",
    "django.forms",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "markdownx",
    "reversion",
    "django_tasks",  # Django 6's Tasks API, backported to 5.2 (on Django 6: drop this line)
    "django_tasks_db",  # its database backend and worker (manage.py db_worker)
    "axes",  # counts failed sign-ins, locks sign-in for a while after too many, logs every attempt
    "django_otp",  # two-factor sign-in for staff: an authenticator app and backup codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "procedures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Public pages are read only: other methods get 405 with Allow, before the CSRF check; a HEAD
    # loses its body only here, outside the page cache, which keeps whole answers.
    "procedures.http.methods.ReadOnlyPublicPagesMiddleware",
    # A save answers once no worker on any server can still show what it replaced.
    "procedures.http.page_cache.SavesAnswerOnceEveryWorkerShowsThem",
    # Public pages and API answers, cached whole and exactly fresh, with HTTP caching headers;
    # a cached answer goes out from here, with nothing below this line run for it.
    "procedures.http.page_cache.PageCacheMiddleware",
    # The language is the address's: /es/… Spanish, no prefix the default (never a header or a cookie).
    "procedures.http.languages.LanguageFromAddress",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signed-in staff: sessions end when idle; the second step of signing in comes before anything else.
    "procedures.admin.accounts.IdleSessionsEnd",
    "django_otp.middleware.OTPMiddleware",
    "procedures.admin.two_factor.SecondFactorRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a locked-out sign-in into its page
]

ROOT_URLCONF = "mesocare.urls"
WSGI_APPLICATION = "mesocare.wsgi.application"

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
                "procedures.web.context_processors.site_root",
                "procedures.web.context_processors.site_pages",
                "procedures.web.context_processors.languages",
            ],
        },
    },
]

# Form widgets may use the site's templates/ (the admin's Markdown editor does).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Connections are kept for a minute (checked before reuse): opening one costs more than
# serving a cached page.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an editor saves; a short busy wait instead of
    # "database is locked" errors under gunicorn's several workers.
    DATABASES["default"].setdefault(
        "OPTIONS",
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Full-text and trigram search lookups: PostgreSQL only.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("procedures"), "django.contrib.postgres")
else:
    # psycopg is installed for PostgreSQL sites, and libraries import it whenever it is there
    # (Django REST framework does): on SQLite that would cost every web worker about 20 MiB.
    sys.modules.setdefault("psycopg", None)  # an import of it now fails, as if it were not installed

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (re-rendering and re-indexing many pages) is queued in the database and run
# by `manage.py runworker`, which `make run` starts beside the web server.
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"), "QUEUES": ["default"]}}
# Pages re-rendered per transaction; attempts before a background update shows as failed; how
# long an update may go without progress before its worker is taken for dead.
# SQLite takes one writer at a time: there, small batches and a pause between them let an
# editor's save in within a fraction of a second while every page is being re-rendered.
SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
RENDER_BATCH_SIZE = env.int("RENDER_BATCH_SIZE", default=10 if SQLITE else 50)
RENDER_PAUSE_SECONDS = env.float("RENDER_PAUSE_SECONDS", default=0.1 if SQLITE else 0)
RENDER_MAX_ATTEMPTS = env.int("RENDER_MAX_ATTEMPTS", default=5)
RENDER_LEASE_SECONDS = env.int("RENDER_LEASE_SECONDS", default=300)

# Redis in production (CACHE_URL=redis://…). By default files in .cache/, which every
# gunicorn worker shares (a per-process memory cache would let workers disagree).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache'}")}
CACHES["default"].setdefault("KEY_PREFIX", "mesocare")
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache":
    CACHES["default"]["BACKEND"] = "procedures.http.file_cache.RememberingFileCache"
    # Files, not Django's 300: each page is kept in every language, with its embed, handout and
    # API answers, so 300 would hold a few dozen pages and then delete a third of them at random
    # every few saves. 5,000 take at most about 130 MB of disk. CACHE_URL=filecache://…?max_entries=N
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 5000)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The cache only makes pages faster: when Redis fails, pages are built without it, a Redis
    # that hangs is given up on after a short timeout, and after a failure it is left alone for
    # a few seconds (procedures/http/cache_backends.py). Each worker remembers the versions it
    # read for CACHE_REMEMBER_SECONDS (0: asks on every request); a save answers, and a worker
    # shows a new version, only once no worker can still be using the old one
    # (procedures/models/freshness.py). Options in CACHE_URL win.
    CACHES["default"]["BACKEND"] = "procedures.http.cache_backends.BestEffortRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        "failure_pause": env.float("CACHE_FAILURE_PAUSE", default=5.0),
        "remember_seconds": env.float("CACHE_REMEMBER_SECONDS", default=0.1),
        **CACHES["default"].get("OPTIONS", {}),
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing in to the admin (README "Signing in: lockout and two-factor"). Wrong passwords and wrong
# two-factor codes are counted per account and per client address (django-axes); after
# LOGIN_FAILURES_ALLOWED of them in a row, sign-in is refused for LOGIN_LOCKOUT_MINUTES.
LOGIN_FAILURES_ALLOWED = env.int("LOGIN_FAILURES_ALLOWED", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AUTHENTICATION_BACKENDS = ["procedures.admin.accounts.SignInLimits", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_ALLOWED + 1  # axes counts the failure that locks
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: one account from anywhere, one address
AXES_RESET_ON_SUCCESS = True  # "in a row": signing in clears the count
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed attempt stays in the log, not only the running count
AXES_CLIENT_IP_CALLABLE = "procedures.admin.accounts.client_address"  # API_PROXIES, as the API's rate limit
AXES_LOCKOUT_CALLABLE = "procedures.admin.accounts.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]  # never stored with an attempt (nor passwords)
AXES_VERBOSE = False  # no banner at every start-up; failures are still logged, without names or addresses
# Two-factor sign-in (django-otp): required of all staff with REQUIRE_2FA, which is on behind HTTPS.
REQUIRE_2FA = env.bool("REQUIRE_2FA", default=HTTPS)
OTP_TOTP_ISSUER = "mesocare"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # administrators manage people's devices without seeing their secrets
# A signed-in session ends after this long without a request (and at once on other devices
# when its password changes: Django's session auth hash).
ADMIN_IDLE_MINUTES = env.int("ADMIN_IDLE_MINUTES", default=30)

# The site's languages, as codes Django knows (`LANGUAGES=en-gb,es,ar`): the first is the default,
# served at the addresses without a prefix; each other at /<code>/… (procedures/http/languages.py).
LANGUAGES = [
    (code, get_language_info(code.split("-")[0])["name_local"].capitalize())
    for code in env.list("LANGUAGES", default=["en-gb", "es", "ar"])
]
LANGUAGE_CODE = LANGUAGES[0][0]
LOCALE_PATHS = [BASE_DIR / "procedures" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
media_address = urlsplit(MEDIA_URL)
if media_address.netloc:  # uploads served from another host (object storage): pictures of our own too
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{media_address.scheme or 'https'}://{media_address.netloc}")
# Let Django serve uploaded images itself (fine for a small site; switch off when
# a web server or object storage serves MEDIA_URL).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded images: every one is checked and re-encoded (procedures/text/images.py).
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000)
IMAGE_MAX_WIDTH = env.int("IMAGE_MAX_WIDTH", default=2000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# How long a whole public answer is kept in the site's cache (0: never). Any change that
# shows in it makes the next request build it anew, whatever is left of this time.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60 * 60)
# How much of the answers it served last each web worker keeps in its own memory, compressed
# (checked against the shared cache's versions on every request, so never out of date).
PAGE_CACHE_MEMORY_BYTES = env.int("PAGE_CACHE_MEMORY_BYTES", default=2 * 1024 * 1024)
# What public answers tell browsers and shared caches (a CDN): medical text may change, so
# browsers check back after a minute; a CDN may keep a page five minutes (revalidating with
# its ETag is cheap), serve it a little longer while it revalidates, and keep serving its
# last good copy for a day if the site is down.
HTTP_MAX_AGE = env.int("HTTP_MAX_AGE", default=60)
HTTP_SHARED_MAX_AGE = env.int("HTTP_SHARED_MAX_AGE", default=300)
HTTP_STALE_WHILE_REVALIDATE = env.int("HTTP_STALE_WHILE_REVALIDATE", default=60)
HTTP_STALE_IF_ERROR = env.int("HTTP_STALE_IF_ERROR", default=60 * 60 * 24)

# The site's public address, for links in e-mails and structured data made outside a request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Medical review: how long a review holds, and how often reviewers are reminded of pages due.
REVIEW_INTERVAL_MONTHS = env.int("REVIEW_INTERVAL_MONTHS", default=24)
REVIEW_REMINDER_EVERY_DAYS = env.int("REVIEW_REMINDER_EVERY_DAYS", default=7)
# Reading level patients' pages should not exceed (US school grade; NIH/AMA advise 8 or below).
READING_GRADE_TARGET = env.float("READING_GRADE_TARGET", default=8.0)

# Long lists. Up to this many treatments, the A–Z is one page (a list a patient can still scroll
# and search with the browser's find, about 15 KB compressed); past it, each letter has a page.
A_TO_Z_ON_ONE_PAGE = env.int("A_TO_Z_ON_ONE_PAGE", default=300)
# The sitemap protocol allows 50,000 addresses a file; past this, sitemap.xml is a sitemap index.
SITEMAP_MAX_URLS = env.int("SITEMAP_MAX_URLS", default=50_000)

# The editor's live preview and image upload (django-markdownx), served by our own
# staff-only views in procedures/admin/editor.py.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "procedures.text.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/editor/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 700

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A request refused as suspicious (a Host we do not serve, a path out of MEDIA_ROOT): its 400
    # and one line (status, path, reason), not a traceback.
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["suspicious_request_in_one_line"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "filters": {
        "database_outage_in_one_line": {"()": "procedures.http.faults.DatabaseOutageInOneLine"},
        "suspicious_request_in_one_line": {"()": "procedures.http.faults.SuspiciousRequestInOneLine"},
    },
    "loggers": {
        # While the database is down, one line per request, not the same traceback each time.
        "django.request": {"filters": ["database_outage_in_one_line"]},
    },
}
# While the database is down, visitors get a 503 page asking them to try again after this many seconds.
DATABASE_OUTAGE_RETRY_AFTER = env.int("DATABASE_OUTAGE_RETRY_AFTER", default=30)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="mesocare <noreply@localhost>")

# Clinics' read-only API (/api/v1/), oEmbed and feeds: GET from any origin, no sign-up.
CORS_URLS_REGEX = r"^/(api|oembed)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "content-language", "if-none-match", "if-modified-since"]
# Requests a minute per client (per IP address), in the spirit of MedlinePlus Connect's 100.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="100/minute")
# Searches per client (per IP address): a person searches a few times a minute; a flood gets 429
# (procedures/http/rate_limit.py). Empty: no limit.
SEARCH_RATE_LIMIT = env.str("SEARCH_RATE_LIMIT", default="30/minute")
# New searches that found nothing recorded a day, from everyone together; past it, only those
# already on the list are counted (procedures/search/query.py), so no flood grows the table.
UNANSWERED_SEARCHES_PER_DAY = env.int("UNANSWERED_SEARCHES_PER_DAY", default=200)
# Clients are counted by the address that reached us; behind N proxies of your own, set API_PROXIES=N
# (the API's rate limit and the sign-in lockout both use it: procedures/admin/accounts.py).
API_PROXIES = env.int("API_PROXIES", default=0)
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["procedures.api.policies.PerClientRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "procedures.api.policies.Pages",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "procedures.api.schema.ContractSchema",
    "NUM_PROXIES": API_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mesocare API",
    "DESCRIPTION": "Read-only access to mesocare's patient pages, for clinics. No key, no sign-up, no tracking.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_MOCK_REQUEST": "procedures.api.schema.mock_request",
    "DEFAULT_GENERATOR_CLASS": "procedures.api.schema.DocumentGenerator",
}
