"""One rule for people's data, applied wherever it comes in: the CSV import, the join form, the
organizer's add form, the admin and the services behind them.

- Names, companies and job titles: Unicode NFC; full-width Latin letters and digits (typed with
  a Chinese or Japanese input method: "Ｊｏｈｎ Ｄｏｅ") made ASCII, and full-width punctuation
  too unless it stands next to Chinese, Japanese or Korean text ("北京（中关村）科技" is kept as
  written; companies are compared width-folded anyway); invisible characters (zero-width spaces, the
  byte-order mark, soft hyphens, direction marks) removed; spaces of every kind (NBSP, tabs, the
  ideographic space) folded into one plain space; line breaks, other control characters (C0, C1)
  and bidirectional overrides refused, since they are never part of a name and break mail
  headers, vCards and CSV files.
- Emails: invisible characters and surrounding spaces removed, NFC, lower-cased, the domain
  IDNA-encoded (``例子.中国`` → ``xn--fsqu00a.xn--fiqs8s``); an address that cannot be mailed is
  refused with the reason.
- Phones: digits (full-width ones too), ``+``, spaces and the usual separators.
- Companies: placeholders such as "N/A" or "-" are no company (stored blank); self-descriptions
  such as "Freelance" or "个人" are kept as written but never make two people colleagues.
  ``company_key`` is the form compared: case, punctuation, legal suffixes and Chinese city
  prefixes ignored.

Every ``clean_*`` function returns the cleaned text or raises ``ValidationError`` with a message
that says what to fix (in the active language).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Removed wherever they appear: they are invisible and carry nothing a person typed on purpose.
# ZWNJ and ZWJ are kept between letters in names (Persian, Indic scripts, emoji sequences).
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f"
    "\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufeff\uffa0"
)
JOINERS = frozenset("\u200c\u200d")
# Refused: they reorder what a reader sees (a "Trojan Source" name) and are never needed in a name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

# Companies that are no company at all: stored blank.
NON_VALUES = frozenset(
    {
        "-", "--", "—", "–", "_", ".", "/", "?", "n/a", "na", "n.a.", "n.a", "none", "nil", "null",
        "no", "nothing", "not applicable", "tbd", "tba", "unknown", "x", "xx", "xxx", "0",
        "无", "暂无", "没有", "空", "不适用", "未知", "/ ",
    }
)  # fmt: skip
NON_VALUE_KEYS = frozenset(
    {re.sub(r"[\W_]+", "", v) for v in NON_VALUES}
    | {
        "na", "nan", "skip", "skipped", "notanswered", "noanswer", "blank", "empty", "跳过",
        "空", "未填", "未填写", "未回答", "略", "无可奉告",
    }
)  # fmt: skip
EXCEL_ERRORS = frozenset(
    {"na", "value", "ref", "name", "div0", "null", "num", "spill", "calc", "gettingdata", "field"}
)
NO_COMPANY = re.compile(
    r"^(no|without|not with an?|not employed by an?)\s+(company|employer|organi[sz]ation|"
    r"affiliation|job|work)\b"
)
SELF_EMPLOYED_STARTS = ("freelance", "self employed", "自由职业", "独立")
# Kept as written (the person said something true about themselves) but not an employer.
SELF_EMPLOYED = frozenset(
    {
        "freelance", "freelancer", "free lance", "self-employed", "self employed", "selfemployed",
        "independent", "independent consultant", "consultant", "contractor", "sole trader",
        "sole proprietor", "own business", "my own company", "private", "individual", "personal",
        "student", "retired", "unemployed", "between jobs", "job seeking", "looking for work",
        "stealth", "stealth startup", "stealth mode", "founder", "entrepreneur",
        "个人", "自由职业", "自由职业者", "自雇", "个体", "个体户", "自由人", "独立顾问", "学生",
        "退休", "待业", "创业中", "自由", "兼职",
    }
)  # fmt: skip
LEGAL_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "科技", "技术",
    "工作室", "株式会社",
    "limited", "ltd", "incorporated", "inc", "llc", "llp", "lp", "plc", "gmbh", "mbh", "ag",
    "kg", "ug", "sarl", "sas", "sa", "srl", "spa", "bv", "nv", "ab", "oy", "oyj", "as", "asa",
    "aps", "pty", "pte", "kk", "co", "corp", "corporation", "company", "group", "holdings",
    "sl", "slu", "sro", "zoo", "bhd", "sdn", "pvt", "private",
)  # fmt: skip
CITY_PREFIXES = (
    "北京市", "上海市", "天津市", "重庆市", "深圳市", "广州市", "杭州市", "南京市", "苏州市",
    "成都市", "武汉市", "西安市", "厦门市", "香港", "澳门", "台北",
    "北京", "上海", "天津", "重庆", "深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉",
    "西安", "厦门", "青岛", "大连", "宁波", "长沙", "郑州", "合肥", "济南", "福州", "珠海",
    "东莞", "佛山", "无锡", "沈阳", "昆明", "中国",
)  # fmt: skip
# Any character that needs a closer look; text without one takes the fast path.
SPECIAL = re.compile(
    "["
    + re.escape("".join(sorted(INVISIBLE | JOINERS | BIDI_CONTROLS | LINE_BREAKS)))
    + r"\x00-\x1f\x7f-\x9f]"
)
ASCII_DOMAIN = re.compile(r"^[a-z0-9.-]+$")
# Django's check without its "localhost" exception: our mail must reach a domain on the internet.
validate_mailable = EmailValidator(allowlist=[])
# "Zhu Bajie <zhu@example.cn>", "\"Lee, Ann\" <ann@example.com>", "<ann@example.com>".
NAMED_ADDRESS = re.compile(r'^(?:"[^"]*"|[^<>"])*<([^<>]*)>$')
ASCII_HIDDEN = re.compile(r"[\s\x00-\x1f\x7f]")
# What stands between two addresses typed in one field: "a@x.com, b@y.com", "a@x.com; b@y.com",
# "a@x.com / b@y.com", "a@x.com and b@y.com", "a@x.com、b@y.com".
ADDRESS_SEPARATORS = re.compile(r"[,;/|，；、]+|\s+(?:and|or|&|和|或)\s+")
NAME_LABEL = gettext_lazy("name")
COMPANY_LABEL = gettext_lazy("company")
JOB_TITLE_LABEL = gettext_lazy("job title")
PHONE_LABEL = gettext_lazy("phone")
PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()./\-]*(?:\s*(?:ext\.?|x|#|转|分机)\s*[0-9]+)?$", re.I)
CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"
)
# Two-character Chinese family names; any other Chinese name starts with a one-character one.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "澹台",
        "申屠",
        "太史",
        "闻人",
        "钟离",
        "宗政",
        "濮阳",
        "公冶",
        "赫连",
        "万俟",
        "東方",
        "歐陽",
        "司徒",
    ]
)


def refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def clean_line(value: str | None, *, label: str, max_length: int | None = None) -> str:
    """One line of text a person typed (a name, a company, a job title), cleaned.

    Returns NFC text without invisible characters, spaces folded, trimmed. Raises
    ``ValidationError`` for line breaks, control characters or direction overrides, and for
    text longer than ``max_length`` characters once cleaned. ``label`` names the field in the
    message ("name", "company").
    """
    text = value or ""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if not SPECIAL.search(text):
        cleaned = SPACES.sub(" ", text).strip()
        if max_length is not None and len(cleaned) > max_length:
            raise too_long(label, cleaned, max_length)
        return "" if looks_blank(cleaned) else cleaned
    kept = []
    for index, char in enumerate(text):
        if char in INVISIBLE:
            continue
        if char in JOINERS:
            before = text[index - 1] if index else ""
            after = text[index + 1] if index + 1 < len(text) else ""
            # between two letters of a script that joins; or after a virama (a mark), where
            # Malayalam's older encoding ends a word with one (a chillu: "അര്‍ജുന്‍")
            if before.strip() and (
                (after.strip() and not (before.isascii() and after.isascii()))
                or unicodedata.category(before) == "Mn"
            ):
                kept.append(char)
            continue
        if char in LINE_BREAKS:
            raise refuse(
                _("The %(field)s must be one line, without line breaks.") % {"field": label}
            )
        if char in BIDI_CONTROLS:
            raise refuse(
                _("The %(field)s holds a hidden text-direction character; type it again.")
                % {"field": label}
            )
        if char != "\t" and unicodedata.category(char) == "Cc":
            raise refuse(
                _("The %(field)s holds a control character (U+%(code)04X); type it again.")
                % {"field": label, "code": ord(char)}
            )
        kept.append(char)
    cleaned = SPACES.sub(" ", "".join(kept)).strip()
    if max_length is not None and len(cleaned) > max_length:
        raise too_long(label, cleaned, max_length)
    return "" if looks_blank(cleaned) else cleaned


# Characters drawn as nothing that no category marks as space: the braille blank, used to type
# a "blank" name, the Hangul fillers, the object replacement character and the musical null
# notehead.
BLANK_GLYPHS = frozenset("\u2800\u115f\u1160\u3164\uffa0\ufffc\U0001d159")
# Categories of characters that show nothing on their own: spaces, format characters (tags,
# joiners), marks with no base, controls, separators.
BLANK_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc", "Mn", "Me"})


def looks_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: every character a space, a format or control
    character, a combining mark or a blank glyph (U+2800, the tag characters U+E0020…)."""
    return all(
        char in BLANK_GLYPHS or unicodedata.category(char) in BLANK_CATEGORIES for char in text
    )


