"""Telling the encodings of attendee lists apart: Cyrillic, Greek and Korean as well as the
Chinese, Japanese and Latin ones."""

from __future__ import annotations

import pytest

from events import csv_import, tabular

LISTS = [
    (
        "cp1251",
        "Name,Email,Company\nИван Петров,ivan@example.ru,Яндекс\n"
        "Ольга Смирнова,olga@example.ru,Сбербанк\nJohn Smith,john@example.com,Acme\n",
    ),
    ("cp1251", "Name,Email\nАнна Кузнецова,anna@example.ru\nПётр Иванов,petr@example.ru\n"),
    ("cp1251", "Name,Email\nОксана Ґонта,o@example.ua\nІгор Їжак,i@example.ua\n"),
    ("koi8_r", "Name,Email\nИван Петров,ivan@example.ru\nОльга Смирнова,olga@example.ru\n"),
    (
        "cp1253",
        "Name,Email,Company\nΓιώργος Παπαδόπουλος,g@example.gr,Αθηναϊκή Τράπεζα\n"
        "Ελένη Νικολάου,e@example.gr,Ολυμπιακή\n",
    ),
    (
        "euc_kr",
        "Name,Email,Company\n김민준,kim@example.kr,삼성전자\n이서연,lee@example.kr,현대자동차\n",
    ),
    (
        "euc_kr",
        "이름,이메일\n박지훈,park@example.kr\n최수아,choi@example.kr\n정우진,jung@example.kr\n",
    ),
    ("cp1250", "Name,Email\nŁukasz Żółć,lz@example.pl\nAgnieszka Wąs,aw@example.pl\n"),
    (
        "gb18030",
        "Name,Email,Company\n王芳,wf@example.cn,北京星河科技\n李娜,ln@example.cn,朝阳咨询\n",
    ),
    ("gb18030", "Name,Email\n张伟,zw@example.cn\n"),
    ("big5hkscs", "Name,Email\n陳大文,chan@example.hk\n林美玲,lin@example.tw\n"),
    ("cp932", "Name,Email\n山田太郎,yamada@example.jp\n佐藤花子,sato@example.jp\n"),
]


@pytest.mark.parametrize(("encoding", "text"), LISTS)
def test_decode_reads_each_script_in_its_own_encoding(encoding, text):
    assert tabular.decode(text.encode(encoding)) == (text, encoding)


def test_parse_says_the_encoding_was_guessed_only_when_it_was():
    text = "Name,Email\nИван Петров,ivan@example.ru\n"

    guessed = csv_import.parse(text.encode("cp1251"))
    chosen = csv_import.parse(text.encode("cp1251"), encoding="cp1251")
    utf8 = csv_import.parse(text.encode())

    assert (guessed.is_encoding_guessed, guessed.encoding_name) == (True, "Windows-1251 (Cyrillic)")
    assert [r.name for r in guessed.rows] == ["Иван Петров"]
    assert (chosen.is_encoding_guessed, utf8.is_encoding_guessed) == (False, False)


@pytest.mark.parametrize("encoding", ["utf_16_le", "utf_16_be"])
def test_decode_reads_ascii_utf16_without_a_byte_order_mark(encoding):
    text = "Name\tEmail\r\nAnn Lee\tann@example.com\r\nBob Ray\tbob@example.com\r\n"

    assert tabular.decode(text.encode(encoding)) == (text, encoding)


# Windows files whose punctuation or letters another one-byte encoding also reads as letters:
# (encoding, name, company) as the organizer typed them.
ONE_BYTE_PEOPLE = [
    ("cp1252", "Tom D’Angelo", "Acme™"),
    ("cp1252", "“Chip” O’Reilly", "Smith – Jones"),
    ("cp1252", "Ann Lee", "Café “Le Petit”"),
    ("cp1252", "Siobhán O’Brien", "Ryan — Partners"),
    ("cp1252", "Zoë ‘Zed’ Hart", "Hart & Sons…"),
    ("cp1250", "Jiří Dvořák", "Škoda Auto"),
    ("cp1250", "Łukasz Żółć", ""),
    ("cp1250", "Tomáš Růžička", "Kovárna"),
    ("cp1250", "Ľubomír Šťastný", "Žilina"),
    ("cp1250", "Zdeněk Dvořák", "Brněnská"),
    ("iso8859_2", "Anna Wąsowska", ""),
    ("iso8859_2", "Paweł Ścisło", "Śląsk"),
    ("mac_roman", "Renée Côté", "Crêperie"),
    ("utf_8", "Tom D’Angelo", "Café “Le Petit”"),
    ("gb18030", "王芳", "北京星河科技"),
]


@pytest.mark.parametrize(("encoding", "name", "company"), ONE_BYTE_PEOPLE)
def test_parse_reads_one_byte_files_with_their_punctuation_and_letters(encoding, name, company):
    data = f"Name,Email,Company\r\n{name},p@example.com,{company}\r\n".encode(encoding)

    parsed = csv_import.parse(data)

    assert [(r.name, r.company) for r in parsed.rows] == [(name, company)]
