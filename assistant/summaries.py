"""Which paragraphs of a commentary its own summary restates.

The EDPB-EDPS opinion opens with an executive summary whose paragraphs copy, nearly word for word,
the recommendation that closes a paragraph of the analysis ("the EDPB and the EDPS consider that
DPAs should be designated as the national supervisory authorities", summary p. 3, para. 2 and
Para. 48). A question on that recommendation lands nearer the short summary than the long analysis
paragraph, whose first sentences argue towards it ("Hence, the designation of DPAs..."); the
summary then stands for the paragraph it restates (``Retriever.bridged``), the precise clause to cite.

Read from the texts alone: a summary paragraph restates the body paragraphs that hold a given share
of its word 4-grams. Measured on the opinion's 25 summary and conclusion paragraphs: the 14 pairs
found share 0.30-0.94 of them, 13 of them the pairs a reader makes; the other (0.32) is a "Having
regard to" line that the layout puts under the summary's heading and that cites the proposal's
title, as Para. 4 does. No other pair shares more than 0.25 (the cover page's title).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from .clauses import Clause

# The heading of a document's own summary: "Executive Summary", "4 CONCLUSION", "OVERVIEW".
SUMMARY_HEADING = re.compile(r"^(\d+(\.\d+)*\s+)?(executive summary|summary|conclusions?|overview)$", re.IGNORECASE)
GRAM = 4


def _grams(text: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return frozenset(tuple(words[i:i + GRAM]) for i in range(len(words) - GRAM + 1))


def is_summary(clause: Clause) -> bool:
    """Whether a commentary paragraph sits in its document's own summary or conclusion."""
    return clause.kind == "commentary_paragraph" and bool(clause.heading_path) \
        and bool(SUMMARY_HEADING.match(clause.heading_path[0].strip()))


def restated(clauses: Iterable[Clause], share: float) -> dict[str, tuple[str, ...]]:
    """Summary paragraph ref -> the refs of the body paragraphs of the same document it restates:
    those holding at least ``share`` of its word 4-grams, most shared first."""
    paragraphs = [c for c in clauses if c.kind == "commentary_paragraph"]
    if not any(is_summary(c) for c in paragraphs):
        return {}  # the acts, and the commentaries without a summary of their own
    body = [(c.ref, _grams(c.text)) for c in paragraphs if not is_summary(c)]
    out: dict[str, tuple[str, ...]] = {}
    for clause in paragraphs:
        if not is_summary(clause) or not (grams := _grams(clause.text)):
            continue
        shared = sorted(((len(grams & other) / len(grams), ref) for ref, other in body), reverse=True)
        if found := tuple(ref for part, ref in shared if part >= share):
            out[clause.ref] = found
    return out
