"""The verifier between any answerer and the user.

Every citation must name a real clause that was retrieved for this question (or lies inside
one that was), and its quote must appear verbatim in that clause. A reference in the prose,
or a quotation, that no verified citation supports is struck out. Whatever is removed is
counted, so that a fabricated citation can never reach the user unnoticed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..citations import find_references
from ..clauses import Library
from ..records import Citation, Hit
from .composer import Draft, _is_within
from .disclosure import drop_sentences, strip_human_claims


def normalise(text: str) -> str:
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Verified:
    draft: Draft
    removed: int  # citations, references or quotations struck out
    reasons: list[str]


def supported(citation: Citation, hits: list[Hit], library: Library) -> str | None:
    """None when the citation holds; otherwise why it does not."""
    clause = library.find(citation.doc, citation.ref)
    if clause is None:
        return f"{citation.doc} {citation.ref} is not a clause of the corpus"
    if not any(h.doc == citation.doc and _is_within(citation.ref, h.ref) for h in hits):
        return f"{citation.ref} was not among the clauses retrieved for this question"
    if not citation.quote.strip() or normalise(citation.quote) not in normalise(clause.text):
        return f"the quote given for {citation.ref} is not verbatim"
    return None


def _outside_quotes(text: str) -> str:
    """The prose an answerer wrote itself: without block quotes, quoted spans, the source
    headers and links that are generated from the citations."""
    text = "\n".join(line for line in text.split("\n")
                     if not re.match(r"\s*(>|\*\*\[\d+\]|\[[^\]]*\]\(http)", line))
    return re.sub(r"“[^”]*”|\"[^\"]*\"", " ", text)


def _quotations(text: str) -> list[str]:
    return [q for q in re.findall(r"“([^”]{20,})”|\"([^\"]{20,})\"", text) for q in q if q]


def verify(draft: Draft, hits: list[Hit], library: Library) -> Verified:
    reasons: list[str] = []
    kept: list[Citation] = []
    text = draft.text
    renumber: dict[int, int] = {}
    for i, citation in enumerate(draft.citations, 1):
        why = supported(citation, hits, library)
        if why:
            reasons.append(why)
            text = text.replace(f"[{i}]", "")
        else:
            kept.append(citation)
            renumber[i] = len(kept)
    # Markers keep pointing at the same citation after removals.
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "", text)

    # References in the prose must be to a kept citation (or a part of one).
    prose = _outside_quotes(text)
    for reference in find_references(prose):
        if not any(_is_within(c.ref, reference.ref) or _is_within(reference.ref, c.ref) for c in kept
                   if reference.doc in (None, c.doc)):
            reasons.append(f"{reference.ref} is named but no verified citation supports it")
            text = _drop_sentences_with(text, prose[reference.start:reference.end])
    # Quotations must be verbatim in a kept citation's clause.
    clause_texts = [normalise(library.get(c.doc, c.ref).text) for c in kept]
    for quotation in _quotations(text):
        if not any(normalise(quotation) in t for t in clause_texts):
            reasons.append("a quotation is not verbatim in any cited clause")
            text = _drop_sentences_with(text, quotation)
    text, claims = strip_human_claims(text)
    if claims:
        reasons.append("a claim to be human was removed")
    text, leaked = strip_instructions(text)
    if leaked:
        reasons.append("a passage of the assistant's instructions was removed")
    return Verified(Draft(text.strip(), kept, list(draft.notices)), len(reasons), reasons)


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def strip_instructions(text: str) -> tuple[str, int]:
    """Remove sentences that repeat the answerer's rules (six words in a row of them)."""
    from .prompts import RULES
    rules = _shingles(RULES)
    return drop_sentences(text, lambda sentence: bool(_shingles(sentence) & rules))


def _drop_sentences_with(text: str, fragment: str) -> str:
    return drop_sentences(text, lambda sentence: fragment in sentence)[0]
