"""Reading a table from the file an organizer has: CSV or tab-separated text in any common
encoding, with or without Excel's ``sep=`` line, or an Excel workbook (.xlsx).

``read(data)`` returns a ``Table``: the header, the rows with their line numbers in the file, and
how the file was read (for the preview: "GB18030, separated by commas"), with notes by line of
what was repaired (text garbled by a wrong encoding before). Rows carrying more values than the
header are tolerated when the extra values are empty (a trailing separator) and reported by line
otherwise; short rows are padded.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ftfy
from charset_normalizer import from_bytes
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ftfy.badness import is_bad

DELIMITERS = (",", ";", "\t", "|")
# What a detector may choose among: what spreadsheets and ticketing sites really write.
ENCODINGS = (
    "utf_8",
    "gb18030",
    "big5",
    "cp932",
    "euc_kr",
    "cp1252",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "cp1253",
    "iso8859_15",
    "mac_roman",
    "utf_16_le",
    "utf_16_be",
)
# What the organizer may choose on the preview when the guess was wrong, in this order.
CHOOSABLE = (
    "utf_8",
    "gb18030",
    "big5hkscs",
    "cp932",
    "euc_kr",
    "cp1252",
    "mac_roman",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "cp1253",
    "iso8859_15",
    "utf_16_le",
    "utf_16_be",
)
# Readings tried for text that is not UTF-8 and has no NUL bytes; on equal plausibility the
# earlier wins (GB18030 first: Chinese Windows is where most such files come from; Russian
# before Greek, whose letters sit on the same bytes).
SCORED = (
    "gb18030",
    "big5hkscs",
    "cp932",
    "euc_kr",
    "cp1252",
    "mac_roman",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "cp1253",
)
BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)
# Decoding with the superset reads every file the subset wrote.
SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs", "shift_jis": "cp932"}
# The codec that reads what an encoding's name promises, as Windows writes it: EUC-KR saved by
# Korean Windows is CP949, with the 8,822 hangul syllables EUC-KR lacks ("똠", "햏", "뷁").
READ_AS = {"euc_kr": "cp949"}
ENCODING_NAMES = {
    "utf_8": "UTF-8",
    "utf_16_le": "UTF-16 LE",
    "utf_16_be": "UTF-16 BE",
    "utf_32_le": "UTF-32 LE",
    "utf_32_be": "UTF-32 BE",
    "gb18030": "GB18030 (GBK)",
    "big5hkscs": "Big5",
    "cp932": "Shift-JIS",
    "euc_kr": "EUC-KR",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "iso8859_2": "ISO-8859-2",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R",
    "cp1253": "Windows-1253 (Greek)",
    "iso8859_15": "ISO-8859-15",
    "mac_roman": "Mac Roman",
    "xlsx": "Excel",
}
ZIP_MAGIC = b"PK\x03\x04"
# Bounds on what a workbook may make us read (a stray cell far right or far down).
XLSX_MAX_COLUMNS = 300
XLSX_MAX_ROWS = 100_000
# The largest part of a workbook unpacked (a sheet, its shared strings), in bytes: a 10 MB
# upload can unpack to gigabytes, and each step of the import reads it again.
XLSX_MAX_PART_BYTES = 50 * 1024 * 1024
XLSX_MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all parts together
XLSX_MAX_SHEETS = 20  # sheets looked at for the attendee list
# The most columns a text file's row may fill (its empty cells after the last value aside): each
# column is weighed as every field when guessing the header, and no attendee list has more.
TEXT_MAX_COLUMNS = 1_000
# Empty rows after which a sheet is taken to have ended (a stray cell far below the list).
XLSX_MAX_EMPTY_RUN = 10_000
# The longest cell kept, in characters: a longer one is cut to ``MAX_CELL + 1`` characters,
# so that the import can tell the row is wrong without cleaning megabytes of it.
MAX_CELL = 5_000
# What openpyxl raises for a damaged workbook (XML parse errors are SyntaxErrors).
BROKEN_WORKBOOK = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    SyntaxError,
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    """``rows`` are (line number in the file, cells) with exactly ``len(header)`` cells each."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str = "utf_8"
    delimiter: str = ","
    errors: list[str] = field(default_factory=list)
    header_line: int = 1
    sheet: str = ""  # the sheet read, when the workbook has several
    # the encoding was guessed (no byte-order mark, not UTF-8, not chosen by the organizer)
    is_guessed: bool = False
    # (line, column index) of workbook cells holding a formula without a saved value
    formulas: set[tuple[int, int]] = field(default_factory=set)
    # reading stopped past ``read``'s ``max_rows``: the file has more rows than ``rows`` holds
    is_cut: bool = False
    # what was done to the file's text that the organizer should know, by line
    notes: list[str] = field(default_factory=list)

    @property
    def described(self) -> str:
        """How the file was read, for the organizer: "UTF-8, separated by semicolons"."""
        name = ENCODING_NAMES.get(self.encoding, self.encoding)
        if self.encoding == "xlsx":
            if self.sheet:
                return _("Excel workbook, sheet “%(sheet)s”") % {"sheet": self.sheet}
            return _("Excel workbook, first sheet")
        separators = {
            ",": _("separated by commas"),
            ";": _("separated by semicolons"),
            "\t": _("separated by tabs"),
            "|": _("separated by vertical bars"),
        }
        return f"{name}, {separators[self.delimiter]}"

    def without_header(self) -> Table:
        """The same table when its first line is a person, not column names: the header row
        becomes the first row and the columns are named "Column 1", "Column 2"…"""
        width = max([len(self.header)] + [len(cells) for _line, cells in self.rows])
        first = (self.header + [""] * width)[:width]
        rows = [(self.header_line, first)] + [
            (line, (cells + [""] * width)[:width]) for line, cells in self.rows
        ]
        header = [_("Column %(n)s") % {"n": i + 1} for i in range(width)]
        return Table(
            header=header,
            rows=rows,
            encoding=self.encoding,
            delimiter=self.delimiter,
            errors=self.errors,
            header_line=self.header_line,
            is_guessed=self.is_guessed,
            formulas=self.formulas,
            is_cut=self.is_cut,
            notes=self.notes,
        )


