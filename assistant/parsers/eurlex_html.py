"""EUR-Lex Official Journal HTML (the GDPR's 2016 layout and the 2024 "oj-" layout) into act records.

The records have the layout of the corpus' JSON Lines (``recital``, ``article`` with its chapter and
section, ``annex``, ``footnote``; article and annex ``content`` as a tree of ``{num, text, children}``
nodes), so that one clause builder serves both sources. The Official Journal marks structure with CSS
classes (``ti-art``, ``sti-art``, ``ti-section-1``, ``doc-ti``, ...; the 2024 layout prefixes them with
``oj-``) and sets every numbered point as a two-cell table (label, content) that nests for sub-points;
paragraph numbers are the leading "1.   " of a plain paragraph.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import lxml.html

from ..content import flatten
from ..errors import CorpusError

# A point label: (a), (iv), (12), 1., 3.1., — and the quoted labels of amending provisions (‘(68)).
LABEL = re.compile(r"^[‘'\"]?(\(\w{1,6}\)|\d{1,3}(\.\d{1,3})*\.|[—–-])$")
PARAGRAPH_NUMBER = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
CHAPTER = re.compile(r"^CHAPTER\s+([IVXLC]+)$", re.IGNORECASE)
SECTION = re.compile(r"^SECTION\s+(\d+)$", re.IGNORECASE)
ARTICLE = re.compile(r"^Article\s+(\d+)$")
ANNEX = re.compile(r"^ANNEX\s+([IVXLC]+)$")
FOOTNOTE_MARK = re.compile(r"^\((\*|\d+)\)$")
# The 2024 file was saved from a browser that wrapped long source lines at a space (kept) or right
# after a hyphen ("High-\nrisk"): a newline between a hyphen and a letter is not in the text. The
# measurement: in the 2024 file every newline between two non-space characters follows a hyphen
# (18 of them); the GDPR file has none.
WRAPPED_HYPHEN = re.compile(r"-\n(?=\S)")


def _classes(el) -> set[str]:
    """CSS classes with the 2024 layout's ``oj-`` prefix removed."""
    return {c.removeprefix("oj-") for c in (el.get("class") or "").split()}


def _text(el) -> str:
    """The visible text of an element, whitespace collapsed, footnote calls written ``[^N]`` as in the
    corpus' JSON Lines."""
    parts: list[str] = []

    def walk(node):
        if node.tag == "a" and (node.get("href") or "").startswith("#ntr"):
            mark = FOOTNOTE_MARK.match(re.sub(r"\s+", "", node.text_content()))
            if mark:
                while parts and parts[-1].endswith((" ", "\xa0", "\n")):
                    parts[-1] = parts[-1].rstrip()
                parts.append(f"[^{mark.group(1)}]")
                if node.tail:
                    parts.append(node.tail)
                return
        if node.tag == "br":
            parts.append(" ")
        if "super" in _classes(node) and (node.text or "").isdigit() and "".join(parts)[-1:].isdigit():
            parts.append("^")  # an exponent (10^25 FLOPs in Art. 51(2)), which plain text would read as 1025
        if node.text and not callable(node.tag):
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return _clean("".join(parts))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", WRAPPED_HYPHEN.sub("-", text).replace("\xa0", " ")).strip()


@dataclass
class Block:
    """One block of the document body in reading order: a styled paragraph or a point table."""

    kind: str  # the paragraph's class ('normal', 'ti-art', ...), 'table', 'enumeration' or 'separator'
    el: object
    literal: str | None = None  # text set straight in a cell, outside any element

    @property
    def text(self) -> str:
        return _clean(self.literal) if self.literal is not None else _text(self.el)


BLOCK_CLASSES = {"normal", "ti-art", "sti-art", "ti-section-1", "ti-section-2", "doc-ti", "ti-grseq-1",
                 "note", "final", "signatory"}


def _blocks(root) -> Iterator[Block]:
    for el in root:
        if not isinstance(el.tag, str):
            continue
        classes = _classes(el)
        if el.tag == "table":
            yield Block("table", el)
        elif el.tag == "p":
            kind = next((c for c in classes if c in BLOCK_CLASSES), None)
            if kind:
                yield Block(kind, el)
        elif "final" in classes:
            yield Block("final", el)
        elif "enumeration-spacing" in classes:
            yield Block("enumeration", el)
        elif el.tag == "hr" and classes & {"separator", "doc-end"}:
            yield Block("separator", el)
        elif el.tag in ("nav", "script", "style", "head"):
            continue
        else:
            yield from _blocks(el)


