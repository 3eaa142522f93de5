"""The verifier between any answerer and the user.

Every citation must name a real clause that was retrieved for this question (or lies inside
one that was), and its quote must appear verbatim in that clause. In the text, nothing is
exempt: a reference that no verified citation supports, a quotation (in double or curly
single quotes, or a block quote under a source header) that is not verbatim in a cited
clause, a source header that names another clause than its number, a link to a site other
than the cited sources and EUR-Lex, a claim to be human and a passage of the answerer's
instructions are all struck out. Whatever is removed is counted and said, so that a
fabricated citation can never reach the user unnoticed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..citations import find_references, format_citation, is_within
from ..clauses import Library
from ..records import Citation, Hit
from .base import Draft
from .disclosure import QUOTE_MARKS, drop_sentences, strip_human_claims

TRUSTED_HOSTS = ("eur-lex.europa.eu",)  # links besides the cited clauses' own addresses
HEADER = re.compile(r"^\*\*\[(\d+)\]\s*+(.*?)\*\*")
LINK = re.compile(r"\[([^\]\n]*+)\]\((\S+?)\)")
BARE_URL = re.compile(r"(?<![(\w])https?://[^\s)\]]++")
# What a curly quotation holds: its words, and a quotation of its own (a commentary quoting "social
# scoring": “... AI for “social scoring”, as foreseen ...”); read as two, its second half was prose,
# and the reference inside it struck the answer's lead out.
_CURLY_INSIDE = r"(?:[^“”]|“[^“”]*+”)"
# Opening marks excluded inside, so that a run of them ("‘‘‘‘") is not rescanned from each one.
QUOTATION = re.compile(rf"“({_CURLY_INSIDE}{{20,}})”|\"([^\"\n]{{20,}})\"|‘([^‘’]{{20,}})’")
# A line of a block quote or a source header: verbatim text of a cited clause, checked on its own.
QUOTED_LINE = re.compile(r"\s*+(>|\*\*\[\d+\])")


def normalise(text: str) -> str:
    return re.sub(r"\s++", " ", text.translate(QUOTE_MARKS)).strip()


@dataclass
class Verified:
    draft: Draft
    removed: int  # citations, references, quotations, links or claims struck out
    reasons: list[str]


def supported(citation: Citation, hits: list[Hit], library: Library) -> str | None:
    """None when the citation holds; otherwise why it does not."""
    clause = library.find(citation.doc, citation.ref)
    if clause is None:
        return f"{citation.doc} {citation.ref} is not a clause of the corpus"
    if not any(h.doc == citation.doc and is_within(citation.ref, h.ref) for h in hits):
        return f"{citation.ref} was not among the clauses retrieved for this question"
    if not citation.quote.strip() or normalise(citation.quote) not in normalise(clause.text):
        return f"the quote given for {citation.ref} is not verbatim"
    return None


def _outside_quotes(text: str) -> str:
    """The prose an answerer wrote itself: without block quotes, quoted spans, and the source
    headers and links (each checked on its own)."""
    text = "\n".join(line for line in text.split("\n") if not QUOTED_LINE.match(line))
    text = LINK.sub(lambda m: m.group(1), text)
    return QUOTATION.sub(" ", re.sub(rf"“{_CURLY_INSIDE}*+”|\"[^\"\n]*+\"", " ", text))


def _check_blocks(text: str, kept: list[Citation], library: Library, reasons: list[str]) -> str:
    """Each source header must name its own citation, and each block quote must be verbatim in
    the clause of the header above it (or of some cited clause when it has none)."""
    def with_ancestors(citation: Citation) -> str:
        """A clause's text and the texts it sits in: a point is shown under its chapeau."""
        clause, texts = library.get(citation.doc, citation.ref), []
        while clause is not None:
            texts.append(normalise(clause.text))
            clause = library.find(clause.doc, clause.parent) if clause.parent else None
        return "\n".join(texts)

    clause_texts = {i: with_ancestors(c) for i, c in enumerate(kept, 1)}
    out: list[str] = []
    current: int | None = None
    block: list[str] = []

    def flush():
        if not block:
            return
        # The quoted lines, in pieces between the "[…]" marks of a cut quote.
        pieces, piece = [], []
        for line in block:
            content = re.sub(r"^\s*+>\s?", "", line).strip()
            if content in ("[…]", "[...]"):
                pieces.append(" ".join(piece))
                piece = []
            else:
                piece.append(content)
        pieces = [normalise(p) for p in pieces + [" ".join(piece)] if normalise(p)]
        allowed = [clause_texts[current]] if current in clause_texts else list(clause_texts.values())
        if pieces and not all(any(p in t for t in allowed) for p in pieces):
            reasons.append("a block quote is not verbatim in the clause it is shown under")
        else:
            out.extend(block)
        block.clear()

    for line in text.split("\n"):
        if re.match(r"\s*+>", line):
            block.append(line)
            continue
        flush()
        header = HEADER.match(line.strip())
        if header:
            number = int(header.group(1))
            citation = kept[number - 1] if 1 <= number <= len(kept) else None
            named = find_references(header.group(2))
            if citation is None or (named and not any(
                    r.ref == citation.ref and r.doc in (None, citation.doc) for r in named)) or (
                    not named and format_citation(citation.doc, citation.ref) not in header.group(2)):
                reasons.append(f"the source header [{number}] does not name the clause cited as [{number}]")
                current = None
                continue
            current = number
        elif line.strip():
            current = current if line.startswith(("[", "**")) else None
        out.append(line)
    flush()
    return "\n".join(out)


