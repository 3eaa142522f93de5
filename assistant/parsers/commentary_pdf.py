"""A commentary PDF (an opinion, a briefing, a staff working document) as commentary records:
headings with their numbers and levels, paragraphs with the document's own paragraph numbers where
it numbers them, the cover, bullets. ``assistant.clauses`` turns the records into clauses exactly
as it does the JSON Lines conversion's (``Para. N``, ``p. N, para. K``, ``Cover``).

PDFium's own line breaks are not used here: in these PDFs it runs a paragraph's last line and the
next paragraph's first into one text line wherever the PDF draws them as one text object (page 2 of
the EDPB-EDPS opinion has three such joins). Rows are rebuilt from the characters instead: one row per
baseline, its characters in left-to-right order, a smaller digit raised above the baseline a footnote
call. Reading the characters costs about 1 s for the opinion's 22 pages on 2 busy cores, 4.5 s for
the 96 pages of the impact assessment's part 1 (once: the records are cached with the index).

The briefing and the impact assessment add what their layouts need: notes told by Word's footnote
separator rather than by size (the impact assessment sets its tables in the notes' 10 pt), a table
that rules its rows apart read as one paragraph per row, cell by cell, each cell named by its
column's header (other tables and figures flattened line by line into one paragraph), headings numbered "1.1." or set in small capitals, contents
pages dropped. Where the manual conversion reads a page otherwise and is wrong, or a table's text has
no one reading, ``corpus/oracle_errata.json`` says so (``assistant.agreement``).
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
# Text below this share of the body size is a footnote (10 pt against 12) or page furniture, in a
# document that draws no footnote separator (the opinion, the briefing's endnotes); where one is drawn
# (the impact assessment, whose tables are set in 10 pt like its notes) the separator decides.
SMALL = 0.9
# A document draws its footnote separators when they are on this share of its pages at least: the
# impact assessment on 72 % and 40 % of its pages (the others have no notes), the opinion's PDF on 3
# of its 22 pages, its other notes unmarked (so they are told by their size).
SEPARATED = 0.25
# A footnote separator: a rule under this height (pt), wider than this, and Word's short one
# narrower than this (144 pt); the rule over a note continued from the page before spans the text,
# wider than this (482 pt in the impact assessment; a table's cell borders are narrower).
SEPARATOR = (2.0, 100.0, 200.0, 400.0)
# A heading is set at least this much larger than the body ("Executive Summary" 14 pt against 12).
LARGE = 1.1
# A row this many line pitches below the one above starts a paragraph. The publishers set paragraphs
# 1.43-1.51 pitches apart (EPRS briefing 19.2 pt against 13.2 pt lines, impact assessment 19.8 against
# 13.8, opinion 23.9 against 15.8) and the entries of a list closer (the briefing's references 15.6 pt:
# 1.18 pitches), which the manual conversion reads as one block (its p. 11, para. 1).
PARAGRAPH_GAP = 1.25
# A heading's number stands this far (pt) right of the text margin or left of it for a paragraph's
# number: the impact assessment indents its headings by 21 pt, the opinion hangs its numbers 28 pt
# into the margin.
INDENT = 5.0
# Table text is set below this share of the body size (the impact assessment's 9.5-11 pt against 12).
TABLE = 0.95
# Rows of a table further apart than this many line pitches are not one paragraph: the impact
# assessment's table rows stand up to 18.3 pt apart (1.33 pitches: its Tables 8 and 13), the
# paragraphs within a cell of its RSB table 19.5 pt (1.41), its glossary's entries 22.5 pt and a
# figure's labels and source line 23-43 pt (1.7-3.1).
TABLE_GAP = 1.4
# A table's rule between two rows spans at least this share of the page's width. Word draws it cell
# by cell (the impact assessment's Table 7: four segments, 73-523 pt of 595), a link's underline in
# one cell (at most 150 pt there) and a footnote separator (144 pt) are narrower.
RULE_SPAN = 0.5
# A line belongs to the column whose lines it overlaps by this share of the text size at least: a
# cell's lines start at its left edge; the impact assessment's Table 7 sets a cell's longest line
# to 1 pt from the next column's left edge.
COLUMN_OVERLAP = 0.5
# A table cell of a header row holds at most this many characters ("EVIDENCE & OTHER SOURCES").
HEADER_CELL = 60
# A note's number on its own row, maybe with the opening quote set beside it ("9 ‘")
NOTE_NUMBER = re.compile(r"^\d{1,3}\W*$")
ROMAN_PAGE = re.compile(r"^[ivxl]{1,5}$")
# Leaders of a table of contents line ("1 INTRODUCTION .......... 5").
LEADERS = re.compile(r"\.{5,}\s*\d+\s*$")
CONTENTS = re.compile(r"^(\w+: )?(table of )?contents$", re.IGNORECASE)
# "2.1 Scope" (the opinion), "1.3.1. Relevant ..." and, with no space, "1.1.Technological context" (the
# impact assessment)
NUMBERED_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:\.?\s+|\.(?=[A-Z]))([A-Z‘“(].*)$")
NUMBERED_PARAGRAPH = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
BULLET = re.compile(r"^[-–•]\s+(\S.*)$")
# A list item's label: "a)", "ii)", "(1)"
LIST_LABEL = re.compile(r"^(\(?[a-z]{1,4}\)|\(\d{1,2}\))\s")
CALL_END = re.compile(r"\[\^\d+\]$")
SENTENCE_END = re.compile(r"[.!?:;]\s*(\[\^\d+\])?\s*$")


@dataclass
class Row:
    page: int
    y: float  # baseline, pt from the page's bottom
    # runs of characters in content order, each [(char, superscript, left edge, right edge), ...]
    runs: list[list[tuple[str, bool, float, float]]] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)
    note: bool = False  # below the page's footnote separator
    rule_above: bool = False  # a table's rule runs between this row and the one above

    @property
    def size(self) -> float:
        return self.sizes.most_common(1)[0][0] if self.sizes else 0.0

    @property
    def x(self) -> float:
        return min((run[0][2] for run in self.runs if run), default=0.0)

    @property
    def last_cell(self) -> float:
        """Where the row's last table cell starts: after its last gap of a body size or more
        between glyphs (the impact assessment's cells stand 30 pt apart, its words 3 pt)."""
        chars = sorted((c for run in self.runs for c in run if c[0] != " " and not c[1]), key=lambda c: c[2])
        starts = [b[2] for a, b in zip(chars, chars[1:]) if b[2] - a[3] >= self.size]
        return starts[-1] if starts else self.x

    @cached_property
    def text(self) -> str:
        """The row's runs left to right; superscript digits become footnote calls ``[^N]``. Where
        the PDF moves the pen over a word space without a space character ("rules" / "for" in the
        EPRS briefing), the gap is the space. Read once the row is complete."""
        return run_text(self.runs, self.size)


def run_text(runs: list[list[tuple[str, bool, float, float]]], size: float) -> str:
    """The text of runs of characters set on one baseline (a row's, or a table cell's line)."""
    out, call, right, gap = [], "", None, SPACE_GAP * size
    for run in sorted((r for r in runs if r), key=lambda r: r[0][2]):
        for c, sup, left, end in run:
            if sup:
                call += c
                right = end
                continue
            if call:
                out.append(_calls(call))
                call = ""
            if c == " ":
                right = None
            elif right is not None and left - right > gap:
                out.append(" ")
            if c != " ":
                right = end
            out.append(c)
    if call:
        out.append(_calls(call))
    return re.sub(r"\s+", " ", pdf_text.fix_glyphs("".join(out))).strip()


def _calls(digits: str) -> str:
    """``[^229][^230] `` for the raised "229-230": a range of calls names both notes."""
    return "".join(f"[^{n}]" for n in re.findall(r"\d+", digits)) + " "


def _rows(textpage, number: int) -> list[Row]:
    """The page's rows, top to bottom."""
    import pypdfium2.raw as raw
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    x, y = ctypes.c_double(), ctypes.c_double()
    matrix, box = raw.FS_MATRIX(), raw.FS_RECTF()
    rows: list[Row] = []
    by_height: dict[int, list[Row]] = {}  # rows by their rounded baseline
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
        previous = last.runs[-1][-1] if last is not None and last.runs and last.runs[-1] else None
        called = previous is not None and previous[1]
        # a raised smaller letter right after a digit is an ordinal's ("3rd"): part of the word
        # (the row's size, a Counter's most common, is asked last: asked for every character it took
        # a fifth of the impact assessment's parse)
        if (c.isalpha() and previous is not None and previous[0].isalnum() and not previous[1]
                and abs(left - previous[3]) < 1 and 0 < y.value - last.y < RAISED[1] and size < SUPERSCRIPT * last.size):
            last.runs[-1].append((c, False, left, right))
            continue
        # a raised smaller digit is a footnote call, and so is a dash or comma between such digits
        # (the impact assessment's calls "229-230")
        if ((c.isdigit() or c in "-–," and called) and last is not None and RAISED[0] < y.value - last.y < RAISED[1]
                and last.size and size < SUPERSCRIPT * last.size):
            last.runs[-1].append((c, True, left, right))
            continue
        # any row of the page on this baseline: a table beside another is drawn column after column
        # (the impact assessment's stakeholder types, then countries, on page 20 of its annexes)
        row = last if last is not None and abs(last.y - y.value) <= SAME_ROW else next(
            (r for k in (-1, 0, 1) for r in by_height.get(round(y.value) + k, ()) if abs(r.y - y.value) <= SAME_ROW), None)
        if row is None:
            row = Row(number, y.value)
            rows.append(row)
            by_height.setdefault(round(y.value), []).append(row)
        if row is not last or not row.runs:
            row.runs.append([])
        row.runs[-1].append((c, False, left, right))
        row.sizes[size] += 1
        last = row
    return sorted(rows, key=lambda r: -r.y)


def _separator(page, rows: list[Row]) -> tuple[float, bool] | None:
    """The height of the page's footnote separator, and whether it is Word's short one over a note's
    number: a rule from the left margin with only text smaller than the body's below it, the page
    number aside. A link's
    underline does not start at the margin; a table's rules have body-size text or larger table text
    below them."""
    import pypdfium2.raw as raw
    largest = max((r.size for r in rows), default=0.0)
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < SEPARATOR[0] and right - left > SEPARATOR[1]:
            below = [r for r in rows if r.y < bottom]
            text = [r for r in below if not r.text.isdigit()]
            short = right - left < SEPARATOR[2]
            if (text and left < below[0].x + 3 and all(r.size < SMALL * largest for r in text)
                    and any(r.y > top for r in rows) and (NOTE_NUMBER.match(below[0].text) if short else right - left > SEPARATOR[3])):
                return top, short  # Word's short rule over a note's number, or its rule over a note run on
    return None


def _mark_rules(page, rows: list[Row]) -> None:
    """Mark the rows with a table's rule above them (between them and the row above, or the page's
    top): thin paths on one height, their segments joined where they touch, together wider than
    ``RULE_SPAN`` of the page."""
    import pypdfium2.raw as raw
    segments: dict[int, list[tuple[float, float]]] = {}
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom < SEPARATOR[0]:
            segments.setdefault(round((top + bottom) / 2), []).append((left, right))
    rules = []
    for y, spans in segments.items():
        spans.sort()
        start, end = spans[0]
        for left, right in spans[1:] + [(float("inf"), 0.0)]:
            if left - end > 3:
                if end - start >= RULE_SPAN * page.get_width():
                    rules.append(y)
                start, end = left, right
            else:
                end = max(end, right)
    above = float("inf")
    for row in rows:
        row.rule_above = any(row.y < y < above for y in rules)
        above = row.y


def read_rows(data: bytes, name: str) -> list[list[Row]]:
    """Every page's rows; a damaged or cut PDF is refused naming the file (as ``pdf_text``).

    In a document that draws Word's short footnote separator over its notes (the impact assessment),
    the rows below a page's separator, short or continued over the text width, are marked as notes.
    Elsewhere a full-width rule is a box's edge (the EPRS briefing's) and notes are told by their size."""
    import pypdfium2 as pdfium
    pdf_text.check_pdf(data, name)
    try:
        doc = pdfium.PdfDocument(data)
        pages, lines = [], []
        for i in range(len(doc)):
            page = doc[i]
            pages.append(_rows(page.get_textpage(), i + 1))
            lines.append(_separator(page, pages[-1]))
            _mark_rules(page, pages[-1])
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{name} is a damaged PDF ({exc}); fetch it again.") from None
    if sum(bool(line and line[1]) for line in lines) >= SEPARATED * len(lines):
        for rows, line in zip(pages, lines):
            for row in rows:
                row.note = line is not None and row.y < line[0]
    return pages


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
    # A page's lowest row holding a number alone is its page number, wherever the page sets it (the
    # impact assessment's annexes at 18.5 or 34.2 pt, neither on half the pages).
    folio = {id(page[-1]) for page in pages if page and page[-1].text.isdigit()}
    return [[r for r in page if key(r) not in running and id(r) not in folio] for page in pages]


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
        self.unnumbered: list[tuple[dict, float]] = []  # headings without a number, with their size
        self.open: dict | None = None
        self.open_size = 0.0  # font size of the open paragraph's rows
        self.last: Row | None = None  # the open paragraph's last row
        self.rows: list[Row] = []  # the open paragraph's rows
        self.ruled: list[Row] | None = None  # the rows of the open paragraph, a ruled table's row
        self.tables: list[list[tuple[dict, list[Row]]]] = []  # ruled tables: their rows' records and rows
        self.next_number = 1
        self.seq = 0

    def _add(self, rec: dict) -> dict:
        self.seq += 1
        rec = dict(seq=self.seq, **rec)
        self.records.append(rec)
        return rec

    def heading(self, row: Row, number: str | None, text: str) -> None:
        rec = self._add({"kind": "heading", "number": number, "level": number.count(".") + 1 if number else 1,
                         "text": text, "page": row.page})
        if not number:
            self.unnumbered.append((rec, row.size))
        self.open = self.ruled = None

    def level_headings(self) -> None:
        """An unnumbered heading's level by its size: the largest size of the mixed-case headings is
        level 1, smaller ones level 2 (the briefing's 18 pt "Legislative process" over 16.6 pt
        "Definitions"). Headings in capitals stay level 1 whatever their size (the briefing's 14 pt
        "OVERVIEW" and "OTHER SOURCES" stand outside its sections)."""
        sizes = [size for rec, size in self.unnumbered if not rec["text"].isupper()]
        for rec, size in self.unnumbered:
            if sizes and not rec["text"].isupper() and size < max(sizes):
                rec["level"] = 2

    def start(self, row: Row, text: str, number: str | None = None, kind: str = "paragraph") -> None:
        self.open = self._add({"kind": kind, "number": number, "page": row.page, "text": text})
        self.open_size = row.size
        self.last = row
        self.rows = [row]
        self.ruled = None

    def table_row(self, row: Row) -> None:
        """Open a row of a ruled table: its text is read cell by cell once complete (``tabulate``).
        It belongs to the table of the row before when that row is the last record."""
        same_table = self.ruled is not None and self.records and self.records[-1] is self.open
        # the paragraph just above the table's first rule is its header where it sets short texts
        # over two columns or more (Table 7's "HIGH-RISK USES", "POTENTIAL HARMS", ... in the body
        # size)
        above = (self.open, self.rows) if self.open is not None and self.records[-1] is self.open else None
        self.start(row, row.text)
        self.ruled = [row]
        if same_table:
            self.tables[-1].append((self.open, self.ruled))
            return
        self.tables.append([(self.open, self.ruled)])
        if above and above[0]["kind"] == "paragraph" and _header(table_cells(above[1])):
            self.tables[-1].insert(0, above)

    def cell_line(self, row: Row) -> None:
        """The next row of text within the open table row, in whichever of its cells."""
        self.ruled.append(row)
        self.open_size = row.size
        self.last = row

    def tabulate(self) -> None:
        """Each ruled table row as one paragraph, its cells column by column, each cell's lines top
        to bottom over a page break too, rather than the rows of text across the columns (which
        interleave the cells' words: "AI systems intended Intense Already used by an ..." in the
        impact assessment's Table 7). A first row of short cells is the table's header: every other
        row names each cell by the header cell over its column, so that a row read on its own says
        what its cells are ("HIGH-RISK USES: AI systems intended to be used for ... | POTENTIAL
        HARMS: ...")."""
        for table in self.tables:
            rows = [(rec, table_cells(lines)) for rec, lines in table]
            head = rows[0][1]
            header = len(rows) > 1 and _header(head)
            for k, (rec, cells) in enumerate(rows):
                if header and k > 0 and len(cells) == len(head):
                    rec["text"] = " | ".join(f"{label}: {text}" for (*_, label), (*_, text) in zip(head, cells))
                elif header and k > 0:
                    rec["text"] = " | ".join(f"{_label(head, left, right)}{text}" for left, right, text in cells)
                else:
                    rec["text"] = " | ".join(text for *_, text in cells)

    def extend(self, row: Row, text: str, table: bool = False) -> None:
        """Join the next row. These PDFs hyphenate no words: a hyphen at a line end belongs to a
        compound ("real-" / "time", "decision-" / "making" in the opinion) and stays, with no space;
        so does a slash ("WHY IS IT A PROBLEM?/" / "CHARACTERISTICS"). In a table, a row that starts
        in another column than the last cell of the row before holds another cell's text ("high-" /
        "compliance" in the impact assessment's Table 6): a space separates them; in the same column
        the cell goes on ("... for non-" / "high-risk AI" in its Table 6.4)."""
        head = self.open["text"]
        same_column = not table or self.last is None or abs(row.x - self.last.last_cell) <= INDENT
        glued = same_column and (re.search(r"\w-$", head) or head.endswith("/"))
        self.open["text"] = head + text if glued else f"{head} {text}"
        self.open_size = row.size
        self.last = row
        self.rows.append(row)


def table_cells(rows: list[Row]) -> list[tuple[float, float, str]]:
    """The cells of one table row set over ``rows`` (left, right, text), left to right. A column is
    where the rows' runs overlap in width: a cell's lines start at its left edge, and a run (what
    the PDF draws in one go on one baseline) holds one cell's line, as Word draws a table cell by
    cell. A cell's lines join as a paragraph's (``_Builder.extend``)."""
    lines = sorted(((run[0][2], max(c[3] for c in run), row, run) for row in rows for whole in row.runs
                    for run in _pieces(whole, row.size)), key=lambda line: line[0])
    columns: list[list] = []
    for left, right, row, run in lines:
        if columns and left < columns[-1][1] - COLUMN_OVERLAP * row.size:
            columns[-1][1] = max(columns[-1][1], right)
            columns[-1][2].append((row, run))
        else:
            columns.append([left, right, [(row, run)]])
    cells = []
    for left, right, parts in columns:
        text = ""
        for row, run in sorted(parts, key=lambda part: (part[0].page, -part[0].y, part[1][0][2])):
            line = run_text([run], row.size)
            text = text + line if re.search(r"\w-$", text) or text.endswith("/") else f"{text} {line}".strip()
        cells.append((left, right, text))
    return cells


def _pieces(run: list[tuple[str, bool, float, float]], size: float) -> list[list[tuple[str, bool, float, float]]]:
    """A run cut where a gap of a body size or more parts two glyphs: the PDF may draw a row of
    several cells in one go (the header of the impact assessment's Table 7, its cells 30 pt apart,
    words 3 pt; a justified line cut so stays in its column, which its other lines span)."""
    pieces: list[list] = [[]]
    right = None
    for char in run:
        if char[0] != " " and not char[1]:
            if right is not None and char[2] - right >= size:
                pieces.append([])
            right = char[3]
        pieces[-1].append(char)
    return [p for p in pieces if any(c[0] != " " for c in p)]


def _header(cells: list[tuple[float, float, str]]) -> bool:
    """Whether a table row's cells read as its header: two or more, all short, named in capitals
    ("HIGH-RISK USES", "MAIN PROBLEMS", "AI INVESTMENTS" over "2020", ...). A first row in mixed
    case is the table's first entry ("Nature of act | Option 3 + code of conducts ..." of the
    options' tables, the glossary's "Acquis | The EU's 'acquis' is ...")."""
    texts = [text for *_, text in cells]
    return (len(texts) > 1 and all(len(text) <= HEADER_CELL for text in texts)
            and not any(c.islower() for text in texts for c in text) and any(c.isupper() for text in texts for c in text))


def _label(header: list[tuple[float, float, str]], left: float, right: float) -> str:
    """"HEADER: " for the header cell that overlaps the column from ``left`` to ``right`` most (a row
    of more or fewer cells than the header: a cell spans columns, or a column is empty)."""
    overlap, text = max((min(right, r) - max(left, l), text) for l, r, text in header)
    return f"{text}: " if overlap > 0 else ""


def _is_heading(row: Row, text: str, size: float, margin: float, alone: bool, below: Row | None) -> tuple[str | None, str] | None:
    """(number, title) when the row is a heading: set larger than the body, or standing alone in
    the body size with a section number in the text column and no closing punctuation, or so and
    indented from the text margin whatever it ends with (the impact assessment's "2.1.What are the problems?", "4.3.
    Objectives tree/intervention logic."). On the title page a large row is a heading only where body-size
    text follows it (the EPRS briefing's "OVERVIEW"); the title's own rows and the cover's foot ("EPRS
    | European Parliamentary Research Service" over the 12 pt author's name) are the cover."""
    large = row.size >= LARGE * size
    if row.page == 1 and large and (below is None or below.size > size):
        return None
    m = NUMBERED_HEADING.match(text)
    # a single number in the margin numbers a paragraph (the opinion's "1."), a section's may stand
    # there (the impact assessment's "5.2. FIVE SPECIFIC CHARACTERISTICS OF AI")
    hung = row.x < margin - INDENT and m is not None and "." not in m.group(1)
    if m and (large or alone and not hung and _full_size(row, size) and len(text) < 160
              and (not SENTENCE_END.search(text) or text.endswith("?") or row.x > margin + INDENT)):
        return m.group(1), m.group(2)
    if large and len(text) < 160:
        return None, text
    return None


def _title_goes_on(heading: Row, row: Row) -> bool:
    """The next row carries on a heading's title: indented under it, or in capitals under capitals
    (the impact assessment's "5.4. LIST OF HIGH RISK AI SYSTEMS (NOT COVERED BY SECTORIAL" / "PRODUCT
    LEGISLATION)")."""
    return row.x > heading.x + INDENT or heading.text.isupper() and row.text.isupper()


def _full_size(row: Row, size: float) -> bool:
    """Body text, not a note: set at the body size, or in small capitals whose capitals are (the
    impact assessment's "1. INTRODUCTION: ..." at 12 and 9.5 pt)."""
    return row.size >= SMALL * size or max(row.sizes) >= size


def text_margin(pages: list[list[Row]], size: float) -> float:
    """The left edge of the body text: where most body-size rows start."""
    starts = Counter(round(r.x) for page in pages for r in page if r.size >= SMALL * size)
    return float(starts.most_common(1)[0][0]) if starts else 0.0


def drop_contents(page: list[Row], pitch: float) -> list[Row]:
    """A table of contents' rows: those ending in leaders and a page number, the rows of an entry
    wrapped above such a row ("5.5. Option 3+: Horizontal EU legislative instrument establishing
    mandatory" / "requirements ... ..... 64" in the impact assessment), its title, and a front-matter
    page number in roman numerals ("ii"). A page headed by a contents title and without leaders is
    all contents (the impact assessment's "ANNEXES: TABLE OF CONTENTS")."""
    if page and CONTENTS.match(page[0].text) and not any(LEADERS.search(r.text) for r in page):
        return []
    out: list[Row] = []
    entry = False  # the row below ends a contents entry
    for i in range(len(page) - 1, -1, -1):
        row = page[i]
        below = page[i + 1] if i + 1 < len(page) else None
        if LEADERS.search(row.text):
            entry = True
        elif entry and below is not None and below.y - row.y <= PARAGRAPH_GAP * pitch:
            entry = True
        else:
            entry = False
            if not CONTENTS.match(row.text) and not ROMAN_PAGE.match(row.text):
                out.append(row)
    return out[::-1]


def records(pages: list[list[Row]]) -> list[dict]:
    pages = drop_running_rows(pages)
    size = body_size(pages)
    pitch = line_pitch(pages, size)
    margin = text_margin(pages, size)
    separated = any(r.note for page in pages for r in page)
    b = _Builder()
    for page in pages:
        body = drop_contents([r for r in page if not r.note and (separated or _full_size(r, size)) and r.text], pitch)
        previous_heading: Row | None = None
        for i, row in enumerate(body):
            text = row.text
            below = body[i + 1] if i + 1 < len(body) else None
            gap_above = i == 0 or body[i - 1].y - row.y > PARAGRAPH_GAP * pitch
            gap_below = below is None or row.y - below.y > PARAGRAPH_GAP * pitch
            # a heading set over several rows: larger than the body ("2 ANALYSIS OF THE KEY PRINCIPLES
            # OF THE" / "PROPOSAL"), or its further rows carrying on its title ("5.5. Option 3+:
            # Horizontal EU legislative instrument establishing mandatory" / "requirements for
            # high-risk AI applications + ..." / "risk applications")
            if (previous_heading is not None and b.records[-1]["kind"] == "heading" and row.size == previous_heading.size
                    and (row.size >= LARGE * size and previous_heading.y - row.y < 1.5 * row.size
                         or not gap_above and _title_goes_on(previous_heading, row))):
                b.records[-1]["text"] += f" {text}"
                if row.size >= LARGE * size:
                    previous_heading = row
                continue
            # a row standing alone but for its title's further rows, indented under it
            k = i + 1
            while k < len(body) and body[k - 1].y - body[k].y <= PARAGRAPH_GAP * pitch and _title_goes_on(row, body[k]):
                k += 1
            # (a list item wrapped under its label is no heading: it ends a sentence, "1. AI systems that
            # are safety components ... safety legislation.")
            title = " ".join(r.text for r in body[i:k])
            wrapped = (k > i + 1 and (k == len(body) or body[k - 1].y - body[k].y > PARAGRAPH_GAP * pitch)
                       and len(title) < 200 and not SENTENCE_END.search(title))
            heading = _is_heading(row, text, size, margin, gap_above and (gap_below or wrapped), below)
            previous_heading = row if heading else None
            if heading:
                b.heading(row, *heading)
                continue
            # The opinion hangs its paragraph numbers in the left margin ("1." at 44 pt, text at 72
            # pt); a number inside the text column is a list's or a table's ("1. Use of AI poses ..."
            # in the impact assessment's Table 2).
            m = NUMBERED_PARAGRAPH.match(text)
            if m and int(m.group(1)) == b.next_number and row.x < margin - INDENT:
                b.next_number += 1
                b.start(row, m.group(2), m.group(1))
                continue
            # A ruled table's row goes on in its cells, whatever they open with (a bullet, "• Manipulative
            # and exploitative AI" in the impact assessment's Table 7 of options): see below.
            small = separated and row.size < TABLE * size
            goes_on = b.ruled is not None and small and (
                row.rule_above and row.x > b.ruled[0].x + INDENT if i == 0 else not row.rule_above)
            if goes_on:
                b.cell_line(row)
                continue
            if bullet := BULLET.match(text):
                b.start(row, bullet.group(1), kind="bullet")
                continue
            # In a document that sets its notes apart by a separator, text smaller than the body is a
            # table's or a box's (the impact assessment's 9.5-11 pt against 12): its rows run into one
            # paragraph, flattened row by row as the manual conversion does, however far apart they
            # are within a table, and a change between table and body text starts a new paragraph.
            open_small = separated and b.open is not None and b.open_size < TABLE * size
            # A table that rules its rows apart (the impact assessment's Table 7, over six pages)
            # gives one paragraph per row, however far apart its text stands within the row; a row
            # goes on over a page break where the page's first text, under the table's top rule,
            # leaves the first column empty.
            if small or open_small:
                if small and row.rule_above:
                    b.table_row(row)
                elif small and open_small and b.ruled is None and (i == 0 or body[i - 1].y - row.y < TABLE_GAP * pitch):
                    b.extend(row, text, table=True)
                else:
                    b.start(row, text)
                continue
            # A page's first row goes on with the paragraph the page before left unfinished, where it
            # opens in lower case or is set in the same size (the opinion's "This is why the" / "EDPB
            # and the EDPS...", the impact assessment's "...Treaty on the" / "Functioning of the
            # European Union"); a 10 pt caption at a page's foot ("Data source: European Commission"
            # in the briefing) does not run into an 11 pt paragraph. A list item ends at its page's
            # foot, full stop or not (the impact assessment's "b) Ex ante enforcement of the
            # horizontal instrument" / "Secondly, ..."): its continuation would open in lower case.
            # The manual conversion, whose page-based references the eval questions cite, also runs a
            # paragraph that closes its page on a footnote call into the next page's first paragraph
            # of the same size (the impact assessment's "...thereof.[^217]" / "For these high-risk
            # uses..."), the call hiding the sentence's end: followed here so that the next page's
            # references stay the same.
            unfinished = b.open is not None and (not SENTENCE_END.search(b.open["text"]) or CALL_END.search(b.open["text"]))
            carries = i == 0 and unfinished and (
                bool(re.match(r"[a-z(]", text)) and not SENTENCE_END.search(b.open["text"])
                or row.size == b.open_size and not LIST_LABEL.match(b.open["text"]))
            if b.open is not None and (not gap_above or carries):
                b.extend(row, text)
            else:
                b.start(row, text)
    b.level_headings()
    b.tabulate()
    return b.records


def parse(files: list[tuple[str, bytes]]) -> list[dict]:
    (name, data), = files
    return records(read_rows(data, name))
