"""A commentary PDF (an opinion, a briefing, a staff working document) as commentary records:
headings with their numbers and levels, paragraphs with the document's own paragraph numbers where
it numbers them, the cover, bullets. ``assistant.clauses`` turns the records into clauses exactly
as it does the JSON Lines conversion's (``Para. N``, ``p. N, para. K``, ``Cover``).

PDFium's own line breaks are not used here: in these PDFs it runs a paragraph's last line and the
next paragraph's first into one text line wherever the PDF draws them as one text object (page 2 of
the EDPB-EDPS opinion has three such joins). Rows are rebuilt from the characters instead: one row per
baseline, its characters in left-to-right order, a smaller digit raised above the baseline a footnote
call. Reading the characters costs about 1 s for the opinion's 22 pages on 2 busy cores (once: the
records are cached with the index).
"""
from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import CorpusError
from . import pdf_text

# Characters within this distance (pt) of a row's baseline sit on it; the opinion sets lines 15-16 pt
# apart, a superscript call 3.5 pt above its line.
SAME_ROW = 1.5
# A digit this much smaller than the body text and raised above the row is a footnote call (the
# opinion's calls are 8 pt against 12 pt body text).
SUPERSCRIPT = 0.8
RAISED = (0.5, 8.0)
# Glyphs further apart than this share of the font size are separate words. Measured on PDFium's
# loose boxes (the glyphs' advance widths), which touch within a word: the briefing's 11 pt text
# leaves 2.1 pt where it sets a word space without a space character ("rules" / "for").
SPACE_GAP = 0.1
# Text below this share of the body size is a footnote (10 pt against 12) or page furniture.
SMALL = 0.9
# A heading is set at least this much larger than the body ("Executive Summary" 14 pt against 12).
LARGE = 1.1
# Leaders of a table of contents line ("1 INTRODUCTION .......... 5").
LEADERS = re.compile(r"\.{5,}\s*\d+\s*$")
CONTENTS = re.compile(r"^(table of )?contents$", re.IGNORECASE)
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})\s+([A-Z‘“(].*)$")
NUMBERED_PARAGRAPH = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
BULLET = re.compile(r"^[-–•]\s+(\S.*)$")
SENTENCE_END = re.compile(r"[.!?:;]\s*(\[\^\d+\])?\s*$")


@dataclass
class Row:
    page: int
    y: float  # baseline, pt from the page's bottom
    # runs of characters in content order, each [(char, superscript, left edge, right edge), ...]
    runs: list[list[tuple[str, bool, float, float]]] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)

    @property
    def size(self) -> float:
        return self.sizes.most_common(1)[0][0] if self.sizes else 0.0

    @property
    def x(self) -> float:
        return min((run[0][2] for run in self.runs if run), default=0.0)

    @cached_property
    def text(self) -> str:
        """The row's runs left to right; superscript digits become footnote calls ``[^N]``. Where
        the PDF moves the pen over a word space without a space character ("rules" / "for" in the
        EPRS briefing), the gap is the space. Read once the row is complete."""
        out, call, right, gap = [], "", None, SPACE_GAP * self.size
        for run in sorted((r for r in self.runs if r), key=lambda r: r[0][2]):
            for c, sup, left, end in run:
                if sup:
                    call += c
                    right = end
                    continue
                if call:
                    out.append(f"[^{call}] ")
                    call = ""
                if c == " ":
                    right = None
                elif right is not None and left - right > gap:
                    out.append(" ")
                if c != " ":
                    right = end
                out.append(c)
        if call:
            out.append(f"[^{call}] ")
        return re.sub(r"\s+", " ", pdf_text.fix_glyphs("".join(out))).strip()


