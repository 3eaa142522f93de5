"""The reference grammar: find references the way people write them, and format them back.

``find_references("Is Art. 5 (1) c of the draft in force?")`` -> ``[Reference("ai-act-proposal-2021", "Art. 5(1)(c)")]``;
``format_citation("gdpr", "Art. 22(1)")`` -> ``"GDPR, Art. 22(1)"``. Pure functions over strings;
document names come from our manifest and ``corpus/aliases.json``.

Every pattern here sees user and model text, so each runs in linear time: whitespace is
matched with possessive quantifiers (``\\s*+``), which never give back what they took, so
that two whitespace runs with only optional parts between them cannot backtrack into each
other (with ``\\s*`` the annex pattern took 26 s on "Annex I" followed by 2,000 spaces;
``bench/patterns.py`` times every pattern on such inputs).

References are read as written even where the corpus has no such clause ("Article 52a",
"Article 1000", "Recital -1", "Annex IIIIIII"), so that the caller can say that it does not
exist rather than answer about something else; references to other instruments ("Article 16
TFEU", "Article 7 of the Charter") carry the instrument's name in ``external``.
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
MAX_REFERENCES = 40  # references read from one text: a question naming more is not one question
MAX_RANGE = 15       # "Articles 5 to 20" names each; a wider range names its two ends only


@dataclass(frozen=True)
class Reference:
    doc: str | None  # None when the text names no document
    ref: str
    start: int = 0
    end: int = 0
    external: str | None = None  # the instrument outside the corpus it belongs to ("TFEU")

    def key(self) -> tuple[str | None, str]:
        return (self.doc, self.ref)


@lru_cache(maxsize=1)
def short_names() -> dict[str, str]:
    data = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return {d["id"]: d["short_name"] for d in data["documents"]}


@lru_cache(maxsize=1)
def alias_pattern() -> tuple[re.Pattern, dict[str, str | None]]:
    """(pattern of every document name, name -> document id). Legal terms that contain a
    document's name ("data protection impact assessment" is not the Commission's impact
    assessment) map to None: matched first, as the longer name, they name no document."""
    data = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    table: dict[str, str | None] = {name.lower(): doc for doc, names in data["aliases"].items() for name in names}
    for doc, name in short_names().items():
        table.setdefault(name.lower(), doc)
    for term in data.get("not_names", []):
        table[term.lower()] = None
    names = sorted(table, key=len, reverse=True)
    # "the final EU AI Act" names what "the final AI Act" does
    body = "|".join(re.escape(n).replace(r"\ ", r"[\s-]+").replace(r"ai[\s-]+act", r"(?:eu[\s-]+)?ai[\s-]+act")
                    for n in names)
    pattern = re.compile(r"(?<![\w/])(" + body + r")(?![\w/])", re.IGNORECASE)
    return pattern, table


def _alias_doc(name: str) -> str | None:
    _, table = alias_pattern()
    spaced = re.sub(r"\beu (?=ai act)", "", re.sub(r"[\s-]+", " ", name.lower()))
    return table.get(spaced, table.get(name.lower()))


@lru_cache(maxsize=1)
def descriptions() -> list[tuple[re.Pattern, str]]:
    """A document described rather than named ("now that the AI Act is law"): (pattern, document id)."""
    data = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    return [(re.compile(rf"(?<![\w/]){body}(?![\w/])", re.IGNORECASE), doc)
            for doc, bodies in data.get("descriptions", {}).items() for body in bodies]


def document_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, document id) of every document named or described in the text."""
    pattern, _ = alias_pattern()
    out = []
    for description, doc in descriptions():
        out += [(m.start(), m.end(), doc) for m in description.finditer(text)]
    for match in pattern.finditer(text):
        doc = _alias_doc(match.group(1))
        if doc is not None and match.group(1).lower() == "draft" and _verb(text, match.start(), match.end()):
            continue
        if doc is not None and not any(start <= match.start() < end for start, end, _ in out):
            out.append((match.start(), match.end(), doc))
    return sorted(out)


# "draft" alone names the proposal as a noun ("in the draft", "the draft's ban"); as a verb it names
# nothing ("help me draft an email", "i used chatgpt to draft a report": the latter made an
# employment-law question one on the proposal, so the field's decline did not apply).
_NOUN_BEFORE = re.compile(r"\b(?:the|this|that|its|a|an|their|commission'?s|20\d\d|leaked|first|original)\s*+$", re.IGNORECASE)
_VERB_BEFORE = re.compile(r"\b(?:to|i|we|you|u|they|please|can|could|would|will|should|must|me|us)\s*+$", re.IGNORECASE)
_OBJECT_AFTER = re.compile(r"^\s*+(?:a|an|me|us|my|our|your|his|her|some|it|them)\b", re.IGNORECASE)


