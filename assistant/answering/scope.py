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
    r"\b(US|USA|U\.S\.|UK)\b|\b(american|united states|california\w*|british|united kingdom|china|chinese|"
    r"india\w*|canad\w+|japan\w*|australia\w*|brazil\w*|russia\w*|singapore\w*)\b", re.IGNORECASE)
# Advice no legal text gives, however the question mentions AI.
OTHER_ADVICE = re.compile(r"\b(buy|sell|invest\w*|trade)\b.{0,60}\b(shares?|stocks?|crypto\w*|bitcoin|ETFs?)\b"
                          r"|\b(shares?|stocks?)\b.{0,40}\b(buy|sell|invest)", re.IGNORECASE)
# Words without which a question is not about regulating AI or data at all.
DOMAIN = re.compile(
    r"\b(AI|A\.I\.|artificial|intelligen\w*|algorithm\w*|automat\w*|data|privacy|GDPR|regulat\w*|law\w*|legal\w*|"
    r"act|article|art\.?|recital|annex|provider|user|deployer|controller|processor|fine\w*|penalt\w*|biometric\w*|"
    r"system\w*|model\w*|right\w*|obligat\w*|requir\w*|prohibit\w*|ban\w*|risk\w*|complian\w*|conformity|"
    r"commission|board|authorit\w*|member states?|EU|union|europe\w*|proposal|draft|assessment|transparen\w*|consent|"
    r"chat ?bots?|deep ?fakes?|surveillance|recognition|scor\w*|profil\w*|sandbox\w*|market|product\w*|"
    r"safety|standards?|notified|certif\w*|oversight|EDPB|EDPS|opinion|impact|leak\w*|personal|breach|transfer\w*|"
    r"dpia|dpo|erasure|rectification|portability|police|law enforcement|employ\w*|recruit\w*|credit|"
    r"migration|asylum|border|justice|education|critical infrastructure|manipulat\w*|discriminat\w*|bias\w*|"
    r"codes? of conduct|consult\w*|white paper|stakeholder\w*|governance|innovation|technolog\w*|software|"
    r"digital|platform\w*|online|computer\w*|machine\w*|robot\w*|internet|app|apps|camera\w*|facial|face|"
    r"sustainab\w*|fundamental|citizen\w*|consumer\w*|compan\w*|business\w*|startup\w*|SMEs?|regulator\w*|"
    r"sanction\w*|enforce\w*|supervis\w*|harmonis\w*|ethic\w*|trust\w*|accountab\w*|explain\w*|decision\w*)\b",
    re.IGNORECASE)

# Below this cosine similarity of the question (as asked) and the closest clause, the corpus
# does not discuss the topic at all: calibrated on cooking, sport, trivia and joke requests
# (0.09-0.27) against in-scope ones (0.29 and up, the lowest a terse "What must a DPIA contain?").
MIN_SIMILARITY = 0.28


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


def out_of_scope(question: str, hits: list[Hit], best_similarity: float, context: str = "") -> bool:
    names_other = bool(OTHER_ACT.search(question) and not OUR_ACTS.search(question)) or \
        bool(OTHER_JURISDICTION.search(question) and not mentioned_documents(question)
             and not re.search(r"\b(EU|European|Union)\b", question))
    if names_other and not find_references(question):
        return True
    if OTHER_ADVICE.search(question):
        return True
    if not context and not DOMAIN.search(question):
        return True
    return not hits or best_similarity < MIN_SIMILARITY


def decline(question: str, library: Library, hits: list[Hit], best_similarity: float,
            documents: list[str] | None = None, context: str = "") -> Decline | None:
    missing = missing_references(question, library, documents)
    if missing:
        return Decline("nonexistent", " ".join(missing))
    if out_of_scope(question, [h for h in hits if h.how != "reference"] or hits, best_similarity, context):
        return Decline("out-of-scope",
                       "This question is outside what I can answer from: I searched the 2021 AI Act "
                       "proposal (COM(2021) 206), the GDPR, the final AI Act (Regulation (EU) 2024/1689) "
                       "and commentary on the proposal (EDPB-EDPS Joint Opinion 5/2021, the impact "
                       "assessment SWD(2021) 84, the EPRS briefing, news on the leaked draft), and none "
                       "of them addresses it.")
    return None