def _rows(textpage, number: int) -> list[Row]:
    """The page's rows, top to bottom."""
    import pypdfium2.raw as raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    x, y = ctypes.c_double(), ctypes.c_double()
    matrix, box = raw.FS_MATRIX(), raw.FS_RECTF()
    rows: list[Row] = []
    last: Row | None = None
    for i in range(count):
        c = text[i] if i < len(text) else textpage.get_text_range(i, 1)
        if c in "\r\n":
            continue
        if c.isspace():  # a space's box is not needed: it separates words by itself
            if last is not None:
                last.runs[-1].append((" ", False, 0.0, 0.0))
            continue
        raw.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
        raw.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix))
        size = round(raw.FPDFText_GetFontSize(textpage.raw, i) * abs(matrix.d), 1)
        raw.FPDFText_GetLooseCharBox(textpage.raw, i, ctypes.byref(box))
        left, right = box.left, box.right
        if (c.isdigit() and last is not None and last.size and size < SUPERSCRIPT * last.size
                and RAISED[0] < y.value - last.y < RAISED[1]):
            last.runs[-1].append((c, True, left, right))
            continue
        row = last if last is not None and abs(last.y - y.value) <= SAME_ROW else \
            next((r for r in reversed(rows[-8:]) if abs(r.y - y.value) <= SAME_ROW), None)
        if row is None:
            row = Row(number, y.value)
            rows.append(row)
        if row is not last or not row.runs:
            row.runs.append([])
        row.runs[-1].append((c, False, left, right))
        row.sizes[size] += 1
        last = row
    return sorted(rows, key=lambda r: -r.y)


def read_rows(data: bytes, name: str) -> list[list[Row]]:
    """Every page's rows; a damaged or cut PDF is refused naming the file (as ``pdf_text``)."""
    import pypdfium2 as pdfium
    pdf_text.check_pdf(data, name)
    try:
        doc = pdfium.PdfDocument(data)
        return [_rows(doc[i].get_textpage(), i + 1) for i in range(len(doc))]
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{name} is a damaged PDF ({exc}); fetch it again.") from None


def drop_running_rows(pages: list[list[Row]]) -> list[list[Row]]:
    """Remove rows that recur, digits aside, at the same height on most pages: running headers,
    footers and page numbers ("7" / "Adopted" at the foot of every page of the opinion). A facing-page
    layout alternates them, so most of the odd or of the even pages is enough (the EPRS briefing
    heads its odd pages with its title, its even pages with "EPRS | European Parliamentary Research
    Service")."""
    def key(row: Row):
        return re.sub(r"\d+", "#", row.text), round(row.y / 4)
    running: set = set()
    for share in (pages, pages[0::2], pages[1::2]):
        counts = Counter(k for page in share for k in {key(r) for r in page})
        running |= {k for k, n in counts.items() if n >= max(3, pdf_text.RUNNING_SHARE * len(share))}
    return [[r for r in page if key(r) not in running] for page in pages]


def body_size(pages: list[list[Row]]) -> float:
    sizes = Counter()
    for page in pages:
        for row in page:
            sizes.update({s: n for s, n in row.sizes.items() if s > 1})
    return sizes.most_common(1)[0][0] if sizes else 0.0


def line_pitch(pages: list[list[Row]], size: float) -> float:
    """The commonest step between two consecutive rows of body text."""
    steps = Counter(round(a.y - b.y, 1) for page in pages for a, b in zip(page, page[1:])
                    if a.size >= SMALL * size and b.size >= SMALL * size and 0.8 * size < a.y - b.y < 3 * size)
    return steps.most_common(1)[0][0] if steps else 1.3 * size