def _verb(text: str, start: int, end: int) -> bool:
    """Whether the word at ``text[start:end]`` ("draft") is used as a verb."""
    before = text[max(0, start - 20):start]
    if _NOUN_BEFORE.search(before):
        return False
    return bool(_VERB_BEFORE.search(before) or _OBJECT_AFTER.match(text[end:end + 8]))


def mentioned_documents(text: str) -> list[str]:
    """Documents named anywhere in the text, in order of first mention."""
    found: list[str] = []
    for _, _, doc in document_mentions(text):
        if doc not in found:
            found.append(doc)
    return found


def without_document_names(text: str) -> str:
    """The question with its document names removed: they choose where to search, and as
    search words they only add noise ("under the draft")."""
    merged: list[list[int]] = []  # two names or descriptions can cover the same words ("the 2024 EU AI law")
    for start, end, _ in sorted(document_mentions(text)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + " " + text[end:]
    return re.sub(r"\s++", " ", text).strip()


def is_within(inner: str, outer: str) -> bool:
    """Whether canonical reference ``inner`` is ``outer`` or one of its parts
    (``Art. 5(1)(c)`` is within ``Art. 5(1)``; ``Art. 52(3), second subparagraph`` within ``Art. 52(3)``)."""
    return inner == outer or inner.startswith(outer + "(") or inner.startswith(outer + ",")


def format_citation(doc: str, ref: str) -> str:
    return f"{short_names().get(doc, doc)}, {ref}"


# ------------------------------------------------------------------ grammar

_P = r"\(\s*+[0-9a-z]{1,5}(?:\.\d+)?\s*+\)"  # one parenthesised level: (1) (a) (iii) (4.1)
_ORD = "|".join(ORDINAL_WORDS)
_SUFFIX = (rf"(?P<subs>(?:\s*+,\s*+(?:the\s++)?(?:{_ORD})\s++(?:subparagraph|indent))?)"
           rf"(?P<point>(?:\s*+,?\s*+(?:point|pt\.?)\s*+\(?\s*+[0-9a-z]{{1,5}}(?:\s*+\))?(?![\w]))?)"
           rf"(?P<after>(?:\s*+{_P})*+)")
# A list or range after the first number: "Articles 5, 6 and 7", "Art. 5-7", "Recitals 1 to 3".
_MORE_NUMBERS = r"(?P<more>(?:\s*+(?:,|&|and|or|to|through|-|–)\s*+\d++(?![\d.,]\d)(?!\s*+\())*+)"
_MORE_ROMANS = r"(?P<more>(?:\s*+(?:,|&|and|or|to|through|-|–)\s*+[ivxlcdm]++(?![\w]))*+)"
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}

ARTICLE = re.compile(
    rf"\b(?:(?:paragraph|para\.?)\s*+(?P<para_of>\d{{1,2}})\s++of\s++)?"
    rf"(?:(?:point|pt\.?)\s*+\(?(?P<point_of>[a-z]|\d{{1,2}})\)?\s++of\s++)?"
    rf"(?P<head>articles?|arts?\.?)\s*+(?P<num>\d++)"
    rf"(?P<letter>[a-z](?![\w’'])|\s++(?:bis|ter|quater|quinquies|sexies)\b)?(?![\d.,]\d)"
    rf"(?P<parts>(?:\s*+{_P})*+)"
    rf"(?P<bare>(?<=\))\s++[a-z](?![\w’']))?"
    rf"(?P<para_word>\s*+,?\s*+(?:paragraph|para\.?)\s*+(?P<para_n>\d{{1,2}})(?!\d))?"
    + _SUFFIX + _MORE_NUMBERS,
    re.IGNORECASE,
)
ARTICLE_IN_WORDS = re.compile(
    r"\barticle\s++(?P<words>(?:" + "|".join(list(_TENS) + list(_NUMBER_WORDS)) + r")(?:[\s-]++(?:"
    + "|".join(_NUMBER_WORDS) + r"))?)\b", re.IGNORECASE)
