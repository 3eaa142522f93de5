"""A Commission legislative proposal's PDFs (COM(2021) 206: the proposal, then its annexes) as act
records: the explanatory memorandum's numbered sections and their paragraphs; recitals; articles with
their titles, chapters, paragraphs, points, sub-points and subparagraphs; annexes with their sections
and points. The legislative financial statement is not parsed (the clause model does not cite it).

Against the manual conversion (tests/test_parsers.py): 1012 of 1012 clauses identical.
"""
from __future__ import annotations

import re

from ..content import flatten
from ..errors import CorpusError
from . import pdf_text

ARTICLE = re.compile(r"^Article (\d+)$")
TITLE = re.compile(r"^TITLE ([IVXLC]+)$")
CHAPTER = re.compile(r"^CHAPTER (\d+)$")
RECITAL = re.compile(r"^\((\d{1,3})\) (.+)$")
PARAGRAPH = re.compile(r"^(\d{1,3})\. (.+)$")
POINT = re.compile(r"^(\((?:[a-z]{1,4}|\d{1,3})\)|[—–-]) (.+)$")
ANNEX = re.compile(r"^ANNEX ([IVXLC]+)$")
ANNEX_POINT = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\. (.+)$")
SECTION_HEAD = re.compile(r"^(Section|Part) [A-Z0-9]+\b")
ROMAN = re.compile(r"^\((?=[ivxl]+\))(x{0,3})(ix|iv|v?i{0,3})\)$")


def _letter_after(label: str | None) -> str:
    if label is None:
        return "(a)"
    return f"({chr(ord(label[1]) + 1)})" if len(label) == 3 else ""


def _kind(label: str, open_point: dict | None) -> str:
    """'roman' for (i), (ii) ... under a letter point; (i) right after (h) is the letter i unless
    (h) announces a list (ends with ":")."""
    if label in ("—", "–", "-"):
        return "indent"
    if re.fullmatch(r"\(\d+\)", label):
        return "number"
    if not ROMAN.match(label) or open_point is None:
        return "letter"
    follows = {"(i)": "(h)", "(v)": "(u)", "(x)": "(w)"}.get(label)
    if follows and open_point["num"] == follows and not open_point["text"].endswith(":"):
        return "letter"
    return "roman"


# Points set this much further right than an unnumbered subparagraph are its own (Art. 1 of
# COM(2021) 206 indents its points to 113 pt under "This Regulation lays down:" at 71 pt; Art. 3 and
# Art. 16 set theirs at the margin, as siblings).
INDENTED = 20.0


class _Article:
    """Builds one article's content tree from its paragraphs in reading order."""

    def __init__(self):
        self.content: list[dict] = []
        self.paragraph: dict | None = None  # numbered paragraph open
        self.letter: dict | None = None  # letter or number point open (for its sub-points)
        self.intro: tuple[dict, float] | None = None  # unnumbered subparagraph and its indent

    def _holder(self, indent: float | None) -> list[dict]:
        if self.paragraph is not None:
            return self.paragraph.setdefault("children", [])
        if self.intro is not None and indent is not None and indent > self.intro[1] + INDENTED:
            return self.intro[0].setdefault("children", [])
        return self.content

    def add(self, text: str) -> None:
        if m := PARAGRAPH.match(text):
            expected = int(self.paragraph["num"][:-1]) + 1 if self.paragraph else 1
            if int(m.group(1)) == expected:
                self.paragraph = {"num": f"{m.group(1)}.", "text": m.group(2)}
                self.content.append(self.paragraph)
                self.letter = self.intro = None
                return
        if m := POINT.match(text):
            label, body = m.group(1), m.group(2)
            node = {"num": label, "text": body}
            # a point of a deeper kind than the open one is its sub-point: (1) > (a) > (i)
            kind = _kind(label, self.letter)
            if self.letter is not None and (kind == "roman" or (kind == "letter" and _kind(self.letter["num"], None) == "number")):
                self.letter.setdefault("children", []).append(node)
                return
            holder = self._holder(getattr(text, "indent", None))
            _renumber(holder, node)
            holder.append(node)
            self.letter = node
            return
        node = {"num": None, "text": text}
        if self.paragraph is not None:
            self.paragraph.setdefault("children", []).append(node)
        else:
            self.content.append(node)
            indent = getattr(text, "indent", None)
            self.intro = (node, indent) if indent is not None else None
        self.letter = None


