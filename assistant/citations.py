"""The reference grammar: find references the way people write them, and format them back.

``find_references("Is Art. 5 (1) c of the draft in force?")`` -> ``[Reference("ai-act-proposal-2021", "Art. 5(1)(c)")]``;
``format_citation("gdpr", "Art. 22(1)")`` -> ``"GDPR, Art. 22(1)"``. Pure functions over strings;
document names come from our manifest and ``corpus/aliases.json``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from .config import MANIFEST_PATH, REPO_ROOT

ALIASES_PATH = REPO_ROOT / "corpus" / "aliases.json"
ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                 "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                 "seventeenth", "eighteenth", "nineteenth", "twentieth"]
ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


@dataclass(frozen=True)
class Reference:
    doc: str | None  # None when the text names no document
    ref: str
    start: int = 0
    end: int = 0

    def key(self) -> tuple[str | None, str]:
        return (self.doc, self.ref)


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    data = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return {d["id"]: d["short_name"] for d in data["documents"]}


@lru_cache(maxsize=1)
def _alias_pattern() -> tuple[re.Pattern, dict[str, str]]:
    aliases = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))["aliases"]
    table = {name.lower(): doc for doc, names in aliases.items() for name in names}
    for doc, name in short_names().items():
        table.setdefault(name.lower(), doc)
    names = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w/])(" + "|".join(re.escape(n) for n in names) + r")(?![\w/])", re.IGNORECASE)
    return pattern, table


def mentioned_documents(text: str) -> list[str]:
    """Documents named anywhere in the text, in order of first mention."""
    pattern, table = _alias_pattern()
    found: list[str] = []
    for match in pattern.finditer(text):
        doc = table[match.group(1).lower()]
        if doc not in found:
            found.append(doc)
    return found


def without_document_names(text: str) -> str:
    """The question with its document names removed: they choose where to search, and as
    search words they only add noise ("under the draft")."""
    pattern, _ = _alias_pattern()
    return re.sub(r"\s+", " ", pattern.sub(" ", text)).strip()


def format_citation(doc: str, ref: str) -> str:
    return f"{short_names().get(doc, doc)}, {ref}"


# ------------------------------------------------------------------ grammar

_P = r"\(\s*[0-9a-z]{1,5}(?:\.\d+)?\s*\)"  # one parenthesised level: (1) (a) (iii) (4.1)
_ORD = "|".join(ORDINAL_WORDS)
_SUFFIX = (rf"(?P<subs>(?:\s*,\s*(?:the\s+)?(?:{_ORD})\s+(?:subparagraph|indent))?)"
           rf"(?P<point>(?:\s*,?\s*(?:point|pt\.?)\s*\(?\s*[0-9a-z]{{1,5}}\s*\)?(?![\w]))?)"
           rf"(?P<after>(?:\s*{_P})*)")

ARTICLE = re.compile(
    rf"\b(?:(?:paragraph|para\.?)\s*(?P<para_of>\d{{1,2}})\s+of\s+)?"
    rf"(?:(?:point|pt\.?)\s*\(?(?P<point_of>[a-z]|\d{{1,2}})\)?\s+of\s+)?"
    rf"(?:articles?|arts?\.?)\s*(?P<num>\d{{1,3}})(?![\d.,]\d)"
    rf"(?P<parts>(?:\s*{_P})*)"
    rf"(?P<bare>(?<=\))\s+[a-z](?![\w’']))?"
    rf"(?P<para_word>\s*,?\s*(?:paragraph|para\.?)\s*(?P<para_n>\d{{1,2}})(?!\d))?"
    + _SUFFIX,
    re.IGNORECASE,
)
ARTICLE_RANGE = re.compile(r"\b(?:articles?|arts?\.?)\s*(\d{1,3})\s*(?:-|–|to|and)\s*(\d{1,3})\b", re.IGNORECASE)
RECITAL = re.compile(r"\brecitals?\s*\(?(\d{1,3})\)?(?:\s*(?:and|to|-|–)\s*\(?(\d{1,3})\)?)?", re.IGNORECASE)
ANNEX = re.compile(
    rf"\bannex\s+(?P<num>[ivxlcdm]+)(?![\w])"
    rf"(?:\s*,?\s*(?P<kind>section|part)\s+(?P<sec>[a-z0-9])(?![\w]))?"
    rf"(?:\s*,?\s*(?:(?:point|pt\.?)\s*)?\(?\s*(?P<pt>\d{{1,2}}(?:\.\d{{1,2}})?)\s*\)?\.?(?![\d]))?"
    rf"(?P<parts>(?:\s*{_P})*)" + _SUFFIX,
    re.IGNORECASE,
)
EM = re.compile(r"\b(?:EM|explanatory\s+memorandum)\s*,?\s*(?:section|sec\.?|§|point)?\s*(?P<num>\d(?:\.\d){0,2})(?![\d])"
                r"(?:\s*,\s*(?:para\.?|paragraph)\s*(?P<para>\d{1,2}))?", re.IGNORECASE)
PAGE_PARA = re.compile(r"\b(?:p\.|page)\s*(?P<page>\d{1,3})\s*,\s*(?:para\.?|paragraph)\s*(?P<para>\d{1,2})\b", re.IGNORECASE)
PARA = re.compile(r"(?:\b(?:paragraphs?|paras?\.?)|¶|§)\s*(?P<num>\d{1,3})\b", re.IGNORECASE)
COVER = re.compile(r"\bCover\b")


def _levels(parts: str) -> list[str]:
    return [re.sub(r"\s+", "", p).strip("()").lower() for p in re.findall(_P, parts or "", re.IGNORECASE)]


def _roman_ok(num: str) -> bool:
    return bool(num) and bool(ROMAN.match(num.upper()))


def _suffix(match: re.Match) -> str:
    """The canonical tail: ', second subparagraph', ', point (a)' and any levels after it."""
    out = ""
    subs = match.group("subs")
    if subs:
        words = re.findall(rf"({_ORD})\s+(subparagraph|indent)", subs, re.IGNORECASE)[0]
        out += f", {words[0].lower()} {words[1].lower()}"
    point = match.group("point")
    if point:
        letter = re.search(r"\(?\s*([0-9a-z]{1,5})\s*\)?\s*$", point, re.IGNORECASE).group(1).lower()
        out += f", point ({letter})" if subs else f"({letter})"
    out += "".join(f"({p})" for p in _levels(match.group("after")))
    return out


def _article_ref(m: re.Match) -> str:
    levels = _levels(m.group("parts"))
    if m.group("para_of"):
        levels = [m.group("para_of")] + levels
    if m.group("para_n") and not levels:
        levels = [m.group("para_n")]
    if m.group("bare"):
        levels.append(m.group("bare").strip().lower())
    if m.group("point_of"):
        levels.append(m.group("point_of").lower())
    return f"Art. {int(m.group('num'))}" + "".join(f"({p})" for p in levels) + _suffix(m)


def _annex_ref(m: re.Match) -> str | None:
    num = m.group("num").upper()
    if not _roman_ok(num):
        return None
    ref = f"Annex {num}"
    if m.group("sec"):
        ref += f", {m.group('kind').capitalize()} {m.group('sec').upper()}"
    levels = ([m.group("pt")] if m.group("pt") else []) + _levels(m.group("parts"))
    return ref + "".join(f"({p})" for p in levels) + _suffix(m)


def _raw_references(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, ref, kind) for every reference, earliest-longest first, without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for m in ARTICLE_RANGE.finditer(text):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo < hi <= lo + 15:
            for n in range(lo, hi + 1):
                found.append((m.start(), m.end(), f"Art. {n}", "range"))
    for m in ARTICLE.finditer(text):
        found.append((m.start(), m.end(), _article_ref(m), "article"))
    for m in RECITAL.finditer(text):
        found.append((m.start(), m.end(), f"Recital {int(m.group(1))}", "recital"))
        if m.group(2):
            found.append((m.start(), m.end(), f"Recital {int(m.group(2))}", "range"))
    for m in ANNEX.finditer(text):
        ref = _annex_ref(m)
        if ref:
            found.append((m.start(), m.end(), ref, "annex"))
    for m in EM.finditer(text):
        ref = f"EM {m.group('num')}" + (f", para. {int(m.group('para'))}" if m.group("para") else "")
        found.append((m.start(), m.end(), ref, "em"))
    for m in PAGE_PARA.finditer(text):
        found.append((m.start(), m.end(), f"p. {int(m.group('page'))}, para. {int(m.group('para'))}", "page"))
    for m in PARA.finditer(text):
        found.append((m.start(), m.end(), f"Para. {int(m.group('num'))}", "para"))
    for m in COVER.finditer(text):
        found.append((m.start(), m.end(), "Cover", "cover"))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, str]] = []
    for item in found:
        if kept and item[0] < kept[-1][1] and not (item[3] == "range" and kept[-1][3] == "range" and item[0] == kept[-1][0]) \
                and not (item[3] == "range" and item[0] == kept[-1][0]):
            continue
        kept.append(item)
    return kept


def find_references(text: str) -> list[Reference]:
    """Every reference in ``text`` with the document it names (None when it names none)."""
    pattern, table = _alias_pattern()
    aliases = [(m.start(), m.end(), table[m.group(1).lower()]) for m in pattern.finditer(text)]
    raw = _raw_references(text)
    out: list[Reference] = []
    for start, end, ref, kind in raw:
        next_start = next((r[0] for r in raw if r[0] > start), len(text))
        doc = None
        # An alias right after the reference ("Article 52 of the draft", "art 22 GDPR") ...
        after = [a for a in aliases if end <= a[0] <= end + 40 and a[0] < max(next_start, end + 1)
                 and not re.search(r"[.?!;]", text[end:a[0]])]
        # ... or right before it ("GDPR Article 22", "AI Act proposal, Art. 5").
        before = [a for a in aliases if a[1] <= start and start - a[1] <= 3]
        if after:
            doc = after[0][2]
        elif before:
            doc = before[-1][2]
        out.append(Reference(doc, ref, start, end))
    return out


def parse_reference(text: str, default_doc: str | None = None) -> Reference:
    """Exactly one reference in ``text`` (the first), with ``default_doc`` where none is named."""
    refs = find_references(text)
    if not refs:
        raise ValueError(f"No reference found in {text!r}. Write it as e.g. 'Art. 5(1)(c)', "
                         "'Recital 70', 'Annex III(4)(a)', 'EM 3.5' or 'Para. 31'.")
    first = refs[0]
    if first.doc is None:
        docs = mentioned_documents(text)
        first = Reference(docs[0] if docs else default_doc, first.ref, first.start, first.end)
    return first
