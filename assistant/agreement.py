"""How far the clauses parsed from an official file agree with the manual JSON Lines conversion
(the oracle): same canonical references, and text equal after whitespace normalisation.

Where the oracle itself is wrong (a running header read into a paragraph, a heading run into the
text below it), ``corpus/oracle_errata.json`` says so, clause by clause, with the correction and why;
a clause that agrees once its erratum is applied counts as explained, not identical, and an erratum
that no longer applies is reported so that none outlives its reason.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .clauses import Clause
from .config import REPO_ROOT

ERRATA_PATH = REPO_ROOT / "corpus" / "oracle_errata.json"


def normalise(text: str) -> str:
    """Whitespace runs as one space, and none around a footnote call: the calls are the conversion's
    markup, and the manual conversions space them differently from one document to the next where
    the PDF sets no space at all (the opinion's "…/EC[^1] ," 7 times, the impact assessment's
    "…Union[^4]," 13 times and "damage.[^108]A product")."""
    text = re.sub(r"\s*(\[\^\d+\])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Erratum:
    """One known fault of the oracle at its clause ``ref``, and the correction that gives the
    source's reading: its text with ``wrong`` replaced by ``right``; or (``absent``) no such clause in
    the source; or (``join``) the clause and the oracle's next one are one paragraph; or (``split``)
    the clause is two paragraphs, the second beginning with these words; or (``rows``) the clauses
    from ``ref`` through ``through`` are a ruled table flattened line by line, which the source reads
    as one clause per row (``rows``: their references), cell by cell. Page-based references
    (``p. N, para. K``) are counted again on a page where a clause goes or comes. ``why`` names the
    fault."""

    ref: str
    why: str
    wrong: str = ""
    right: str = ""
    absent: bool = False
    join: bool = False
    split: str = ""
    through: str = ""
    rows: tuple[str, ...] = ()


def load_errata(path: Path = ERRATA_PATH) -> dict[str, list[Erratum]]:
    """The oracle's known faults by document id."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {doc: [Erratum(**dict(e, rows=tuple(e.get("rows", ())))) for e in entries]
            for doc, entries in data["documents"].items()}


@dataclass
class Agreement:
    doc: str
    oracle: int  # clauses in the oracle, corrected by its errata
    parsed: int  # clauses parsed from the official file
    identical: int  # same reference, same normalised text
    missing: list[str] = field(default_factory=list)  # in the oracle only
    extra: list[str] = field(default_factory=list)  # parsed only
    differing: dict[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (oracle, parsed) at the first difference
    explained: dict[str, str] = field(default_factory=dict)  # ref -> the oracle fault that accounts for it
    stale: list[str] = field(default_factory=list)  # errata that no longer account for a difference

    @property
    def ratio(self) -> float:
        """Share of the oracle's clauses that the parse reproduces, or differs from only where the
        oracle is wrong."""
        return (self.identical + len(self.explained)) / self.oracle if self.oracle else 0.0

    @property
    def identical_ratio(self) -> float:
        """Share of the oracle's clauses that the parse reproduces as they are (the issue's target:
        99 % over all documents)."""
        return self.identical / self.oracle if self.oracle else 0.0

    def row(self) -> str:
        return (f"{self.doc:38} {self.oracle:>7} {self.parsed:>7} {self.identical:>9} {len(self.explained):>9} "
                f"{len(self.differing):>9} {len(self.missing):>7} {len(self.extra):>5} {self.identical_ratio:>10.2%} "
                f"{self.ratio:>8.2%}")


HEADER = (f"{'document':38} {'oracle':>7} {'parsed':>7} {'identical':>9} {'oracle-err':>9} {'differing':>9} "
          f"{'missing':>7} {'extra':>5} {'identical%':>10} {'agree':>8}")


def total(results: list[Agreement], doc: str = "all documents") -> Agreement:
    """The clauses of all ``results`` counted together."""
    out = Agreement(doc, sum(r.oracle for r in results), sum(r.parsed for r in results),
                    sum(r.identical for r in results))
    for r in results:
        out.missing += r.missing
        out.extra += r.extra
        out.differing.update({(r.doc, ref): v for ref, v in r.differing.items()})
        out.explained.update({(r.doc, ref): v for ref, v in r.explained.items()})
        out.stale += r.stale
    return out


def _first_difference(a: str, b: str, context: int = 40) -> tuple[str, str]:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - context)
    return a[start:i + context], b[start:i + context]


PAGE_REF = re.compile(r"^p\. (\d+), para\. (\d+)$")


@dataclass(frozen=True)
class Table:
    """A table the oracle flattens line by line: the rows' references once corrected, the oracle's
    text of the whole table, and why."""

    rows: tuple[str, ...]
    text: str
    why: str


