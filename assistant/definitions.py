"""Defined terms: the definitions articles of each act as a lexicon, so that a question asking
what a term means finds the clause that defines it ("Am I a 'user'?" -> Art. 3(4))."""
from __future__ import annotations

import re
from functools import lru_cache

from .clauses import FINAL_ACT, PROPOSAL, Clause, Library

# The articles that hold each act's definitions.
DEFINITION_ARTICLES = {PROPOSAL: "Art. 3", "gdpr": "Art. 4", FINAL_ACT: "Art. 3"}
TERM = re.compile(r"^\(\d+\)\s*[‘'\"]([^’'\"]{2,80})[’'\"](?:\s*\(([^)]{2,30})\))?")
# Words that, just before a term, ask what it means ("Am I a user", "what counts as an AI system").
CUE_BEFORE = re.compile(
    r"\b(defin\w*( of)?|meaning of|counts? as|qualif\w* as|considered( to be)?|am I|are we|are they|is (it|this|that|he|she|a \w+)|"
    r"what(?:'s| is| are)|who(?:'s| is| are)|become|becomes)\s+(?:an?\s+|the\s+)?[‘'\"]?$", re.IGNORECASE)
# "under Article 3" points at a definition; "under the draft" does not (it follows any term).
CUE_AFTER = re.compile(r"^[’'\"]?\s*(mean|means|defined|is defined|under (article|art\.?) ?\d)\b", re.IGNORECASE)


@lru_cache(maxsize=4)
def lexicon(library: Library) -> list[tuple[re.Pattern, Clause]]:
    """(pattern of the defined term, defining clause), longest terms first."""
    entries = []
    for doc_id, article in DEFINITION_ARTICLES.items():
        doc = library.documents.get(doc_id)
        if doc is None or article not in doc.clauses:
            continue
        for ref in doc.clauses[article].children:
            clause = doc.clauses[ref]
            match = TERM.match(clause.text)
            if match:
                for term in filter(None, match.groups()):  # the term and its short form: ‘...’ (AI system)
                    pattern = re.compile(r"(?<![\w-])" + re.escape(term.strip()).replace(r"\ ", r"[\s-]+")
                                         + r"s?(?![\w-])", re.IGNORECASE)
                    entries.append((len(term), pattern, clause))
    entries.sort(key=lambda e: -e[0])
    return [(p, c) for _, p, c in entries]


def asks_meaning(question: str, start: int, end: int) -> bool:
    before, after = question[max(0, start - 40):start], question[end:end + 30]
    quoted = before.rstrip().endswith(("‘", "'", '"')) and after.lstrip().startswith(("’", "'", '"'))
    return quoted or bool(CUE_BEFORE.search(before)) or bool(CUE_AFTER.match(after))


def defining_clauses(question: str, library: Library, documents: list[str]) -> list[Clause]:
    """The clauses defining terms the question asks the meaning of, in the documents searched."""
    found: list[Clause] = []
    covered: dict[str, list[tuple[int, int]]] = {}
    for pattern, clause in lexicon(library):
        if clause.doc not in documents or clause in found:
            continue
        spans = covered.setdefault(clause.doc, [])
        for match in pattern.finditer(question):
            if any(s <= match.start() < e for s, e in spans):
                continue  # part of a longer term already found ("high-risk AI system" over "AI system")
            spans.append(match.span())
            if asks_meaning(question, *match.span()):
                found.append(clause)
            break
    return found
