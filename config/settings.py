"""Settings, read from the environment (see docs/configuration.md).

The defaults run a local instance: SQLite under var/, Redis on 127.0.0.1:6379 and e-mail printed to
the console. DJANGO_ENV=production refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import ConfigError, Env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = Env()

DJANGO_ENV = env.choice("DJANGO_ENV", "development", ("development", "production", "test"))
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=None if PRODUCTION else _DEV_SECRET_KEY)
if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ConfigError(
            "SECRET_KEY", "must be set to a random value of at least 32 characters in production"
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError(
        "ALLOWED_HOSTS", "must list the site's host names in production, e.g. minutes.example.cn"
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

# The public address used in links inside e-mails and chat messages.
SITE_URL = env.url("SITE_URL", "http://127.0.0.1:8000", ("http", "https")).rstrip("/")
ORGANISATION_NAME = env.str("ORGANISATION_NAME", "")
# Minutes estimated longer than this many pages render in a background task with a progress bar
# instead of during the request (reports.minutes.estimated_pages).
MINUTES_BACKGROUND_PAGES = env.int("MINUTES_BACKGROUND_PAGES", 30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise, not runserver, serves static files, whether DEBUG is on or off.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "axes",
    "meetings",
    "actions",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions, CSRF or the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.ChineseFirstLocaleMiddleware",
    "config.middleware.HtmxLoginRedirectMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into our own page (config.views.login_locked_out),
    # after ChineseFirstLocaleMiddleware has chosen the language.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "actions.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}

# In-process caches. template_fragments keeps the rendered parts of list rows (我的行动项) under a hash
# of what they show, so no process ever has to tell another that something changed, and Redis being
# down cannot break a page. About 2 kB per row.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker started by the integration tests sees the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # The web server, the worker and beat write to the same file. Writers take the lock when their
    # transaction begins and wait up to 20 s for it, instead of failing with "database is locked"
    # when two of them try to upgrade a read lock at once; WAL lets reads go on during a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.url("REDIS_URL", "redis://127.0.0.1:6379/0", ("redis", "rediss", "unix"))

AUTH_USER_MODEL = "meetings.User"
# AxesStandaloneBackend first: it refuses a login for a username and address that failed too often,
# before the password is even checked, so a right password during the cool-off is refused too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Login throttling (django-axes, docs/configuration.md): after LOGIN_FAILURE_LIMIT failed logins for the
# same login name from the same address, that pair is refused for LOGIN_COOLOFF_MINUTES. A successful
# login before the limit clears that pair's count. Attempts are rows in the database, shared by every
# web process, and listed in the admin.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_USERNAME_CALLABLE = "config.security.client_username"
# How many proxies in front of the app append to X-Forwarded-For (0: the address is REMOTE_ADDR). Behind
# one load balancer this is 1; a wrong value lets a client choose the address it is counted under.
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", 0)
AXES_VERBOSE = False
if AXES_FAILURE_LIMIT < 1:
    raise ConfigError("LOGIN_FAILURE_LIMIT", "must be 1 or more")
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# WhiteNoise serves STATIC_ROOT. In production collectstatic writes it with hashed, compressed copies
# (deploy.md), with the editor's ES module imports pointing at the hashed names too (config/storage.py);
# elsewhere files are served straight from the source folders, so neither `make run` nor the tests
# need a collectstatic step.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "config.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless an SMTP host is configured.
_email_host = env.str("EMAIL_HOST", "")
if _email_host:
    _use_tls, _use_ssl = env.bool("EMAIL_USE_TLS", False), env.bool("EMAIL_USE_SSL", False)
    if _use_tls and _use_ssl:
        raise ConfigError("EMAIL_USE_SSL", "cannot be true together with EMAIL_USE_TLS")
    _smtp_options = {
        "host": _email_host,
        "port": env.int("EMAIL_PORT", 465 if _use_ssl else 587 if _use_tls else 25),
        "use_tls": _use_tls,
        "use_ssl": _use_ssl,
        "timeout": env.int("EMAIL_TIMEOUT", 20),
    }
    if env.str("EMAIL_HOST_USER"):
        _smtp_options["username"] = env.str("EMAIL_HOST_USER")
        _smtp_options["password"] = env.str("EMAIL_HOST_PASSWORD", "")
    MAILERS = {
        "default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _smtp_options}
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "会议纪要 <minutes@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis is both broker and result store. Tasks take IDs and are safe to run twice.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing tries to connect once more and then gives up, so that a request (or beat) whose broker is
# down learns it in a fraction of a second instead of after kombu's default of retrying for seconds; the
# outbox keeps the message as a row and its sweep queues it later. Workers reconnect on their own terms
# (broker_connection_retry), which these options do not change.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A broker host that does not answer at all (rather than refusing) is given up after 2 s.
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", "minutes")
# Background renders (reports.jobs): the task's time limit in seconds, how long a queued render
# waits before the page checks whether any worker is running, and how many days finished renders (rows
# and files under MEDIA_ROOT/renders/) are kept before the daily cleanup deletes them.
REPORT_RENDER_TIME_LIMIT = env.int("REPORT_RENDER_TIME_LIMIT", 120)
REPORT_WORKER_GRACE = env.int("REPORT_WORKER_GRACE", 10)
REPORT_RENDER_KEEP_DAYS = env.int("REPORT_RENDER_KEEP_DAYS", 7)
CELERY_IMPORTS = ["actions.robot_tasks", "config.outbox"]
# How often beat sweeps the outbox for messages left behind, in seconds; and how long a row may stay
# claimed by a worker, or queued without its task running, before the sweep takes it back (far beyond
# every send task's time limit, so that only a dead worker's claim is taken).
OUTBOX_SWEEP_SECONDS = env.int("OUTBOX_SWEEP_SECONDS", 300)
OUTBOX_CLAIM_TIMEOUT = env.int("OUTBOX_CLAIM_TIMEOUT", 15 * 60)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Beat sends nothing itself: every 10 minutes it plans the reminders that are due (rows with a
    # unique key) and enqueues one send task per new row. Each recipient gets them from 09:00 in their
    # own time zone; a pass after downtime catches up. See docs/reminders.md.
    "plan-reminders": {
        "task": "actions.tasks.plan_reminders",
        "schedule": crontab(minute="*/10"),
    },
    # The outbox sweep (config/outbox.py): reminders, robot messages and meeting notices left behind
    # (the broker was down when they were written, a worker was killed while sending) are queued again.
    # Sending claims each row, so a row queued twice is still sent once.
    "outbox-sweep": {
        "task": "config.outbox.sweep",
        "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS),
    },
    # Each series' next meeting is created its lead time ahead (MeetingSeries.create_days_ahead).
    # Idempotent: one meeting per series and day.
    "create-upcoming-meetings": {
        "task": "meetings.tasks.create_upcoming_meetings",
        "schedule": crontab(hour=6, minute=0),
    },
    # Background renders finished more than REPORT_RENDER_KEEP_DAYS days ago, and those abandoned in the
    # queue, are deleted with their files, at a quiet hour. Idempotent. See docs/metrics.md.
    "cleanup-renders": {
        "task": "reports.tasks.cleanup_renders",
        "schedule": crontab(hour=3, minute=30),
    },
}

# Reminder policy (docs/reminders.md). Departments can override the day lists in the admin
# (部门提醒规则). Weekdays count from 0 = Monday.
REMINDERS = {
    "TIME_ZONE": env.str("REMINDERS_TIME_ZONE", TIME_ZONE),  # for users who have not chosen one
    "SEND_HOUR": env.int("REMINDERS_SEND_HOUR", 9),
    "UPCOMING_DAYS": (3, 1),
    "OVERDUE_FIRST_DAY": 1,
    "OVERDUE_EVERY_DAYS": 3,
    "ESCALATION_DAYS": (7, 14),
    "QUIET_WEEKDAYS": (5, 6),
    "DIGEST_WEEKDAY": 0,
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_SECONDS": 30,
    "BATCH_SIZE": 2000,
}

# Chat robots: transient failures (5xx, timeouts) are retried with exponential backoff from this many
# seconds, up to ROBOT_MAX_ATTEMPTS tries. Per-platform rate limits: actions/ratelimit.py.
ROBOT_RETRY_BACKOFF = env.int("ROBOT_RETRY_BACKOFF", 30)
ROBOT_MAX_ATTEMPTS = env.int("ROBOT_MAX_ATTEMPTS", 6)

# Minutes approval (docs/lifecycle.md): may whoever submitted the minutes also approve them?
MEETINGS_ALLOW_SELF_APPROVAL = env.bool("MEETINGS_ALLOW_SELF_APPROVAL", False)

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content Security Policy (Django's ContentSecurityPolicyMiddleware). Every script is a file under
# static/js/, wired by data- attributes: no inline <script>, no onclick=, no hx-on, and htmx's eval is
# off (<meta name="htmx-config"> in base.html), so script-src is 'self' alone. style-src also allows
# 'unsafe-inline' because templates use style attributes (progress bar widths, the 500 page) and the
# print view inlines its stylesheet for WeasyPrint; styles cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", True)
    # TLS ends at the load balancer, which must set X-Forwarded-Proto (and drop the client's own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    # The load balancer's health check asks the nodes over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # HSTS: on for a year by default. Set SECURE_HSTS_SECONDS=0 only where the proxy sends the header.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Asking browsers to preload HTTPS for the whole registrable domain (example.cn and all its
        # hosts, for months after any change of mind) is the domain owner's decision, not this app's:
        # off unless SECURE_HSTS_PRELOAD=true, and the check that recommends it is silenced.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # axes logs every failed login as a WARNING (login name and address masked), its housekeeping as INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