class _Annex(_Article):
    """An annex: numbered points ("1.", "3.1.") in any order of the annex's own numbering, section
    headings ("Section A – ...", "Part 1") as heading nodes, then points and subparagraphs as in an
    article."""

    def add(self, text: str) -> None:
        if SECTION_HEAD.match(text):
            self.content.append({"num": None, "text": text, "heading": True})
            self.paragraph = self.letter = None
            return
        if m := ANNEX_POINT.match(text):
            self.paragraph = {"num": f"{m.group(1)}.", "text": m.group(2)}
            self.content.append(self.paragraph)
            self.letter = None
            return
        super().add(text)


def _heading(text: str) -> str:
    """The PDF of COM(2021) 206 prints Title VIII's heading "POST-MARKET MONITORING,INFORMATION
    SHARING": a comma between two capitals in a heading takes its space."""
    return re.sub(r"(?<=[A-Z]),(?=[A-Z])", ", ", text)


def _renumber(siblings: list[dict], node: dict) -> None:
    """The PDF's automatic numbering sometimes prints a label twice ("(a), (a), (b)" in Art. 1):
    a label equal to the previous sibling's takes the next in sequence; the printed one is kept."""
    previous = next((s for s in reversed(siblings) if s.get("num") and s["num"][0] == "("), None)
    if previous is None or node["num"][0] != "(":
        return
    if previous["num"] == node["num"] or previous.get("printed_num") and _next(previous["printed_num"]) == node["num"]:
        node["printed_num"] = node["num"]
        node["num"] = _next(previous["num"])


def _next(label: str) -> str:
    inner = label[1:-1]
    return f"({int(inner) + 1})" if inner.isdigit() else _letter_after(label)


def parse(files: list[tuple[str, bytes]]) -> list[dict]:
    name, data = files[0]
    pages = pdf_text.repaired_pages(data, name)
    paras = [text for _, text in pdf_text.paragraphs(pages)]
    try:
        start = paras.index("Whereas:")
        enact = next(i for i, t in enumerate(paras) if t.startswith("HAVE ADOPTED THIS REGULATION"))
        end = next(i for i, t in enumerate(paras) if t.startswith("Done at "))
    except (ValueError, StopIteration):
        raise CorpusError(f"{name}: no recitals, enacting formula or closing 'Done at' found: "
                          "not the whole text of a Commission proposal.") from None
    records: list[dict] = _memorandum(paras[:start])
    for text in paras[start + 1:enact]:
        if m := RECITAL.match(text):
            records.append({"kind": "recital", "number": int(m.group(1)), "text": m.group(2)})
        elif records:
            records[-1]["text"] += "\n" + text
    title = chapter = (None, None)
    pending = None
    article: _Article | None = None
    record: dict | None = None
    body = paras[enact + 1:end]
    for i, text in enumerate(body):
        if m := TITLE.match(text):
            title, chapter, pending = (m.group(1), None), (None, None), "title"
            continue
        if m := CHAPTER.match(text):
            chapter, pending = (m.group(1), None), "chapter"
            continue
        if pending == "article-title":
            pending = None
            continue
        if pending in ("title", "chapter"):
            text = _heading(text)
            if pending == "title":
                title = (title[0], text)
            else:
                chapter = (chapter[0], text)
            pending = "heading-more"
            continue
        if pending == "heading-more":
            pending = None
            if text.isupper() and not ARTICLE.match(text):  # a heading set on two lines
                text = _heading(text)
                if chapter[0]:
                    chapter = (chapter[0], f"{chapter[1]} {text}")
                else:
                    title = (title[0], f"{title[1]} {text}")
                continue
        if m := ARTICLE.match(text):
            article = _Article()
            record = {"kind": "article", "number": int(m.group(1)), "title": None,
                      "title_num": title[0], "title_heading": title[1],
                      "chapter_num": chapter[0], "chapter_heading": chapter[1], "content": article.content}
            records.append(record)
            following = body[i + 1] if i + 1 < len(body) else ""
            if following and not (PARAGRAPH.match(following) or POINT.match(following) or following.endswith((".", ":"))):
                record["title"] = following
                pending = "article-title"
            continue
        if article is not None and not text.startswith("This Regulation shall be binding in its entirety"):
            article.add(text)
    for name, data in files[1:]:
        records += _annexes(name, data)
    for rec in records:
        if "content" in rec:
            rec["text"] = flatten(rec["content"])
    for note_page in pages:
        for number, text in note_page.footnotes.items():
            records.append({"kind": "footnote", "number": number, "text": text})
    return records