class _Builder:
    """Records in reading order; a paragraph stays open while its rows follow at the line pitch."""

    def __init__(self):
        self.records: list[dict] = []
        self.open: dict | None = None
        self.open_size = 0.0  # font size of the open paragraph's rows
        self.next_number = 1
        self.seq = 0

    def _add(self, rec: dict) -> dict:
        self.seq += 1
        rec = dict(seq=self.seq, **rec)
        self.records.append(rec)
        return rec

    def heading(self, row: Row, number: str | None, text: str) -> None:
        level = number.count(".") + 1 if number else 1
        self._add({"kind": "heading", "number": number, "level": level, "text": text, "page": row.page})
        self.open = None

    def start(self, row: Row, text: str, number: str | None = None, kind: str = "paragraph") -> None:
        self.open = self._add({"kind": kind, "number": number, "page": row.page, "text": text})
        self.open_size = row.size

    def extend(self, text: str) -> None:
        """Join the next row. These PDFs hyphenate no words: a hyphen at a line end belongs to a
        compound ("real-" / "time", "decision-" / "making" in the opinion) and stays, with no space."""
        head = self.open["text"]
        joined = head + text if re.search(r"\w-$", head) else f"{head} {text}"
        self.open["text"] = joined


def _is_heading(row: Row, text: str, size: float, alone: bool, below: Row | None) -> tuple[str | None, str] | None:
    """(number, title) when the row is a heading: set larger than the body, or standing alone with
    a section number and no closing punctuation. On the title page a large row is a heading only
    where body text follows it (the EPRS briefing's "OVERVIEW"); the title's own rows are the cover."""
    large = row.size >= LARGE * size
    if row.page == 1 and large and (below is None or below.size >= LARGE * size):
        return None
    m = NUMBERED_HEADING.match(text)
    if m and (large or alone and len(text) < 160 and not SENTENCE_END.search(text)):
        return m.group(1), m.group(2)
    if large and len(text) < 160:
        return None, text
    return None


def records(pages: list[list[Row]]) -> list[dict]:
    pages = drop_running_rows(pages)
    size = body_size(pages)
    pitch = line_pitch(pages, size)
    b = _Builder()
    for page in pages:
        body = [r for r in page if r.size >= SMALL * size and r.text and not LEADERS.search(r.text)
                and not CONTENTS.match(r.text)]
        previous_heading: Row | None = None
        for i, row in enumerate(body):
            text = row.text
            below = body[i + 1] if i + 1 < len(body) else None
            gap_above = i == 0 or body[i - 1].y - row.y > pdf_text.GAP_FACTOR * pitch
            gap_below = below is None or row.y - below.y > pdf_text.GAP_FACTOR * pitch
            # a heading set over two rows ("2 ANALYSIS OF THE KEY PRINCIPLES OF THE" / "PROPOSAL")
            if (previous_heading is not None and b.records[-1]["kind"] == "heading" and row.size == previous_heading.size
                    and row.size >= LARGE * size and previous_heading.y - row.y < 1.5 * row.size):
                b.records[-1]["text"] += f" {text}"
                previous_heading = row
                continue
            heading = _is_heading(row, text, size, gap_above and gap_below, below)
            previous_heading = row if heading else None
            if heading:
                b.heading(row, *heading)
                continue
            m = NUMBERED_PARAGRAPH.match(text)
            if m and int(m.group(1)) == b.next_number:
                b.next_number += 1
                b.start(row, m.group(2), m.group(1))
                continue
            if bullet := BULLET.match(text):
                b.start(row, bullet.group(1), kind="bullet")
                continue
            # A page's first row goes on with the paragraph the page before left unfinished, where it
            # opens in lower case or is set in the same size (a 10 pt caption at a page's foot,
            # "Data source: European Commission" in the briefing, does not run into the next page's
            # 11 pt paragraph).
            carries = (i == 0 and b.open is not None and not SENTENCE_END.search(b.open["text"])
                       and (bool(re.match(r"[a-z(]", text)) or row.size == b.open_size))
            if b.open is not None and (not gap_above or carries):
                b.extend(text)
                b.open_size = row.size
            else:
                b.start(row, text)
    return b.records


def parse(files: list[tuple[str, bytes]]) -> list[dict]:
    (name, data), = files
    return records(read_rows(data, name))