# Full-width forms (U+FF01–U+FF5E) and their ASCII letters (U+0021–U+007E), plus the ideographic
# space (U+3000).
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# Neighbours that keep full-width punctuation as written: CJK text and its own punctuation.
WIDE_TEXT = re.compile(CJK.pattern[:-1] + "\u3001-\u303f]")


def fold_width(value: str) -> str:
    """``value`` with full-width ASCII forms (U+FF01–U+FF5E) and the ideographic space (U+3000)
    as their ASCII characters: "Ｊｏｈｎ　Ｄｏｅ" → "John Doe", "ｒｕｉ＠ｅｘａｍｐｌｅ．ｐｔ" →
    "rui@example.pt". Full-width punctuation and symbols next to CJK text stay as written
    ("北京（中关村）科技", "是的，同意"), as do all other characters (unlike NFKC, which would also
    change e.g. "①", "㈱" or half-width katakana)."""
    if not FULL_WIDTH.search(value):
        return value
    chars = list(value)
    for index, char in enumerate(chars):
        if not FULL_WIDTH.match(char):
            continue
        folded = chr(FULL_WIDTH_TO_ASCII[ord(char)])
        if not folded.isalnum() and folded != " ":
            before = value[index - 1] if index else ""
            after = value[index + 1] if index + 1 < len(value) else ""
            if WIDE_TEXT.match(before) or WIDE_TEXT.match(after):
                continue
        chars[index] = folded
    return "".join(chars)