def char_plausibility(char: str, encoding: str, before: str, after: str) -> int:
    """How likely one non-ASCII character is in a real attendee list read as ``encoding``,
    per byte it took: common ideographs, kana and hangul, and accented letters inside words
    score; rare ideographs, symbols, private-use and control characters, and runs of accented
    letters (two bytes of a CJK character read one by one) cost."""
    category = unicodedata.category(char)
    if char == "\xa0" and encoding in ONE_BYTE:
        return 0  # a no-break space, as a page copied from the web or Word puts between words
    if category[0] in "CZ" or category == "Co":
        return -3
    if "\u3100" <= char <= "\u312f":
        return -2  # bopomofo: phonetic signs, never in a name
    if encoding not in ONE_BYTE and (is_ascii_letter(before) or is_ascii_letter(after)):
        return -1  # an ideograph glued to a Latin word: an accented letter misread
    if encoding == "gb18030":
        try:
            lead = char.encode("gb2312")[0]
        except (UnicodeEncodeError, IndexError):
            return -2  # outside the 6,763 common characters
        if category[0] != "L":
            return 0
        # The 3,755 commonest first; the rarer half is where Cyrillic lower case lands.
        return 2 if lead <= 0xD7 else 1
    if encoding == "big5hkscs":
        try:
            lead = char.encode("big5")[0]
        except (UnicodeEncodeError, IndexError):
            return -2
        return 2 if 0xA4 <= lead <= 0xC6 else (0 if category[0] == "L" else -1)
    if encoding == "cp932":
        if "\u3040" <= char <= "\u30ff":
            return 2  # kana
        if "\uff61" <= char <= "\uff9f":
            return -1  # half-width kana: rare in lists, common in misreadings
        try:
            lead = char.encode("shift_jis")[0]
        except (UnicodeEncodeError, IndexError):
            return -2
        return 2 if 0x88 <= lead <= 0x98 else (0 if category[0] == "L" else -1)
    if encoding == "euc_kr":
        return 1 if "\uac00" <= char <= "\ud7a3" else -2
    # One-byte encodings: typographic punctuation where a word processor puts it, an accented
    # letter between ASCII letters or at a word's edge, or a word of Cyrillic or Greek letters.
    if char in TYPOGRAPHIC:
        return punctuation_plausibility(char, before, after)
    if category[0] != "L":
        return -3 if before.isalpha() and after.isalpha() else -2  # "W±sowska" costs most
    score = 1
    script = script_of(char)
    if script != "LATIN" and (is_ascii_letter(before) or is_ascii_letter(after)):
        score -= 5  # "Јukasz": another script inside a Latin word
    if char.islower() and after.isupper():
        score -= 2  # "DíAngelo", "ìChip": a small letter before a capital is a misread quote
    if script == "LATIN":
        # "Í·": two bytes of a CJK character read one by one cost most; a run of accented
        # letters ("Żółć" in Polish, but also "Èâàí" for Cyrillic "Иван") costs less.
        penalties = [
            1 if c.isalpha() and script_of(c) == "LATIN" else 2
            for c in (before, after)
            if c and not c.isascii()
        ]
        score -= max(penalties, default=0)
    elif any(c and not c.isascii() and script_of(c) != script for c in (before, after)):
        score -= 2  # "Ђ°": a letter beside a symbol or a letter of another script
    if char.isupper() and before.isalpha() and before.islower():
        score -= 2  # "RenŽe", "пЕТРОВ": a capital inside a word is another encoding's small letter
    return score


# Punctuation that word processors and spreadsheets type for ' " - (curly quotes, dashes), and
# the signs a company name carries; where one-byte encodings differ most (Windows-1252 writes
# ’ where Mac Roman has í).
TYPOGRAPHIC = frozenset("‘’‚“”„«»‹›–—…™®©•€")


def punctuation_plausibility(char: str, before: str, after: str) -> int:
    """How likely typographic punctuation ``char`` is between ``before`` and ``after``: an
    apostrophe between letters ("D’Angelo"), an opening quote before a word and a closing one
    after it ("“Chip”"), a dash between spaces ("Smith – Jones") or before a capital
    ("Smith–Jones"), ™ after a word ("Acme™") score; the same sign inside a word ("C™te",
    "Mu–oz": another encoding's accented letter) costs."""
    word_before = before.isascii() and before.isalnum()
    word_after = after.isascii() and after.isalnum()
    gap_before = not before or before.isspace() or (before.isascii() and not before.isalnum())
    gap_after = not after or after.isspace() or (after.isascii() and not after.isalnum())
    if char in "‘’‚":
        if word_before and (word_after or gap_after):
            return 2  # "D’Angelo", "James’"
        return 1 if gap_before and word_after else -2  # "‘Chip’"
    if char in "“„«‹":
        return 2 if gap_before and word_after else -2
    if char in "”»›":
        return 2 if (word_before or before in ".!?") and gap_after else -2
    if char in "–—":
        if gap_before and gap_after:
            return 2  # "Smith – Jones"
        if word_before and (after.isupper() or after.isdigit()) and after.isascii():
            return 1  # "Smith–Jones", "9–17"
        return -2
    if char in "™®…":
        return 2 if word_before and gap_after else -2
    if char in "©•":
        return 1 if gap_before and gap_after else -2
    return 1 if before.isdigit() or after.isdigit() or (gap_before and gap_after) else -2  # €


# The letters beyond ASCII of the languages written in Latin letters in the one-byte
# encodings: a word whose accented letters no one language has together ("Jiøí" for Czech
# "Jiří") is another encoding's reading.
LATIN_ALPHABETS = (
    frozenset("àâæçéèêëîïôœùûüÿ"),  # French
    frozenset("äöüß"),  # German
    frozenset("áéíóúñüàèìòï"),  # Spanish, Catalan, Italian
    frozenset("áâãàçéêíóôõú"),  # Portuguese
    frozenset("áàéèëïíóöúüêîôû"),  # Dutch
    frozenset("æøåäöéóòôàü"),  # Danish, Norwegian, Swedish, Finnish
    frozenset("áðéíóúýþæö"),  # Icelandic
    frozenset("ąćęłńóśźż"),  # Polish
    frozenset("áčďéěíňóřšťúůýž"),  # Czech
    frozenset("áäčďéíĺľňóôŕšťúýž"),  # Slovak
    frozenset("áéíóöőúüű"),  # Hungarian
    frozenset("ăâîșțşţ"),  # Romanian
    frozenset("čćđšž"),  # Croatian, Slovenian, Bosnian, Serbian
    frozenset("çğıöşüâî"),  # Turkish
    frozenset("äöõüšž"),  # Estonian
    frozenset("çë"),  # Albanian
)
# Polish, Czech, Hungarian: where accented letters stand side by side (no run of Cyrillic read
# as Windows-1250 spells them, lacking а, е and о).
RUNS_ALPHABETS = (LATIN_ALPHABETS[7], LATIN_ALPHABETS[8], LATIN_ALPHABETS[10])
ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
ACCENTED_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")


@functools.lru_cache(maxsize=65_536)
def word_cost(word: str) -> int:
    """What a word read with a one-byte encoding adds to its letters' ``char_plausibility``:
    minus one per accented letter of a word no one language spells (``is_one_language``);
    plus one per accented letter beside another in a Polish, Czech or Hungarian word
    ("Żółć", "Jiří": these languages put them side by side), taking back what a run costs."""
    if not is_one_language(word):
        return -sum(1 for c in word if not c.isascii())
    if not any(set(word.lower()) - ASCII_LETTERS <= a for a in RUNS_ALPHABETS):
        return 0
    return sum(
        1
        for i, c in enumerate(word)
        if not c.isascii()
        and any(not n.isascii() for n in word[max(i - 1, 0) : i] + word[i + 1 : i + 2])
    )