def _annexes(name: str, data: bytes) -> list[dict]:
    """The annexes PDF: "ANNEX N", its title, then its content up to the next annex."""
    records: list[dict] = []
    annex: _Annex | None = None
    title_due = False
    for _, text in pdf_text.paragraphs(pdf_text.repaired_pages(data, name)):
        if m := ANNEX.match(text):
            annex = _Annex()
            records.append({"kind": "annex", "number": m.group(1), "title": None, "content": annex.content})
            title_due = True
        elif title_due:
            records[-1]["title"] = text
            title_due = False
        elif annex is not None:
            annex.add(text)
    if not records:
        raise CorpusError(f"{name} holds no 'ANNEX' headings: not the annexes of a Commission proposal.")
    return records


EM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.? (\S.*)$")


def _follows(number: list[int], last: list[int]) -> bool:
    """Whether a section number comes next after ``last``: its first sub-section, or the next
    section at its own or a higher level (1.3 -> 1.3.1, 1.4, 2)."""
    if number == last + [1]:
        return True
    return any(number == last[:k] + [last[k] + 1] for k in range(len(last)))


def _memorandum(paras: list[str]) -> list[dict]:
    """The explanatory memorandum's sections: numbered headings in sequence, their paragraphs
    (bullets without their marker, as the JSON Lines give them), up to the proposal's own cover."""
    try:
        start = paras.index("EXPLANATORY MEMORANDUM") + 1
    except ValueError:
        return []
    sections: list[dict] = []
    last: list[int] = []
    path: list[str] = []
    for text in paras[start:]:
        if re.fullmatch(r"\d{4}/\d{4} \(COD\)", text):  # the procedure number on the proposal's cover
            break
        m = EM_HEADING.match(text)
        number = [int(n) for n in m.group(1).split(".")] if m else None
        if number and _follows(number, last):
            last = number
            label = ".".join(map(str, number))
            path = path[:len(number) - 1] + [f"{label} {m.group(2)}"]
            sections.append({"kind": "em_section", "number": label, "heading": m.group(2), "level": len(number),
                             "path": list(path), "paragraphs": []})
        elif sections and not sections[-1]["paragraphs"] and text.isupper():  # a heading on two lines
            section = sections[-1]
            section["heading"] = f"{section['heading']} {text}"
            section["path"][-1] = f"{section['number']} {section['heading']}"
            path[-1] = section["path"][-1]
        elif sections:
            bullet = re.match(r"^[•▪–-] (.+)$", text)
            sections[-1]["paragraphs"].append({"text": bullet.group(1)} if bullet else {"text": text})
    for section in sections:
        section["text"] = "\n".join(p["text"] for p in section["paragraphs"])
    return sections
