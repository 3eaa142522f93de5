"""When to decline: provisions that do not exist, and questions outside the corpus."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..citations import find_references, mentioned_documents
from ..clauses import Library, nearby_message
from ..records import Hit

DEFAULT_DOC = "ai-act-proposal-2021"

# A reference followed by the name of another instrument is about that instrument, not ours.
OTHER_INSTRUMENT_AFTER = re.compile(
    r"^\s*(?:of\s+|in\s+)?(?:the\s+)?(?:TFEU|TEU|Treaty|Charter|Convention|ECHR|Directive|"
    r"Council\s+Framework|Regulation\s+\((?:EU|EC)\)\s+(?:No\s+)?(?!2016/679|2024/1689)\d)", re.IGNORECASE)

# Names of instruments and jurisdictions the corpus does not hold.
OUR_ACTS = re.compile(r"\b(AI|Artificial Intelligence) Act\b|General Data Protection Regulation|GDPR", re.IGNORECASE)
OTHER_ACT = re.compile(r"\b(?:[A-Z][\w'-]+\s+){1,5}(?:Act|Directive|Law|Code|Order|Bill)\b"
                       r"|\bexecutive order\b|\b(?:Digital (?:Services|Markets)|Data Governance|Online Safety)\b")
OTHER_JURISDICTION = re.compile(
    r"\b(US|USA|U\.S\.|American|United States|California\w*|UK|British|United Kingdom|China|Chinese|"
    r"India\w*|Canad\w+|Japan\w*|Australia\w*|Brazil\w*|Russia\w*|Singapore\w*)\b")

# Below this cosine similarity, the best clause is not about the question at all (calibrated
# on questions about cooking, weather, shares and family law against in-scope ones).
MIN_SIMILARITY = 0.30


@dataclass(frozen=True)
class Decline:
    reason: str  # "nonexistent" | "out-of-scope"
    message: str


def missing_references(question: str, library: Library, documents: list[str] | None = None) -> list[str]:
    """Messages for references in the question that name no clause of the document meant."""
    out = []
    mentioned = mentioned_documents(question)
    for reference in find_references(question):
        if OTHER_INSTRUMENT_AFTER.match(question[reference.end:reference.end + 60]):
            continue
        doc_id = reference.doc or (documents[0] if documents else (mentioned[0] if mentioned else DEFAULT_DOC))
        doc = library.documents.get(doc_id)
        if doc is None or reference.ref in doc.clauses:
            continue
        if reference.doc is None and any(reference.ref in library.documents[d].clauses for d in mentioned):
            continue  # names a clause of another document the question mentions
        out.append(nearby_message(doc, reference.ref))
    return out


def out_of_scope(question: str, hits: list[Hit], best_similarity: float) -> bool:
    names_other = bool(OTHER_ACT.search(question) and not OUR_ACTS.search(question)) or \
        bool(OTHER_JURISDICTION.search(question) and not mentioned_documents(question))
    if names_other and not find_references(question):
        return True
    return not hits or best_similarity < MIN_SIMILARITY


def decline(question: str, library: Library, hits: list[Hit], best_similarity: float,
            documents: list[str] | None = None) -> Decline | None:
    missing = missing_references(question, library, documents)
    if missing:
        return Decline("nonexistent", " ".join(missing))
    if out_of_scope(question, [h for h in hits if h.how != "reference"] or hits, best_similarity):
        return Decline("out-of-scope",
                       "This question is outside what I can answer from: I searched the 2021 AI Act "
                       "proposal (COM(2021) 206), the GDPR, the final AI Act (Regulation (EU) 2024/1689) "
                       "and commentary on the proposal (EDPB-EDPS Joint Opinion 5/2021, the impact "
                       "assessment SWD(2021) 84, the EPRS briefing, news on the leaked draft), and none "
                       "of them addresses it.")
    return None