def alphabet_misfit(text: str) -> int:
    """How many of the accented Latin letters of ``text`` (small and capital alike) the
    alphabet of ``LATIN_ALPHABETS`` holding most of them lacks: none when one language
    writes them all. It tells apart one-byte readings that score the same letter by letter:
    Hungarian read as Windows-1252 spells "Erdõs Pál, Kovács Ödön" (õ is Portuguese or
    Estonian, á and ö are not both), as Windows-1250 "Erdős Pál, Kovács Ödön"."""
    letters = {
        c.lower() for c in set(text) if not c.isascii() and c.isalpha() and script_of(c) == "LATIN"
    }
    return min(len(letters - alphabet) for alphabet in LATIN_ALPHABETS) if letters else 0


# The readings that write Hungarian's ő and ű where Windows-1252 has õ and û (the same bytes).
LONG_UMLAUT_READINGS = frozenset({"cp1250", "iso8859_2"})
LONG_UMLAUTS = frozenset("őűŐŰ")
HUNGARIAN_VOWELS = frozenset("aáeéiíoóöőuúüű")


def is_hungarian(text: str) -> bool:
    """Whether ``text`` read with Windows-1250 is Hungarian rather than the Windows-1252 reading
    of the same bytes (õ for ő, û for ű): every accented Latin letter is Hungarian's, and more of
    its ő and ű stand before a consonant ("Kőrösi", "Szűcs", "Győr", "Erdős") or end a word that
    holds another accented letter ("Győző") than stand beside a vowel, where Portuguese puts õ
    ("Simões"), French û ("Coûteaux") and Estonian often õ ("Õun"). A lone "ő" ("Eesti õ") is
    no sign either way. Tells Hungarian apart when letter by letter both readings score the same
    (``plausibility``, ``alphabet_misfit``)."""
    if not LONG_UMLAUTS & set(text):
        return False
    letters = {c.lower() for c in text if not c.isascii() and c.isalpha()}
    if not letters <= LATIN_ALPHABETS[10]:
        return False
    signs = 0
    for match in ACCENTED_WORD.finditer(text):
        word = match.group().lower()
        for i, char in enumerate(word):
            if char not in "őű":
                continue
            before = word[i - 1] if i else ""
            after = word[i + 1] if i + 1 < len(word) else ""
            if before in HUNGARIAN_VOWELS or after in HUNGARIAN_VOWELS:
                signs -= 1
            elif after:
                signs += 1  # before a consonant
            elif len(word) > 2 and sum(1 for c in word if not c.isascii()) > 1:
                signs += 1  # ending a word with another accented letter
    return signs > 0


def is_one_language(word: str) -> bool:
    """Whether the accented Latin letters of ``word`` are all letters of one language's
    alphabet (``LATIN_ALPHABETS``); a word with letters of another script is left to
    ``char_plausibility``."""
    letters = {c.lower() for c in word if not c.isascii()}
    if any(script_of(c) != "LATIN" for c in letters):
        return True
    return any(letters <= alphabet for alphabet in LATIN_ALPHABETS)


def script_of(char: str) -> str:
    """The script a letter belongs to, as Unicode names it ("LATIN", "CYRILLIC", "GREEK");
    the first word of the character's name for anything else."""
    return unicodedata.name(char, "").partition(" ")[0]


def is_ascii_letter(char: str) -> bool:
    return char.isascii() and char.isalpha()


def plausibility(text: str, encoding: str) -> float:
    """The mean ``char_plausibility`` of the non-ASCII characters of ``text``, per byte; read
    with a one-byte encoding, each word's ``word_cost`` counts too, and a Mac Roman reading
    loses ``DOUBT`` (it wins only when clearly better than Windows-1252's)."""
    total = 0.0
    count = 0
    width = 1 if encoding in ONE_BYTE else 2
    for i, char in enumerate(text):
        if char.isascii():
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        total += char_plausibility(char, encoding, before, after)
        count += width
    if encoding in ONE_BYTE:
        total += sum(word_cost(match.group()) for match in ACCENTED_WORD.finditer(text))
    return total / count - DOUBT.get(encoding, 0.0) if count else 0.0


# What a reading loses for being the less common of two that read the same bytes.
DOUBT = {"mac_roman": 0.5}


# The commonest family names, by which a list of people tells Korean from Chinese: the same
# bytes are hangul in EUC-KR and common ideographs in GBK, but names start with these.
KOREAN_FAMILY_NAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원"
    "천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부"
)
CHINESE_FAMILY_NAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤欧上司诸洪车"
)
HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]{2,4}")
HAN_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")


def is_korean(korean: str, chinese: str) -> bool:
    """Whether text that reads both as EUC-KR (``korean``) and as GBK, Big5 or Shift-JIS
    (``chinese``, ``CJK_READINGS``) is Korean:
    every non-ASCII character of the Korean reading is hangul, and more of its words start
    with a Korean family name than words of the Chinese reading with a Chinese one."""
    if not all("\uac00" <= c <= "\ud7a3" or c.isascii() for c in korean):
        return False
    named = sum(1 for word in HANGUL_WORD.findall(korean) if word[0] in KOREAN_FAMILY_NAMES)
    return named > sum(1 for word in HAN_WORD.findall(chinese) if word[0] in CHINESE_FAMILY_NAMES)


