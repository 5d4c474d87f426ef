"""events.qr draws codes a phone reads; tests/qr.py reads them back like one."""

from __future__ import annotations

import pytest

from events.qr import qr_svg
from tests import qr


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.20:8000/join/ABC123/",
        "https://speednet.example.com/a/" + "x" * 43 + "/",
    ],
)
def test_qr_svg_decodes_to_the_exact_url(url):
    assert qr.decode_svgs(str(qr_svg(url))) == [url]


def test_qr_decode_svgs_reads_every_code_of_a_page_in_order():
    page = f"<p>{qr_svg('http://a.example/1/')}</p><div>{qr_svg('http://b.example/2/')}</div>"

    assert qr.decode_svgs(page) == ["http://a.example/1/", "http://b.example/2/"]


def test_qr_svg_matrix_refuses_markup_it_does_not_know():
    svg = '<svg viewBox="0 0 25 25"><path d="M2 2.5v7"/></svg>'

    with pytest.raises(ValueError, match="unexpected path command v7"):
        qr.svg_matrix(svg)


def test_qr_decode_svgs_refuses_a_drawing_that_is_not_a_code():
    svg = '<svg viewBox="0 0 25 25"><path d="M2 2.5h7m-7 1h7"/></svg>'

    with pytest.raises(ValueError, match="does not decode"):
        qr.decode_svgs(svg)