def clean_search(value: str | None, *, max_length: int) -> str:
    """What a person typed into a search box, as searched: control, invisible and direction
    characters dropped (a database refuses a NUL in a query), spaces folded, trimmed, cut to
    ``max_length`` characters. Never refuses: a search looks for what can be seen."""
    text = unicodedata.normalize("NFC", value or "")
    if SPECIAL.search(text):
        hidden = INVISIBLE | JOINERS | BIDI_CONTROLS
        text = "".join(
            " " if char in LINE_BREAKS or char == "\t" else char
            for char in text
            if char in LINE_BREAKS
            or char == "\t"
            or (char not in hidden and unicodedata.category(char) != "Cc")
        )
    return SPACES.sub(" ", text).strip()[:max_length]


def too_long(label: str, cleaned: str, max_length: int) -> ValidationError:
    return refuse(
        _("The %(field)s is %(n)s characters long; at most %(max)s fit.")
        % {"field": label, "n": len(cleaned), "max": max_length}
    )


def clean_text(value: str | None, *, label: str, max_length: int | None = None) -> str:
    """Several lines a person wrote (an answer to a registration question): like ``clean_line``
    but line breaks are kept (as ``\n``, at most one empty line in a row); spaces folded within
    each line. Raises ``ValidationError`` as ``clean_line`` does."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_line(line, label=label) for line in text.split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if max_length is not None and len(cleaned) > max_length:
        raise too_long(label, cleaned, max_length)
    return cleaned


def clean_name(value: str | None) -> str:
    """A person's name as they write it (see ``clean_line``), full-width Latin made ASCII
    (``fold_width``); at most 120 characters."""
    return clean_line(fold_width(value or ""), label=NAME_LABEL, max_length=120)


def clean_job_title(value: str | None) -> str:
    """A job title as written (see ``clean_line``), full-width Latin made ASCII
    (``fold_width``); at most 160 characters."""
    return clean_line(fold_width(value or ""), label=JOB_TITLE_LABEL, max_length=160)


def placeholder_key(value: str) -> str:
    """``value`` width-folded and lower-cased without punctuation or spaces, and without the
    brackets a survey puts around its markers: "N / A", "#N/A" and "n.a." give "na", "(跳过)"
    gives "跳过"."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\W_]+", "", text)