# The readings of Korean bytes that can outscore the Korean one: its hangul syllables are also
# common ideographs (GBK, Big5) or kanji (Shift-JIS); ``is_korean`` tells them apart.
CJK_READINGS = frozenset({"gb18030", "big5hkscs", "cp932"})
ONE_BYTE = frozenset(
    {"cp1252", "mac_roman", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253", "iso8859_15"}
)


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, codec name): ``encoding`` when the organizer chose one, else the byte-order mark
    if any, else UTF-16 when its NUL bytes say so (``utf16_without_mark``), else strict UTF-8
    (unless it makes control characters and another reading does not: ``control_count``),
    else the most plausible reading (``plausibility``) among ``SCORED`` (of one-byte readings
    as plausible, the one whose letters one language writes: ``alphabet_misfit``), each read by
    the codec Windows writes for it (``READ_AS``: EUC-KR as CP949), EUC-KR over GBK, Big5 or
    Shift-JIS when ``is_korean``; other UTF-16 without a mark is left to charset-normalizer. Raises
    ``ValidationError`` when no encoding reads the file as text (or the chosen one does not)."""
    if encoding:
        try:
            text = data.removeprefix(codecs.BOM_UTF8).decode(READ_AS.get(encoding, encoding))
            return text, encoding
        except (UnicodeDecodeError, LookupError):
            raise ValidationError(
                _("This file cannot be read as %(encoding)s; choose another encoding.")
                % {"encoding": ENCODING_NAMES.get(encoding, encoding)}
            ) from None
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name
            except UnicodeDecodeError:
                break
    utf16 = utf16_without_mark(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    sample = data[:200_000]
    if len(data) > len(sample) and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # whole lines: no character cut in two
    try:
        text = data.decode("utf_8")
    except UnicodeDecodeError:
        pass
    else:
        # Control characters or NUL from UTF-8 are another encoding's bytes (UTF-16 of
        # Cyrillic is all ASCII bytes): a reading without them wins. Without NUL bytes every
        # other reading has the same control characters.
        if not control_count(text) or b"\x00" not in data:
            return text, "utf_8"
        return normalizer_reading(data, sample, is_clean_only=True) or (text, "utf_8")
    mostly_utf8 = data.decode("utf_8", errors="replace")
    bad = mostly_utf8.count("\ufffd")
    good = sum(1 for char in mostly_utf8 if not char.isascii()) - bad
    if good >= 2 and good >= 2 * bad:
        line = mostly_utf8[: mostly_utf8.index("\ufffd")].count("\n") + 1
        raise ValidationError(
            _(
                "The file is UTF-8 except line %(line)s, which was typed in another encoding. "
                "Correct that line (or save the whole file again as CSV UTF-8) and upload it."
            )
            % {"line": line}
        )
    if b"\x00" not in sample and is_rare_han_gb18030(sample):
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    if b"\x00" not in sample:
        readings = []
        for order, name in enumerate(SCORED):
            try:
                text = data.decode(READ_AS.get(name, name))
            except UnicodeDecodeError:
                continue
            head = text[: len(sample)]
            misfit = alphabet_misfit(head) if name in ONE_BYTE else 0
            hungarian = is_hungarian(head) if name in LONG_UMLAUT_READINGS else False
            readings.append((plausibility(head, name), -misfit, hungarian, -order, text, name))
        if readings:
            _score, _misfit, _hungarian, _order, text, name = max(readings)
            korean = next((r for r in readings if r[5] == "euc_kr"), None)
            if name in CJK_READINGS and korean is not None and is_korean(korean[4], text):
                return korean[4], "euc_kr"
            return text, name
    reading = normalizer_reading(data, sample)
    if reading:
        return reading
    raise ValidationError(
        _(
            "This file is not text in any encoding we know. Save it from the spreadsheet as "
            "CSV or as an Excel workbook (.xlsx) and upload that."
        )
    )


# A four-byte GB18030 sequence: a lead byte, a digit, a lead byte, a digit. It writes what GBK
# lacks (CJK Extension B and later: "𠈌", "𡃁", rare surnames); in a one-byte reading it is a
# letter, a digit, a letter, a digit ("•5µ5"), which no name spells.
GB18030_FOUR_BYTES = re.compile(rb"[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]")
HAN_SHARE = 0.5  # of the non-ASCII characters, for a GB18030 reading with rare ideographs
HAN_CELL = re.compile(r"[^\W\d_]{2,4}")


def is_han(char: str) -> bool:
    """Whether ``char`` is a CJK ideograph (any block, Extension A to H included)."""
    return unicodedata.name(char, "").startswith("CJK ") and unicodedata.category(char) == "Lo"


def is_common_han(char: str) -> bool:
    """Whether ``char`` is one of the 3,755 commonest ideographs (GB2312 level 1)."""
    try:
        lead = char.encode("gb2312")[0]
    except (UnicodeEncodeError, IndexError):
        return False
    return 0xB0 <= lead <= 0xD7


def is_rare_han_gb18030(data: bytes) -> bool:
    """Whether ``data`` is GB18030 holding ideographs outside the 6,763 of GB2312 (names with
    "䶮", "𠈌", "㛃"), which ``plausibility`` scores as a misreading, so that a one-byte
    reading ("БЦюџ" for "林䶮") wins. It is when ``data`` decodes as GB18030 without a control
    or private-use character, ideographs are at least ``HAN_SHARE`` of its non-ASCII
    characters, one is outside GB2312, and either one is written in four bytes
    (``GB18030_FOUR_BYTES``, which no one-byte text spells), or at least half of the ideographs
    are the commonest (``is_common_han``) and at least half of the cells of two to four
    ideographs below the first line start with a Chinese family name (Cyrillic read as GBK
    makes rarer ideographs, and words that start with any)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    if control_count(text) or any(unicodedata.category(c) == "Co" for c in text):
        return False
    wide = [c for c in text if not c.isascii()]
    hans = [c for c in wide if is_han(c)]
    if not hans or len(hans) < HAN_SHARE * len(wide):
        return False
    if all(c.encode("gb18030") == c.encode("gb2312", errors="ignore") for c in set(hans)):
        return False  # nothing outside GB2312: the scores tell
    four = (
        m.group().decode("gb18030", errors="replace") for m in GB18030_FOUR_BYTES.finditer(data)
    )
    if any(is_han(chunk[0]) for chunk in four):
        return True
    if sum(1 for c in hans if is_common_han(c)) * 2 < len(hans):
        return False
    body = text.partition("\n")[2] or text  # below the column names ("姓名", "邮箱")
    cells = [
        cell
        for cell in re.split(r"[,;\t|\n\r]", body)
        if HAN_CELL.fullmatch(cell.strip()) and all(is_han(c) for c in cell.strip())
    ]
    named = sum(1 for cell in cells if cell.strip()[0] in CHINESE_FAMILY_NAMES)
    return named > 0 and named * 2 >= len(cells)


@dataclass
class MixedReading:
    """A file in one encoding (``encoding``) but for some lines in another: ``text`` is each
    line in its own, and ``lines`` are {line number: codec name} of the lines read otherwise."""

    text: str
    encoding: str
    lines: dict[int, str]

    @property
    def notes(self) -> list[str]:
        """What the preview says of each line read in the other encoding."""
        return [
            _("Line %(line)s was not %(main)s; read as %(other)s: check the names.")
            % {
                "line": line,
                "main": ENCODING_NAMES.get(self.encoding, self.encoding),
                "other": ENCODING_NAMES.get(other, other),
            }
            for line, other in sorted(self.lines.items())
        ]


def utf8_plausibility(text: str) -> float:
    """The mean plausibility of the non-ASCII characters of ``text`` read as UTF-8, on the
    scale of ``plausibility``: an ideograph as common as GB2312 makes it, kana and hangul
    score as in their own encodings, letters and punctuation as a one-byte reading scores them
    (a letter of another script inside a Latin word costs)."""
    total = 0.0
    count = 0
    for i, char in enumerate(text):
        if char.isascii():
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if is_han(char):
            score = char_plausibility(char, "gb18030", before, after)
        elif "\u3040" <= char <= "\u30ff":
            score = 2
        elif "\uac00" <= char <= "\ud7a3":
            score = 1
        else:
            score = char_plausibility(char, "cp1252", before, after)
        total += score
        count += 1
    return total / count if count else 0.0