def correct(oracle: dict[str, str], errata: list[Erratum]) -> tuple[dict[str, str], dict[str, str], list[str], list[Table]]:
    """The oracle's texts (normalised, by reference) with ``errata`` applied; for each reference
    whose text or number the errata changed, the fault's reason; the errata that do not apply; and
    the tables read by rows (their rows' texts are left empty here: ``compare`` checks them as one)."""
    entries = [[ref, text, None, None] for ref, text in oracle.items()]  # reference, text, why, table
    moved: dict[str, str] = {}  # page -> why, where clauses went or came
    stale: list[str] = []
    spans: list[tuple[str, str]] = []  # each table's oracle text and why
    for e in errata:
        i = next((k for k, entry in enumerate(entries) if entry[0] == e.ref), None)
        if i is None:
            stale.append(e.ref)
            continue
        page = PAGE_REF.match(e.ref)
        why = "; ".join(filter(None, [entries[i][2], e.why]))  # several errata may correct one clause
        if e.rows:
            k = next((k for k in range(i, len(entries)) if entries[k][0] == e.through), None)
            if k is None:
                stale.append(e.ref)
                continue
            for ref in [entry[0] for entry in entries[i:k + 1]] + list(e.rows):
                if PAGE_REF.match(ref):
                    moved[PAGE_REF.match(ref).group(1)] = e.why
            # the oracle's faults corrected before within the table stand with it
            reasons = dict.fromkeys(r for entry in entries[i:k + 1] for r in (entry[2] or "").split("; ") if r)
            spans.append((" ".join(entry[1] for entry in entries[i:k + 1]), "; ".join([*reasons, e.why])))
            # " (row)": the rows' references are the parse's, not to be taken for the oracle's
            entries[i:k + 1] = [[f"{ref} (row)", "", spans[-1][1], len(spans) - 1] for ref in e.rows]
            continue
        if e.absent:
            del entries[i]
        elif e.join and i + 1 < len(entries):
            following = entries.pop(i + 1)
            entries[i][1:3] = [f"{entries[i][1]} {following[1]}", why]
            page = PAGE_REF.match(following[0]) or page
        elif e.split and e.split in entries[i][1][1:]:
            at = entries[i][1].index(e.split, 1)
            entries[i:i + 1] = [[e.ref, entries[i][1][:at].rstrip(), why, None],
                                [e.ref + " (split)", entries[i][1][at:], why, None]]
        elif e.wrong and e.wrong in entries[i][1]:
            entries[i][1:3] = [entries[i][1].replace(e.wrong, e.right, 1), why]
            page = None
        else:
            stale.append(e.ref)
            continue
        if page:
            moved[page.group(1)] = e.why
    counted: dict[str, int] = {}
    out: dict[str, str] = {}
    why: dict[str, str] = {}
    rows: list[list[str]] = [[] for _ in spans]
    for ref, text, reason, table in entries:
        ref = ref.removesuffix(" (row)")
        page = PAGE_REF.match(ref.split(" (split)")[0])
        if page:
            counted[page.group(1)] = counted.get(page.group(1), 0) + 1
            new = f"p. {page.group(1)}, para. {counted[page.group(1)]}"
            if new != ref and page.group(1) in moved:
                reason = reason or moved[page.group(1)]
            ref = new
        out[ref] = text
        if reason:
            why[ref] = reason
        if table is not None:
            rows[table].append(ref)
    tables = [Table(tuple(refs), text, reason) for refs, (text, reason) in zip(rows, spans)]
    return out, why, stale, tables


# A bullet or dash standing alone: a list's mark in a cell ("• Manipulative ...") or an empty cell's
# dash, which the oracle reads as a list item's mark and leaves out.
MARK = re.compile(r"(?<!\S)[-–•](?!\S)")


def characters(text: str) -> Counter:
    """A table's text as a multiset of characters: the order of its cells' words aside, and its
    spaces, cell separators and list marks."""
    return Counter(c for c in MARK.sub(" ", text) if not c.isspace() and c != "|")


def table_characters(rows: list[str]) -> Counter:
    """The characters of a table read row by row, cell by cell, without what that reading adds: the
    cell separators " | " and, where the first row is the header, each cell's "HEADER: " label."""
    header = rows[0].split(" | ") if rows else []
    chars: Counter = Counter()
    for k, text in enumerate(rows):
        if k:
            for label in header:
                text = text.replace(f"{label}: ", " ")
        chars.update(characters(text))
    return chars


def compare(doc: str, oracle: dict[str, Clause], parsed: dict[str, Clause],
            errata: list[Erratum] = ()) -> Agreement:
    """Clause by clause: identical to the oracle, or to the oracle corrected by its ``errata``
    (explained), or differing; missing from the parse, or extra."""
    raw = {ref: normalise(c.text) for ref, c in oracle.items()}
    mine = {ref: normalise(c.text) for ref, c in parsed.items()}
    fixed, why, stale, tables = correct(raw, list(errata))
    result = Agreement(doc, len(fixed), len(parsed), 0, stale=stale)
    # a table's rows are explained together: the same characters as the oracle's flattened lines
    tabled = {ref: table for table in tables for ref in table.rows}
    agreed = {table.rows for table in tables if all(ref in mine for ref in table.rows) and table_characters(
        [mine[ref] for ref in table.rows]) == characters(table.text)}
    for ref, text in fixed.items():
        if ref in tabled and ref in mine:
            if tabled[ref].rows in agreed:
                result.explained[ref] = tabled[ref].why
            else:
                result.differing[ref] = ("(a table's characters)", mine[ref][:80])
        elif ref not in mine:
            result.missing.append(ref)
        elif mine[ref] == raw.get(ref):
            result.identical += 1
        elif mine[ref] == text and ref in why:
            result.explained[ref] = why[ref]
        else:
            result.differing[ref] = _first_difference(text, mine[ref])
    result.extra = [ref for ref in mine if ref not in fixed]
    # an erratum no longer applies where the parse has what the oracle has, or where no clause agrees
    # only thanks to it
    reasons = " | ".join(result.explained.values())
    result.stale += [e.ref for e in errata if e.ref not in stale and (
        mine.get(e.ref) == raw.get(e.ref) if e.absent else e.why not in reasons)]
    return result
