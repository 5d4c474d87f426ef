"""The only settings module. Everything comes from environment variables with working defaults.

With nothing set this is a DEBUG development server on SQLite (WAL) with the in-memory channel
layer. ``DATABASE_URL`` switches to PostgreSQL and ``REDIS_URL`` to channels_redis. With DEBUG off
the server refuses to start without a real secret key and a real channel layer, except in venue
mode (``SPEEDNET_VENUE=1``, set by ``make venue``: config/venue.py), DEBUG off on one laptop.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import clientip as config_clientip
from config import env as config_env
from config import network as config_network
from config import serving as config_serving
from config import site as config_site
from config import venue as config_venue

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent

# Venue mode (make venue): DEBUG off, one daphne process on a laptop serving the venue Wi-Fi over
# plain HTTP; it keeps the development server's addresses, SQLite and in-memory layer.
DEBUG, VENUE = config_venue.read_mode(ENV)
# The development server, or the laptop at the venue: serves at its own addresses (config/site.py).
IS_LOCAL_SERVER = DEBUG or VENUE

DATABASES = {
    "default": config_env.read_database(ENV, default_sqlite_path=BASE_DIR / "db.sqlite3"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DEV_SECRET_KEY = "django-insecure-speednet-development-key-never-use-in-production"
SECRET_KEY = ENV.get("DJANGO_SECRET_KEY", "").strip()
if not SECRET_KEY and VENUE:
    # Made once and kept beside the database, so sessions and signed links survive a restart.
    SECRET_KEY = config_venue.read_or_create_secret_key(
        config_venue.secret_key_path(DATABASES["default"], base_dir=BASE_DIR)
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
if not DEBUG and config_env.is_insecure_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is missing or weak. Set it to a long random "
        "value, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = config_env.read_list(
    ENV,
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if IS_LOCAL_SERVER else [],
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_ALLOWED_HOSTS is empty: list the host names this server "
        "answers to, separated by commas."
    )
# The one public address for QR codes, printed links and mail (config/site.py). In development
# it is found at start-up (and in venue mode): the LAN address when serving on every interface
# (make venue), and the server then answers to each of the laptop's addresses.
LOCAL_NETWORK = (
    config_network.detect() if IS_LOCAL_SERVER else config_network.LocalNetwork(None, ())
)
SITE_URL = config_site.read_public_url(ENV, debug=IS_LOCAL_SERVER, network=LOCAL_NETWORK)
if IS_LOCAL_SERVER:
    ALLOWED_HOSTS += [
        h for h in config_site.development_hosts(SITE_URL, LOCAL_NETWORK) if h not in ALLOWED_HOSTS
    ]
# Browsers ignore Cross-Origin-Opener-Policy on plain HTTP to a LAN address and log an error on
# every phone for it: in development and at the venue over HTTP it is not sent.
if IS_LOCAL_SERVER and SITE_URL.startswith("http://"):
    SECURE_CROSS_ORIGIN_OPENER_POLICY = None
CSRF_TRUSTED_ORIGINS = config_env.read_list(ENV, "DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The public address's own origin, e.g. https through a TLS proxy in front of the laptop.
if config_site.origin(SITE_URL) not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(config_site.origin(SITE_URL))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "axes",
    "csp",
    "events",
    "pitches",
    "rounds",
    "conduct",
    "feedback",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their caching; every view's answer gets these.
    "config.headers.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    # First to run before the view: takes the request's database connection, or answers 503.
    "config.capacity.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sets the device cookie a view asked for (join throttle, attendee's confirmed device).
    "events.middleware.DeviceCookieMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# Every Redis key and pub/sub channel of this deployment starts with it (config/env.py).
SPEEDNET_REDIS_PREFIX = config_env.read_redis_prefix(ENV, database=DATABASES["default"])
CHANNEL_LAYERS = config_env.read_channel_layers(ENV, prefix=SPEEDNET_REDIS_PREFIX)
CACHES = config_env.read_caches(ENV, prefix=SPEEDNET_REDIS_PREFIX)
# HTTP requests one process works on at once; the rest wait up to the queue timeout, then 503
# (config/capacity.py). By default the pool's size less two connections, kept for the live
# sockets' database thread and the work after a commit; 8 without a pool.
POOL_SIZE = DATABASES["default"].get("OPTIONS", {}).get("pool", {}).get("max_size")
SPEEDNET_HTTP_CONCURRENCY = config_env.read_int(
    ENV,
    "SPEEDNET_HTTP_CONCURRENCY",
    default=max(1, POOL_SIZE - 2) if POOL_SIZE else 8,
    minimum=1,
)
SPEEDNET_HTTP_QUEUE_TIMEOUT = config_env.read_float(ENV, "SPEEDNET_HTTP_QUEUE_TIMEOUT", default=30)
# Seconds the live sockets' one database thread waits for a pooled connection (at most
# DATABASE_POOL_TIMEOUT): below daphne's 5 s handshake timeout, so that while PostgreSQL is down
# a phone hears 4503 and retries, and the other sockets do not queue behind a 10 s wait.
SPEEDNET_LIVE_POOL_TIMEOUT = config_env.read_float(ENV, "SPEEDNET_LIVE_POOL_TIMEOUT", default=2)
# Connections the kernel holds for daphne until it accepts them (config/serving.py): a room's
# phones reconnecting at once must fit, or their handshakes wait seconds for TCP's retries.
SPEEDNET_LISTEN_BACKLOG = config_env.read_int(
    ENV,
    "SPEEDNET_LISTEN_BACKLOG",
    default=config_serving.DEFAULT_LISTEN_BACKLOG,
    minimum=1,
    maximum=65535,  # the kernel caps it lower anyway (net.core.somaxconn)
)
# Load the matcher's Chinese glosses (dictionary, segmenter: ~2 s, ~160 MB) in a background thread
# when the server starts (config/asgi.py), so no phone's page waits for the first load.
SPEEDNET_PRELOAD_GLOSSES = config_env.read_bool(ENV, "SPEEDNET_PRELOAD_GLOSSES", default=True)
# Embed the meaning of the pitches in a background thread ahead of the plan (pitches/warming.py).
SPEEDNET_WARM_MEANING = config_env.read_bool(ENV, "SPEEDNET_WARM_MEANING", default=True)
# The parts /healthz answers 503 for when they are down (database, channel_layer, cache).
SPEEDNET_HEALTHZ_REQUIRES = config_env.read_healthz_parts(ENV)
if not IS_LOCAL_SERVER and CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer"):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but REDIS_URL is not set: the in-memory channel layer only works "
        "inside one process (make venue's single daphne process, SPEEDNET_VENUE=1, may use "
        "it). Set REDIS_URL=redis://host:6379/0."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: counts failed logins and refuses a locked-out one before any password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The client address behind the proxies we run (config/clientip.py): a count or addresses.
SPEEDNET_TRUSTED_PROXIES = config_clientip.read_trusted_proxies(
    ENV.get("SPEEDNET_TRUSTED_PROXIES", "")
)
# Login throttle (django-axes): 10 failures for one user name, or from one address, lock that
# user name (or address) out for 15 minutes; recorded in the database (every process sees
# them, and the admin lists them), reset by a success.
AXES_FAILURE_LIMIT = 10
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_ip_or_none"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Join throttles (django-ratelimit, events/ratelimit.py) count in the default cache.
RATELIMIT_USE_CACHE = "default"

# Content-Security-Policy (django-csp): scripts, styles, images and sockets from this origin only;
# no inline script or style anywhere (templates and static/js keep it so: htmx's own indicator
# style is turned off with the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "event_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic's target; in development and at the venue WhiteNoise serves from the finders and
# needs none: a fresh clone serves at once, and no stale copy or missing manifest (a 500 on every
# page) can outlive an update. One laptop on a LAN needs no hashed names or compressed copies.
STATIC_ROOT = ENV.get("DJANGO_STATIC_ROOT") or (
    None if IS_LOCAL_SERVER else BASE_DIR / "staticfiles"
)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if IS_LOCAL_SERVER
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Without collectstatic (development, the venue, tests), WhiteNoise serves from the finders.
WHITENOISE_USE_FINDERS = IS_LOCAL_SERVER

EMAIL_HOST = ENV.get("EMAIL_HOST", "").strip()
# Mail to real people needs a real sender and real links (DEBUG off and EMAIL_HOST set).
config_site.check_mail_settings(ENV, debug=DEBUG, site_url=SITE_URL)
# Without EMAIL_HOST: printed to the console in development; off in production and at the venue
# (config/mail.py), so that nothing is counted as sent that nobody received: the follow-ups and
# invitations stay due for a later run with a mail server.
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "config.mail.MailOffBackend"
EMAIL_PORT = config_env.read_int(ENV, "EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = ENV.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = ENV.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = config_env.read_bool(ENV, "EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = ENV.get("DEFAULT_FROM_EMAIL", "speednet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

if VENUE:
    # Plain HTTP on the venue Wi-Fi (http://192.168.1.20:8000): no redirect to an HTTPS nobody
    # serves, no HSTS, cookies that the organizer's browser sends back over HTTP. Every other
    # security header stays (config/headers.py, CSP).
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
elif not DEBUG:
    SECURE_SSL_REDIRECT = config_env.read_bool(ENV, "DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = config_env.read_int(ENV, "DJANGO_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if config_env.read_bool(ENV, "DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One handler writes every line, with attendee tokens and link secrets masked (Django's own
# "Not Found: /a/<token>/" warnings name them); Django's loggers pass their lines up to it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_secrets": {"()": "config.serving.MaskSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_secrets"]}},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": ENV.get("DJANGO_LOG_LEVEL", "INFO")},
}
