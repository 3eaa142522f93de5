"""The annex point a paragraph opens with, written out beside the reference for the embedder.

A paragraph scoped to some high-risk systems says so by their place in Annex III: the two-person
check of a biometric match (Art. 14(5), both versions) is "For high-risk AI systems referred to in
point 1(a) of Annex III, ..." and never says "biometric", so neither embedding model put it in
the first ten for a question on checking a face match. The embedded text of such a paragraph
carries the point's own words after the reference ("point 1(a) of Annex III (remote biometric
identification systems)"); the quoted text is untouched.

Only a lettered point (a kind of system, not a whole area) and only in the opening words, up to
the first comma, where the formula names what the paragraph governs. Measured on the tune split
(each against the same run without it): written out wherever they stand, areas and ranges too,
article R@5 +25 -8 but all key facts +6 -11: "point 1 of Annex III" made Art. 43(1) read as
about any annex use and took recruitment tools' internal control from Art. 43(2), and the credit
scoring of 43(2)'s second sentence diluted it.
"""
from __future__ import annotations

import re

from .clauses import Library

_POINT = r"(?:\d+(?:\s?\([a-z]\))?|\([a-z]\))"
POINTS = re.compile(rf"\bpoints? (?P<list>{_POINT}(?:(?:,| and| or| to) {_POINT})*),? of (?P<annex>Annex [IVXLC]+)\b")
ITEM = re.compile(r"(\d+)|\(([a-z])\)")


def _lettered(listed: str) -> list[str]:
    """The lettered points of a list: "1(a)" -> 1(a); "5 (b) and (c)" -> 5(b), 5(c); "1, 6 and 7" -> none."""
    points: list[str] = []
    number = ""
    for match in ITEM.finditer(listed):
        if match.group(1):
            number = match.group(1)
        elif number:
            points.append(f"{number}({match.group(2)})")
    return points


def _text(library: Library, doc: str, annex: str, point: str) -> str | None:
    """A lettered point's own words, "Annex III", "1(a)" -> "remote biometric identification systems"."""
    number, _, letter = point.partition("(")
    clause = library.find(doc, f"{annex}({number})({letter}")
    if clause is None:
        return None
    return re.sub(r"^\([a-z]\)\s*", "", clause.text.split("\n", 1)[0].strip()).rstrip(":;,. ")


def written_out(text: str, doc: str, library: Library) -> str:
    """``text`` with the words of the lettered annex points its opening words refer to in brackets
    after the reference."""
    def spell(match: re.Match) -> str:
        if match.start() > text.find(","):
            return match.group(0)
        found = [_text(library, doc, match.group("annex"), point) for point in _lettered(match.group("list"))]
        words = "; ".join(t for t in found if t)
        return f"{match.group(0)} ({words})" if words else match.group(0)

    return POINTS.sub(spell, text)
