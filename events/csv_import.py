"""Reading an attendee list: any file an organizer has (see ``events.tabular``), the columns of
any common ticketing or form export recognised, every row cleaned by the identity hygiene rule
(``events.hygiene``) and compared with the attendees already there.

``parse(data, mapping=None)`` gives a ``Parsed`` (header, guessed or chosen mapping, rows,
errors and notes by line); ``compare(parsed, existing)`` gives the dry run (``Comparison``:
which rows are new, which update whom, which are unchanged or skipped). Nothing here writes:
``events.services.import_attendees`` applies a comparison, all or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from config.limits import MAX_IMPORT_FILE_BYTES
from events import hygiene, tabular

MAX_BYTES = MAX_IMPORT_FILE_BYTES
MAX_ROWS = 10_000
FIELDS = (
    "name",
    "first_name",
    "last_name",
    "middle_name",
    "email",
    "company",
    "job_title",
    "phone",
    "consent",
    "status",
    "keep_apart",
    "need",
    "external_id",
)
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "first_name": gettext_lazy("First (given) name"),
    "last_name": gettext_lazy("Last (family) name"),
    "middle_name": gettext_lazy("Middle name"),
    "email": gettext_lazy("Email"),
    "company": gettext_lazy("Company"),
    "job_title": gettext_lazy("Job title"),
    "phone": gettext_lazy("Phone"),
    "consent": gettext_lazy("Agrees to share contact details"),
    "status": gettext_lazy("Registration status (cancelled rows are skipped)"),
    "keep_apart": gettext_lazy("Keep apart from (names or emails)"),
    "need": gettext_lazy("What they are looking for (starts their pitch)"),
    "external_id": gettext_lazy("Attendee or ticket id (matches them on a later import)"),
}
# Header spellings as exported (Eventbrite, Luma, Meetup, ti.to, pretix, Google and Microsoft
# Forms, 问卷星, plain spreadsheets), normalised by ``normalize_header``; earlier is better.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "full name", "your full name", "attendee full name", "ticket full name", "attendee name",
        "ticket holder name", "participant name", "your name", "name", "attendee", "participant",
        "guest name",
        "registrant name", "contact name", "姓名", "參會者姓名", "參加者姓名",
        "名字", "您的姓名", "你的姓名", "参会人姓名",
        "参会者姓名", "真实姓名", "称呼",
        # German, French, Spanish, Italian, Portuguese, Dutch.
        "vollständiger name", "vollstandiger name", "nom complet", "nom et prénom",
        "nom et prenom", "prénom et nom", "prenom et nom", "nom prénom", "nom prenom",
        "nombre completo", "nombre y apellidos", "nombre y apellido", "nome completo",
        "volledige naam", "naam",
        # Japanese, Korean, Russian.
        "氏名", "お名前", "名前", "フルネーム", "参加者名", "参加者氏名", "이름", "성명", "성함",
        "참가자 이름", "참가자명", "фио", "ф и о", "имя и фамилия", "полное имя", "имя",
        # Hungarian, Czech, Slovak, Polish, Croatian and Serbian, Romanian, Slovenian.
        "név", "teljes név", "résztvevő neve", "jméno a příjmení", "celé jméno", "jméno",
        "meno a priezvisko", "celé meno", "meno", "imię i nazwisko", "ime i prezime",
        "puno ime", "nume complet", "nume și prenume", "nume si prenume", "numele complet",
        "nume", "ime in priimek",
        # Vietnamese.
        "họ và tên", "họ tên", "tên đầy đủ",
    ),
    "first_name": (
        "ticket first name", "attendee first name", "first name", "firstname", "given name",
        "attendee name given name", "name given name", "forename", "first", "名",
        "vorname", "prénom", "prenom", "nombre", "nome", "primeiro nome", "voornaam",
        "keresztnév", "utónév", "křestní jméno", "krstné meno", "imię", "ime", "prenume",
        "下の名前", "tên", "tên gọi", "kereszt név", "utó név",
        # Hungarian as exports without accents write it.
        "keresztnev", "utonev", "kereszt nev", "uto nev",
    ),
    "last_name": (
        "ticket last name", "attendee last name", "last name", "lastname", "surname",
        "family name", "attendee name family name", "name family name", "last", "姓",
        "nachname", "familienname", "nom", "nom de famille", "apellido", "apellidos",
        "cognome", "sobrenome", "apelido", "achternaam",
        "vezetéknév", "családnév", "příjmení", "priezvisko", "nazwisko", "prezime",
        "nume de familie", "priimek",
        "苗字", "성", "фамилия", "họ", "họ và tên đệm", "họ và chữ đệm", "họ đệm", "họ và tên lót",
        "họ lót", "姓氏", "családi név", "vezeték név",
        "vezeteknev", "csaladnev", "csaladi nev", "vezetek nev",
    ),
    # Between the given and the family name, whichever comes first ("Văn" of "Nguyễn Văn An").
    "middle_name": (
        "middle name", "middle names", "middlename", "middle initial", "middle", "tên đệm",
        "tên lót", "chữ đệm",
    ),
    "email": (
        "ticket email", "attendee email", "attendee email address", "email", "email address",
        "e mail", "e mail address", "mail", "your email", "your email address", "邮箱",
        "电子邮箱", "电子邮件", "邮件", "邮箱地址", "email 邮箱", "電子郵件", "電郵", "郵箱",
        "電子郵箱", "郵件", "電子郵件地址",
        "e mail adresse", "email adresse", "mailadresse", "mail adresse", "courriel",
        "adresse e mail", "adresse email", "adresse courriel", "adresse électronique",
        "adresse electronique", "correo", "correo electrónico", "correo electronico",
        "correo e", "e mail adres", "indirizzo email", "posta elettronica",
        "メールアドレス", "メール", "eメール", "eメールアドレス", "電子メール", "이메일",
        "이메일 주소", "전자우편", "메일", "электронная почта", "эл почта", "почта",
        "e mail cím", "email cím", "e mail adresa", "emailová adresa", "adres e mail",
        "adres email", "adresa de email", "adresa de e mail", "e pošta", "e naslov",
    ),
    "company": (
        "ticket company name", "ticket company", "attendee company", "company", "company name",
        "organization", "organisation", "organization name", "organisation name", "employer",
        "business", "business name", "affiliation", "institution", "startup", "startup name",
        "公司", "公司名称", "单位", "工作单位", "所在公司", "企业", "企业名称", "机构", "组织",
        "公司名稱", "單位", "工作單位", "企業", "機構", "組織",
        "firma", "unternehmen", "firmenname", "arbeitgeber", "entreprise", "société", "societe",
        "nom de l entreprise", "employeur", "empresa", "compañía", "compania",
        "nombre de la empresa", "organización", "organizacion", "azienda", "società",
        "bedrijf", "organisatie",
        "会社名", "会社", "所属", "所属先", "企業名", "勤務先", "団体名", "회사", "회사명", "소속",
        "직장", "компания", "организация", "место работы",
        "cég", "cégnév", "munkahely", "szervezet", "společnost", "spoločnosť", "organizace",
        "organizácia", "zaměstnavatel", "zamestnávateľ", "organizacja", "tvrtka", "poduzeće",
        "kompanija", "companie", "compania", "organizație", "podjetje",
    ),
    "job_title": (
        "ticket job title", "attendee job title", "job title", "jobtitle", "title", "position",
        "role", "job", "job role", "occupation", "designation", "职位", "职务", "头衔", "岗位",
        "職稱", "職位", "職務", "頭銜",
        "jobtitel", "berufsbezeichnung", "funktion", "beruf", "poste", "fonction",
        "intitulé du poste", "intitule du poste", "titre du poste", "métier", "metier",
        "cargo", "puesto", "puesto de trabajo", "ocupación", "ocupacion", "ruolo",
        "functie",
        "役職", "職種", "肩書き", "肩書", "직함", "직책", "직위", "직급", "должность",
        "beosztás", "munkakör", "pozice", "pozícia", "stanowisko", "radno mjesto", "pozicija",
        "funcție", "funkcija", "delovno mesto",
    ),
    "phone": (
        "ticket phone number", "ticket phone", "attendee phone", "phone", "phone number",
        "mobile", "mobile phone", "mobile number", "cell phone", "cell", "telephone", "tel",
        "work phone", "电话", "手机", "手机号", "手机号码", "联系电话", "电话号码",
        "電話", "手機", "手機號碼", "聯絡電話", "電話號碼",
        "telefon", "telefonnummer", "handy", "handynummer", "mobil", "mobilnummer",
        "téléphone", "telephone", "portable", "numéro de téléphone", "numero de telephone",
        "電話番号", "電話", "携帯電話", "携帯電話番号", "전화번호", "휴대폰", "휴대폰 번호",
        "연락처", "телефон", "мобильный телефон",
        "teléfono", "telefono", "móvil", "movil", "celular", "cellulare", "telefoon",
        "telefonszám", "telefonní číslo", "telefónne číslo", "numer telefonu",
        "broj telefona", "număr de telefon", "numar de telefon",
    ),
    "consent": (
        "consent", "share contact details", "share contact", "shares contact details",
        "share details", "share my contact details", "contact sharing", "同意分享联系方式",
        "分享联系方式", "是否分享联系方式", "是否同意分享联系方式",
    ),
    "status": (
        "attendee status", "approval status", "ticket status", "ticket state", "order status",
        "registration status", "rsvp", "rsvp status", "status", "void status", "状态",
        "报名状态", "审核状态",
    ),
    "keep_apart": ("keep apart from", "keep apart", "not with", "avoid", "分开坐", "不同桌"),
    "need": (
        "what are you looking for", "looking for", "what do you need",
        "what are you hoping to find", "what are you looking for at this event",
        "i am looking for", "i m looking for",
        "需求", "我想找", "想找什么", "你在找什么", "您在寻找什么", "您的需求", "希望对接",
    ),
    "external_id": (
        "user id", "member id", "attendee id", "attendee #", "attendee number",
        "unique ticket id", "ticket id", "ticket reference", "api id", "registration id",
        "guest id", "participant id", "报名编号", "参会者编号",
    ),
}  # fmt: skip
# Vietnamese column names as exports without accents write them ("Ho va ten" for "Họ và tên"),
# as ``normalize_header`` makes them. Kept apart from ``ALIASES`` so that their words ("ho",
# "ten", "va") never make a cell a column name's word (``is_header_word``): "Ho Wei" and
# "Anna ten Brink" are people.
UNACCENTED_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ho va ten", "ho ten", "ten day du"),
    "first_name": ("ten goi",),
    "last_name": ("ho va ten dem", "ho va chu dem", "ho dem", "ho va ten lot", "ho lot"),
    "middle_name": ("ten dem", "ten lot", "chu dem"),
}
# Column names that are a Vietnamese name part without accents only when both stand in the
# same header ("Ho" and "Ten"): alone, "Ho" or "Ten" may mean anything in an English file.
UNACCENTED_PAIR = {"ho": "last_name", "ten": "first_name"}
# The Vietnamese family and given name columns, with accents and without.
VIETNAMESE_NAME_PARTS = frozenset(
    {
        "họ", "họ và tên đệm", "họ và chữ đệm", "họ đệm", "họ và tên lót", "họ lót", "tên",
        "tên gọi", *UNACCENTED_ALIASES["first_name"], *UNACCENTED_ALIASES["last_name"],
        *UNACCENTED_PAIR,
    }
)  # fmt: skip
# A header that is the surname when a first-name column stands beside it.
SURNAME_BESIDE_FIRST = frozenset({"name", "naam", "nume"})
# A header that is the given name when a surname column stands beside it.
GIVEN_BESIDE_LAST = frozenset({"имя", "jméno", "meno", "이름", "名字", "名前"})
# The family and given name columns of the languages written in Latin letters that put the
# family name first: Hungarian and Vietnamese (as ``normalize_header`` makes them). A list whose
# columns are so named joins family name first ("Kovács Anna", "Nguyễn Văn An"). Chinese,
# Japanese and Korean names join family first whatever the columns (``hygiene.full_name``);
# a Latin name in a Chinese form ("Smith", "Anna") is a foreigner's, given name first.
FAMILY_FIRST_HEADERS = frozenset(
    {
        "vezetéknév", "családnév", "keresztnév", "utónév", "családi név", "vezeték név",
        "kereszt név", "utó név",
        "vezeteknev", "csaladnev", "keresztnev", "utonev", "csaladi nev", "vezetek nev",
        "kereszt nev", "uto nev",
        *VIETNAMESE_NAME_PARTS,
    }
)  # fmt: skip
# Words in a header that make it likely, when no alias matched exactly (custom questions).
# Latin hints match whole words; a header asking a yes/no question ("May we email you?") or
# about an id, a link or a website is never guessed for a field other than consent and need.
HINTS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "email address", "邮箱", "邮件", "電子郵件", "郵件"),
    "company": (
        "company",
        "organisation",
        "organization",
        "employer",
        "where do you work",
        "work for",
        "公司",
        "单位",
        "公司名稱",
        "單位",
    ),
    "job_title": ("job title", "position", "role", "job", "职位", "职务", "職稱", "職位"),
    "phone": ("phone", "mobile", "手机", "电话", "電話", "手機"),
    "consent": (
        "share contact",
        "share my contact",
        "share your contact",
        "share my details",
        "share your details",
        "share details",
        "consent",
        "agree to share",
        "contact sharing",
        "同意分享",
    ),
    "name": ("your name", "full name", "姓名"),
    "need": ("looking for", "hoping to find", "想找", "需求", "寻找"),
    # a form's own question ("Anyone you would rather not sit with?", "不想和谁同桌？")
    "keep_apart": (
        "keep apart",
        "rather not sit",
        "not sit with",
        "not be seated",
        "not to sit",
        "not seated with",
        "rather not meet",
        "不想同桌",
        "不想和",
        "不要和",
        "不希望和",
        "分开坐",
    ),
}
# Every column name of ``ALIASES`` as ``normalize_header`` makes it, and every word of those
# and of ``HINTS``: a cell holding one is a column name, not a person's name.
KNOWN_HEADERS = frozenset(
    alias for aliases in (*ALIASES.values(), *UNACCENTED_ALIASES.values()) for alias in aliases
)
ALIAS_WORDS = frozenset(
    word
    for phrases in (*ALIASES.values(), *HINTS.values())
    for phrase in phrases
    for word in phrase.split()
    if len(word) > 1
)
YES_NO_QUESTION = re.compile(
    r"^(may|would|do|does|can|could|are|is|will|shall|should|did|have|may we|want)\b"
)
NOT_A_VALUE_WORDS = re.compile(r"\b(id|ids|url|link|website|web site|site|uuid|number of)\b")
# Meetup's "Title" is the member's role in the group, not a job title.
GROUP_ROLES = frozenset(
    {"member", "organizer", "organiser", "co organizer", "assistant organizer",
     "event organizer", "host", "co host"}
)  # fmt: skip
# Columns about the buyer, not the person who comes: never guessed for a field.
BUYER_WORDS = ("order ", "buyer ", "purchaser ", "billing ", "invoice ")
PLATFORMS = (
    ("ti.to", ("ticket first name", "ticket email", "ticket reference")),
    ("Eventbrite", ("attendee status", "eventbrite fees", "attendee #", "order #")),
    ("Luma", ("api id", "approval status")),
    ("Meetup", ("rsvp", "user id", "event link", "joined group on")),
    ("pretix", ("order code", "attendee name given name", "position id")),
    ("Google Forms", ("timestamp", "email address")),
    ("Microsoft Forms", ("start time", "completion time")),
    ("问卷星", ("提交答卷时间", "所用时间")),
)
YES_WORDS = frozenset(
    {
        "yes", "y", "true", "1", "x", "✓", "✔", "☑", "checked", "check", "ticked", "on", "agree",
        "agreed", "i agree", "yes i agree", "accept", "accepted", "ok", "sure", "oui", "ja",
        "sí", "si", "是", "同意", "好", "愿意", "可以", "对", "是的", "我同意", "接受", "允许",
        "✅", "☑️", "✔️", "consent", "i consent", "consented", "i give consent", "opt in",
        "opt-in", "optin", "opted in", "yes please", "share", "shared", "allow", "allowed",
        # a square root sign is the tick of many Chinese spreadsheets; Japanese, Korean and
        # Russian forms answer in their languages (their headers are read too)
        "√", "はい", "同意します", "예", "네", "동의", "동의함", "동의합니다", "да", "согласен",
        "согласна", "согласен(на)",
    }
)  # fmt: skip
NO_WORDS = frozenset(
    {
        "", "no", "n", "false", "0", "unchecked", "off", "not checked", "disagree",
        "i do not agree", "i don't agree", "decline", "declined", "non", "nein", "否", "不",
        "不同意", "不愿意", "不可以", "拒绝", "-", "n/a", "☐", "□", "❌", "✗", "✘", "nope", "nah",
        "×", "いいえ", "아니요", "아니오", "아니", "нет",
    }
)  # fmt: skip
# Words that say no wherever they stand: an answer holding one is a no when it starts with it
# ("No, thank you", "不是", "Opt-out") and unclear otherwise ("Yes, but not my phone", "同意不分享",
# "是否", the question echoed); never a yes.
NEGATION_WORDS = frozenset(
    {
        "no", "n", "not", "nope", "nah", "never", "don't", "dont", "doesn't", "won't", "can't",
        "cannot", "decline", "declined", "declines", "refuse", "refused", "disagree",
        "disagreed", "unsubscribe", "unsubscribed", "optout", "non", "nein", "нет", "не",
    }
)  # fmt: skip
NEGATION_PHRASES = ("opt out", "opted out", "do not", "does not", "did not", "will not")
NEGATION_CHARS = frozenset("不否没拒别勿无")
# Negations inside a Japanese or Korean answer, which has no spaces between words
# ("同意しません", "동의하지 않음", "거부"): as ``NEGATION_CHARS``, never a yes.
NEGATION_INFIXES = ("しない", "しません", "いいえ", "않", "아니", "거부", "안 함")
# Double negatives that say yes ("No objection", "I don't mind", "Why not", "没问题", "不介意"),
# as ``consent_of`` folds them, longest first: read before the negation rule, which would take
# their leading "no" or 不 for a refusal.
DOUBLE_NEGATIVES = (
    "i have no objections", "i have no objection", "no objections", "no objection",
    "no problems", "no problem", "not a problem", "i do not mind", "i don't mind",
    "i dont mind", "do not mind", "don't mind", "dont mind", "why not", "没有问题", "没问题",
    "我不介意", "不介意", "我不反对", "不反对", "没有异议", "无异议", "我没意见", "没有意见",
    "没意见", "无所谓",
)  # fmt: skip
# What may stand beside a double negative without changing it ("No problem at all, thanks").
DOUBLE_NEGATIVE_FILLERS = frozenset(
    {"at all", "whatsoever", "from me", "here", "please", "thanks", "thank you", "我", "啊", "的"}
)
# The start of a yes: whole words ("Yes please", "I consent (email only)"), or a prefix in
# Chinese and for tick marks ("是的，同意", "✅ share").
YES_FIRST_WORDS = (
    "yes", "y", "ja", "oui", "sí", "si", "ok", "okay", "sure", "true", "agree", "agreed",
    "accept", "accepted", "consent", "i agree", "i consent", "opt in", "opted in",
)  # fmt: skip
YES_PREFIXES = (
    "同意", "我同意", "我愿意", "是", "好", "愿意", "可以", "允许", "接受", "✅", "✓", "✔", "☑",
    "√", "はい", "동의", "예", "네",
)  # fmt: skip
# A number a spreadsheet wrote for a tick box: 1 (or 1.0) is a yes, 0 (or 0.0) a no.
YES_NO_NUMBER = re.compile(r"([01])(?:\.0+)?")
SKIPPED_STATUSES = frozenset(
    {
        "refunded", "cancelled", "canceled", "not attending", "declined", "rejected", "denied",
        "deleted",
        "void", "voided", "expired", "waitlist", "waitlisted", "waiting list", "wait list",
        "pending approval", "pending", "invited", "no", "transferred", "unpaid", "已取消", "已退款",
        "已拒绝",
        "取消", "退款", "候补", "未通过", "待审核", "不参加",
    }
)  # fmt: skip
# What a ticketing site writes where it did not ask the ticket holder (Eventbrite).
NOT_ASKED = frozenset({"info requested", "information requested", "not requested"})
# What a survey or ticketing export writes for a question nobody answered (问卷星's "(跳过)",
# "(空)"), as ``no_answer_key`` folds it, brackets removed: blank in every column. "Freelance"
# is an answer and stays (``hygiene.is_company`` tells it from an employer).
NO_ANSWER = frozenset(
    {
        "跳过", "空", "未填", "未填写", "未回答", "未作答", "n/a", "#n/a", "n.a.", "-", "--",
        "—", "–", "_", "skipped", "not answered", "no answer", "unanswered", "blank", "empty",
    }
)  # fmt: skip
# Also no answer, except in a name column, where they can be a real name ("Na", "Null").
NO_ANSWER_BUT_NAMES = frozenset({"null", "none", "nil", "na", "n a", "无", "暂无", "没有"})
# What a keep-apart question's answer says when it names nobody ("Anyone you would rather not
# sit with?" "No one"), as ``no_answer_key`` folds it.
NOBODY = frozenset(
    {
        "no", "nope", "nah", "nobody", "no one", "no-one", "noone", "none", "not really",
        "no thanks", "no thank you", "anyone is fine", "n", "否", "不", "没", "没有", "没有人",
        "无", "无人", "沒有", "都可以", "いいえ", "いない", "없음", "없어요", "нет",
    }
)  # fmt: skip
# "No email", "not given", "无邮箱", "暂无手机": said where an address or a number would be.
SAYS_NONE = re.compile(r"^(no|not|none|without) |^(无|没有|暂无|未)")
# The same said where an email would be; "not an email" or "ask me" is no such answer but a
# value that is not an address (refused by line).
SAYS_NO_EMAIL = re.compile(
    r"^(no|none|without) |^not (given|provided|available|applicable|answered|known|shared|"
    r"supplied|specified|disclosed|asked|requested)\b|^(无|没有|暂无|未)"
)
NEED_LENGTH = 600
NEED_LABEL = gettext_lazy("answer")
NO_EMAIL = frozenset({"anonymous", "n/a", "none", "-", "无"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REFERENCE_SEPARATORS = re.compile(r"[;,，；、/|\n]+")


@dataclass
class Row:
    """One attendee as the file gives them, cleaned; ``has`` lists the fields the file has."""

    line: int
    name: str
    email: str = ""
    company: str = ""
    job_title: str = ""
    phone: str = ""
    given_name: str = ""
    family_name: str = ""
    is_consent_suggested: bool = False
    keep_apart: list[str] = field(default_factory=list)
    # Each keep-apart reference as the file writes it, for messages.
    keep_apart_written: dict[str, str] = field(default_factory=dict)
    registration_need: str = ""
    external_id: str = ""


@dataclass
class Parsed:
    headers: list[str]
    mapping: dict[str, int | None]
    platform: str = ""
    described: str = ""
    encoding: str = ""
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: int = 0
    # Rows left out for their status: (line, name, email, status) as the file writes them.
    cancelled: list[tuple[int, str, str, str]] = field(default_factory=list)
    # the text's encoding was guessed: the organizer is asked to check the names
    is_encoding_guessed: bool = False
    # (line, column index) of workbook cells holding a formula without a saved value
    formulas: set[tuple[int, int]] = field(default_factory=set)
    # the family and given name columns are of a language that writes the family name first
    is_family_first: bool = False

    @property
    def encoding_name(self) -> str:
        """The encoding read, for the organizer: "Windows-1251 (Cyrillic)"."""
        return tabular.ENCODING_NAMES.get(self.encoding, self.encoding)

    @property
    def mapped(self) -> set[str]:
        """The attendee fields the file has a column for."""
        fields = {name for name, index in self.mapping.items() if index is not None}
        if fields & {"first_name", "last_name"}:
            fields.add("name")
        return fields


def line_message(line: int, problem: str) -> str:
    return _("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}


# Characters a column name holds unseen, pasted from a web page or two files joined (a
# zero-width space, a soft hyphen, a byte-order mark, a direction mark).
HIDDEN_IN_HEADERS = hygiene.INVISIBLE | hygiene.JOINERS | hygiene.BIDI_CONTROLS


def normalize_header(header: str) -> str:
    """Lower case, width-folded, without hidden characters (``HIDDEN_IN_HEADERS``), numbering
    ("1、", "Q3."), punctuation or "(required)"."""
    text = unicodedata.normalize("NFKC", header).casefold()
    text = "".join(c for c in text if c not in HIDDEN_IN_HEADERS)
    text = re.sub(r"\((required|optional|必填|选填)\)|\*", " ", text)
    text = re.sub(r"^\s*(q?\d+\s*[、.:)．]\s*)", "", text)
    text = re.sub(r"[_\-:?？：/()（）.,，\"']+", " ", text)
    return " ".join(text.split())


def hint_matches(hint: str, header: str) -> bool:
    if hint.isascii():
        return re.search(rf"(?<![\w]){re.escape(hint)}(?![\w])", header) is not None
    return hint in header


def _has_letters(values: list[str]) -> bool:
    """Whether most filled values hold a letter (of any script): a name part, not a number."""
    filled = [v for v in values if v.strip()]
    return sum(1 for v in filled if any(c.isalpha() for c in v)) * 2 > len(filled)


def values_fit(name: str, values: list[str]) -> bool:
    """Whether a column's values can be ``name``: not all empty, emails mostly with an "@",
    a job title not a group role ("Member", "Organizer")."""
    filled = [v.strip() for v in values if v.strip() and not is_no_answer(v, field=name)]
    if not filled:
        return False
    if name == "email":
        fit = sum(1 for v in filled if "@" in v or "＠" in v or v.casefold() in NO_EMAIL)
        return fit * 2 >= len(filled)
    if name == "external_id":
        return len(set(filled)) == len(filled)  # an id names one person
    if name == "job_title":
        return not all(normalize_header(v) in GROUP_ROLES for v in filled)
    return True


def guess_mapping(
    headers: list[str], columns: list[list[str]] | None = None
) -> dict[str, int | None]:
    """Which column holds which field: exact spellings first (ticket holder before buyer), then
    a header that mentions the field as a whole word (a custom question such as "What company
    are you with?"). ``columns`` are the values of each column (when known): a column whose
    values cannot be the field (all empty, no emails) is never guessed for it.
    Returns ``{field: column index or None}`` for every field in ``FIELDS``."""
    normalized = [normalize_header(h) for h in headers]
    mapping: dict[str, int | None] = dict.fromkeys(FIELDS)
    used: set[int] = set()

    fitting: dict[tuple[str, int], bool] = {}

    def fits(name: str, i: int) -> bool:
        # Read each column's values once per field, and only for a header that could be it:
        # a list of 300 columns and 10,000 rows is 3 million values.
        if columns is None or i >= len(columns):
            return True
        if (name, i) not in fitting:
            fitting[name, i] = values_fit(name, columns[i])
        return fitting[name, i]

    for name in FIELDS:
        for alias in (*ALIASES[name], *UNACCENTED_ALIASES.get(name, ())):
            index = next(
                (
                    i
                    for i, h in enumerate(normalized)
                    if h == alias and i not in used and fits(name, i)
                ),
                None,
            )
            if index is not None:
                mapping[name] = index
                used.add(index)
                break
    for header, name in UNACCENTED_PAIR.items():
        # "Ho" and "Ten" side by side, or beside a Vietnamese name column of the other part
        # ("Ho va ten dem" and "Ten"): a family or given name without accents.
        index = normalized.index(header) if header in normalized else None
        other = mapping["first_name" if name == "last_name" else "last_name"]
        beside = other is not None and normalized[other] in VIETNAMESE_NAME_PARTS
        # beside a whole-name column ("Name", "Ho va ten") the name is there, and "HO" and
        # "Ten" are more likely something else (head office, a count)
        paired = all(h in normalized for h in UNACCENTED_PAIR) and mapping["name"] is None
        if (
            index is not None
            and index not in used
            and mapping[name] is None
            and (paired or beside)
            and fits(name, index)
            and (columns is None or index >= len(columns) or _has_letters(columns[index]))
        ):
            mapping[name] = index
            used.add(index)
    for name, hints in HINTS.items():
        if mapping[name] is not None or (name == "name" and mapping["first_name"] is not None):
            continue
        for i, header in enumerate(normalized):
            if i in used or header.startswith(BUYER_WORDS):
                continue
            if name not in {"consent", "need", "keep_apart"} and (
                YES_NO_QUESTION.search(header) or NOT_A_VALUE_WORDS.search(header)
            ):
                continue
            if any(hint_matches(hint, header) for hint in hints) and fits(name, i):
                mapping[name] = i
                used.add(i)
                break
    surname = mapping["name"]
    if (
        mapping["first_name"] is not None
        and mapping["last_name"] is None
        and surname is not None
        and normalized[surname] in SURNAME_BESIDE_FIRST
    ):
        # "Vorname" and "Name" (a German form): the name beside a first name is the surname.
        mapping["last_name"], mapping["name"] = surname, None
    given = mapping["name"]
    if (
        mapping["last_name"] is not None
        and mapping["first_name"] is None
        and given is not None
        and normalized[given] in GIVEN_BESIDE_LAST
    ):
        # "Имя" and "Фамилия" (a Russian form): the name beside a surname is the given name.
        mapping["first_name"], mapping["name"] = given, None
    return mapping


EMAIL_LIKE = re.compile(r"[^@\s,;]+[@＠][^@\s,;]+\.[^@\s,;]+")


def is_email_cell(value: str) -> bool:
    """Whether a cell is an email address as the import reads one (``hygiene.clean_email``):
    a bare address, "Name <address>", "mailto:…", full-width letters, invisible characters
    around it; a cell of several addresses too. Column names never are one."""
    if "@" not in value and "＠" not in value:
        return False
    try:
        return bool(hygiene.clean_email(value))
    except ValidationError as error:
        return error.code == hygiene.SEVERAL_ADDRESSES


def guess_by_values(columns: list[list[str]]) -> dict[str, int | None]:
    """The mapping of a file without column names: the column whose values are emails, the
    one whose values are phone numbers, and the first other column holding text as the name."""
    mapping: dict[str, int | None] = dict.fromkeys(FIELDS)

    def share(values: list[str], test: object) -> float:
        filled = [v.strip() for v in values if v.strip()]
        return sum(1 for v in filled if test(v)) / len(filled) if filled else 0.0  # type: ignore[operator]

    for i, values in enumerate(columns):
        if mapping["email"] is None and share(values, is_email_cell) >= 0.5:
            mapping["email"] = i
        elif mapping["phone"] is None and share(values, is_phone_like) >= 0.5:
            mapping["phone"] = i
    for i, values in enumerate(columns):
        if i != mapping["email"] and share(values, lambda v: any(c.isalpha() for c in v)) >= 0.5:
            mapping["name"] = i
            break
    return mapping


# Seven digits or more, with the signs a phone number is written with ("+86 138 0013 8000",
# "(555) 010-0199"); a date ("2026-11-02", "02/11/2026") is none.
PHONE_LIKE = re.compile(r"\+?[\d ()./\-]+")
DATE_LIKE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


def is_phone_like(value: str) -> bool:
    """Whether a cell holds a phone number and nothing else (``PHONE_LIKE``, not a date)."""
    text = unicodedata.normalize("NFKC", value).strip().lstrip("'")
    return (
        PHONE_LIKE.fullmatch(text) is not None
        and sum(c.isdigit() for c in text) >= 7
        and DATE_LIKE.search(text) is None
    )


# The most common Chinese family names (about nine people in ten), in simplified and
# traditional writing: a Chinese name starts with one (or with a compound one, 欧阳, 司马…).
COMMON_SURNAMES = frozenset(
    "李王张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧"
    "耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍"
    "華张張劉陳楊趙黃吳孫馬鄭謝許韓馮鄧蕭葉蘇呂盧鍾譚陸賈鄒賀顧龔錢嚴湯莊聶蘭紀駱藍"
)
# Characters of Chinese column names ("名单", "序号", "金额", "方式") that names hardly hold.
HEADER_CHARS = frozenset("单号码数额式期间表类型称态注址箱话机职位务司员者栏列项备签到票统计")
# Words of column names no alias lists ("Guest list", "Ticket type", "Dietary requirements")
# and of a title line ("Speed Networking Night"): a cell holding one is no person's name.
HEADER_WORDS = frozenset(
    {
        "list", "guest", "guests", "attendees", "participants", "people", "members", "member",
        "registrations", "registrants", "ticket", "tickets", "type", "date", "time", "order",
        "status", "number", "id", "code", "notes", "note", "comments", "comment", "remarks",
        "question", "answer", "table", "seat", "round", "event", "group", "response",
        "responses", "first", "last", "given", "family", "contact", "address", "city",
        "country", "sheet", "column", "checked", "paid", "amount", "source", "created",
        "updated", "unnamed", "speaker", "speakers", "sponsor", "networking", "night",
        "meetup", "session", "evening", "workshop", "summit", "conference", "forum", "mixer",
        "data", "export", "report", "info", "information", "details", "dietary",
        "requirements", "preference", "preferences", "industry", "interests", "linkedin",
        "website", "wechat", "social", "age", "gender", "department", "team", "school",
        "university", "bio", "registered", "registration", "answers", "form", "survey",
        "names", "namen", "nombres", "noms", "nomi", "namn", "navn", "nimi", "person",
        "persons", "who", "nickname", "username", "user", "handle", "alias", "display",
        "login", "account", "host", "hosts", "mentor", "mentors", "volunteer", "volunteers",
        "teilnehmer", "teilnehmerin", "teilnehmende", "gast", "gäste", "gaeste", "participante",
        "participantes", "asistente", "asistentes", "invitado", "invitados", "invité", "invités",
        "inscrit", "inscrits", "partecipante", "partecipanti", "ospite", "ospiti",
        "deelnemer", "deelnemers", "gasten", "deltagare", "deltager", "deltagere",
    }
)  # fmt: skip
# Characters of Chinese column names besides ``HEADER_CHARS`` ("嘉宾", "人员", "参会人", "姓名").
CJK_HEADER_CHARS = frozenset("名姓宾客")
NAME_PARTICLES = frozenset(
    {"de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della", "dos",
     "das", "bin", "binti", "al", "el", "ibn", "ter", "ten", "y", "e", "zu"}
)  # fmt: skip
NAME_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?")


def is_name_like(value: str) -> bool:
    """Whether a cell reads as a person's name: two to four Chinese characters starting with a
    common family name ("林一", "欧阳娜娜"), or two to four capitalised words of letters ("Ada
    Lovelace", "Rui de Sousa", "Mary-Jane O'Neil"), none of them a column name's word."""
    text = " ".join(hygiene.fold_width(value).split())
    if not text or len(text) > 60:
        return False
    if hygiene.has_cjk(text):
        return (
            2 <= len(text) <= 4
            and all(hygiene.CJK.match(c) for c in text)
            and (text[:2] in hygiene.COMPOUND_SURNAMES or text[0] in COMMON_SURNAMES)
            and not any(c in HEADER_CHARS for c in text)
        )
    words = text.split()
    return 2 <= len(words) <= 4 and all(
        NAME_WORD.fullmatch(word)
        and (word[0].isupper() or word in NAME_PARTICLES)
        and not is_header_word(word)
        for word in words
    )


def is_person_first(header: list[str], rows: list[tuple[int, list[str]]]) -> bool:
    """Whether the row read as column names is a person: no column name we know in any
    language (an alias of ``ALIASES`` whole, or a cell holding a word of one: ``is_header_word``)
    and a cell in a column whose values below mostly are of the same kind: a phone number
    (``is_phone_like``), a name (``is_name_like``), or, in the column read as the names
    (``guess_by_values``), any cell that could be a name
    (``could_be_name``: "madonna", "zhang wei", "亓官伟") above a column of names, or above a
    column of lower-case names when it is in lower case too ("zhang wei" above "li lei"). Never
    when a cell that is no email or phone number stands above a column of emails or phone
    numbers ("Sähköposti" above addresses): that row names the columns. "Ho" and "Ten" side
    by side (``UNACCENTED_PAIR``) are Vietnamese column names, not a person called "Ho"."""
    normalized = {normalize_header(h) for h in header}
    if not rows or normalized & KNOWN_HEADERS or normalized >= UNACCENTED_PAIR.keys():
        return False
    if len(header) == 1:
        # One column: a person written as the names below it are ("Madonna" above "Cher"),
        # by the test of a name alone above a list (``is_lone_person``).
        below = [cells[0].strip() for _line, cells in rows[:HEADER_SAMPLE] if cells[0].strip()]
        if below and most(below, could_be_name):
            if is_lone_person(header[0], below):
                return True
            if is_title_marked(header[0]):
                return False  # a title ("Waitlisted", "创业沙龙") above the names, no person
    for i, cell in enumerate(header):
        below = [cells[i] for _line, cells in rows[:HEADER_SAMPLE] if cells[i].strip()]
        for kind in (is_email_cell, is_phone_like):
            if cell.strip() and below and most(below, kind) and not kind(cell):
                return False  # words above a column of emails or phone numbers: its name
    columns = [[cells[i] for _line, cells in rows[:HEADER_SAMPLE]] for i in range(len(header))]
    name_column = guess_by_values(columns)["name"]
    for i, cell in enumerate(header):
        below = [cells[i] for _line, cells in rows[:HEADER_SAMPLE] if cells[i].strip()]
        if not below:
            continue
        if is_phone_like(cell) and most(below, is_phone_like):
            return True
        if is_name_like(cell) and most(below, is_name_like):
            return True
        if i != name_column or not could_be_name(cell):
            continue
        if most(below, is_name_like):
            return True
        lower = cell == cell.lower() and not hygiene.has_cjk(cell)
        if lower and most(below, lambda v: could_be_name(v, words=2) and v == v.lower()):
            return True
    return False


def most(values: list[str], test: Callable[[str], bool]) -> bool:
    """Whether at least half of ``values`` pass ``test``."""
    return sum(1 for v in values if test(v)) * 2 >= len(values)


def could_be_name(value: str, *, words: int = 1) -> bool:
    """Whether a cell could be a person's name in any case: ``is_name_like``, or ``words`` to
    four words of letters in any case ("madonna", "zhang wei", "CHER"), or two to four Chinese
    characters without a column name's character (``HEADER_CHARS``), none of them a word of a
    column name (``is_header_word``)."""
    if is_name_like(value):
        return True
    text = " ".join(hygiene.fold_width(value).split())
    if not text or len(text) > 60:
        return False
    if hygiene.has_cjk(text):
        return (
            2 <= len(text) <= 4
            and all(hygiene.CJK.match(c) for c in text)
            and not any(c in HEADER_CHARS or c in CJK_HEADER_CHARS for c in text)
            and normalize_header(text) not in KNOWN_HEADERS
        )
    parts = text.split()
    return words <= len(parts) <= 4 and all(
        NAME_WORD.fullmatch(part) and not is_header_word(part) for part in parts
    )


def is_header_word(word: str) -> bool:
    """Whether a word is one of a column name (``HEADER_WORDS``, or a word of an alias or hint
    other than a name's particle: "Names", "Attendee", "E-mail"), in the singular or plural."""
    key = normalize_header(word)
    if key in NAME_PARTICLES:
        return False
    return any(
        k in HEADER_WORDS or k in ALIAS_WORDS for k in (key, key.removesuffix("s"), *key.split())
    )


HEADER_SAMPLE = 50  # rows compared with the first when telling a person from column names


def looks_like_header(cells: list[str]) -> bool:
    """Whether a row is the header of an attendee list: a name column (or first and last) and
    at least one other column we know."""
    mapping = guess_mapping(cells)
    known = {name for name, index in mapping.items() if index is not None}
    return bool(known & {"name", "first_name", "last_name"}) and len(known) >= 2


def recognise_platform(headers: list[str]) -> str:
    """The ticketing site or form tool the headers come from ("" for a plain spreadsheet)."""
    normalized = {normalize_header(h) for h in headers}
    for platform, signs in PLATFORMS:
        if sum(1 for sign in signs if sign in normalized) >= min(2, len(signs)):
            return platform
    return ""


def no_answer_key(value: str) -> str:
    """A cell as ``NO_ANSWER`` lists it: width-folded ("（跳过）" → "(跳过)"), lower case, spaces
    folded, without the brackets around a survey's marker ("(跳过)", "[empty]", "【空】")."""
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    return text.strip("()[]【】<>「」{} ") or text


def is_no_answer(value: str, *, field: str) -> bool:
    """Whether a cell of the ``field`` column says nobody answered ("(跳过)", "N/A", "-", "null",
    "无"); in a name column only the markers that cannot be a name. In an email or phone column
    any placeholder without an address or number in it ("none", "暂无", "xxx") is no answer."""
    if not value.strip():
        return False
    key = no_answer_key(value)
    if key in NO_ANSWER or (field not in NAMES and key in NO_ANSWER_BUT_NAMES):
        return True
    if field == "email" and "@" not in key and "＠" not in value:
        return hygiene.is_placeholder(value) or SAYS_NO_EMAIL.match(key) is not None
    if field == "phone" and not any(c.isdigit() for c in key):
        return hygiene.is_placeholder(value) or SAYS_NONE.match(key) is not None
    return False


# Fields whose cells keep their line breaks: an answer in paragraphs, a list of names.
MULTILINE = frozenset({"need", "keep_apart"})


def one_line(value: str) -> str:
    """A cell's line breaks (Alt+Enter in Excel, a pasted address block) as spaces: a name,
    company or job title in a spreadsheet is one line however the cell wraps it. The result
    is one line, so it is as safe in mail headers as a typed one (the join form still refuses
    a typed line break)."""
    if not any(char in hygiene.LINE_BREAKS for char in value):
        return value
    return "".join(" " if char in hygiene.LINE_BREAKS else char for char in value).strip()


def unguarded(value: str) -> str:
    """A cell without the guard a spreadsheet export puts around a value it must keep as text:
    the quote before a formula-like value (``'+86 138…`` → ``+86 138…``, ``'=x`` → ``=x``),
    or Excel's text formula around one that would lose its leading zeros (``="0912345678"``
    → ``0912345678``; a doubled quote inside is one quote). A formula joining strings is
    left as written."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    if len(value) >= 3 and value.startswith('="') and value.endswith('"'):
        inner = value[2:-1]
        if '"' not in inner.replace('""', ""):  # one string, not a formula joining several
            return inner.replace('""', '"')
    return value


def consent_of(value: str) -> bool | None:
    """How a sharing answer reads: True for a yes ("checked", "Yes, I agree", "I consent",
    "Opt-in", "✅", "同意"), False for a no or blank ("No thanks", "Opt-out", "不是", "☐"),
    None when it says neither ("maybe later") or both ("Y/N", "Yes, but not my phone",
    "同意不分享", "是否"). A negation word in English or Chinese (``NEGATION_WORDS``,
    ``NEGATION_PHRASES``, ``NEGATION_CHARS``) never reads as a yes, except in a double
    negative that agrees (``DOUBLE_NEGATIVES``: "No objection", "I don't mind", "没问题"),
    read first: a yes alone or beside a yes, unclear beside anything else ("No objection,
    but not my phone", "没问题，但不要电话"); never a no."""
    folded = unicodedata.normalize("NFKC", value).casefold().replace("’", "'")
    text = " ".join(re.sub(r"[,.!?;:()\[\]/\\|\-–—。！，？；：（）、]", " ", folded).split())
    rest = double_negative_rest(text)
    if rest is not None:  # agreed, unless the rest restricts or refuses: then unclear
        return True if not rest or consent_of(rest) is True else None
    if text in NO_WORDS:
        return False
    if number := YES_NO_NUMBER.fullmatch(folded.strip()):
        return number.group(1) == "1"
    words = text.split()
    negated = (
        any(word in NEGATION_WORDS or word.endswith("n't") for word in words)
        or any(f" {phrase} " in f" {text} " for phrase in NEGATION_PHRASES)
        or any(char in NEGATION_CHARS for char in text)
        or any(infix in text for infix in NEGATION_INFIXES)
    )
    if negated:
        starts_negated = (
            words[0] in NEGATION_WORDS
            or words[0].endswith("n't")
            or text[0] in NEGATION_CHARS
            or text.startswith(NEGATION_PHRASES)
            or text.startswith(NEGATION_INFIXES)
            or (words[0] == "i" and not is_yes_start(text))
        )
        return False if starts_negated else None
    if text in YES_WORDS or folded.strip() in YES_WORDS:
        return True
    return True if is_yes_start(text) else None


def double_negative_rest(text: str) -> str | None:
    """What an answer says besides its double negatives (``DOUBLE_NEGATIVES``) and their
    filler (``DOUBLE_NEGATIVE_FILLERS``), for a folded answer as ``consent_of`` makes it
    (NFKC, casefolded, punctuation as spaces): "" for "no objection at all", "but not my
    phone" for "no objection but not my phone", "可以" for "可以 没问题". None when the answer
    holds no double negative."""
    rest = f" {text} "
    for phrase in DOUBLE_NEGATIVES:
        rest = rest.replace(f" {phrase} " if phrase.isascii() else phrase, " ")
    if rest == f" {text} ":
        return None
    for filler in DOUBLE_NEGATIVE_FILLERS:
        rest = f" {' '.join(rest.split())} ".replace(f" {filler} ", " ")
    return " ".join(rest.split())


def is_yes_start(text: str) -> bool:
    """Whether a folded answer (``consent_of``) starts like a yes."""
    return f"{text} ".startswith(tuple(f"{w} " for w in YES_FIRST_WORDS)) or text.startswith(
        YES_PREFIXES
    )


def reference_key(text: str) -> str:
    """How a "keep apart from" cell names someone: a normalised email, or a folded name. An
    address or name typed in full-width letters ("ｒｕｉ＠ｅｘａｍｐｌｅ．ｐｔ") is read as
    its ASCII one."""
    text = hygiene.fold_width(text).strip()
    if "@" in text:
        try:
            return hygiene.clean_email(text)
        except ValidationError:
            return text.casefold()
    try:
        return " ".join(hygiene.clean_name(text).casefold().split())
    except ValidationError:
        return text.casefold()


NAMES = ("name", "first_name", "last_name", "middle_name")
FORMULA_NOTE = gettext_lazy(
    "the cell for “%(field)s” holds a formula without a value, so it is left empty. Open the "
    "file in Excel and save it again, or paste the values in place of the formulas."
)


def is_not_asked(value: str) -> bool:
    return value.strip().casefold() in NOT_ASKED


def is_skipped_status(value: str) -> bool:
    text = " ".join(re.sub(r"[_\-]", " ", value.casefold()).split())
    return text in SKIPPED_STATUSES


def parse(
    data: bytes, *, mapping: dict[str, int | None] | None = None, encoding: str | None = None
) -> Parsed:
    """Read and clean every row; problems go to ``errors`` and rows deliberately left out
    (cancelled tickets, repeated rows of one order) to ``notes``, each with its line number.

    Raises ``ValidationError`` when the file cannot be read at all, is larger than
    ``MAX_BYTES`` or longer than ``MAX_ROWS``, or no column holds names.
    """
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    table = tabular.read(data, is_header=looks_like_header, encoding=encoding, max_rows=MAX_ROWS)
    lone: list[tuple[int, str]] = []
    if is_lone_value(table.header):
        # One value above a list without column names: a title ("Speed networking, 2 Nov",
        # "报名名单") left out, or a person with a one-word name ("madonna") kept. The list
        # starts at its first person with an email (or its first row of several values).
        # Above a row of column names that is none we know ("Beijing", then "Who,Org"), it is
        # a title whatever it reads as (``header_below``).
        first_line = table.header_line
        below = people_below(data, table, encoding=encoding)
        if below is not None:
            above = [(table.header_line, table.header)] + [
                (line, cells) for line, cells in table.rows if line < below.header_line
            ]
            lone = lone_people(above, below)
            first = lone[0][0] if lone else below.header_line
            table = below
        else:
            below = header_below(data, table, encoding=encoding)
            first = below.header_line if below is not None else first_line
            table = below or table
        if first > first_line:
            table.notes.insert(
                0,
                _("The lines above line %(line)s are a title, not people; left out.")
                % {"line": first},
            )
    if table.is_cut:  # reading stopped past the limit: how far past is not known
        raise ValidationError(
            _("The file has more than %(max)s rows; at most %(max)s can be imported at once.")
            % {"max": MAX_ROWS}
        )
    if len(table.rows) > MAX_ROWS:
        raise ValidationError(
            _("The file has %(n)s rows; at most %(max)s can be imported at once.")
            % {"n": len(table.rows), "max": MAX_ROWS}
        )
    has_email_first = any(is_email_cell(h) for h in table.header)
    headless = has_email_first or is_person_first(table.header, table.rows)
    if headless:
        table = table.without_header()
    if lone:
        # The people alone on their line above the list, in its name column.
        columns = [[cells[i] for _line, cells in table.rows] for i in range(len(table.header))]
        name_at = guess_by_values(columns)["name"] or 0
        width = len(table.header)
        table.rows[:0] = [
            (line, [value if i == name_at else "" for i in range(width)]) for line, value in lone
        ]
        table.notes[:0] = [
            line_message(
                line,
                _("only “%(value)s”, written like the names below: read as a person.")
                % {"value": value},
            )
            for line, value in lone
        ]
    placeholders = not headless and is_placeholder_header(table.header)
    columns = [[cells[i] for _line, cells in table.rows] for i in range(len(table.header))]
    by_values = headless or placeholders
    guessed = guess_by_values(columns) if by_values else guess_mapping(table.header, columns)
    chosen = {name: guessed[name] for name in FIELDS} if mapping is None else mapping
    chosen = {
        name: index if index is not None and 0 <= index < len(table.header) else None
        for name, index in ((name, chosen.get(name)) for name in FIELDS)
    }
    parsed = Parsed(
        headers=table.header,
        mapping=chosen,
        platform=recognise_platform(table.header),
        described=table.described,
        encoding=table.encoding,
        errors=list(table.errors),
        notes=list(table.notes),
        is_encoding_guessed=table.is_guessed,
        formulas=table.formulas,
        is_family_first=is_family_first(table.header, chosen),
    )
    if headless:
        parsed.notes[:0] = [
            _(
                "The first line holds an email, so the file has no column names: every line "
                "is read as a person and the columns are guessed from their values."
            )
            if has_email_first
            else _(
                "No row of column names was found: the first line holds no column name we "
                "know and looks like a person, so every line is read as a person and the "
                "columns are guessed from their values."
            ),
            columns_read(table.header, chosen),
        ]
    elif placeholders and table.rows:
        parsed.notes[:0] = [
            _(
                "The column names (such as “%(header)s”) are a spreadsheet's numbering, not "
                "what the columns hold, so the columns are guessed from their values."
            )
            % {"header": table.header[0]},
            columns_read(table.header, chosen),
        ]
    if not table.rows:
        parsed.errors.insert(0, _("The file has column names but no attendees below them."))
        return parsed
    if "name" not in parsed.mapped:
        parsed.errors.insert(
            0, _("No column holds the names: choose it below (or the first and last name).")
        )
        return parsed
    by_email: dict[str, Row] = {}
    footer = summary_lines(table.rows, email=chosen["email"])
    header = [h.casefold() for h in table.header]
    for line, cells in table.rows:
        if [c.strip().casefold() for c in cells] == header:
            parsed.skipped += 1
            parsed.notes.append(
                line_message(line, _("the column names again (a pasted header); left out."))
            )
            continue
        if line in footer:
            parsed.skipped += 1
            parsed.notes.append(
                line_message(line, _("looks like a summary line, not a person; left out."))
            )
            continue
        row = check_row(parsed, line, cells)
        if row is None:
            continue
        earlier = by_email.get(row.email) if row.email else None
        if earlier is not None:
            if earlier.name.casefold() == row.name.casefold():
                parsed.skipped += 1
                parsed.notes.append(
                    line_message(
                        line,
                        _("the same person as line %(line)s; left out.") % {"line": earlier.line},
                    )
                )
                continue
            parsed.notes.append(
                line_message(
                    line,
                    _(
                        "%(email)s is also the email of line %(line)s (one order for several "
                        "people): imported without an email."
                    )
                    % {"email": row.email, "line": earlier.line},
                )
            )
            row.email = ""
        elif row.email:
            by_email[row.email] = row
        parsed.rows.append(row)
    return parsed


# The names a spreadsheet or a program gives columns it was given none for: Excel's table
# ("Column1"), pandas ("Unnamed: 0"), Access and ODBC ("F1"), Chinese and German Excel ("列1",
# "Spalte1"), as ``normalize_header`` makes them.
PLACEHOLDER_HEADER = re.compile(
    r"(?:column|col|field|unnamed|f|列|字段|spalte|colonne|columna|kolom|колонка|столбец)"
    r" ?\d+"
)


def is_person_with_email(cells: list[str]) -> bool:
    """Whether a row is a person's: two values or more, one of them an email."""
    return sum(1 for c in cells if c.strip()) >= 2 and any(is_email_cell(c) for c in cells)


def is_lone_value(cells: list[str]) -> bool:
    """Whether a row holds one value, and that no email nor column name we know."""
    filled = [c.strip() for c in cells if c.strip()]
    return (
        len(filled) == 1
        and not is_email_cell(filled[0])
        and normalize_header(filled[0]) not in KNOWN_HEADERS
    )


def is_wide_row(cells: list[str]) -> bool:
    """Whether a row holds two values or more."""
    return sum(1 for c in cells if c.strip()) >= 2


def people_below(
    data: bytes, table: tabular.Table, *, encoding: str | None
) -> tabular.Table | None:
    """The list of people without column names below lines of one value (``table`` read with
    those as its header): from the first row of a person with an email, or else from the first
    row of several values when it reads as a person (``is_person_first``). None when there is
    no such list below the first line."""
    for is_start in (is_person_with_email, is_wide_row):
        below = tabular.read(data, is_header=is_start, encoding=encoding, max_rows=MAX_ROWS)
        if below.header_line <= table.header_line or not is_start(below.header):
            continue
        if is_start is is_person_with_email or is_person_first(below.header, below.rows):
            return below
    return None


def is_name_header(cells: list[str]) -> bool:
    """Whether a row holds one value, and that a column name of the names ("Name", "姓名")."""
    filled = [c for c in cells if c.strip()]
    return len(filled) == 1 and guess_mapping(filled)["name"] is not None


def header_below(
    data: bytes, table: tabular.Table, *, encoding: str | None
) -> tabular.Table | None:
    """The list below lines of one value (``table`` read with those as its header) when its
    first line of several values names columns, not a person (``is_person_first``), above rows
    that mostly hold several values too ("Beijing", then "Who,Org", then people): one value
    above a row of several column names is a title, whatever it reads as. In a list of one
    column, the first line naming the names column ("Name", "姓名") is its header. None when
    there is no such line below the first."""
    for is_start in (is_wide_row, is_name_header):
        below = tabular.read(data, is_header=is_start, encoding=encoding, max_rows=MAX_ROWS)
        if below.header_line <= table.header_line or not is_start(below.header):
            continue
        if is_start is is_name_header:
            return below
        rows = [cells for _line, cells in below.rows[:HEADER_SAMPLE]]
        if rows and most(rows, is_wide_row) and not is_person_first(below.header, below.rows):
            return below
    return None


# Words of an event's or a list's title that no column name holds ("Beijing Founders Club").
TITLE_WORDS = frozenset(
    {
        "founders", "club", "community", "party", "dinner", "lunch", "breakfast", "speed",
        "dating", "vip", "rsvp", "rsvps", "waitlist", "attendance", "roster", "signups",
        "signup", "lineup", "cohort", "demo", "edition", "final", "confirmed", "invite",
        "invites", "invited", "guestlist", "hackathon", "pitch", "pitches", "startup",
        "startups", "salon", "gala", "reception", "launch", "week", "weekend", "year",
        "waitlisted", "pending", "approved", "cancelled", "canceled", "declined", "going",
        "attending", "accepted", "rejected", "unpaid", "walkins", "checkin",
        # The same titles in the other languages of the lists ("Teilnehmerliste", "Участники").
        "teilnehmer", "teilnehmerliste", "teilnehmerinnen", "gäste", "gästeliste",
        "anmeldungen", "inscrits", "invités", "participantes", "asistentes", "inscritos",
        "invitados", "partecipanti", "invitati", "iscritti", "convidados", "inscrições",
        "deelnemers", "deelnemerslijst", "gasten", "uczestnicy", "goście", "účastníci",
        "résztvevők", "vendégek", "névsor", "участники", "список", "гости", "регистрация",
        "учасники", "gość",
    }
)  # fmt: skip
# Words of a Chinese title ("创业沙龙", "周末交流会", "嘉宾名单"): no name holds them.
CJK_TITLE_WORDS = (
    "沙龙", "聚会", "活动", "论坛", "峰会", "晚宴", "派对", "交流", "名单", "嘉宾", "报名",
    "大会", "年会", "路演", "创业", "周末", "会议", "签到", "参会", "晚会", "见面",
)  # fmt: skip


def name_style(value: str) -> str:
    """How a name is written: "lower", "upper" or "title" case, "cjk", or "" for none of these."""
    text = " ".join(hygiene.fold_width(value).split())
    if hygiene.has_cjk(text):
        return "cjk"
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return ""
    if all(c.islower() for c in letters):
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper"
    words = [w for w in text.split() if w.casefold() not in NAME_PARTICLES]
    return "title" if all(w[0].isupper() for w in words) else ""


def is_lone_person(value: str, names: list[str]) -> bool:
    """Whether a value alone on its line above a list is a person, not a title: it could be a
    name (``could_be_name``: "madonna", "Cher", "王菲"; a Chinese one starting with a family
    name, ``is_name_like``), it holds no digit, no title word (``TITLE_WORDS``,
    ``CJK_TITLE_WORDS``: "Attendees", "报名名单", "Speed networking 2026-12-05 guest list"),
    no more words than the longest name below, and it is written as most ``names`` of the
    list's name column are (``name_style``: "madonna" above "zhang wei", "Cher" above
    "Ada Lovelace", "王菲" above "张伟")."""
    text = " ".join(hygiene.fold_width(value).split())
    if not names or is_title_marked(text) or not could_be_name(text):
        return False
    style = name_style(text)
    if style == "cjk":
        return is_name_like(text) and most(names, lambda v: name_style(v) == "cjk")
    longest = max(len(n.split()) for n in names)
    words = [w for w in text.split() if w.casefold() not in NAME_PARTICLES]
    return bool(style) and len(words) <= longest and most(names, lambda v: name_style(v) == style)


def is_title_marked(value: str) -> bool:
    """Whether a value holds what no name holds and a title does: a digit, or a title's word
    (``TITLE_WORDS``, ``CJK_TITLE_WORDS``: "Waitlisted", "Beijing Founders Club", "创业沙龙")."""
    text = " ".join(hygiene.fold_width(value).split())
    return (
        any(c.isdigit() for c in text)
        or any(word in text for word in CJK_TITLE_WORDS)
        or any(normalize_header(word) in TITLE_WORDS for word in text.split())
    )


def lone_people(above: list[tuple[int, list[str]]], below: tabular.Table) -> list[tuple[int, str]]:
    """Of the lines of one value ``above`` a list without column names, the people:
    (line, value) of those after the last that is no person (``is_lone_person`` against the
    list's name column); the lines before are a title. None when a line holds several values."""
    if not all(is_lone_value(cells) for _line, cells in above):
        return []
    rows = below.without_header().rows[:HEADER_SAMPLE]
    columns = [[cells[i] for _line, cells in rows] for i in range(len(rows[0][1]))]
    at = guess_by_values(columns)["name"]
    if at is None:
        return []
    names = [cells[at].strip() for _line, cells in rows if cells[at].strip()]
    people: list[tuple[int, str]] = []
    for line, cells in above:
        value = next(c.strip() for c in cells if c.strip())
        people = [*people, (line, value)] if is_lone_person(value, names) else []
    return people


def is_title_line(header: list[str]) -> bool:
    """Whether the row read as column names is one value that is no column name we know, no
    email and no name (``could_be_name``): a report's title ("Speed networking 2026-11-02")."""
    filled = [h for h in header if h.strip()]
    return (
        len(filled) == 1
        and normalize_header(filled[0]) not in KNOWN_HEADERS
        and not is_email_cell(filled[0])
        and not could_be_name(filled[0])
    )


def is_family_first(header: list[str], mapping: dict[str, int | None]) -> bool:
    """Whether the list's given and family name columns are named in a language written in
    Latin letters that puts the family name first (``FAMILY_FIRST_HEADERS``: "Vezetéknév" and
    "Keresztnév", "Họ" and "Tên"), so that their parts join family name first. Both columns
    must be so named when both are chosen; "First name" and "Last name" join given first."""
    named = [
        normalize_header(header[i])
        for i in (mapping.get("first_name"), mapping.get("last_name"))
        if i is not None and i < len(header)
    ]
    return bool(named) and all(h in FAMILY_FIRST_HEADERS for h in named)


def is_placeholder_header(header: list[str]) -> bool:
    """Whether every filled cell of a header row is a spreadsheet's numbering of its columns
    (``PLACEHOLDER_HEADER``: "Column1", "Column2"…), which says nothing of what they hold."""
    filled = [normalize_header(h) for h in header if h.strip()]
    return bool(filled) and all(PLACEHOLDER_HEADER.fullmatch(h) for h in filled)


def columns_read(headers: list[str], mapping: dict[str, int | None]) -> str:
    """What each column of a file without column names was read as, for the organizer:
    "Columns read: Column 1 as Name, Column 2 as Email, Column 3 not imported."."""
    fields = {index: name for name, index in mapping.items() if index is not None}
    parts = [
        _("%(column)s as %(field)s") % {"column": header, "field": FIELD_LABELS[fields[i]]}
        if i in fields
        else _("%(column)s not imported") % {"column": header}
        for i, header in enumerate(headers)
    ]
    return _("Columns read: %(columns)s.") % {
        "columns": pgettext("between the columns of a list", ", ").join(parts)
    }


def import_email(value: str) -> str:
    """``hygiene.clean_email`` of an email cell, with the refusal of a cell holding two or more
    addresses ("a@x.com; b@y.com") saying what to do in a list: a row per person. Raises
    ``ValidationError`` as ``clean_email`` does."""
    try:
        return hygiene.clean_email(value)
    except ValidationError as error:
        if error.code != hygiene.SEVERAL_ADDRESSES:
            raise
        raise ValidationError(
            _(
                "the email cell “%(email)s” holds more than one address: each person needs "
                "their own row, with one address."
            )
            % {"email": " ".join(value.split())},
            code=hygiene.SEVERAL_ADDRESSES,
        ) from None


# The label of a report's count line, as ``summary_text`` folds it: "Total: 3", "Total
# attendees 12", "Count of attendees: 12", "Grand total", "合计：3人", "共 3 人", "总人数". It
# counts only beside a figure or before a colon ("Count Basie" is a name).
COUNT_LABEL = re.compile(
    r"(?:(?:grand total|sub ?total|totals?|summary|sum|count|number|no\.)(?: of)?"
    r"(?: (?:the )?(?:attendees|attending|people|persons|guests|participants|registrations|"
    r"registrants|tickets(?: sold)?|rsvps|members|orders|rows|records|entries|check ins|"
    r"checked in|going|yes))?"
    r"|(?:attendees|guests|participants|registrations|registrants|tickets(?: sold)?|rsvps)"
    r"(?= ?[:=]| ?\d))"
    r"|合计|合計|总计|總計|小计|小計|共计|共計|总数|總數|总人数|總人數|人数|人數|报名人数|"
    r"参会人数|签到人数|统计|統計|共"
)
# The line a report tool signs: "Generated by Eventbrite on 2026-11-02", "Exported from Luma",
# "Report run 2026-11-01 09:00", "Page 1 of 2", "导出时间：…", "由活动行导出".
SIGNATURE = re.compile(
    r"(?:(?:report|list|file|export|data|attendee list|guest list) )?"
    r"(?:generated|exported|downloaded|created|printed|produced|pulled|run)"
    r"(?: (?:by|on|at|from|via|with|using|in)\b|:| \d)"
    r"|(?:report|export|download|print) (?:date|time|run)\b"
    r"|page \d+(?: of \d+)?$"
    r"|(?:导出|生成|導出|打印|下载|下載)(?:时间|時間|日期|于|於|自)"
    r"|由.{1,20}(?:导出|生成|導出)"
)
# A cell beside a summary label: a figure, a date or a time, an amount ("3", "12 人",
# "2026-11-02 09:00 UTC", "$150.00", "¥300").
FIGURE = re.compile(r"[\d\s.,:;/\-+%$€£¥￥()#*]*\d[\d\s.,:;/\-+%$€£¥￥()#*]*[人名位个個张張元]?")
FIGURE_WORDS = re.compile(r"\b(?:am|pm|utc|gmt|cst|cet|est|pst|usd|eur|gbp|rmb|cny|hkd|twd|sgd)\b")


def summary_text(value: str) -> str:
    """A cell as the summary patterns read it: width-folded, lower case, spaces folded."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def is_figure(value: str) -> bool:
    """Whether a cell holds a figure and nothing else (``FIGURE``)."""
    return FIGURE.fullmatch(FIGURE_WORDS.sub(" ", summary_text(value)).strip()) is not None


def is_summary_row(cells: list[str]) -> bool:
    """Whether a row is a report's summary line rather than a person: no email in it, its first
    value a count label with a figure ("Total: 3", "Total" then "3", "合计：3人", "Count of
    attendees: 12") or a report tool's signature ("Generated by Eventbrite on 2026-11-02"),
    and every other value a figure or date (anything beside a signature). "Count Basie",
    "Total" with an email, or a count label beside a company or any other words is a person."""
    filled = [c.strip() for c in cells if c.strip()]
    if not filled or any("@" in c or "＠" in c for c in filled):
        return False
    label, others = summary_text(filled[0]), filled[1:]
    if SIGNATURE.match(label):
        return True  # whatever stands beside it ("Generated by", "Eventbrite"): no one's name
    count = COUNT_LABEL.match(label)
    if count is None or not all(is_figure(c) for c in others):
        return False
    rest = label[count.end() :].strip()
    if rest[:1] in {":", "="}:
        rest = rest[1:].strip()
        return not rest or is_figure(rest)
    return is_figure(rest) if rest else bool(others)


def summary_lines(rows: list[tuple[int, list[str]]], *, email: int | None) -> set[int]:
    """The lines of a report's footer ("Total: 2", "Generated by Eventbrite on …") below the
    list: the rows after a blank line to the end of the file (one or more blocks of them)
    when each fills one cell only, with no email in it, and at least half the rows above
    have an email (a list with no emails, names only, has no such footer, and rows with more
    than one value below a blank line are people); and, blank line or not, the last rows of
    the list that are summary lines by their words (``is_summary_row``)."""
    footer = blank_line_footer(rows, email=email)
    end = len(rows) - len(footer)
    while end > 0 and is_summary_row(rows[end - 1][1]):
        end -= 1
        footer.add(rows[end][0])
    return footer


def blank_line_footer(rows: list[tuple[int, list[str]]], *, email: int | None) -> set[int]:
    """The footer of ``summary_lines`` that a blank line sets apart from the list."""
    if email is None:
        return set()
    # a row starts on the line after the previous one's last (its cells' line breaks counted)
    gaps = [
        i
        for i in range(1, len(rows))
        if rows[i][0] > rows[i - 1][0] + 1 + sum(c.count("\n") for c in rows[i - 1][1])
    ]
    start = len(rows)
    for gap in reversed(gaps):
        if any(
            sum(1 for c in cells if c.strip()) != 1 or any("@" in c for c in cells)
            for _line, cells in rows[gap:start]
        ):
            break  # a person: more than one value, or an email
        start = gap
    above = rows[:start]
    if start == len(rows) or sum(1 for _l, cells in above if cells[email].strip()) * 2 < len(above):
        return set()
    return {line for line, _cells in rows[start:]}


def written_cell(cells: list[str], index: int | None) -> str:
    """The cell at ``index`` as written, on one line and without a spreadsheet's text guard
    ("" for no column)."""
    return one_line(unguarded(cells[index].strip())) if index is not None else ""


def joined_given(given: str, middle: str, is_family_first: bool) -> str:
    """The given name with the middle name on the side of the family name, which stands
    between them in either order: "John" + "Quincy" → "John Quincy"; family name first,
    "An" + "Văn" → "Văn An" (of "Nguyễn Văn An")."""
    parts = (middle, given) if is_family_first else (given, middle)
    return " ".join(part for part in parts if part)


def check_row(parsed: Parsed, line: int, cells: list[str]) -> Row | None:
    """The row cleaned, or None when it is skipped (a note says why) or wrong (an error)."""
    m = parsed.mapping
    too_long = [
        name
        for name in FIELDS
        if name != "need" and m[name] is not None and len(cells[m[name]]) > tabular.MAX_CELL
    ]
    if too_long:
        # Megabytes in a name cell are a broken export, not a person: never cleaned whole.
        parsed.errors.append(
            line_message(
                line,
                _("the cell for “%(field)s” holds more than %(n)s characters.")
                % {"field": FIELD_LABELS[too_long[0]], "n": f"{tabular.MAX_CELL:,}"},
            )
        )
        return None

    def value(name: str) -> str:
        index = m[name]
        text = unguarded(cells[index].strip()) if index is not None else ""
        if name not in MULTILINE:
            text = one_line(text)
        if text.casefold() in NOT_ASKED or is_no_answer(text, field=name):
            return ""
        return text

    status = value("status")
    if status and is_skipped_status(status):
        # As the row's name would be joined ("Nguyễn Văn An", "Kovács Anna", "张伟"), so that
        # the attendee already here is found by it.
        written = value("name") or hygiene.full_name(
            joined_given(value("first_name"), value("middle_name"), parsed.is_family_first),
            value("last_name"),
            is_family_first=parsed.is_family_first,
        )
        parsed.cancelled.append((line, written, value("email").strip().lower(), status))
        parsed.skipped += 1
        parsed.notes.append(
            line_message(line, _("status “%(status)s”; left out.") % {"status": status})
        )
        return None
    problems: list[str] = []

    def cleaned(name: str, clean: object, raw: str) -> str:
        try:
            return clean(raw)  # type: ignore[operator]
        except ValidationError as error:
            problems.extend(error.messages)
            return ""

    given = joined_given(
        cleaned("first_name", hygiene.clean_name, value("first_name")),
        cleaned("middle_name", hygiene.clean_name, value("middle_name")),
        parsed.is_family_first,
    )
    family = cleaned("last_name", hygiene.clean_name, value("last_name"))
    name = cleaned("name", hygiene.clean_name, value("name"))
    if not name and (given or family):
        try:
            name = hygiene.clean_name(
                hygiene.full_name(given, family, is_family_first=parsed.is_family_first)
            )
        except ValidationError as error:
            problems.extend(error.messages)
    raw_email = value("email")
    email = "" if raw_email.casefold() in NO_EMAIL else cleaned("email", import_email, raw_email)
    raw_phone = value("phone")
    try:
        phone = "" if raw_phone.casefold() in NO_EMAIL else hygiene.clean_phone(raw_phone)
    except ValidationError as error:
        # A registration form's free text ("WeChat only") is no reason to refuse the list.
        phone = ""
        parsed.notes.append(
            line_message(
                line,
                _("%(problem)s The phone is left empty.") % {"problem": " ".join(error.messages)},
            )
        )
    company = cleaned("company", hygiene.clean_company, value("company"))
    job_title = cleaned("job_title", hygiene.clean_job_title, value("job_title"))
    row = Row(
        line=line,
        name=name,
        email=email,
        company=company,
        job_title=job_title,
        phone=phone,
        given_name=given if not value("name") else "",
        family_name=family if not value("name") else "",
    )
    need = cleaned("need", lambda raw: hygiene.clean_text(raw, label=NEED_LABEL), value("need"))
    if len(need) > NEED_LENGTH:
        parsed.notes.append(
            line_message(
                line,
                _("what they are looking for is %(n)s characters long; the first %(max)s are kept.")
                % {"n": len(need), "max": NEED_LENGTH},
            )
        )
        need = need[:NEED_LENGTH].rstrip()
    row.registration_need = need
    row.external_id = value("external_id")[:120]
    consent = value("consent")
    answer = consent_of(consent)
    if answer is None:
        parsed.notes.append(
            line_message(
                line,
                _("sharing answer “%(value)s” is neither yes nor no; taken as no.")
                % {"value": consent},
            )
        )
    row.is_consent_suggested = bool(answer)
    keep_apart = value("keep_apart")
    if no_answer_key(keep_apart).strip(" .!。！") in NOBODY:
        keep_apart = ""  # "No", "Nobody", "没有": the question answered, nobody named
    for part in REFERENCE_SEPARATORS.split(keep_apart):
        if part.strip():
            key = reference_key(part)
            row.keep_apart.append(key)
            row.keep_apart_written.setdefault(key, part.strip())
    for f in FIELDS:
        if f not in NAMES and m[f] is not None and (line, m[f]) in parsed.formulas:
            parsed.notes.append(line_message(line, FORMULA_NOTE % {"field": FIELD_LABELS[f]}))
    if not name and not problems:
        if not any(c.strip() for c in cells):
            return None
        if (m["email"] is not None and not raw_email) or any(
            m[f] is not None and is_not_asked(cells[m[f]]) for f in NAMES
        ):
            # A ticket nobody was named for yet (ti.to's unassigned ticket, Eventbrite's
            # "Info Requested"): no person to import, and no reason to refuse the others.
            parsed.skipped += 1
            parsed.notes.append(
                line_message(line, _("a ticket without the holder's name; left out."))
            )
            return None
        if any(m[f] is not None and (line, m[f]) in parsed.formulas for f in NAMES):
            problems.append(
                _(
                    "the name cell holds a formula without a value. Open the file in Excel "
                    "and save it again, or paste the values in place of the formulas."
                )
            )
        else:
            problems.append(_("the name is missing."))
    for problem in problems:
        parsed.errors.append(line_message(line, problem))
    if problems:
        return None
    for column, label, kept in (
        ("company", hygiene.COMPANY_LABEL, company),
        ("job_title", hygiene.JOB_TITLE_LABEL, job_title),
    ):
        # what can be seen of the cell: invisible characters alone are no placeholder
        written = hygiene.clean_search(written_cell(cells, m[column]), max_length=80)
        if written and not kept and not is_not_asked(written):
            # "N/A", "-", "无" typed where a company or job title would be: blank, and said.
            parsed.notes.append(
                line_message(
                    line,
                    _("the %(field)s “%(value)s” says there is none; left empty.")
                    % {"field": label, "value": written},
                )
            )
    return row


@dataclass(frozen=True)
class Existing:
    """What the comparison needs of an attendee already at the event."""

    pk: int
    name: str
    email: str
    company: str
    job_title: str
    phone: str
    has_decided_consent: bool
    is_consent_suggested: bool
    is_sharing: bool = False  # the attendee's own yes (decided and consenting)
    given_name: str = ""
    family_name: str = ""
    registration_need: str = ""
    is_erased: bool = False
    external_id: str = ""
    # the email was typed on the join page and no mailed code came back: it proves nothing
    is_email_unconfirmed: bool = False


COMPARED = (
    "name",
    "email",
    "company",
    "job_title",
    "phone",
    "given_name",
    "family_name",
    "registration_need",
    "external_id",
)


@dataclass
class Change:
    row: Row
    attendee: Existing
    fields: dict[str, object]


@dataclass
class Comparison:
    """The dry run: rows to add, updates (the changed fields of whom), unchanged rows, the
    rows left out (``skipped``) and every error by line. ``pairs`` are keep-apart requests as
    (line, reference, reference) resolved when applied."""

    new: list[Row] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: list[tuple[Row, Existing]] = field(default_factory=list)
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    keep_apart: list[tuple[int, str, str]] = field(default_factory=list)
    # the people each kept request names, ("attendee", pk) or ("row", line): one pair per two
    apart: set[frozenset[tuple[str, object]]] = field(default_factory=set)
    # attendees who joined with an email they never confirmed, which a new row of the list
    # takes: the email is released from them when the list is imported
    released: list[Existing] = field(default_factory=list)

    @property
    def is_importable(self) -> bool:
        return not self.errors

    @property
    def grouped_notes(self) -> list[str]:
        """The notes for the page: those saying the same thing of many lines joined into one
        ("Lines 4, 5, 9 and 212 more: status “Refunded”; left out."), at most ``NOTES_SHOWN``."""
        return group_notes(self.notes)[:NOTES_SHOWN]

    @property
    def pair_count(self) -> int:
        """How many different pairs of people the keep-apart requests name: A naming B and B
        naming A are one pair however each is written (a name, an email), as the import counts
        the rules it makes."""
        return len(self.apart)

    def sharing_of(self, row: Row) -> str:
        """What the preview shows of sharing after the import: "confirmed" for an attendee
        already sharing, "to confirm" for a yes the attendee has yet to confirm, else ""."""
        attendee = next((c.attendee for c in self.changes if c.row is row), None) or next(
            (e for r, e in self.unchanged if r is row), None
        )
        if attendee is not None and attendee.is_sharing:
            return "confirmed"
        if row.is_consent_suggested or (attendee is not None and attendee.is_consent_suggested):
            return "to confirm"
        return ""

    def action_of(self, row: Row) -> str:
        if any(c.row is row for c in self.changes):
            return "update"
        if any(r is row for r, _e in self.unchanged):
            return "unchanged"
        return "new"


NOTES_SHOWN = 100
LINES_NAMED = 5


def group_notes(notes: list[str]) -> list[str]:
    """``notes`` with those that differ only by their line number joined, in first-seen order."""
    prefix = line_message(0, "\x00").split("\x00")[0]
    head = prefix.split("0")[0]
    groups: dict[str, list[str]] = {}
    for note in notes:
        number, _sep, problem = note.removeprefix(head).partition(prefix.split("0", 1)[1])
        if note.startswith(head) and number.isdigit() and problem:
            groups.setdefault(problem, []).append(number)
        else:
            groups.setdefault(note, [])
    shown = []
    for problem, lines in groups.items():
        if not lines:
            shown.append(problem)
        elif len(lines) == 1:
            shown.append(line_message(int(lines[0]), problem))
        else:
            named = ", ".join(lines[:LINES_NAMED])
            if len(lines) > LINES_NAMED:
                named = _("%(lines)s and %(n)s more") % {
                    "lines": named,
                    "n": len(lines) - LINES_NAMED,
                }
            shown.append(_("Lines %(lines)s: %(problem)s") % {"lines": named, "problem": problem})
    return shown


def folded(name: str) -> str:
    return " ".join(name.casefold().split())


def person_key(name: str, company: str) -> tuple[str, str]:
    return (folded(name), hygiene.company_key(company))


def same_person(row: Row, namesakes: list[Existing]) -> tuple[list[Existing], bool]:
    """The attendees already here that ``row`` may be, among those of the same name, and
    whether only the name matched: one of the two has no email, and the companies agree when
    both have one; failing that, the only namesake when neither has an email (the company
    changed)."""
    row_company = hygiene.company_key(row.company)
    candidates = [
        p
        for p in namesakes
        if (not p.email or not row.email)
        and (
            not row_company
            or not hygiene.company_key(p.company)
            or hygiene.company_key(p.company) == row_company
        )
    ]
    if len(candidates) > 1:
        exact = [p for p in candidates if hygiene.company_key(p.company) == row_company]
        candidates = exact or candidates
    if candidates or row.email:
        return candidates, False
    no_email = [p for p in namesakes if not p.email]
    return (no_email, True) if len(no_email) == 1 else ([], False)


ABSENT_LISTED = 20


def report_absent(
    parsed: Parsed, comparison: Comparison, people: list[Existing], matched: dict[int, int]
) -> None:
    """Notes, never removals: attendees already here whose row is now cancelled (the organizer
    decides whether they still come), and attendees already here the file does not list."""
    if not people:
        return
    by_email = {p.email.lower(): p for p in people if p.email and not p.is_email_unconfirmed}
    by_name: dict[str, list[Existing]] = {}
    for person in people:
        by_name.setdefault(folded(person.name), []).append(person)
    accounted = set(matched)
    for line, name, email, status in parsed.cancelled:
        person = by_email.get(email) if email else None
        if person is None and len(by_name.get(folded(name), [])) == 1:
            person = by_name[folded(name)][0]
        if person is None or person.is_erased or person.pk in accounted:
            continue
        accounted.add(person.pk)
        comparison.notes.append(
            line_message(
                line,
                _(
                    "%(name)s is already at the event but their ticket is now “%(status)s”; "
                    "they stay until you choose “Remove from the event” on the attendees page."
                )
                % {"name": person.name, "status": status},
            )
        )
    absent = [p.name for p in people if p.pk not in accounted and not p.is_erased]
    if absent and parsed.rows:
        shown = ", ".join(absent[:ABSENT_LISTED])
        if len(absent) > ABSENT_LISTED:
            shown += " " + _("and %(n)s more") % {"n": len(absent) - ABSENT_LISTED}
        comparison.notes.append(
            _("Already at the event but not in this file (they stay): %(names)s.")
            % {"names": shown}
        )


def resolved_keep_apart(
    parsed: Parsed, comparison: Comparison, people: list[Existing]
) -> list[tuple[int, str, str]]:
    """The keep-apart requests that name exactly one other person on the list or at the
    event; every other one is a note by line with the name as written (nobody by that name,
    a row left out, several people of that name, the person themself). Never an error: the
    list imports, the rule is simply not made."""
    who: dict[str, set[tuple[str, object]]] = {}
    for person in people:
        if person.is_erased:
            continue
        identity = ("attendee", person.pk)
        who.setdefault(folded(person.name), set()).add(identity)
        if person.email and not person.is_email_unconfirmed:
            who.setdefault(person.email.lower(), set()).add(identity)
    importing = {id(r) for r in comparison.new}
    matched = {id(c.row): c.attendee.pk for c in comparison.changes}
    matched |= {id(r): e.pk for r, e in comparison.unchanged}
    identities: dict[int, tuple[str, object]] = {}
    for row in parsed.rows:
        if id(row) in matched:
            identity = ("attendee", matched[id(row)])
        elif id(row) in importing:
            identity = ("row", row.line)
        else:
            continue
        identities[row.line] = identity
        who.setdefault(folded(row.name), set()).add(identity)
        if row.email:
            who.setdefault(row.email, set()).add(identity)
    cancelled = {email for _l, _n, email, _s in parsed.cancelled if email}
    cancelled |= {folded(name) for _l, name, _e, _s in parsed.cancelled if name}
    rows = {row.line: row for row in parsed.rows}
    kept = []
    for line, me, other in comparison.keep_apart:
        written = rows[line].keep_apart_written.get(other, other) if line in rows else other
        found = who.get(other, set())
        mine = who.get(me, set())
        if len(found) == 1 and found != mine:
            kept.append((line, me, other))
            mine_one = identities.get(line, ("reference", me))
            comparison.apart.add(frozenset((mine_one, *found)))
            continue
        if len(found) > 1:
            problem = _(
                "“%(other)s” (keep apart from) names %(n)s people; write their email instead. "
                "No rule was made."
            ) % {"other": written, "n": len(found)}
        elif found:
            problem = _("“%(other)s” (keep apart from) is this person themself; ignored.") % {
                "other": written
            }
        elif other in cancelled:
            problem = _(
                "“%(other)s” (keep apart from) is left out of this import; no rule was made."
            ) % {"other": written}
        else:
            problem = _(
                "“%(other)s” (keep apart from) is neither on the list nor at the event; no rule "
                "was made."
            ) % {"other": written}
        comparison.notes.append(line_message(line, problem))
    return kept


def compare(parsed: Parsed, existing: Iterable[Existing]) -> Comparison:
    """Match each row to an attendee already there, by email, or by name and company when the
    row or the attendee has no email; nobody is matched twice. Mapped fields that differ are
    changes (an empty cell never erases a value); a yes to sharing becomes a suggestion the
    attendee confirms, and never withdraws a confirmed yes."""
    comparison = Comparison(
        errors=list(parsed.errors), notes=list(parsed.notes), skipped=parsed.skipped
    )
    people = list(existing)
    # Whoever typed an email on the join page without confirming it is not vouched for by the
    # list: never matched to a row (by email or name), so the list's person is never merged
    # into what a stranger's phone holds.
    vouched = [p for p in people if not p.is_email_unconfirmed]
    unconfirmed = {p.email.lower(): p for p in people if p.is_email_unconfirmed and p.email}
    by_email = {p.email.lower(): p for p in vouched if p.email}
    by_id = {p.external_id: p for p in vouched if p.external_id}
    by_name: dict[str, list[Existing]] = {}
    for person in vouched:
        by_name.setdefault(folded(person.name), []).append(person)
    unproven_names: dict[str, list[Existing]] = {}
    for person in people:
        if person.is_email_unconfirmed:
            unproven_names.setdefault(folded(person.name), []).append(person)
    matched: dict[int, int] = {}
    mapped = parsed.mapped
    for row in parsed.rows:
        attendee = by_id.get(row.external_id) if row.external_id else None
        if attendee is None and row.email:
            attendee = by_email.get(row.email)
        if attendee is None:
            candidates, by_name_only = same_person(row, by_name.get(folded(row.name), []))
            if len(candidates) > 1:
                comparison.errors.append(
                    line_message(
                        row.line,
                        _(
                            "%(name)s matches %(n)s attendees already here; "
                            "add an email to tell them apart."
                        )
                        % {"name": row.name, "n": len(candidates)},
                    )
                )
                continue
            attendee = candidates[0] if candidates else None
            if attendee is None and same_person(row, unproven_names.get(folded(row.name), []))[0]:
                # Only the name ties this row to someone who joined with an email they never
                # confirmed: neither merged into what they typed nor added twice.
                comparison.skipped += 1
                comparison.notes.append(
                    line_message(
                        row.line,
                        _(
                            "someone joined on their phone under this name with an email they "
                            "never confirmed; left out. Add this person's email to the file to "
                            "import them."
                        ),
                    )
                )
                continue
            if attendee is not None and by_name_only and attendee.pk not in matched:
                comparison.notes.append(
                    line_message(
                        row.line,
                        _(
                            "taken as %(name)s already here (no email on either; the company "
                            "was “%(old)s”)."
                        )
                        % {"name": attendee.name, "old": attendee.company},
                    )
                )
        if attendee is None:
            comparison.new.append(row)
            holder = unconfirmed.pop(row.email, None) if row.email else None
            if holder is not None:
                comparison.released.append(holder)
                comparison.notes.append(
                    line_message(
                        row.line,
                        _(
                            "someone joined on their phone with this email but never confirmed "
                            "it. This person gets their own record; the email is taken off the "
                            "phone's record, which keeps only what was typed there. If it was "
                            "them, they get their link by mail (“Email me my link”)."
                        ),
                    )
                )
        elif attendee.is_erased:
            comparison.skipped += 1
            comparison.notes.append(
                line_message(row.line, _("an attendee whose data was deleted; left out."))
            )
            continue
        elif attendee.pk in matched:
            comparison.errors.append(
                line_message(
                    row.line,
                    _("%(name)s is also on line %(line)s.")
                    % {"name": row.name, "line": matched[attendee.pk]},
                )
            )
            continue
        else:
            matched[attendee.pk] = row.line
            changes = {
                name: getattr(row, name)
                for name in COMPARED
                if (
                    name in mapped
                    or name in {"given_name", "family_name"}
                    or (name == "registration_need" and "need" in mapped)
                    or name == "external_id"
                )
                and getattr(row, name)
                and getattr(row, name) != getattr(attendee, name)
            }
            if (
                row.is_consent_suggested
                and not attendee.has_decided_consent
                and not attendee.is_consent_suggested
            ):
                changes["is_consent_suggested"] = True
            if changes:
                comparison.changes.append(Change(row, attendee, changes))
            else:
                comparison.unchanged.append((row, attendee))
        for other in row.keep_apart:
            me = row.email or folded(row.name)
            comparison.keep_apart.append((row.line, me, other))
    report_absent(parsed, comparison, people, matched)
    comparison.keep_apart = resolved_keep_apart(parsed, comparison, people)
    return comparison