RECITAL = re.compile(r"\b(?P<head>recitals?)\s*+\(?(?P<num>-?\d++)\)?" + _MORE_NUMBERS, re.IGNORECASE)
# A lone "i" before a verb of saying or knowing is the pronoun ("tied it to an annex i think"),
# which read as Annex I put the proposal's list of techniques in the place of the definition asked.
_I_SAYS = r"(?!(?<=\bi)\s++(?:think|thought|believe|guess|mean|remember|recall|know|suppose|assume|read|heard|saw|am|was)\b)"
ANNEX = re.compile(
    rf"\b(?P<head>annex(?:es)?)\s++(?P<num>[ivxlcdm]++)(?![\w]){_I_SAYS}"
    rf"(?:\s*+,?\s*+(?P<kind>section|part)\s++(?P<sec>[a-z0-9])(?![\w]))?"
    rf"(?:\s*+,?\s*+(?:(?:point|pt\.?)\s*+)?\(?\s*+(?P<pt>\d{{1,2}}(?:\.\d{{1,2}})?)(?:\s*+\))?\.?(?![\d]))?"
    rf"(?P<parts>(?:\s*+{_P})*+)" + _SUFFIX + _MORE_ROMANS,
    re.IGNORECASE,
)
EM = re.compile(r"\b(?:EM|explanatory\s++memorandum)\s*+,?\s*+(?:section|sec\.?|§|point)?\s*+(?P<num>\d(?:\.\d){0,2})(?![\d])"
                r"(?:\s*+,\s*+(?:para\.?|paragraph)\s*+(?P<para>\d{1,2}))?", re.IGNORECASE)
PAGE_PARA = re.compile(r"\b(?:p\.|page)\s*+(?P<page>\d{1,3})\s*+,\s*+(?:para\.?|paragraph)\s*+(?P<para>\d{1,2})\b", re.IGNORECASE)
PARA = re.compile(r"(?:\b(?:paragraphs?|paras?\.?)|¶|§)\s*+(?P<num>\d{1,3})\b", re.IGNORECASE)
COVER = re.compile(r"\bCover\b")

# The name of an instrument outside the corpus right after a reference: "Article 16 TFEU",
# "Article 8 of the ECHR", "Article 7 of the Charter", "Article 5 of Directive 2016/680".
EXTERNAL_AFTER = re.compile(
    r"(?<!\s)\s*+,?\s*+(?:of\s++|in\s++|from\s++)?(?:the\s++)?(?P<name>TFEU|TEU|ECHR|EUCFR|CFR|"
    r"Treaty\b(?:\s++on\s++(?:the\s++)?(?:Functioning\s++of\s++the\s++)?European\s++Union)?|"
    r"(?:EU\s++)?Charter\b(?:\s++of\s++Fundamental\s++Rights)?|(?:European\s++)?Convention\b(?:\s++on\s++Human\s++Rights)?|"
    r"(?:Law\s++Enforcement\s++)?Directive\b(?:\s++\((?:EU|EC)\))?(?:\s++No)?(?:\s++\d++/\d++)?|"
    r"(?:Council\s++)?(?:Framework\s++)?Decision\s++\d++/\d++|"
    r"Regulation\s++\((?:EU|EC|EEC)\)\s++(?:No\s++)?(?!2016/679\b|2024/1689\b)\d++/\d++|"
    r"Regulation\s++(?:No\s++)?(?!2016/679\b|2024/1689\b)\d++/\d++|"
    r"(?:UK\s++)GDPR|Data\s++Protection\s++Act|DSA|DMA|Digital\s++(?:Services|Markets)\s++Act|"
    r"Constitution|Grundgesetz|Basic\s++Law)", re.IGNORECASE)


def _levels(parts: str) -> list[str]:
    return [re.sub(r"\s++", "", p).strip("()").lower() for p in re.findall(_P, parts or "", re.IGNORECASE)]


def _roman_ok(num: str) -> bool:
    return bool(num) and bool(ROMAN.match(num.upper()))


def _suffix(match: re.Match) -> str:
    """The canonical tail: ', second subparagraph', ', point (a)' and any levels after it."""
    out = ""
    subs = match.group("subs")
    if subs:
        words = re.findall(rf"({_ORD})\s++(subparagraph|indent)", subs, re.IGNORECASE)[0]
        out += f", {words[0].lower()} {words[1].lower()}"
    point = match.group("point")
    if point:
        letter = re.search(r"\(?\s*+([0-9a-z]{1,5})\s*+\)?\s*+$", point, re.IGNORECASE).group(1).lower()
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
    letter = (m.group("letter") or "").strip().lower()
    number = f"{int(m.group('num'))}{letter}" if len(letter) <= 1 else f"{int(m.group('num'))} {letter}"
    return f"Art. {number}" + "".join(f"({p})" for p in levels) + _suffix(m)


def _annex_ref(m: re.Match) -> str:
    ref = f"Annex {m.group('num').upper()}"
    if m.group("sec"):
        ref += f", {m.group('kind').capitalize()} {m.group('sec').upper()}"
    levels = ([m.group("pt")] if m.group("pt") else []) + _levels(m.group("parts"))
    return ref + "".join(f"({p})" for p in levels) + _suffix(m)


