"""How far the clauses parsed from an official file agree with the manual JSON Lines conversion
(the oracle): same canonical references, and text equal after whitespace normalisation."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clauses import Clause


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Agreement:
    doc: str
    oracle: int  # clauses in the oracle
    parsed: int  # clauses parsed from the official file
    identical: int  # same reference, same normalised text
    missing: list[str] = field(default_factory=list)  # in the oracle only
    extra: list[str] = field(default_factory=list)  # parsed only
    differing: dict[str, tuple[str, str]] = field(default_factory=dict)  # ref -> (oracle, parsed) at the first difference

    @property
    def ratio(self) -> float:
        return self.identical / self.oracle if self.oracle else 0.0

    def row(self) -> str:
        return (f"{self.doc:38} {self.oracle:>7} {self.parsed:>7} {self.identical:>9} {len(self.differing):>9} "
                f"{len(self.missing):>7} {len(self.extra):>5} {self.ratio:>8.2%}")


HEADER = f"{'document':38} {'oracle':>7} {'parsed':>7} {'identical':>9} {'differing':>9} {'missing':>7} {'extra':>5} {'agree':>8}"


def _first_difference(a: str, b: str, context: int = 40) -> tuple[str, str]:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, i - context)
    return a[start:i + context], b[start:i + context]


def compare(doc: str, oracle: dict[str, Clause], parsed: dict[str, Clause]) -> Agreement:
    result = Agreement(doc, len(oracle), len(parsed), 0,
                       missing=[r for r in oracle if r not in parsed], extra=[r for r in parsed if r not in oracle])
    for ref, clause in oracle.items():
        if ref not in parsed:
            continue
        a, b = normalise(clause.text), normalise(parsed[ref].text)
        if a == b:
            result.identical += 1
        else:
            result.differing[ref] = _first_difference(a, b)
    return result