def _cells(table) -> tuple[str | None, object | None]:
    """(label, content cell) of a point table; (None, None) for a table that is not a point."""
    rows = table.xpath("./tbody/tr | ./tr")
    if len(rows) != 1:
        return None, None
    cells = [td for td in rows[0] if td.tag == "td"]
    if len(cells) < 2:
        return None, None
    label = " ".join(_text(td) for td in cells[:-1]).strip()
    return (label, cells[-1]) if LABEL.match(label) else (None, None)


def _point(table) -> dict | None:
    """A point table as a node: the first text of its content cell, then its own subparagraphs
    (further paragraphs in the cell) and sub-points (nested tables) as children."""
    label, cell = _cells(table)
    if cell is None:
        return None
    node: dict = {"num": label, "text": None, "children": []}
    for block in _cell_blocks(cell):
        if block.kind == "table":
            child = _point(block.el)
            if child:
                node["children"].append(child)
            continue
        text = block.text
        if not text:
            continue
        if node["text"] is None:
            node["text"] = text
        else:
            node["children"].append({"num": None, "text": text})
    node["text"] = node["text"] or ""
    if not node["children"]:
        del node["children"]
    return node


def _cell_blocks(cell) -> Iterator[Block]:
    """Blocks of a table cell: paragraphs, nested tables, and bare text (annex lists set their
    items as ``<span>`` straight in the cell)."""
    if (cell.text or "").strip():
        yield Block("normal", cell)
        return
    for el in cell:
        if not isinstance(el.tag, str):
            continue
        if el.tag == "table":
            yield Block("table", el)
        elif el.tag == "p" or el.tag == "span":
            yield Block("normal", el)
        else:
            yield from _cell_blocks(el)
        # Text after an element, outside any paragraph (the ";" closing a quoted amendment in
        # Art. 108 of the 2024 Act): kept as a subparagraph of its own, as the manual conversion did.
        if (el.tail or "").strip():
            yield Block("normal", el, literal=el.tail)


class _Acts:
    """Reads the block stream once: preamble, recitals, articles by chapter and section, annexes."""

    def __init__(self):
        self.records: list[dict] = []
        self.part = "preamble"
        self.chapter: tuple[str | None, str | None] = (None, None)
        self.section: tuple[str | None, str | None] = (None, None)
        self.pending_heading: str | None = None  # 'chapter' or 'section' awaiting its ti-section-2
        self.current: dict | None = None
        self.paragraph: dict | None = None  # the numbered paragraph that collects what follows
        self.annex_title_due = False
        self.closed = False  # the closing formula ("Done at ...") was read: the act is whole

    # -- structure
    def heading(self, block: Block) -> None:
        text = block.text
        if block.kind == "ti-section-1":
            if m := CHAPTER.match(text):
                self.chapter, self.section = (m.group(1), None), (None, None)
                self.pending_heading = "chapter"
            elif m := SECTION.match(text):
                self.section = (m.group(1), None)
                self.pending_heading = "section"
        elif block.kind == "ti-section-2" and self.pending_heading:
            if self.pending_heading == "chapter":
                self.chapter = (self.chapter[0], text)
            else:
                self.section = (self.section[0], text)
            self.pending_heading = None

    def start_article(self, number: int) -> None:
        self.part = "articles"
        self.current = {"kind": "article", "number": number, "title": None,
                        "chapter_num": self.chapter[0], "chapter_heading": self.chapter[1],
                        "section_num": self.section[0], "section_heading": self.section[1], "content": []}
        self.paragraph = None
        self.records.append(self.current)

    def start_annex(self, number: str) -> None:
        self.part = "annexes"
        self.current = {"kind": "annex", "number": number, "title": None, "content": []}
        self.paragraph = None
        self.annex_title_due = True
        self.records.append(self.current)

    # -- content
    def add(self, node: dict) -> None:
        if self.current is None:
            return
        if self.paragraph is not None and not node.get("heading"):
            self.paragraph.setdefault("children", []).append(node)
        else:
            self.current["content"].append(node)

    def numbered_paragraph(self, text: str) -> dict | None:
        """A plain paragraph opening with the article's next paragraph number ("2.   ...")."""
        m = PARAGRAPH_NUMBER.match(text)
        if not m or self.current is None or self.current["kind"] != "article":
            return None
        expected = int(self.paragraph["num"].rstrip(".")) + 1 if self.paragraph else 1
        if int(m.group(1)) != expected:
            return None
        return {"num": f"{m.group(1)}.", "text": text[m.end():]}

    def feed(self, block: Block) -> None:
        kind = block.kind
        if kind in ("ti-section-1", "ti-section-2"):
            self.heading(block)
            return
        if kind == "ti-art" and (m := ARTICLE.match(block.text)):
            self.start_article(int(m.group(1)))
            return
        if kind == "sti-art" and self.current is not None and self.current["kind"] == "article":
            # The 2024 file prints Art. 1's title as "Subject matter`": a stray backtick of the source.
            self.current["title"] = block.text.rstrip("`").rstrip()
            return
        if kind == "doc-ti":
            if m := ANNEX.match(block.text):
                self.start_annex(m.group(1))
            elif self.annex_title_due and self.current is not None:
                self.current["title"] = block.text
                self.annex_title_due = False
            return
        if kind == "separator" and self.part != "preamble":
            # The rule after the last annex: what follows is the OJ colophon (ELI, ISSN), not the act.
            self.current, self.paragraph, self.part = None, None, "end"
            return
        if kind == "final":
            self.closed = True
            self.current, self.paragraph, self.part = None, None, "closing"
            return
        if kind == "note":
            self.footnote(block)
            return
        if self.part == "preamble":
            self.preamble(block)
            return
        if kind == "ti-grseq-1" and self.current is not None:
            self.paragraph = None
            self.add({"num": None, "text": block.text, "heading": True})
            return
        if kind == "enumeration":
            # Annex VI sets its points as two inline paragraphs (label, text) instead of a table.
            label, *rest = [_text(p) for p in block.el.findall("p")]
            if LABEL.match(label):
                self.add({"num": label, "text": " ".join(rest)})
            return
        if kind == "table":
            node = _point(block.el)
            if node is not None:
                self.add(node)
            return
        if kind == "normal":
            text = block.text
            if not text:
                return
            para = self.numbered_paragraph(text)
            if para is not None:
                self.paragraph = None
                self.add(para)
                self.paragraph = para
            else:
                self.add({"num": None, "text": text})

    def preamble(self, block: Block) -> None:
        if block.kind != "table":
            return
        label, cell = _cells(block.el)
        if label and re.fullmatch(r"\(\d+\)", label):
            paragraphs = [b.text for b in _cell_blocks(cell) if b.kind != "table" and b.text]
            self.records.append({"kind": "recital", "number": int(label.strip("()")),
                                 "text": "\n".join(paragraphs)})

    def footnote(self, block: Block) -> None:
        anchor = block.el.find(".//a")
        if anchor is None:
            return
        mark = FOOTNOTE_MARK.match(re.sub(r"\s+", "", anchor.text_content()))
        if not mark:
            return
        text = _text(block.el)
        text = text[len(re.sub(r"\s+", "", anchor.text_content())):].strip()
        self.records.append({"kind": "footnote", "number": mark.group(1), "text": text})