def is_placeholder(value: str) -> bool:
    """Whether a value says "nothing here": "N/A" however spaced or punctuated, an Excel error
    value (#N/A, #VALUE!, #REF!, #DIV/0!), a survey's skip marker ("(跳过)", "(空)"),
    "No company", or nothing but punctuation."""
    key = placeholder_key(value)
    if not key or key in NON_VALUE_KEYS:
        return True
    stripped = value.strip()
    if stripped.startswith("#") and key in EXCEL_ERRORS:
        return True
    return bool(
        NO_COMPANY.match(" ".join(unicodedata.normalize("NFKC", stripped).casefold().split()))
    )


def says_no_company(value: str) -> bool:
    """Whether a company as written names none: a placeholder (``is_placeholder``), except a
    single Latin letter, which can be a company's whole name ("X", the company once called
    Twitter) where a placeholder "x" would be no address or number in an email or phone cell."""
    stripped = fold_width(value).strip()
    if len(stripped) == 1 and stripped.isascii() and stripped.isalpha():
        return False
    return is_placeholder(value)


def clean_company(value: str | None) -> str:
    """A company as written (full-width Latin made ASCII: ``fold_width``), or "" for a
    placeholder that names none ("N/A", "#N/A", "-", "无", "(跳过)", "No company";
    ``says_no_company``: a single letter such as "X" is a company)."""
    cleaned = clean_line(fold_width(value or ""), label=COMPANY_LABEL, max_length=160)
    return "" if cleaned and says_no_company(cleaned) else cleaned


def is_company(value: str) -> bool:
    """Whether ``value`` names an employer; "Freelance", "Freelancer (design)", "个人", "N/A"
    and the like do not; "X" does."""
    if says_no_company(value):
        return False
    folded = " ".join(unicodedata.normalize("NFKC", value).casefold().split()).strip(" .")
    described = re.sub(r"\s*[(（\[].*?[)）\]]\s*", " ", folded).strip(" .,-")
    return not (
        folded in SELF_EMPLOYED
        or described in SELF_EMPLOYED
        or described.replace("-", " ").startswith(SELF_EMPLOYED_STARTS)
    )


