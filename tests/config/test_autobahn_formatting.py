"""autobahn's per-connection debug formatting is done only for a line that is written."""

from __future__ import annotations

import pprint
from unittest import mock

from autobahn.websocket import protocol

from config.serving import LazyPformat, install_daphne_guards


def test_autobahn_formats_its_configuration_only_when_the_line_is_written():
    install_daphne_guards()  # what config/asgi.py does when daphne imports the application
    assert protocol.pformat is LazyPformat
    attrs = [("openHandshakeTimeout", 5, "Factory"), ("autoPingInterval", 10, "Factory")]
    expected = pprint.pformat(attrs)
    with mock.patch("pprint.pformat", wraps=pprint.pformat) as real:
        deferred = protocol.pformat(attrs)
        assert real.call_count == 0  # nothing formatted for a debug line nobody writes
        assert f"\n{deferred}" == "\n" + expected
        assert str(deferred) == expected
        assert real.call_count == 2


def test_autobahn_timings_still_read_as_text():
    install_daphne_guards()
    timings = protocol.Timings()
    timings.track("onOpen")
    text = str(timings)
    assert isinstance(text, str)
    assert "onOpen" in text


def test_installing_twice_changes_nothing():
    install_daphne_guards()
    install_daphne_guards()
    assert protocol.pformat is LazyPformat