def parse(files: list[tuple[str, bytes]]) -> list[dict]:
    """The act records of one EUR-Lex Official Journal HTML file, given as ``[(name, bytes)]``
    (``name`` is used in errors)."""
    if len(files) != 1:
        raise CorpusError(f"An Official Journal act is one HTML file; the manifest gives {len(files)}.")
    name, data = files[0]
    try:
        data.decode("utf-8")  # EUR-Lex serves UTF-8; anything else is a damaged or a wrong file
        root = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{name} is not UTF-8 text (byte {exc.start}): a damaged or binary file, "
                          "not the EUR-Lex HTML.") from None
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorpusError(f"{name} is not readable HTML: {exc}") from None
    acts = _Acts()
    for block in _blocks(root.body if root.find("body") is not None else root):
        acts.feed(block)
    records = acts.records
    _check_whole(name, root, records, acts.closed)
    for rec in records:
        if "content" in rec:
            rec["text"] = flatten(rec["content"])
    return records


def _check_whole(name: str, root, records: list[dict], closed: bool) -> None:
    """Refuse a file that is not a whole act: an error page, a cut download, a gap in the articles."""
    articles = [r["number"] for r in records if r["kind"] == "article"]
    if not articles:
        title = (root.findtext(".//title") or "").strip()
        raise CorpusError(f"{name} holds no articles of an act in the Official Journal layout "
                          f"(page title: {title[:80]!r}); it is not the expected EUR-Lex text.")
    if articles != list(range(1, len(articles) + 1)):
        gap = next(n for i, n in enumerate(articles, 1) if n != i)
        raise CorpusError(f"{name}: the articles are not numbered 1 to {len(articles)} without gaps "
                          f"(Article {gap} comes in position {articles.index(gap) + 1}); the file is not the whole act.")
    if not closed:
        last = next(r for r in reversed(records) if r["kind"] in ("article", "annex"))
        where = f"Article {last['number']}" if last["kind"] == "article" else f"Annex {last['number']}"
        raise CorpusError(f"{name} ends at {where} without the act's closing formula (\"Done at ...\"): "
                          "the file is cut short or is not the whole act.")
