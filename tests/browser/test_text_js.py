"""static/js/text.js, how a name goes into a sentence, in Chromium: shortened by the characters
a reader sees, with and without Intl.Segmenter, never splitting one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import import_js_module

# An accent typed as its own code point, a family emoji (joined by ZWJ), a flag, a skin tone,
# a character outside the BMP (a surrogate pair in JavaScript), Arabic.
NAME = "Zoe\u0301 👨‍👩‍👧‍👦🇨🇳👍🏽𠀀 محمد"
CLUSTERS = ["Z", "o", "e\u0301", " ", "👨‍👩‍👧‍👦", "🇨🇳", "👍🏽", "𠀀", " ", "م", "ح", "م", "د"]


@pytest.fixture
def text_js(phone: Page) -> Page:
    return import_js_module(phone, "text")


@pytest.mark.parametrize("segmenter", [True, False], ids=["segmenter", "code-points"])
def test_shortened_counts_and_cuts_whole_characters(text_js, segmenter):
    if not segmenter:
        text_js.evaluate("delete Intl.Segmenter")

    said = text_js.evaluate(
        """(name) => ({
             clusters: text.graphemes(name),
             cuts: [3, 4, 5, 6, 7, 8].map((n) => text.shortened(name, n)),
             whole: text.shortened(name, 13),
           })""",
        NAME,
    )

    assert said == {
        "clusters": CLUSTERS,
        "cuts": [
            "Zo…",
            "Zoe\u0301…",
            "Zoe\u0301…",  # the space before the cut goes
            "Zoe\u0301 👨‍👩‍👧‍👦…",
            "Zoe\u0301 👨‍👩‍👧‍👦🇨🇳…",
            "Zoe\u0301 👨‍👩‍👧‍👦🇨🇳👍🏽…",
        ],
        "whole": NAME,
    }


def test_fill_into_shows_a_shortened_name_isolated_with_the_whole_as_its_title(text_js):
    said = text_js.evaluate(
        """(names) => {
             const el = document.createElement('p');
             const texts = [];
             for (const name of names) {
               const values = { table: 3, pitcher: name };
               text.fillInto(el, 'Table {table} · {pitcher} is pitching', values, ['pitcher'],
                             { pitcher: 10 });
               const bdi = el.querySelector('bdi');
               texts.push([el.textContent, bdi.textContent, bdi.title]);
             }
             return texts;
           }""",
        ["محمد بن عبد الله بن عبد العزيز", "Ana", "محمد بن عبد الله بن عبد الرحمن"],
    )

    assert said == [
        [
            "Table 3 · محمد بن ع… is pitching",
            "محمد بن ع…",
            "محمد بن عبد الله بن عبد العزيز",
        ],
        ["Table 3 · Ana is pitching", "Ana", ""],
        # the same shortened name for someone else: the title follows
        [
            "Table 3 · محمد بن ع… is pitching",
            "محمد بن ع…",
            "محمد بن عبد الله بن عبد الرحمن",
        ],
    ]
