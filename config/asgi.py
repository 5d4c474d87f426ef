"""ASGI entry point: daphne serves HTTP (Django) and websockets (Channels) from one process."""

import gc
import os

from django.core.asgi import get_asgi_application

# A broadcast keeps thousands of small objects alive for a moment; with Python's default
# threshold they get promoted and a full collection lands in a round change every few changes,
# costing ~0.1 s per 1,000 phones (docs/benchmarks-fanout.md). Collect the young less often;
# the middle generation every second young pass (what a batch of card taps left alive is
# swept there, in a short pass, rather than by a full one), a full pass considered after 40 of
# those: PostgreSQL's doubled taps at 1,000 a second, p99 27-38 ms against 33-128 ms with
# (10_000, 10, 10) (docs/benchmarks-cards.md, 2026-12-04).
gc.set_threshold(10_000, 2, 40)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (the websocket routes below do).
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.capacity import HttpConcurrencyLimit  # noqa: E402
from config.origin import OriginValidator  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from config.serving import BodyLimitMiddleware, install_daphne_guards  # noqa: E402
from pitches import glosses  # noqa: E402

# Bodies bounded before daphne stores them, tokens kept out of its access log, a listen queue a
# reconnect storm fits in (config/serving.py).
install_daphne_guards(listen_backlog=settings.SPEEDNET_LISTEN_BACKLOG)

# The first Chinese text matched (the planner, a phone's "May help you" line) needs the glosses:
# loaded now, beside the server, rather than during some phone's request (pitches/glosses.py).
if settings.SPEEDNET_PRELOAD_GLOSSES:
    glosses.load_in_background(then=gc.freeze)

application = ProtocolTypeRouter(
    {
        # At most SPEEDNET_HTTP_CONCURRENCY requests in Django at once; the rest queue, then 503.
        "http": BodyLimitMiddleware(
            HttpConcurrencyLimit(
                django_asgi_app,
                limit=settings.SPEEDNET_HTTP_CONCURRENCY,
                wait_s=settings.SPEEDNET_HTTP_QUEUE_TIMEOUT,
            )
        ),
        # The host against ALLOWED_HOSTS, then scheme, host and port against the allowed origins;
        # the session and login are read by the organizer's route alone (rounds/routing.py).
        "websocket": AllowedHostsOriginValidator(OriginValidator(URLRouter(websocket_urlpatterns))),
    }
)

# What the start built (Django, the apps, the URL routes; the glosses once loaded, above) lives
# as long as the process: moved out of the cyclic collector's sight, so that its full passes,
# which stop every socket of the process, go over what the room made (about 190,000 objects
# and 0.1 s of a full pass fewer; docs/benchmarks-storm.md).
gc.freeze()