def is_broken_utf8(data: bytes) -> bool:
    """Whether ``data``, not UTF-8, is UTF-8 broken rather than another encoding: it ends
    inside a UTF-8 character (a file cut short), or it holds at least two UTF-8 characters
    beyond ASCII and twice as many as bytes that are not UTF-8."""
    try:
        data.decode("utf_8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end == len(data):
            return True
    text = data.decode("utf_8", errors="replace")
    broken = text.count("\ufffd")
    whole = sum(1 for char in text if not char.isascii()) - broken
    return whole >= 2 and whole >= 2 * broken


def mixed_reading(data: bytes) -> MixedReading | None:
    """The reading of a file whose lines are in two encodings: UTF-8 with a few lines pasted
    from an old spreadsheet (Windows-1252 "Zoë" as the bytes EB FC), or GBK with a line pasted
    from a UTF-8 page. The lines that are not UTF-8 are read together in the encoding
    ``decode`` finds for their bytes (Windows-1252 when none reads them); a line that is UTF-8
    stays UTF-8 unless that encoding is a two-byte one (GBK, Big5…) that reads it more
    plausibly (``utf8_plausibility``). The file's
    encoding is the one of more lines with non-ASCII characters (UTF-8 on a tie).
    None when every line with non-ASCII characters is in one encoding, the lines that are not
    UTF-8 are UTF-8 broken (``is_broken_utf8``), or the file holds NUL bytes (UTF-16)."""
    if b"\x00" in data:
        return None
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        data.decode("utf_8")
    except UnicodeDecodeError:
        pass
    else:
        return None  # UTF-8 throughout
    lines = data.splitlines(keepends=True)
    good: list[int] = []
    bad: list[int] = []
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            line.decode("utf_8")
        except UnicodeDecodeError:
            bad.append(i)
        else:
            good.append(i)
    if not good or not bad or is_broken_utf8(b"".join(lines[i] for i in bad)):
        return None
    try:
        _text, other = decode(b"".join(lines[i] for i in bad))
    except ValidationError:
        other = "cp1252"
    if other in {"utf_8", "utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be"}:
        other = "cp1252"
    codec = READ_AS.get(other, other)
    read: dict[int, str] = {}
    for i in bad:
        try:
            read[i] = lines[i].decode(codec)
        except UnicodeDecodeError:
            read[i] = lines[i].decode("cp1252", errors="replace")
    as_utf8: list[int] = []
    for i in good:
        utf8 = lines[i].decode("utf_8")
        try:
            # Bytes of a one-byte encoding are hardly ever valid UTF-8 by chance ("Ã©");
            # GBK's two-byte characters often are.
            theirs = None if other in ONE_BYTE else lines[i].decode(codec)
        except UnicodeDecodeError:
            theirs = None
        if theirs is not None and plausibility(theirs, other) > utf8_plausibility(utf8):
            read[i] = theirs
            bad.append(i)
        else:
            read[i] = utf8
            as_utf8.append(i)
    if not as_utf8:
        return None
    main, odd = ("utf_8", bad) if len(as_utf8) >= len(bad) else (other, as_utf8)
    text = "".join(read[i] if i in read else line.decode("ascii") for i, line in enumerate(lines))
    alien = "utf_8" if main == other else other
    return MixedReading(text=text, encoding=main, lines={i + 1: alien for i in sorted(odd)})


# The ASCII bytes that give a table its shape: line ends, separators, quotes and spaces. In
# UTF-16 each is paired with a NUL, on the right in little-endian and on the left in big-endian,
# whatever script the names are in.
STRUCTURE_BYTES = frozenset(b'\r\n\t,;| "')
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Lines read one by one to find a line of another encoding in a file that is not UTF-8.
ODD_LINE_SCAN = 5_000


def odd_line_error(line: int, encoding: str) -> ValidationError:
    return ValidationError(
        _(
            "Line %(line)s does not read as %(encoding)s like the rest of the file: save the "
            "file as UTF-8 and try again."
        )
        % {"line": line, "encoding": ENCODING_NAMES.get(encoding, encoding)}
    )


def is_clean_text(data: bytes, encoding: str) -> bool:
    """Whether ``data`` reads strictly as ``encoding`` without control characters."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return not control_count(text) and "\x00" not in text


def utf16_split(data: bytes) -> tuple[int, str] | None:
    """(first line of the smaller part, the other part's codec) for a file that is UTF-16 up
    to a line and UTF-8 after it, or the reverse; None otherwise (UTF-16 or UTF-8 throughout,
    no NUL bytes). Each part must read strictly, without control characters."""
    if b"\x00" not in data:
        return None
    body, order = data, "utf_16_le"
    if data.startswith(codecs.BOM_UTF16_LE):
        body = data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        body, order = data[2:], "utf_16_be"
    newline = "\n".encode(order)
    for match in re.finditer(re.escape(newline), body):
        if match.start() % 2:
            continue
        head, tail = body[: match.end()], body[match.end() :]
        if b"\x00" in tail or not re.search(rb"[,;\t|\n]", tail):
            continue  # a last line of ideographs alone may read as ASCII by chance
        if is_clean_text(head, order) and is_clean_text(tail, "utf_8"):
            return parts_line(head.decode(order), order, tail.decode("utf_8"), "utf_8")
    for match in re.finditer(b"\n", data):
        head, tail = data[: match.end()], data[match.end() :]
        if b"\x00" in head:
            break
        for bom, name in ((codecs.BOM_UTF16_LE, "utf_16_le"), (codecs.BOM_UTF16_BE, "utf_16_be")):
            if tail.startswith(bom):
                tail, order = tail[len(bom) :], name
        if b"\x00" in tail and is_clean_text(head, "utf_8") and is_clean_text(tail, order):
            return parts_line(head.decode("utf_8"), "utf_8", tail.decode(order), order)
    return None


def parts_line(head: str, head_codec: str, tail: str, tail_codec: str) -> tuple[int, str]:
    """(first line of the part of fewer lines, the other part's codec); the later part on a tie."""
    head_lines = head.count("\n")
    if len(tail.splitlines()) <= head_lines:
        return head_lines + 1, head_codec
    return 1, tail_codec


def is_odd_reading(line: bytes, encoding: str) -> bool:
    """Whether ``line``, whose own reading is another encoding, is garbled read as ``encoding``
    (the rest of the file's): it does not decode, or it makes private-use characters, or, read
    with a CJK encoding, ideographs none of them common (GB2312 level 1)."""
    try:
        text = line.decode(READ_AS.get(encoding, encoding))
    except UnicodeDecodeError:
        return True
    if any(unicodedata.category(char) == "Co" for char in text):
        return True
    hans = [char for char in text if is_han(char)]
    return encoding == "gb18030" and bool(hans) and not any(map(is_common_han, hans))


def odd_line(data: bytes) -> tuple[int, str] | None:
    """(line, the file's codec) for a text file of two encodings, neither UTF-8 throughout: a
    UTF-16 file with a UTF-8 line or the reverse (``utf16_split``), or a file of one encoding
    such as GBK with a line of another (Windows-1252, Shift-JIS, Big5) that the rest's encoding
    garbles (``is_odd_reading``). Each line of non-ASCII bytes is read on its own (``decode``,
    the first ``ODD_LINE_SCAN`` of them); the encoding of most lines is the file's. None when
    no line stands out."""
    split = utf16_split(data)
    if split is not None or b"\x00" in data:
        return split
    try:
        data.decode("utf_8")
    except UnicodeDecodeError:
        pass
    else:
        return None
    readings: list[tuple[int, bytes, str]] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            readings.append((number, line, decode(line)[1]))
        except ValidationError:
            readings.append((number, line, ""))
        if len(readings) >= ODD_LINE_SCAN:
            break
    counts: dict[str, int] = {}
    for _number, _line, reading in readings:
        counts[reading] = counts.get(reading, 0) + 1
    if len(counts) < 2:
        return None
    majority = max(counts, key=lambda reading: counts[reading])
    if not majority or majority == "utf_8":
        return None
    for number, line, reading in readings:
        if reading != majority and is_odd_reading(line, majority):
            return number, majority
    return None


def control_count(text: str) -> int:
    """How many C0 control characters other than tab, CR and LF (NUL included) ``text``
    holds: none are in a real list, so a reading that makes them is a wrong one (UTF-16
    bytes read as UTF-8 or as a one-byte encoding)."""
    return len(CONTROL.findall(text))


def normalizer_reading(
    data: bytes, sample: bytes, *, is_clean_only: bool = False
) -> tuple[str, str] | None:
    """(text, codec name) of ``data`` in the encoding charset-normalizer finds likeliest for
    ``sample`` among ``ENCODINGS``: a reading without control characters (``control_count``)
    before one with them, and of equally likely readings (Windows-1252 and -1250 often are)
    the commoner one. None when no encoding reads the whole of ``data``, or, with
    ``is_clean_only``, none reads it without control characters."""
    readings = []
    for match in from_bytes(sample, cp_isolation=list(ENCODINGS)):
        name = SUPERSETS.get(match.encoding, match.encoding)
        try:
            text = data.decode(READ_AS.get(name, name))
        except (UnicodeDecodeError, LookupError):
            continue
        readings.append((match, text, name))
    clean = [reading for reading in readings if not control_count(reading[1][:200_000])]
    pool = clean if clean or is_clean_only else readings
    if not pool:
        return None
    first = pool[0][0]
    tied = [
        reading
        for reading in pool
        if abs(reading[0].percent_chaos - first.percent_chaos) < 0.01
        and abs(reading[0].percent_coherence - first.percent_coherence) < 0.01
        and reading[0].encoding in ENCODINGS
    ]
    best = min(
        tied or pool[:1],
        key=lambda r: ENCODINGS.index(r[0].encoding) if r[0].encoding in ENCODINGS else 99,
    )
    return best[1], best[2]


def utf16_without_mark(data: bytes) -> str | None:
    """ "utf_16_le" or "utf_16_be" when ``data`` looks like UTF-16 without a byte-order mark,
    else None. It does when its length is even, it reads as that UTF-16 without a control
    character (``control_count``), and either NUL is in at least four tenths of the bytes on
    one side of each pair (the high byte of every Latin character) and in almost none on the
    other, or, for names in another script (Cyrillic, Chinese, Greek) whose high bytes are not
    NUL, the line ends and separators (``STRUCTURE_BYTES``) are paired with NUL on one side
    at least twice and at least four times as often as on the other."""
    sample = data[:4096]
    if len(data) % 2 or len(sample) < 4:
        return None
    if len(data) > len(sample):
        sample = sample[: len(sample) - len(sample) % 2]
    evens, odds = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = evens.count(0) / len(evens), odds.count(0) / len(odds)
    pairs = list(zip(evens, odds, strict=True))
    little = sum(1 for low, high in pairs if high == 0 and low in STRUCTURE_BYTES)
    big = sum(1 for high, low in pairs if high == 0 and low in STRUCTURE_BYTES)
    if (odd_nuls >= 0.4 and even_nuls <= 0.05) or (little >= 2 and little >= 4 * big):
        guess = "utf_16_le"
    elif (even_nuls >= 0.4 and odd_nuls <= 0.05) or (big >= 2 and big >= 4 * little):
        guess = "utf_16_be"
    else:
        return None
    try:
        text = sample.decode(guess)
    except UnicodeDecodeError:
        # A sample cut inside a surrogate pair is still UTF-16; anything else is not.
        text = sample.decode(guess, errors="replace")
        if text.count("\ufffd") > 1:
            return None
    return guess if not control_count(text) else None


def header_delimiter(line: str) -> str:
    """The separator of a header line: the most frequent of comma, semicolon, tab and vertical
    bar outside quotes (a comma when there is none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


HeaderTest = Callable[[list[str]], bool]
HEADER_SEARCH = 30  # records looked at for the header row


def read_text(
    text: str,
    *,
    encoding: str = "utf_8",
    is_header: HeaderTest | None = None,
    max_rows: int | None = None,
) -> Table:
    """A CSV table from decoded text; Excel's ``sep=`` first line (quoted or not) sets the
    separator, else the separator is the one with which ``is_header`` finds a header row among
    the first lines (a title line above a semicolon table), else that of the first line. Line
    ends may be CRLF, LF or a Mac's lone CR. With ``max_rows``, reading stops once the table
    surely has more rows than that under its header (``is_cut``, see ``past_limit``)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    skipped = 0
    delimiter = None
    first, newline, rest = text.partition("\n")
    while newline and not first.strip():
        text, skipped = rest, skipped + 1
        first, newline, rest = text.partition("\n")
    hint = first.strip().strip('"').strip().lower()
    if hint.startswith("sep=") and len(hint) == 5:
        delimiter = hint[4]
        text, skipped = rest, skipped + 1
        first = text.partition("\n")[0]
    if not text.strip():
        raise ValidationError(_("The file is empty."))
    delimiter = delimiter or header_row_delimiter(text, first, is_header)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[str]]] = []
    previous = 0
    filled = 0
    is_cut = False
    try:
        for cells in reader:
            if filled_width(cells) > TEXT_MAX_COLUMNS:
                raise ValidationError(
                    _(
                        "Line %(line)s has values in %(n)s columns, more than the %(max)s an "
                        "attendee list can have: a separator may be wrong. Correct that line "
                        "and upload the file again."
                    )
                    % {
                        "line": previous + 1 + skipped,
                        "n": f"{filled_width(cells):,}",
                        "max": f"{TEXT_MAX_COLUMNS:,}",
                    }
                )
            records.append((previous + 1 + skipped, cells))
            previous = reader.line_num
            filled += any(c.strip() for c in cells)
            if past_limit(filled, max_rows):
                is_cut = True
                break
    except csv.Error as error:
        line = previous + 1 + skipped
        if "field larger than field limit" in str(error):
            raise ValidationError(
                _(
                    "Line %(line)s has a cell longer than %(n)s characters, more than any "
                    "attendee's data: a quote (\") left open, or a pasted document. Correct "
                    "that line and upload the file again."
                )
                % {"line": line, "n": f"{csv.field_size_limit():,}"}
            ) from None
        raise ValidationError(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": line, "error": error}
        ) from None
    if (
        not is_cut
        and text.count('"') % 2
        and records
        and any("\n" in cell for cell in records[-1][1])
    ):
        raise ValidationError(
            _('Line %(line)s opens a quote (") that is never closed; close it or remove it.')
            % {"line": records[-1][0]}
        )
    table = tabulate(records, is_header=is_header)
    table.encoding, table.delimiter, table.is_cut = encoding, delimiter, is_cut
    return table


def filled_width(cells: list[str]) -> int:
    """How many cells of a row there are up to its last one holding a value."""
    return next((i + 1 for i in range(len(cells) - 1, -1, -1) if cells[i].strip()), 0)


def past_limit(filled: int, max_rows: int | None) -> bool:
    """Whether ``filled`` non-empty records read so far make surely more than ``max_rows``
    rows under the header, wherever among the first ``HEADER_SEARCH`` records ``tabulate``
    finds it; never without a limit."""
    return max_rows is not None and filled > max_rows + HEADER_SEARCH


def header_row_delimiter(text: str, first: str, is_header: HeaderTest | None) -> str:
    """The separator with which ``is_header`` accepts one of the first lines, trying the first
    line's own separator first; the first line's separator when none does."""
    guess = header_delimiter(first)
    if not any(d in first for d in DELIMITERS):
        # One column ("Name" then "Doe, Jane"): a separator the file never uses.
        guess = next((d for d in ("\t", "|", ";") if d not in text), ",")
    if is_header is None:
        return guess
    head = "\n".join(text.split("\n", HEADER_SEARCH)[:HEADER_SEARCH])
    for delimiter in (guess, *[d for d in DELIMITERS if d != guess]):
        try:
            rows = list(csv.reader(io.StringIO(head), delimiter=delimiter, strict=False))
        except csv.Error:
            continue
        if any(is_header(cells) for cells in rows if 1 < filled_width(cells) <= TEXT_MAX_COLUMNS):
            return delimiter
    return guess


def tabulate(records: list[tuple[int, list[str]]], *, is_header: HeaderTest | None = None) -> Table:
    """The header is the first non-empty record that ``is_header`` accepts among the first
    ``HEADER_SEARCH`` (a report's title lines above it are left out), else the first non-empty
    one. Every later row is made as long as the header, an extra value beyond it being an error
    of its line unless it is empty; a cell is cut to ``MAX_CELL + 1`` characters. Cells garbled
    by a wrong encoding are repaired first (``repair_mojibake``), and ``notes`` names each line
    of the table so repaired."""
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise ValidationError(_("The file is empty."))
    records, repaired = repair_mojibake(records)
    start = 0
    if is_header is not None:
        start = next(
            (i for i, (_line, cells) in enumerate(records[:HEADER_SEARCH]) if is_header(cells)), 0
        )
    records = records[start:]
    header = [h.strip() for h in records[0][1]]
    while header and not header[-1]:
        header.pop()
    table = Table(header=header, header_line=records[0][0])
    table.notes = [
        _("Line %(line)s: %(problem)s")
        % {
            "line": line,
            "problem": _(
                "text garbled by a wrong encoding (such as “Ã©” for “é”) was repaired; "
                "check the names."
            ),
        }
        for line in sorted(repaired)
        if line >= table.header_line
    ]
    width = len(header)
    for line, cells in records[1:]:
        cells = [c[: MAX_CELL + 1] for c in cells]
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            table.errors.append(
                _(
                    "Line %(line)s: %(n)s values for %(columns)s columns; a value may hold the "
                    "separator without quotes."
                )
                % {"line": line, "n": len(cells), "columns": width}
            )
        table.rows.append((line, (cells + [""] * width)[:width]))
    return table


# ftfy's repair of mojibake (UTF-8 read as Windows-1252 or Latin-1 and saved again: "JosÃ©"
# for "José", "å¼ ä¼Ÿ" for "张伟") and nothing else: no undecodable sequence made "�", no lone
# C1 control character reinterpreted; ``fix_encoding`` applies no other of ftfy's fixes.
MOJIBAKE_REPAIR = ftfy.TextFixerConfig(
    replace_lossy_sequences=False, fix_c1_controls=False, explain=False
)


def repair_mojibake(
    records: list[tuple[int, list[str]]],
) -> tuple[list[tuple[int, list[str]]], set[int]]:
    """(records, repaired lines): the cells holding mojibake repaired by ftfy
    (``MOJIBAKE_REPAIR``), correct text in any language left as it is ("SÃO PAULO", "张伟"),
    and the lines of the records that had a cell repaired. A cell ftfy finds no sign of
    mojibake in (``is_bad``, its own first test) is not handed to the slower repair."""
    repaired: set[int] = set()
    result = []
    for line, cells in records:
        fixed = [
            ftfy.fix_encoding(c, MOJIBAKE_REPAIR) if not c.isascii() and is_bad(c) else c
            for c in cells
        ]
        if fixed != cells:
            repaired.add(line)
        result.append((line, fixed))
    return result, repaired


def cell_text(value: object) -> str:
    """A workbook value as the text a CSV export would hold; at most ``MAX_CELL + 1`` long."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)[: MAX_CELL + 1]


def check_workbook_size(data: bytes) -> None:
    """Refuse a workbook that would unpack to more than we read: a part whose declared size is
    over ``XLSX_MAX_PART_BYTES``, or parts over ``XLSX_MAX_TOTAL_BYTES`` together. A part
    longer than its declared size is never read past it (the zip reader stops there and finds
    the checksum wrong: a damaged workbook). Raises ``ValidationError`` naming the largest
    part; a file that is no zip at all is left to the workbook reader."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return
    if not parts:
        return
    largest = max(parts, key=lambda part: part.file_size)
    if largest.file_size > XLSX_MAX_PART_BYTES:
        limit = XLSX_MAX_PART_BYTES
    elif sum(part.file_size for part in parts) > XLSX_MAX_TOTAL_BYTES:
        limit = XLSX_MAX_TOTAL_BYTES
    else:
        return
    raise ValidationError(
        _(
            "This workbook unpacks to more than %(mb)s MB (its part “%(part)s”), more "
            "than an attendee list needs. Delete what is not the list (or save the "
            "list as CSV) and upload it again."
        )
        % {"mb": limit // (1024 * 1024), "part": largest.filename[:100]}
    )


SHEET_DATA = re.compile(rb"<(\w+:)?sheetData[\s/>]")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension[\s/>]")


def with_dimensions(data: bytes) -> bytes:
    """``data`` (a workbook) with ``<dimension ref="A1"/>`` put in each sheet that has no
    ``<dimension>`` before its cells. Opening a workbook, openpyxl reads a sheet without one
    to its end to find its size (a program streaming the sheet out writes none), where the
    import reads only the rows it needs (``sheet_records`` drops the size and reads rows one by
    one). ``data`` itself when every sheet has one, or when it is no readable zip (left to the
    workbook reader)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return data
    with archive:
        sheets = [
            part
            for part in archive.infolist()
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
        ]
        missing: dict[str, tuple[int, bytes]] = {}
        try:
            for part in sheets:
                head = b""
                with archive.open(part) as source:
                    while not (start := SHEET_DATA.search(head)):
                        chunk = source.read(65_536)
                        if not chunk:
                            break
                        head += chunk
                if start and not DIMENSION.search(head, 0, start.start()):
                    missing[part.filename] = (start.start(), start.group(1) or b"")
            if not missing:
                return data
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
                for part in archive.infolist():
                    body = archive.read(part)
                    if part.filename in missing:
                        at, prefix = missing[part.filename]
                        body = body[:at] + b"<" + prefix + b'dimension ref="A1"/>' + body[at:]
                    target.writestr(part.filename, body, compresslevel=1)
        except BROKEN_WORKBOOK:
            return data
    return buffer.getvalue()


def read_xlsx(
    data: bytes, *, is_header: HeaderTest | None = None, max_rows: int | None = None
) -> Table:
    """The first visible sheet of an Excel workbook on which ``is_header`` finds the header
    (hidden sheets of drop-down lists and summary sheets are passed over), else the first
    visible one; line numbers are the sheet's row numbers. With ``max_rows``, a sheet is read
    only until it surely has more rows than that (``is_cut``, see ``sheet_records``), even one
    without a ``<dimension>`` (``with_dimensions``)."""
    from openpyxl import load_workbook

    check_workbook_size(data)
    data = with_dimensions(data)
    cannot_open = ValidationError(
        _("This Excel file cannot be opened. Save it again as .xlsx or as CSV.")
    )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BROKEN_WORKBOOK:
        raise cannot_open from None
    try:
        several = len(workbook.worksheets) > 1
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        sheets = (visible or workbook.worksheets[:1])[:XLSX_MAX_SHEETS]
        chosen = None
        for sheet in sheets:
            records, is_cut = sheet_records(sheet, max_rows=max_rows)
            if chosen is None:
                # the first visible sheet, failing a better one
                chosen = (sheet.title, records, is_cut)
            if is_header is not None and any(
                is_header(cells) for _n, cells in records[:HEADER_SEARCH]
            ):
                chosen = (sheet.title, records, is_cut)
                break
        if chosen is None:
            raise cannot_open
        title, records, is_cut = chosen
    except BROKEN_WORKBOOK:
        raise cannot_open from None
    finally:
        workbook.close()
    table = tabulate(records, is_header=is_header)
    table.encoding, table.delimiter = "xlsx", ","
    table.sheet = title if several else ""
    table.is_cut = is_cut
    if has_formulas(data):
        table.formulas = unsaved_formulas(data, title, records)
    return table


FORMULA = re.compile(rb"<(?:\w+:)?f[ >]")


def has_formulas(data: bytes) -> bool:
    """Whether any sheet of the workbook holds a formula (its XML an ``<f>`` element)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(
            FORMULA.search(archive.read(part))
            for part in archive.namelist()
            if part.startswith("xl/worksheets/") and part.endswith(".xml")
        )


def unsaved_formulas(
    data: bytes, title: str, records: list[tuple[int, list[str]]]
) -> set[tuple[int, int]]:
    """(row number, column index) of the cells of sheet ``title`` that hold a formula but no
    value (a file written by a program that does not calculate, never opened in Excel since):
    the workbook is read a second time, for its formulas."""
    from openpyxl import load_workbook

    empty = {(number, i) for number, cells in records for i, c in enumerate(cells) if not c}
    found: set[tuple[int, int]] = set()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except BROKEN_WORKBOOK:
        return found
    try:
        sheet = workbook[title]
        sheet.reset_dimensions()
        wanted = {number for number, _i in empty}
        last = max(wanted, default=0)
        rows = sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS, max_row=last)
        for number, values in enumerate(rows, start=1):
            if number not in wanted:
                continue
            for i, value in enumerate(values):
                text = getattr(value, "text", value)  # an array formula's text
                if (number, i) in empty and isinstance(text, str) and text.startswith("="):
                    found.add((number, i))
    except BROKEN_WORKBOOK:
        return set()
    finally:
        workbook.close()
    return found


def sheet_records(
    sheet: Any, *, max_rows: int | None = None
) -> tuple[list[tuple[int, list[str]]], bool]:
    """(records, is_cut): the rows with values of one sheet as (row number, cells of at most
    ``MAX_CELL + 1`` characters), and whether reading stopped once they were surely more
    than ``max_rows`` under a header (``past_limit``; a sheet of 400,000 rows takes most of a
    minute to read to its end). The sheet ends after ``XLSX_MAX_EMPTY_RUN`` empty rows: a
    stray cell a million rows below the list is never walked to. Raises ``ValidationError``
    beyond ``XLSX_MAX_ROWS`` rows with values."""
    sheet.reset_dimensions()  # some writers store a wrong size
    records: list[tuple[int, list[str]]] = []
    rows = sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS)
    empty: tuple[Any, ...] | None = None
    for number, values in enumerate(rows, start=1):
        if number - (records[-1][0] if records else 0) > XLSX_MAX_EMPTY_RUN:
            break
        # The reader gives every missing row as one same tuple of Nones: known at a glance.
        if values is empty or values.count(None) == len(values):
            empty = values
            continue
        cells = [cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue  # a formatted but empty row, however far down
        records.append((number, cells))
        if past_limit(len(records), max_rows):
            return records, True
        if len(records) > XLSX_MAX_ROWS:
            raise ValidationError(
                _("The workbook's sheet “%(sheet)s” has more than %(max)s rows.")
                % {"sheet": sheet.title, "max": f"{XLSX_MAX_ROWS:,}"}
            )
    return records, False


def read(
    data: bytes,
    *,
    is_header: HeaderTest | None = None,
    encoding: str | None = None,
    max_rows: int | None = None,
) -> Table:
    """A table from the bytes of an uploaded file (CSV/TSV text or .xlsx); ``is_header`` tells
    the header row from title lines above it (see ``tabulate``). Raises
    ``ValidationError`` with what to do for files that are no table (an old .xls, a PDF).
    ``encoding`` (one of ``CHOOSABLE``) is the organizer's choice for a text file. With
    ``max_rows``, reading stops once the table surely has more rows than that under its
    header, and the table says so (``is_cut``; its ``rows`` are then more than ``max_rows``
    but not all)."""
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, is_header=is_header, max_rows=max_rows)
    if data.startswith(OLE_MAGIC):
        raise ValidationError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that.")
        )
    if data.startswith(b"%PDF"):
        raise ValidationError(_("This is a PDF, not a table. Export the list as CSV or .xlsx."))
    chosen = encoding
    mixed = mixed_reading(data)
    if mixed is not None and chosen in (None, mixed.encoding):
        table = read_text(
            mixed.text, encoding=mixed.encoding, is_header=is_header, max_rows=max_rows
        )
        table.notes[:0] = mixed.notes
        table.is_guessed = chosen is None and mixed.encoding != "utf_8"
        return table
    if chosen is None:
        odd = odd_line(data)
        if odd is not None:
            raise odd_line_error(*odd)
    text, encoding = decode(data, encoding)
    table = read_text(text, encoding=encoding, is_header=is_header, max_rows=max_rows)
    table.is_guessed = (
        chosen is None
        and encoding != "utf_8"
        and not any(data.startswith(bom) for bom, _name in BOMS)
    )
    return table
