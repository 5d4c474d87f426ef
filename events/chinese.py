"""Simplified and Traditional Chinese as one: a guest listed as 陳美玲 is found by typing 陈美玲,
and the other way round. The conversion is OpenCC's (the ``opencc`` package: its dictionaries,
phrase by phrase); its converters load on first use (about 0.1 s, once per process, and only
for a search with Chinese characters in it)."""

from __future__ import annotations

import re
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