@functools.lru_cache(maxsize=8192)
def company_key(value: str) -> str:
    """The form in which two companies are compared: "" for none or a placeholder; otherwise
    case, width, punctuation and spacing ignored, legal suffixes (Ltd, GmbH, 有限公司, 科技…) and
    Chinese city prefixes (北京, 上海…) dropped. "Kite Labs Ltd." and "KiteLabs" give
    ``"kitelabs"``; "北京星河科技有限公司" and "星河科技" give ``"星河"``."""
    if not is_company(value):
        return ""
    text = unicodedata.normalize("NFKC", value).casefold().replace("&", " and ")
    words = re.sub(r"[^\w]+", " ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[-1] == "and":
        words.pop()
    joined = "".join(words)
    stripped = joined
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_SUFFIXES:
            if CJK.search(suffix) and stripped.endswith(suffix) and len(stripped) > len(suffix):
                stripped = stripped[: -len(suffix)]
                changed = True
        for prefix in CITY_PREFIXES:
            if stripped.startswith(prefix) and len(stripped) > len(prefix) + 1:
                stripped = stripped[len(prefix) :]
                changed = True
    return stripped or joined


SEVERAL_ADDRESSES = "several_addresses"  # the code of ``clean_email``'s refusal of two


def is_several_addresses(text: str) -> bool:
    """Whether ``text`` (one field, spaces folded) holds two or more addresses: it splits at
    commas, semicolons, slashes, bars, "and"/"和" (``ADDRESS_SEPARATORS``), or else at spaces,
    into two or more parts that each hold an "@" ("a@x.com, b@y.com", "Ada <a@x.com>; Bo
    <b@y.com>", "a@x.com b@y.com"). A part without one ("a@x.com Bcc: b@y.com") makes it no
    list of addresses."""
    for parts in (ADDRESS_SEPARATORS.split(text), text.split()):
        parts = [part for part in (p.strip() for p in parts) if part]
        if len(parts) >= 2 and all("@" in part for part in parts):
            return True
    return False


def clean_email(value: str | None) -> str:
    """An address that can be mailed, normalised once: invisible characters and spaces around it
    removed, NFKC (full-width letters and ＠ typed with an input method), a trailing full stop
    dropped, lower case, the domain IDNA-encoded; of "Name <address>" (a mail program's copy)
    the address inside the angle brackets. "" stays "". Raises ``ValidationError``
    for anything else: no "@" at all ("ask me", "wechat: abc123"), more than one address
    (``is_several_addresses``; code ``SEVERAL_ADDRESSES``), spaces or controls inside, a
    domain without a dot ("localhost"), a non-ASCII local part."""
    text = value or ""
    if not text.isascii():
        # NFKC: an address typed with a Chinese or Japanese input method ("ｚｈａｎｇ＠…")
        # becomes the ASCII one; the ideographic full stop is a dot (as in IDNA).
        text = unicodedata.normalize("NFKC", text).replace("\u3002", ".")
        # Direction marks around an address copied from a right-to-left page or mail program
        # ("\u202aada@example.com\u202c") are invisible too: an address is read left to right.
        text = "".join(
            c for c in text if c not in INVISIBLE and c not in JOINERS and c not in BIDI_CONTROLS
        )
    text = SPACES.sub(" ", text).strip()
    shown = text  # the value as written, in every message
    named = NAMED_ADDRESS.match(text)
    text = (named.group(1) if named else text.strip("<>")).strip().rstrip(".")
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if not text:
        return ""
    if "@" not in text:
        raise refuse(_("“%(email)s” is not an email address.") % {"email": shown})
    if is_several_addresses(text):
        raise ValidationError(
            _("“%(email)s” holds more than one address; give one address per person.")
            % {"email": shown},
            code=SEVERAL_ADDRESSES,
        )
    inside = (
        ASCII_HIDDEN.search(text)
        if text.isascii()
        else any(c.isspace() or unicodedata.category(c) in {"Cc", "Cf"} for c in text)
    )
    if inside:
        raise refuse(_("“%(email)s” has spaces or hidden characters inside.") % {"email": shown})
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise refuse(_("“%(email)s” is not an email address.") % {"email": shown})
    if not local.isascii():
        raise refuse(
            _("“%(email)s” cannot be mailed: the part before @ must use Latin letters and digits.")
            % {"email": shown}
        )
    domain = domain.rstrip(".").lower()
    try:
        ascii_domain = (
            domain
            if ASCII_DOMAIN.match(domain) and "xn--" not in domain
            else idna.encode(domain, uts46=True).decode("ascii")
        )
    except (idna.IDNAError, UnicodeError):
        raise refuse(
            _("“%(email)s” cannot be mailed: “%(domain)s” is not a valid domain.")
            % {"email": shown, "domain": domain}
        ) from None
    if "." not in ascii_domain.strip("."):
        raise refuse(
            _(
                "“%(email)s” cannot be mailed: “%(domain)s” has no dot, so it is not a domain "
                "on the internet."
            )
            % {"email": shown, "domain": domain}
        )
    email = f"{local.lower()}@{ascii_domain}"
    try:
        validate_mailable(email)
    except ValidationError:
        raise refuse(_("“%(email)s” is not an email address.") % {"email": shown}) from None
    if len(email) > 254:
        raise refuse(_("“%(email)s” is too long to be mailed.") % {"email": shown})
    return email


def email_digest(email: str) -> str:
    """A keyed hash (HMAC-SHA256 under the site's secret key, hex, 64 characters) of an email
    as ``clean_email`` normalises it, for block lists that must not keep the address. Raises
    ``ValidationError`` for what ``clean_email`` refuses; "" for no email."""
    email = clean_email(email)
    if not email:
        return ""
    return salted_hmac("speednet.email-block", email, algorithm="sha256").hexdigest()


def clean_phone(value: str | None) -> str:
    """A phone number: full-width digits made ASCII, invisible characters removed, a leading
    spreadsheet quote (``'+86 138…``) dropped, spaces folded. Raises ``ValidationError`` for
    letters or other signs that are not part of a number; at most 40 characters."""
    text = unicodedata.normalize("NFKC", value or "")
    text = clean_line(text, label=PHONE_LABEL)
    text = text.lstrip("'").strip()
    if not text:
        return ""
    if not PHONE_ALLOWED.match(text) or not any(c.isdigit() for c in text):
        raise refuse(_("“%(phone)s” is not a phone number.") % {"phone": text})
    if len(text) > 40:
        raise refuse(_("“%(phone)s” is too long for a phone number.") % {"phone": text})
    return text


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text))


