"""Clauses: every source document parsed by its legal structure.

A clause is the smallest unit a citation can name: a recital, an article, one of its
paragraphs, subparagraphs, points, sub-points or indents, an annex and its points, a
section or paragraph of the explanatory memorandum, or a paragraph of a commentary.
Each carries its canonical reference (``Art. 5(1)(d)(iii)``), a human label, its heading
path and its verbatim text; the ``Library`` holds them for all documents.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Iterator

from .citations import is_within
from .content import render
from .errors import UnknownReference
from .sources import Corpus, Source

# The two versions of the AI Act in the corpus (ids of corpus/MANIFEST.json), named in many rooms.
PROPOSAL = "ai-act-proposal-2021"
FINAL_ACT = "ai-act-final-2024"

# The kinds of clause that are items of a list.
LIST_KINDS = ("point", "indent")

ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth"]


def ordinal(n: int) -> str:
    return ORDINALS[n - 1] if 0 < n <= len(ORDINALS) else f"{n}th"


@dataclass
class Clause:
    doc: str
    ref: str
    kind: str
    label: str
    heading_path: tuple[str, ...]
    text: str  # verbatim, including the clause's own sub-units, one per line
    url: str | None
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    title: str | None = None  # article or annex heading where the act gives one
    seq: int = 0

    @property
    def article(self) -> str | None:
        """The top-level unit this clause belongs to (``Art. 5``, ``Annex III``, ``Recital 4``)."""
        return top_level(self.ref)


# A paragraph or point of the same article named in a clause's text: "paragraph 1, point (d)",
# "paragraph 1 point d)", "point (d) of paragraph 1", "paragraph 2"; several points ("points (a)
# and (c) of paragraph 2") stand for their paragraph.
RELATIVE_REFERENCE = re.compile(r"\b(?:point \(?(?P<point2>[a-z]{1,4})\) of paragraph (?P<para2>\d+)"
                                r"|points? [^.;:]{0,40}? of paragraph (?P<para3>\d+)"
                                r"|paragraphs? (?P<para>\d+)(?:,? point \(?(?P<point>[a-z]{1,4})\))?)(?![\w(])")


def top_level(ref: str) -> str:
    match = re.match(r"(Art\. \d+|Annex [IVXLC]+|Recital \d+|EM \d+(?:\.\d+)*|Para\. \d+|p\. \d+, para\. \d+|Cover)", ref)
    return match.group(1) if match else ref


def human_ref(ref: str) -> str:
    """``Art. 5(1)`` -> ``Article 5(1)``; ``EM 3.5`` -> ``Explanatory memorandum, section 3.5``."""
    if ref.startswith("Art. "):
        return "Article " + ref[5:]
    if ref.startswith("EM "):
        return "Explanatory memorandum, section " + ref[3:]
    if ref.startswith("Para. "):
        return "Paragraph " + ref[6:]
    if ref.startswith("p. "):
        return "Page " + ref[3:]
    return ref


def make_label(ref: str, source: Source) -> str:
    return f"{human_ref(ref)} of {source.label_name}"


# ---------------------------------------------------------------- legal acts

def _dedent(text: str) -> str:
    lines = text.split("\n")
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines)


def _point(num: str) -> str:
    """``1.`` -> ``(1)``; ``(a)`` -> ``(a)``; ``‘(68)`` -> ``(68)``; ``4.1.`` -> ``(4.1)``."""
    bare = num.strip().strip("‘’'\"").rstrip(".").strip("()")
    return f"({bare})"


DASHES = ("—", "-", "–")
SECTION_HEADING = re.compile(r"^(Section|Part)\s+([A-Z0-9]+)\b")
NUMBERED_HEADING = re.compile(r"^(\d+)\.\s+\S")


class _Builder:
    def __init__(self, source: Source):
        self.source = source
        self.clauses: dict[str, Clause] = {}
        self.seq = 0

    def add(self, ref: str, kind: str, text: str, path: tuple[str, ...], url: str | None,
            parent: str | None, title: str | None = None) -> Clause:
        if ref in self.clauses:
            raise ValueError(f"{self.source.id}: duplicate reference {ref}")
        self.seq += 1
        clause = Clause(self.source.id, ref, kind, make_label(ref, self.source), path, text, url,
                        parent=parent, title=title, seq=self.seq)
        self.clauses[ref] = clause
        if parent:
            self.clauses[parent].children.append(ref)
        return clause

    def nodes(self, nodes: list[dict], parent_ref: str, parent_numbered: bool, path, url, prefix=None):
        """Add clauses for content nodes under ``parent_ref``; ``prefix`` is what points append to."""
        prefix = prefix or parent_ref
        unnumbered = 1 if parent_numbered else 0
        dashes = 0
        labels = [_point(n["num"]) for n in nodes if n.get("num") and n["num"].strip() not in DASHES]
        # A flat list that restarts its points after an unnumbered subparagraph
        # ("(a), (b), <subparagraph>, (a), (b)"): those points belong to the subparagraph.
        restarts = len(labels) != len(set(labels))
        subparagraph = None
        for node in nodes:
            num = node.get("num")
            parent = parent_ref
            if num is None:
                unnumbered += 1
                ref, kind = f"{parent_ref}, {ordinal(unnumbered)} subparagraph", "subparagraph"
                subparagraph = ref
            elif num.strip() in DASHES:
                dashes += 1
                ref, kind = f"{parent_ref}, {ordinal(dashes)} indent", "indent"
            elif restarts and subparagraph:
                ref, kind, parent = f"{subparagraph}, point {_point(num)}", "point", subparagraph
            else:
                ref = prefix + _point(num)
                kind = "paragraph" if num.strip().endswith(".") and "(" not in num else "point"
            self.add(ref, kind, render(node), path, url, parent)
            children = node.get("children") or []
            if children:
                self.nodes(children, ref, num is not None, path, url)


def _article_url(source: Source, number: int) -> str | None:
    if source.id in ("gdpr", FINAL_ACT):
        return f"{source.url}#art_{number}"
    return source.url


def _article_path(rec: dict) -> tuple[str, ...]:
    path = []
    if rec.get("title_num"):
        path.append(f"Title {rec['title_num']} {rec.get('title_heading') or ''}".strip())
    if rec.get("chapter_num"):
        path.append(f"Chapter {rec['chapter_num']} {rec.get('chapter_heading') or ''}".strip())
    if rec.get("section_num"):
        path.append(f"Section {rec['section_num']} {rec.get('section_heading') or ''}".strip())
    heading = f"Article {rec['number']}"
    if rec.get("title"):
        heading += f" {rec['title']}"
    return tuple(path + [heading])


def _rejoin_title(rec: dict) -> tuple[dict, list[dict]]:
    """A heading that ran onto a second PDF line ("Measures for small-scale providers and" /
    "users") comes back as a lowercase first node: return it to the title."""
    content = rec["content"]
    first = content[0] if content else None
    if (first and first.get("num") is None and not first.get("children") and rec.get("title")
            and len(first["text"]) < 80 and re.match(r"[a-z]", first["text"]) and not first["text"].endswith(".")):
        return dict(rec, title=f"{rec['title']} {first['text']}"), content[1:]
    return rec, content


def _parse_act(source: Source, records: list[dict]) -> dict[str, Clause]:
    b = _Builder(source)
    for rec in records:
        kind = rec.get("kind")
        if kind == "em_section":
            _add_em_section(b, source, rec)
        elif kind == "recital":
            ref = f"Recital {rec['number']}"
            b.add(ref, "recital", rec["text"], ("Recitals",), source.url, None)
        elif kind == "article":
            rec, content = _rejoin_title(rec)
            ref = f"Art. {rec['number']}"
            path = _article_path(rec)
            url = _article_url(source, rec["number"])
            text = "\n".join(render(n) for n in content)
            b.add(ref, "article", text, path, url, None, title=rec.get("title"))
            # An article of one unnumbered paragraph is cited as the article ("Article 48"), as EUR-Lex
            # does: it has no "first subparagraph" of the same words (28 articles of the three acts).
            if not (len(content) == 1 and content[0].get("num") is None and not content[0].get("children")):
                b.nodes(content, ref, False, path, url)
        elif kind == "annex":
            _add_annex(b, source, rec)
    return b.clauses


def _add_em_section(b: _Builder, source: Source, rec: dict) -> None:
    paragraphs = [p["text"] for p in rec.get("paragraphs") or [] if p.get("text", "").strip()]
    if not paragraphs:
        return  # five sections of the memorandum are bare headings: nothing to cite
    ref = f"EM {rec['number']}"
    path = ("Explanatory memorandum",) + tuple(rec.get("path") or [f"{rec['number']} {rec['heading']}"])
    b.add(ref, "em_section", "\n".join(paragraphs), path, source.url, None, title=rec.get("heading"))
    if len(paragraphs) > 1:
        for i, text in enumerate(paragraphs, 1):
            b.add(f"{ref}, para. {i}", "em_paragraph", text, path, source.url, ref)


def _add_annex(b: _Builder, source: Source, rec: dict) -> None:
    annex = f"Annex {rec['number']}"
    path = (f"{annex} {rec.get('title') or ''}".strip(),)
    b.add(annex, "annex", rec["text"], path, source.url, None, title=rec.get("title"))
    # Headings split an annex into groups; collect the nodes under each heading first.
    groups: list[tuple[dict | None, list[dict]]] = [(None, [])]
    for node in rec["content"]:
        if node.get("heading"):
            current = groups[-1][0]
            if current is not None and not groups[-1][1] and SECTION_HEADING.match(current["text"]) \
                    and not SECTION_HEADING.match(node["text"]) and not NUMBERED_HEADING.match(node["text"]):
                # "Section 1" followed by its title: one heading in two PDF lines
                current["text"] = f"{current['text']} {node['text']}"
                continue
            groups.append(({"text": node["text"]}, []))
        else:
            groups[-1][1].append(node)
    b.nodes(groups[0][1], annex, False, path, source.url)
    for heading, nodes in groups[1:]:
        text = heading["text"]
        section = SECTION_HEADING.match(text)
        numbered = NUMBERED_HEADING.match(text)
        body = "\n".join([text] + [render(n, 1) for n in nodes])
        if section:
            ref = f"{annex}, {section.group(1)} {section.group(2)}"
            b.add(ref, "annex_section", body, path + (text,), source.url, annex)
            b.nodes(nodes, ref, True, path + (text,), source.url)
        elif numbered:
            ref = f"{annex}({numbered.group(1)})"
            b.add(ref, "point", body, path + (text,), source.url, annex)
            # "3.1." restates the annex-wide number; "(a)" is a point of this heading's group.
            decimal = [n for n in nodes if re.match(r"\d+\.\d+", n.get("num") or "")]
            b.nodes([n for n in nodes if n not in decimal], ref, True, path + (text,), source.url)
            b.nodes(decimal, ref, True, path + (text,), source.url, prefix=annex)
        else:
            b.nodes([{"num": None, "text": text, "children": nodes}], annex, False, path, source.url)


# ---------------------------------------------------------------- commentary

DEBRIS = re.compile(r"^(EN( EN)*|\d{1,3}|(ANNEXES: )?TABLE OF CONTENTS|EPRS \| European Parliamentary Research Service)$",
                    re.IGNORECASE)
TEXT_KINDS = ("paragraph", "bullet", "box")


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.:;!?”\"’)\]]\s*(\[\^\d+\])?\s*$", text))


def _merge_commentary(records: list[dict]) -> tuple[str, list[dict]]:
    """Drop conversion debris; join the title page into one cover text and paragraphs that a
    page break split in two. Returns (cover text, text records)."""
    cover_lines: list[str] = []
    units: list[dict] = []
    seen_heading = False
    for rec in records:
        kind = rec.get("kind")
        if kind == "heading":
            seen_heading = True
            units.append(dict(rec))
            continue
        if kind not in TEXT_KINDS:
            continue
        text = rec["text"].strip()
        if not text or DEBRIS.match(text):
            continue
        if not seen_heading and rec.get("page") == 1 and rec.get("number") is None:
            cover_lines.append(text)
            continue
        prev = next((u for u in reversed(units) if u.get("kind") in TEXT_KINDS), None)
        last = units[-1] if units else None
        if (prev is not None and last is prev and rec.get("number") is None
                and not _ends_sentence(prev["text"]) and re.match(r"[a-z(]", text)):
            prev["text"] = f"{prev['text']} {text}"
            continue
        units.append(dict(rec, text=text))
    return " ".join(cover_lines), units


def _parse_commentary(source: Source, records: list[dict]) -> dict[str, Clause]:
    b = _Builder(source)
    cover, units = _merge_commentary(records)
    if cover:
        b.add("Cover", "cover", cover, ("Cover",), source.url, None)
    per_page: Counter = Counter()
    path: list[tuple[int, str]] = []
    for unit in units:
        if unit["kind"] == "heading":
            level = unit.get("level") or 1
            path = [p for p in path if p[0] < level]
            title = f"{unit['number']} {unit['text']}" if unit.get("number") else unit["text"]
            path.append((level, title))
            continue
        number = unit.get("number")
        if number:
            ref = f"Para. {number}"
        else:
            page = unit.get("page") or 0
            per_page[page] += 1
            ref = f"p. {page}, para. {per_page[page]}"
        heading_path = tuple(t for _, t in path) or ("Front matter",)
        b.add(ref, "commentary_paragraph", unit["text"], heading_path, source.url, None)
    return b.clauses


def build_clauses(source: Source, records: list[dict]) -> dict[str, Clause]:
    """The clauses of one document from its records (JSON Lines layout, without the meta line)."""
    parse = _parse_commentary if source.kind == "commentary" else _parse_act
    return parse(source, records)


# ---------------------------------------------------------------- documents

# "Art. 48, first subparagraph": how an article of one paragraph may still be named (``Document.find``).
ONE_PARAGRAPH = re.compile(r"(Art\. \d+\w*), first subparagraph")


@dataclass
class Document:
    source: Source
    meta: dict
    clauses: dict[str, Clause]

    @property
    def id(self) -> str:
        return self.source.id

    def find(self, ref: str) -> Clause | None:
        """The clause ``ref`` names; the "first subparagraph" of an article of one paragraph is the
        article, which has no sub-units of its own (``_parse_act``)."""
        clause = self.clauses.get(ref)
        if clause is None and (one := ONE_PARAGRAPH.match(ref)):
            article = self.clauses.get(one.group(1))
            return article if article is not None and not article.children else None
        return clause

    def get(self, ref: str) -> Clause:
        clause = self.find(ref)
        if clause is None:
            raise UnknownReference(nearby_message(self, ref))
        return clause

    def count(self, kind: str) -> int:
        return sum(1 for c in self.clauses.values() if c.kind == kind)

    def ancestors(self, ref: str) -> list[str]:
        """The references of the clauses ``ref`` sits in, nearest first, read off the texts'
        structure (Annex VII(3.2) is in Annex VII(3), which its number alone does not show)."""
        out, clause = [], self.clauses.get(ref)
        while clause is not None and clause.parent:
            out.append(clause.parent)
            clause = self.clauses.get(clause.parent)
        return out

    def descendants(self, ref: str) -> Iterator[Clause]:
        for child in self.clauses[ref].children:
            yield self.clauses[child]
            yield from self.descendants(child)


def nearby_message(doc: Document, ref: str, lang: str = "en") -> str:
    """Say what exists near an unknown reference: the parent's sub-units, or the range of units,
    in ``lang`` (references and document names stay as the English texts write them)."""
    from .i18n import t

    name = doc.source.short_name
    parent = ref
    while True:
        cut = re.match(r"(.*)(\([^()]*\)|, [a-z]+ (?:subparagraph|indent)|, para\. \d+)$", parent)
        if not cut:
            break
        parent = cut.group(1)
        if parent in doc.clauses:
            clause = doc.clauses[parent]
            kids = [doc.clauses[c] for c in clause.children]
            if not kids:
                return t("nonexistent_no_subunits", lang, name=name, ref=human_ref(ref), parent=human_ref(parent))
            names = [k.ref[len(parent):].strip(", ") for k in kids]
            shown = (t("range", lang, first=names[0], last=names[-1]) if len(names) > 2
                     else t("pair", lang, first=names[0], second=names[1]) if len(names) == 2 else names[0])
            what = {"point": "units_points", "paragraph": "units_paragraphs"}.get(kids[0].kind)
            return t("nonexistent_parts", lang, name=name, ref=human_ref(ref), parent=human_ref(parent),
                     units=t(what, lang) if what else "", shown=shown).replace("  ", " ")
    top = top_level(ref)
    kinds = {"Art.": ("article", "units_articles"), "Annex": ("annex", "units_annexes"),
             "Recital": ("recital", "units_recitals"), "EM": ("em_section", "units_memorandum_sections"),
             "Para.": ("commentary_paragraph", "units_paragraphs")}
    for prefix, (kind, plural) in kinds.items():
        if ref.startswith(prefix):
            units = [c.ref for c in doc.clauses.values() if c.kind == kind and c.ref.startswith(prefix)]
            if units:
                return t("nonexistent_range", lang, name=name, ref=human_ref(top), units=t(plural, lang),
                         first=human_ref(units[0]), last=human_ref(units[-1]))
            return t("nonexistent_no_units", lang, name=name, units=t(plural, lang))
    return t("nonexistent_clause", lang, name=name, ref=ref)


class Library:
    """All documents of the corpus as clauses."""

    @classmethod
    def from_settings(cls, settings) -> "Library":
        from .fetch import ensure_corpus
        ensure_corpus(settings)  # the first start on a fresh machine fetches the sources, saying so
        corpus = Corpus.from_settings(settings)
        for source in corpus.unavailable:
            print(f"Note: {source.label_name} ({source.file}) is not in the corpus directory {corpus.dir} and "
                  "has no address to fetch it from: answering without it.", file=sys.stderr)
        return cls(corpus)

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.documents: dict[str, Document] = {}
        for source in corpus.sources:
            records = corpus.records(source)
            self.documents[source.id] = Document(source, records[0], build_clauses(source, records[1:]))

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents.values())

    def document(self, doc_id: str) -> Document:
        try:
            return self.documents[doc_id]
        except KeyError:
            known = ", ".join(self.documents)
            raise UnknownReference(f"Unknown document '{doc_id}'. Known documents: {known}.") from None

    def get(self, doc_id: str, ref: str) -> Clause:
        return self.document(doc_id).get(ref)

    def find(self, doc_id: str, ref: str) -> Clause | None:
        doc = self.documents.get(doc_id)
        return doc.find(ref) if doc else None

    def has_list(self, clause: Clause) -> bool:
        """Whether the clause holds a list: two points or indents or more, or, in an annex, two
        numbered paragraphs or more (Annex VIII's "1. Name, address and contact details of the
        provider;" ... are the items of what a provider registers)."""
        doc = self.document(clause.doc)
        kinds = LIST_KINDS + (("paragraph",) if clause.kind == "annex" else ())
        return sum(1 for c in clause.children if doc.clauses[c].kind in kinds) >= 2

    def list_of(self, clause: Clause) -> Clause:
        """The clause that holds a whole list: the clause itself when it has points, its parent
        when it is a point or a chapeau whose points are its siblings."""
        doc = self.document(clause.doc)
        current = clause
        for _ in range(3):
            if self.has_list(current):
                return current
            if not current.parent:
                break
            current = doc.clauses[current.parent]
        return clause

    def referred_within(self, clause: Clause) -> list[Clause]:
        """The other paragraphs or points of its own article that an article's clause refers to
        ("... for any of the objectives referred to in paragraph 1 point d)", "pursuant to
        paragraph 1 to erase", "in the cases referred to in points (a) and (c) of paragraph 2"):
        the rule it builds on. In the text's order, each once; none for a recital, annex or
        commentary paragraph."""
        if not clause.ref.startswith("Art. "):
            return []
        article = top_level(clause.ref)
        out: list[Clause] = []
        for match in RELATIVE_REFERENCE.finditer(clause.text):
            paragraph = match.group("para") or match.group("para2") or match.group("para3")
            point = match.group("point") or match.group("point2")
            found = self.find(clause.doc, f"{article}({paragraph})" + (f"({point})" if point else ""))
            if found is not None and not is_within(found.ref, clause.ref) and not is_within(clause.ref, found.ref) \
                    and found not in out:
                out.append(found)
        return out

    @cached_property
    def all_clauses(self) -> list[Clause]:
        return [c for doc in self for c in doc.clauses.values()]

    def stats(self) -> list[dict]:
        rows = []
        for doc in self:
            rows.append({
                "id": doc.id,
                "title": doc.source.title,
                "articles": doc.count("article"),
                "recitals": doc.count("recital"),
                "annexes": doc.count("annex"),
                "clauses": len(doc.clauses),
                "by_kind": dict(Counter(c.kind for c in doc.clauses.values())),
            })
        return rows


def iter_clauses(library: Library, documents: Iterable[str] | None = None) -> Iterator[Clause]:
    wanted = set(documents) if documents else None
    for doc in library:
        if wanted is None or doc.id in wanted:
            yield from doc.clauses.values()