def _check_links(text: str, allowed: set[str], reasons: list[str]) -> str:
    """Links and addresses only to the cited clauses' sources and EUR-Lex."""
    def trusted(url: str) -> bool:
        host = re.match(r"https?://([^/:?#]+)", url)
        return url in allowed or bool(host and host.group(1).lower().endswith(TRUSTED_HOSTS))

    def link(match: re.Match) -> str:
        if trusted(match.group(2)):
            return match.group(0)
        reasons.append(f"a link to {match.group(2)[:80]} was removed")
        return match.group(1)

    def bare(match: re.Match) -> str:
        if trusted(match.group(0)):
            return match.group(0)
        reasons.append(f"an address {match.group(0)[:80]} was removed")
        return ""

    return BARE_URL.sub(bare, LINK.sub(link, text))


def verify(draft: Draft, hits: list[Hit], library: Library) -> Verified:
    reasons: list[str] = []
    kept: list[Citation] = []
    text = draft.text
    renumber: dict[int, int] = {}
    for i, citation in enumerate(draft.citations, 1):
        why = supported(citation, hits, library)
        if why:
            reasons.append(why)
        else:
            kept.append(citation)
            renumber[i] = len(kept)
    # Markers keep pointing at the same citation after removals; markers of struck ones go.
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "",
                  text)
    text = _check_blocks(text, kept, library, reasons)
    text = _check_links(text, {c.url for c in kept if c.url} | {h.url for h in hits if h.url}, reasons)

    # References in the prose must be to a kept citation (or a part of one), or be named in the
    # heading of one ("Annex III (High-risk AI systems referred to in Article 6(2))"). A part by its
    # number or by the texts' structure (Annex VII(4.2)(c) is in Annex VII(4)).
    prose = _outside_quotes(text)
    titled = {(r.doc or c.doc, r.ref) for c in kept for r in find_references(" ".join(c.heading_path))}
    for reference in find_references(prose):
        if not any(is_within(c.ref, reference.ref) or is_within(reference.ref, c.ref)
                   or reference.ref in library.document(c.doc).ancestors(c.ref) for c in kept
                   if reference.doc in (None, c.doc)) and not any(
                (doc, ref) == (reference.doc or doc, reference.ref) for doc, ref in titled) or reference.external:
            reasons.append(f"{reference.ref} is named but no verified citation supports it")
            text = _drop_sentences_with(text, prose[reference.start:reference.end])
    # Quotations must be verbatim in a kept citation's clause.
    clause_texts = [normalise(library.get(c.doc, c.ref).text) for c in kept]
    # A cited clause's label and headings are quoted too: the news report's title is in quotes.
    names = [normalise(" ".join([c.label, *c.heading_path])) for c in kept]
    for match in QUOTATION.finditer(text):
        quotation = next(g for g in match.groups() if g)
        if not any(normalise(quotation) in t for t in clause_texts + names):
            reasons.append("a quotation is not verbatim in any cited clause")
            text = _drop_sentences_with(text, quotation)
    text, claims = strip_human_claims(text)
    if claims:
        reasons.append("a claim to be human was removed")
    text, leaked = strip_instructions(text)
    if leaked:
        reasons.append("a passage of the assistant's instructions was removed")
    return Verified(Draft(text.strip(), kept, list(draft.notices), list(draft.consulted), draft.by), len(reasons), reasons)


def _shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def strip_instructions(text: str) -> tuple[str, int]:
    """Remove sentences that repeat the answerer's rules (six words in a row of them)."""
    from .prompts import RULES
    rules = _shingles(RULES)
    return drop_sentences(text, lambda sentence: bool(_shingles(sentence) & rules))


def _drop_sentences_with(text: str, fragment: str) -> str:
    """The text without the answerer's own sentences holding ``fragment``; block quotes and source
    headers are left alone (verbatim clause text, checked by ``_check_blocks``): an unsupported
    reference in the prose must not cut the words of a quoted clause that happen to name it too."""
    return "\n".join(line if QUOTED_LINE.match(line) else drop_sentences(line, lambda s: fragment in s)[0]
                     for line in text.split("\n"))