def full_name(given: str, family: str, *, is_family_first: bool = False) -> str:
    """A name built from given and family parts as its owner writes it: Chinese, Japanese and
    Korean names family-first without a space ("李" + "娜" → "李娜"); others given-first, or
    family-first with a space when ``is_family_first`` (the list is in a language that writes
    names so: Hungarian "Kovács" + "Anna" → "Kovács Anna", Vietnamese "Nguyễn" + "Văn An")."""
    given, family = given.strip(), family.strip()
    if has_cjk(given + family) and not (given.isascii() or family.isascii()):
        return f"{family}{given}"
    parts = (family, given) if is_family_first else (given, family)
    return " ".join(part for part in parts if part)


def name_parts(name: str) -> tuple[str, str]:
    """(family, given) of a full name, for a vCard ``N:`` field: a CJK name without spaces
    splits after its family name (one character, or two for 欧阳, 司马…); "Ada Kim" gives
    ("Kim", "Ada"); a single word is a given name."""
    name = name.strip()
    if not name:
        return "", ""
    if has_cjk(name) and " " not in name:
        size = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
        return name[:size], name[size:]
    words = name.split()
    if len(words) == 1:
        return "", words[0]
    if has_cjk(name) and all(has_cjk(w) for w in words):
        return words[0], " ".join(words[1:])
    return words[-1], " ".join(words[:-1])
