"""The text layer of the Commission's and publishers' PDFs, repaired line by line.

Text comes from pypdfium2 (PDFium; Apache-2.0/BSD-3-Clause), chosen by measurement on the corpus' PDFs
(bench/pdf_libraries.py): the same text as pypdf with 18x less time (0.6 s against 10.9 s for the 108
pages of COM(2021) 206 on 2 cores), where pdfplumber took 42 s and pdfminer.six 24 s for no more of
the oracle's lines; PyMuPDF was not considered for its AGPL licence.

What the PDFs break, each repaired by a rule below (tests/test_parsers.py has one test each):
glyphs (ligatures, PDFium's U+FFFE for a printed hyphen, Symbol-font bullets), running headers and
footers ("EN 40 EN", repeated on every page), footnotes (moved out of the body, their calls written
``[^N]`` as in the JSON Lines) and words hyphenated at a line end. ``paragraphs`` joins lines by the
wrap space PDFium leaves inside a paragraph and by the page geometry (a paragraph's extra space above
a line, read from ``PdfTextPage.get_charbox``: COM(2021) 206 sets lines 13.8 pt apart, paragraphs
17-20 pt apart). The commentary PDFs rebuild their rows from the characters instead
(``commentary_pdf``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import CorpusError

GLYPHS = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",  # ligatures
    "\ufffe": "-",  # PDFium's mark for a hyphen the PDF printed ("high\ufffe risk"): a real hyphen here
    "\uf0b7": "•", "\uf0a8": "•", "\uf09f": "•", "\uf0a7": "•", "\uf0d8": "•",  # Symbol/Wingdings bullets
    "\xa0": " ",
}
GLYPH = re.compile("|".join(map(re.escape, GLYPHS)))
# A page furniture line once its digits are masked: recurring on at least this share of the pages at
# the top or bottom ("EN 40 EN" is on all 108 pages of COM(2021) 206 but its cover).
RUNNING_SHARE = 0.5
FOOTNOTE_LINE = re.compile(r"^(\d{1,3}) (\S.*)$")


# A line sits lower than the page's line pitch allows: a paragraph starts there. COM(2021) 206
# sets lines 13.8 pt apart and paragraphs 17-20 pt apart; 1.18 x the pitch (16.3 pt) falls between.
GAP_FACTOR = 1.18


class Line(str):
    """A text line (or paragraph), whether the page leaves a paragraph's space above it, and where its
    first character starts (points, pt from the left edge)."""

    gap: bool
    indent: float | None

    def __new__(cls, text: str, gap: bool = False, indent: float | None = None) -> "Line":
        line = super().__new__(cls, text)
        line.gap, line.indent = gap, indent
        return line


def _like(line: str, text: str) -> str:
    """``text`` with the geometry of ``line`` (the rules below rewrite lines; the geometry stays)."""
    return Line(text, line.gap, line.indent) if isinstance(line, Line) else text


@dataclass
class Page:
    number: int  # 1-based
    lines: list[str]
    footnotes: dict[str, str] = field(default_factory=dict)


def check_pdf(data: bytes, name: str) -> None:
    """Refuse what is not a whole PDF, naming the file."""
    if not data.startswith(b"%PDF-"):
        raise CorpusError(f"{name} is not a PDF (it starts with {data[:16]!r}).")
    if b"%%EOF" not in data[-2048:]:
        raise CorpusError(f"{name} is cut short: a PDF ends with %%EOF and this one does not "
                          f"({len(data)} bytes); fetch it again.")


def read_pages(data: bytes, name: str) -> list[list[str]]:
    """The text lines of every page; a damaged or cut PDF is refused naming the file."""
    import pypdfium2 as pdfium
    check_pdf(data, name)
    try:
        doc = pdfium.PdfDocument(data)
        pages = [_geometry(doc[i].get_textpage()) for i in range(len(doc))]
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{name} is a damaged PDF ({exc}); fetch it again.") from None
    # The body text's line pitch is the commonest step between lines in the whole document (a
    # page full of footnotes in a smaller font must not set it).
    steps = Counter(round(a[1] - b[0], 1) for _, rows, _ in pages for a, b in zip(rows, rows[1:])
                    if a[1] is not None and b[0] is not None and 8 < a[1] - b[0] < 30)
    pitch = steps.most_common(1)[0][0] if steps else None
    out = []
    for lines, rows, indents in pages:
        page, previous = [], None
        for line, (first, last), indent in zip(lines, rows, indents):
            gap = bool(pitch and previous is not None and first is not None and previous - first > GAP_FACTOR * pitch)
            page.append(Line(line, gap, indent))
            previous = last if last is not None else previous
        out.append(page)
    return out


def _geometry(textpage) -> tuple[list[str], list[tuple[float | None, float | None]], list[float | None]]:
    """The page's text lines, the baselines of each line's first and last row, and where each
    starts. The text's character indexes are the page's (PDFium counts its generated line breaks);
    a text line may cover two rows when PDFium generates no break after a wrap space, so the space
    above a line is measured from the previous line's last row to its own first."""
    text = textpage.get_text_range()
    lines = text.split("\r\n")

    def baseline(start: int, chars: range) -> float | None:
        boxes = [textpage.get_charbox(start + k, loose=True) for k in chars if not text[start + k].isspace()]
        return min(b[1] for b in boxes) if boxes else None

    rows: list[tuple[float | None, float | None]] = []
    indents: list[float | None] = []
    index = 0
    for line in lines:
        rows.append((baseline(index, range(min(len(line), 8))), baseline(index, range(max(0, len(line) - 8), len(line)))))
        first = next((k for k, c in enumerate(line) if not c.isspace()), None)
        indents.append(textpage.get_charbox(index + first, loose=True)[0] if first is not None else None)
        index += len(line) + 2
    return lines, rows, indents


