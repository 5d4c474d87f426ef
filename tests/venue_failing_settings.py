"""The app's settings with one more URL, ``/test-failure/<token>/``, whose view fails with the
attendee's data in its local variables: for the end-to-end check that a venue server shows no
traceback (tests/events/test_serve_venue.py). Never used by the app itself."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.venue_failing_urls"