def roman_value(num: str) -> int | None:
    if not _roman_ok(num):
        return None
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(num.upper(), num.upper()[1:] + " "):
        total += -values[a] if b != " " and values[a] < values[b] else values[a]
    return total


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                           (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _listed(first: int, more: str, number=int) -> list[int]:
    """The numbers of a list or range: "5", ", 6 and 7" -> [5, 6, 7]; "5", " to 7" -> [5, 6, 7]."""
    out = [first]
    for sep, token in re.findall(r"(,|&|and|or|to|through|-|–)\s*+([0-9ivxlcdm]++)", more or "", re.IGNORECASE):
        value = number(token)
        if value is None:
            continue
        if sep.lower() in ("to", "through", "-", "–") and out[-1] < value <= out[-1] + MAX_RANGE:
            out += list(range(out[-1] + 1, value + 1))
        else:
            out.append(value)
    return out


def _in_words(words: str) -> int | None:
    total = 0
    for word in re.split(r"[\s-]++", words.lower()):
        total += _TENS.get(word, _NUMBER_WORDS.get(word, 0))
    return total or None


def _raw_references(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, ref, kind) for every reference, earliest-longest first, without overlaps."""
    found: list[tuple[int, int, str, str]] = []
    for m in ARTICLE.finditer(text):
        found.append((m.start(), m.end(), _article_ref(m), "article"))
        for n in _listed(int(m.group("num")), m.group("more"))[1:]:
            found.append((m.start(), m.end(), f"Art. {n}", "more"))
    for m in ARTICLE_IN_WORDS.finditer(text):
        n = _in_words(m.group("words"))
        if n:
            found.append((m.start(), m.end(), f"Art. {n}", "article"))
    for m in RECITAL.finditer(text):
        found.append((m.start(), m.end(), f"Recital {int(m.group('num'))}", "recital"))
        for n in _listed(int(m.group("num")), m.group("more"))[1:]:
            found.append((m.start(), m.end(), f"Recital {n}", "more"))
    for m in ANNEX.finditer(text):
        found.append((m.start(), m.end(), _annex_ref(m), "annex"))
        first = roman_value(m.group("num"))
        more = m.group("more")
        if m.group("head").lower() == "annex":  # "Annex III and I want ...": a lone "I" is the pronoun
            more = re.sub(r"(?:,|&|and|or)\s*+I$", "", more or "", flags=re.IGNORECASE)
        if first and more:
            for n in _listed(first, more, roman_value)[1:]:
                found.append((m.start(), m.end(), f"Annex {_roman(n)}", "more"))
    for m in EM.finditer(text):
        ref = f"EM {m.group('num')}" + (f", para. {int(m.group('para'))}" if m.group("para") else "")
        found.append((m.start(), m.end(), ref, "em"))
    for m in PAGE_PARA.finditer(text):
        found.append((m.start(), m.end(), f"p. {int(m.group('page'))}, para. {int(m.group('para'))}", "page"))
    for m in PARA.finditer(text):
        found.append((m.start(), m.end(), f"Para. {int(m.group('num'))}", "para"))
    for m in COVER.finditer(text):
        found.append((m.start(), m.end(), "Cover", "cover"))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0]), f[3] == "more"))
    kept: list[tuple[int, int, str, str]] = []
    for item in found:
        if kept and item[0] < kept[-1][1] and not (item[3] == "more" and item[0] == kept[-1][0]):
            continue
        kept.append(item)
        if len(kept) >= MAX_REFERENCES:
            break
    return kept


def find_references(text: str) -> list[Reference]:
    """Every reference in ``text`` with the document it names (None when it names none), or
    the outside instrument it belongs to."""
    aliases = document_mentions(text)
    raw = _raw_references(text)
    starts = sorted({r[0] for r in raw})
    out: list[Reference] = []
    for start, end, ref, kind in raw:
        later = [s for s in starts if s > start]
        next_start = later[0] if later else len(text)
        external = EXTERNAL_AFTER.match(text, end)
        if external and not document_mentions(external.group(0)):
            out.append(Reference(None, ref, start, end, external.group("name").strip()))
            continue
        doc = None
        # An alias right after the reference ("Article 52 of the draft", "art 22 GDPR"), not past the
        # parenthesis the reference stands in ("the proposal's deepfake rule (Art 52(3)) in the final act")
        bracketed = text.rfind("(", 0, start) > text.rfind(")", 0, start)
        after = [a for a in aliases if end <= a[0] <= end + 40 and a[0] < max(next_start, end + 1)
                 and not re.search(r"[.?!;]", text[end:a[0]]) and not (bracketed and ")" in text[end:a[0]])]
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
        first = Reference(docs[0] if docs else default_doc, first.ref, first.start, first.end, first.external)
    return first
