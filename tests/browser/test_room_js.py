"""The room module's itinerary drawing (static/js/room.js ``stopElement``): a re-plan's push is
drawn with the page's own stop and tablemate templates, every value escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from playwright.sync_api import Page

from feedback.views import BLANK_STOP

JS = Path(__file__).resolve().parents[2] / "static" / "js"
ORIGIN = "http://speednet.test"

pytestmark = pytest.mark.browser


def page_with_templates() -> str:
    """The two templates exactly as the room page renders them."""
    context = {"attendee": {"pk": 5}, "blank": BLANK_STOP}
    stop = render_to_string("feedback/partials/stop.html", {**context, "stop": BLANK_STOP.stop})
    mate = render_to_string(
        "feedback/partials/tablemate.html",
        {
            **context,
            "stop": BLANK_STOP.stop,
            "mate": BLANK_STOP.mate,
            "person": BLANK_STOP.mate.seat.attendee,
        },
    )
    return (
        "<!doctype html><title>speednet</title><body>"
        f"<template data-stop-template>{stop}</template>"
        f"<template data-mate-template>{mate}</template></body>"
    )


@pytest.fixture
def offline(phone: Page) -> Page:
    body = page_with_templates()

    def serve(route: Any) -> None:
        name = route.request.url.rsplit("/", 1)[-1]
        if "/static/js/" in route.request.url and (JS / name).is_file():
            route.fulfill(body=(JS / name).read_text(), content_type="text/javascript")
        else:
            route.fulfill(body=body, status=200, content_type="text/html; charset=utf-8")

    phone.route(f"{ORIGIN}/**", serve)
    phone.goto(ORIGIN + "/")
    phone.evaluate("async () => { window.room = await import('/static/js/room.js'); }")
    return phone


def test_stop_element_draws_a_pushed_stop_with_every_value_escaped(offline):
    stop = {
        "round": 3,
        "table": 7,
        "mates": [
            {
                "id": 11,
                "seat": 901,
                "order": 0,
                "name": '<img src=x onerror="alert(1)"> Ann & "Co"',
                "company": "",
                "ask": "Who knows {name}?",
                "need": "",
                "offer": "Advice",
                "why": "Advice <b>for</b> {name}",
            },
            {
                "id": 12,
                "seat": 902,
                "order": 1,
                "name": "Me Myself",
                "company": "Kite Labs",
                "ask": "",
                "need": "",
                "offer": "",
                "why": "",
            },
        ],
    }

    drawn = offline.evaluate(
        """(stop) => {
          const el = room.stopElement(stop, 12, '(you)');
          const [ann, me] = el.querySelectorAll('.tablemate');
          return {
            round: el.dataset.roundNumber, table: el.dataset.tableNumber,
            title: el.querySelector('.stop-title').textContent.replace(/\\s+/g, ' ').trim(),
            annId: ann.id, annOrder: ann.dataset.seatOrder,
            annName: ann.querySelector('[data-name]').textContent,
            images: el.querySelectorAll('img').length,
            annCompany: ann.querySelectorAll('.company').length,
            annAsk: ann.querySelector('.ask').textContent,
            annOffer: ann.querySelector('.pitch-full').textContent.replace(/\\s+/g, ' ').trim(),
            annWhy: ann.querySelector('.why').textContent,
            meWhy: me.querySelectorAll('.why').length,
            receivers: [...ann.querySelectorAll('[data-receiver]')].map((b) => b.dataset.receiver),
            rounds: [...ann.querySelectorAll('[data-round]')].map((b) => b.dataset.round),
            noteId: ann.querySelector('[data-card-note]').id,
            meIsMe: me.dataset.isMe, meButtons: me.querySelectorAll('.card-buttons').length,
            meYou: me.querySelector('.you').textContent,
            meCompany: me.querySelector('.company').textContent,
            mePitch: me.querySelectorAll('.ask, .pitch-full').length,
          };
        }""",
        stop,
    )

    assert drawn == {
        "round": "3",
        "table": "7",
        "title": "Round 3 · Table 7",
        "annId": "seat-901-person",
        "annOrder": "0",
        "annName": '<img src=x onerror="alert(1)"> Ann & "Co"',
        "images": 0,
        "annCompany": 0,
        "annAsk": "Who knows {name}?",
        "annOffer": "Offers: Advice",
        "annWhy": (
            'May help you: <img src=x onerror="alert(1)"> Ann & "Co": Advice <b>for</b> {name}'
        ),
        "meWhy": 0,
        "receivers": ["11", "11"],
        "rounds": ["3", "3"],
        "noteId": "seat-901-note",
        "meIsMe": "true",
        "meButtons": 0,
        "meYou": "(you)",
        "meCompany": "· Kite Labs",
        "mePitch": 0,
    }


def test_stop_element_and_sentences_isolate_a_right_to_left_name(offline):
    arabic = "محمد الأحمد"
    stop = {
        "round": 1,
        "table": 2,
        "mates": [
            {
                "id": 11,
                "seat": 901,
                "order": 0,
                "name": arabic,
                "company": "شركة النور",
                "ask": "",
                "need": "",
                "offer": "",
                "why": "",
            }
        ],
    }

    drawn = offline.evaluate(
        """async (stop) => {
          const text = await import('/static/js/text.js');
          const el = room.stopElement(stop, 12, '(you)');
          const status = document.createElement('p');
          text.fillInto(status, 'Table {table} · {pitcher} is <b>pitching</b>',
                       { table: 2, pitcher: stop.mates[0].name }, ['pitcher']);
          return {
            name: el.querySelector('[data-name]').tagName,
            company: el.querySelector('.company bdi').textContent,
            sentence: status.textContent,
            isolated: [...status.querySelectorAll('bdi')].map((b) => b.textContent),
            markup: status.querySelectorAll('b').length,
          };
        }""",
        stop,
    )

    assert drawn == {
        "name": "BDI",
        "company": "شركة النور",
        "sentence": f"Table 2 · {arabic} is <b>pitching</b>",
        "isolated": [arabic],
        "markup": 0,
    }


def test_stop_element_draws_an_erased_tablemate_with_the_placeholder_and_no_cards(offline):
    mate = {"seat": 903, "company": "", "ask": "", "need": "", "offer": "", "why": ""}
    stop = {
        "round": 2,
        "table": 4,
        "mates": [
            {**mate, "id": 31, "order": 0, "name": "Erased attendee", "erased": True},
            {**mate, "id": 32, "seat": 904, "order": 1, "name": "Rita Ng", "erased": False},
        ],
    }

    drawn = offline.evaluate(
        """(stop) => {
          const el = room.stopElement(stop, 12, '(you)', '已删除的参会者');
          return [...el.querySelectorAll('.tablemate')].map((item) => ({
            person: item.dataset.person, order: item.dataset.seatOrder,
            erased: item.dataset.erased ?? null,
            name: item.querySelector('[data-name]').textContent,
            buttons: item.querySelectorAll('[data-card-kind]').length,
          }));
        }""",
        stop,
    )

    assert drawn == [
        {"person": "31", "order": "0", "erased": "true", "name": "已删除的参会者", "buttons": 0},
        {"person": "32", "order": "1", "erased": None, "name": "Rita Ng", "buttons": 2},
    ]
