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
    """One known fault of the oracle's clause ``ref``: its text with ``wrong`` replaced by ``right``
    is the source's, or (``absent``) the source has no such clause, or (``extra``) the source has the
    clause ``ref`` that the oracle lacks. ``why`` names the fault."""

    ref: str
    why: str
    wrong: str = ""
    right: str = ""
    absent: bool = False
    extra: bool = False


def load_errata(path: Path = ERRATA_PATH) -> dict[str, list[Erratum]]:
    """The oracle's known faults by document id."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {doc: [Erratum(**e) for e in entries] for doc, entries in data["documents"].items()}


@dataclass
class Agreement:
    doc: str
    oracle: int  # clauses in the oracle
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

    def row(self) -> str:
        return (f"{self.doc:38} {self.oracle:>7} {self.parsed:>7} {self.identical:>9} {len(self.explained):>9} "
                f"{len(self.differing):>9} {len(self.missing):>7} {len(self.extra):>5} {self.ratio:>8.2%}")


HEADER = (f"{'document':38} {'oracle':>7} {'parsed':>7} {'identical':>9} {'oracle-err':>9} {'differing':>9} "
          f"{'missing':>7} {'extra':>5} {'agree':>8}")


def _first_difference(a: str, b: str, context: int = 40) -> tuple[str, str]:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - context)
    return a[start:i + context], b[start:i + context]


def compare(doc: str, oracle: dict[str, Clause], parsed: dict[str, Clause],
            errata: list[Erratum] = ()) -> Agreement:
    result = Agreement(doc, len(oracle), len(parsed), 0)
    known = {e.ref: e for e in errata}
    for ref, clause in oracle.items():
        erratum = known.get(ref)
        if ref not in parsed:
            if erratum is not None and erratum.absent:
                result.explained[ref] = erratum.why
            else:
                result.missing.append(ref)
            continue
        a, b = normalise(clause.text), normalise(parsed[ref].text)
        if a == b:
            result.identical += 1
            if erratum is not None:
                result.stale.append(ref)
        elif erratum is not None and erratum.wrong in a and a.replace(erratum.wrong, erratum.right, 1) == b:
            result.explained[ref] = erratum.why
        else:
            result.differing[ref] = _first_difference(a, b)
            if erratum is not None:
                result.stale.append(ref)
    for ref in parsed:
        if ref in oracle:
            continue
        if ref in known and known[ref].extra:
            continue
        result.extra.append(ref)
    result.stale += [e.ref for e in errata if (e.absent and e.ref in parsed) or (e.extra and e.ref not in parsed)]
    return result