def fix_glyphs(line: str) -> str:
    return GLYPH.sub(lambda m: GLYPHS[m.group(0)], line)


def _mask(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove the first and last lines that recur (digits aside) on most pages: headers, footers,
    page numbers."""
    def edge(lines, index):
        filled = [line for line in lines if line.strip()]
        return _mask(filled[index]) if filled else None
    tops = Counter(edge(p, 0) for p in pages)
    bottoms = Counter(edge(p, -1) for p in pages)
    running = {m for counter in (tops, bottoms) for m, n in counter.items()
               if m is not None and n >= RUNNING_SHARE * len(pages) and len(pages) > 2}
    out = []
    for lines in pages:
        lines = list(lines)
        while lines and (not lines[0].strip() or _mask(lines[0]) in running):
            lines.pop(0)
        while lines and (not lines[-1].strip() or _mask(lines[-1]) in running):
            lines.pop()
        out.append(lines)
    return out


def split_footnotes(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """The body lines and the footnotes of one page. Footnotes are the block after the page's last
    blank line whose first line is "N text"; a footnote's continuation lines are joined to it."""
    blanks = [i for i, line in enumerate(lines) if not line.strip()]
    if not blanks:
        return lines, {}
    start = blanks[-1] + 1
    if start >= len(lines) or not re.match(r"\d{1,3}( \S|$)", lines[start].strip()):
        return lines, {}
    notes: dict[str, str] = {}
    current = None
    for line in lines[start:]:
        # "61 Commission Recommendation …", or the number alone on its line and the note below it
        m = FOOTNOTE_LINE.match(line.strip()) or re.fullmatch(r"(\d{1,3})()", line.strip())
        if m and (current is None or int(m.group(1)) == int(current) + 1):
            current = m.group(1)
            notes[current] = m.group(2).strip()
        elif current is not None:
            notes[current] = f"{notes[current]} {line.strip()}".strip()
    return lines[:blanks[-1]], notes


def mark_footnote_calls(lines: list[str], numbers: set[str]) -> list[str]:
    """A footnote call prints as superscript digits glued to a word ("2003/361/EC61"); where those
    digits number a footnote of the same page, write them ``[^61]``. Only at a word's end and only for
    the page's own notes, so that "Article 61" or "EC27" without such a note stay as they are."""
    def call(m: re.Match) -> str:
        return f"{m.group(1)}[^{m.group(2)}]" if m.group(2) in numbers else m.group(0)
    pattern = re.compile(r"([A-Za-z)’”\]])(\d{1,3})(?=\s*$|[\s,.;:)])")
    out: list[str] = []
    for line in lines:
        # PDFium may also set the superscript at the start of the next line ("…European Council" /
        # "33, and it ensures…"): a line opening with a note number and punctuation, after a line
        # that ends on a letter with no wrap space.
        # … or alone on a line of its own ("…130 comments" / "27" / ". Additional …")
        lead = re.match(r"(\d{1,3})(?=[,;:)]|\.(?!\s*[A-Z\d])|\s*$)", line)  # not a heading's "1. CONTEXT", "1.1."
        if lead and lead.group(1) in numbers and out and re.search(r"[A-Za-z’”]$", out[-1]):
            out[-1] = _like(out[-1], out[-1] + f"[^{lead.group(1)}]" + pattern.sub(call, line[lead.end():]))
            continue
        out.append(_like(line, pattern.sub(call, line)))
    return out


def attach_punctuation(lines: list[str]) -> list[str]:
    """PDFium ends the line after a superscript footnote call and sets the punctuation that follows
    it on a line of its own ("…/EC61" / ";"): such a line belongs to the end of the line before."""
    out: list[str] = []
    for line in lines:
        if out and re.fullmatch(r"\s*[;,.:)]+\s*", line):
            out[-1] = _like(out[-1], out[-1].rstrip() + line.lstrip())
            continue
        out.append(line)
    return out


def join_hyphenated(lines: list[str]) -> list[str]:
    """A word split at a line end by a plain hyphen ("ex-" / "pected") is joined without it. PDFium
    reports the hyphens these PDFs print in compounds as U+FFFE, kept as "-" by ``fix_glyphs`` and
    not at line ends; a dash standing alone (" -") is kept with a space."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].rstrip().endswith("-") and re.match(r"[a-z]", line.strip()):
            head = out[-1].rstrip()
            out[-1] = _like(out[-1], f"{head} {line.lstrip()}" if head.endswith(" -") else head[:-1] + line.lstrip())
            continue
        out.append(line)
    return out


def repaired_pages(data: bytes, name: str) -> list[Page]:
    # Lines keep their trailing space: PDFium ends a line that wraps inside a paragraph with one
    # and the paragraph's last line without (``paragraphs`` joins by it).
    pages = [[_like(line, fix_glyphs(line)) for line in lines] for lines in read_pages(data, name)]
    out = []
    for number, lines in enumerate(drop_running_lines(pages), 1):
        if lines:  # the space above a page's first line is the header's, not a paragraph's
            lines[0] = Line(lines[0], False, getattr(lines[0], "indent", None))
        body, notes = split_footnotes(lines)
        body = join_hyphenated(attach_punctuation(mark_footnote_calls(body, set(notes))))
        out.append(Page(number, body, notes))
    return out


# A line that opens with a point or paragraph label starts a paragraph even after a trailing space
# ("…missing children; " / "(ii) the prevention…" in Art. 5(1)(d) of COM(2021) 206).
LABEL_START = re.compile(r"^(\((?:[a-z]{1,4}|\d{1,3})\)|\d{1,3}(?:\.\d{1,3})*\.)\s")
# Headings of an act stand alone, and so does the article title after "Article N", though PDFium
# ends it with a wrap space ("Technical documentation " / "1. The technical documentation ...").
HEADING = re.compile(r"^(Article \d+|TITLE [IVXLC]+|CHAPTER [\dIVXLC]+|ANNEX [IVXLC]+)$")


def paragraphs(pages: list[Page]) -> list[tuple[int, str]]:
    """(page, text) of every paragraph: lines joined while a line ends with the space PDFium leaves
    where a paragraph wraps, across page breaks too (a paragraph split over two pages is one), unless
    the page leaves a paragraph's space above the line. The text keeps the first line's geometry."""
    out: list[tuple[int, str]] = []
    open_ = False
    after_article = False
    for page in pages:
        # A page break hides the space between paragraphs: where the page ends a sentence and the
        # next begins with a capital, a new paragraph starts (the manual conversion's reading too).
        first = next((line.strip() for line in page.lines if line.strip()), "")
        if out and re.search(r"[.;:]\s*$", out[-1][1]) and re.match(r"[A-Z‘“]", first):
            open_ = False
        for line in page.lines:
            if not line.strip():
                open_ = False
                continue
            if getattr(line, "gap", False):
                open_ = False
            heading = bool(HEADING.match(line.strip()))
            # Some full lines lack the wrap space too ("…the execution of criminal" / "penalties, …"):
            # a lowercase line after one that stops without closing punctuation goes on with it.
            if out and not open_ and not heading and not getattr(line, "gap", False) and re.match(r"[a-z]", line.strip()) \
                    and not re.search(r"[.;:!?]\s*$", out[-1][1]) and not after_article:
                open_ = True
                out[-1] = (out[-1][0], _like(out[-1][1], out[-1][1].rstrip() + " "))
            # a line opening with punctuation ends the sentence of the line before (after a
            # footnote call: "…for more”[^1]" / ", that the Commission…")
            if out and re.match(r"[,.;:]", line.strip()) and not heading:
                open_ = True
                out[-1] = (out[-1][0], _like(out[-1][1], out[-1][1].rstrip()))
            # PDFium's wrap space after a slash is not in the text ("economic operators/" / "business")
            if open_ and out[-1][1].endswith("/ "):
                out[-1] = (out[-1][0], _like(out[-1][1], out[-1][1][:-1]))
            if open_ and not heading and not LABEL_START.match(line.strip()):
                out[-1] = (out[-1][0], _like(out[-1][1], out[-1][1] + line.strip() + (" " if line.endswith(" ") else "")))
            else:
                out.append((page.number, _like(line, line.strip() + (" " if line.endswith(" ") else ""))))
            open_ = line.endswith(" ") and not heading and not (after_article and not LABEL_START.match(line.strip()))
            after_article = heading and line.strip().startswith("Article ")
    return [(n, _like(text, text.strip())) for n, text in out]
