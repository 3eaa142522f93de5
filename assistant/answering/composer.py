"""The embedded answerer: composes a readable answer from the retrieved clauses, with no LLM.

A direct lead (a verbatim sentence of the best clause, introduced by what kind of answer the
question wants: a definition, whether a practice is prohibited, a figure, a deadline), then
each supporting clause quoted verbatim under its citation. Deterministic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..citations import format_citation, mentioned_documents
from ..clauses import Library, human_ref, top_level
from ..index import tokenize
from ..records import Citation, Hit

MAX_CITATIONS = 4
AI_ACTS = ("ai-act-proposal-2021", "ai-act-final-2024")  # where Article 5 is the list of prohibitions
MAX_QUOTE = 1500  # characters of a supporting clause quoted in the answer; the source card shows it all
MAX_FIRST_QUOTE = 4500  # the main clause is quoted whole unless it is a very long article
CONTEXT_LIMIT = 2500  # a paragraph or article this short is quoted whole rather than one of its parts
MAX_NAMED_QUOTE = 9000  # a clause the question names is what the user asked to read
RELATIVE_CUTOFF = 0.5  # a supporting clause scores at least this share of the best one

INTENTS = [
    ("compare", re.compile(r"\b(compare|comparison|vs\.?|versus|differ\w*|change[sd]?|chang\w+|same as|between|both)\b", re.I)),
    ("figure", re.compile(r"\b(how (much|many|big|high)|maximum|max|fines?|amount|percent\w*|%)|%", re.I)),
    ("deadline", re.compile(r"\b(when|how long|deadline|within|hours|days|months|years|date)\b", re.I)),
    ("define", re.compile(r"\b(defin\w+|meaning of|what counts as|what does .{1,40} mean|who (is|counts as) (an? |the ))"
                          r"|^\s*what(?: is|'s) (an? |the )?['‘\"]?[\w -]{1,40}['’\"]?\s*\??\s*$", re.I)),
    ("prohibited", re.compile(r"\b(ban\w*|prohibit\w*|forbidden|outlaw\w*|allowed|permitted|legal to)\b", re.I)),
    ("list", re.compile(r"\b(list\w*|all( of)? the|enumerat\w*|which \w+s|what (are|were) the \w+s|what \w+s (are|must|do|does|should))\b", re.I)),
]
MONEY = re.compile(r"\d[\d ]*\d ?(EUR|%)|EUR ?\d|€ ?\d|\d ?%")
TIME = re.compile(r"\b(\d+|twenty\w*|thirty|\w+teen) (hours|days|months|years)\b|\b(enter into force|shall apply from)\b", re.I)
# Operative provisions answer; recitals, the memorandum and commentary explain. Close calls go
# to the operative text unless the question asks for the explanation by name.
EXCEPTION = re.compile(r"^\s*(\(\w+\)\s*)?(This obligation shall not apply|.{0,40}shall not apply|By way of derogation|"
                       r"However|Notwithstanding|Paragraphs? [\d, and]+ shall not (apply|affect))", re.I)
KIND_PRIOR = {"recital": 0.85, "em_section": 0.8, "em_paragraph": 0.8, "commentary_paragraph": 0.85, "cover": 0.5}

LEADS = {
    "define": "{where} defines it:",
    "prohibited": "{where} deals with this:",
    "figure": "{where} sets the figure:",
    "deadline": "{where} sets the timing:",
    "list": "{where} gives the list:",
    "compare": "{where}:",
    None: "The most relevant provision is {where}:",
}


@dataclass
class Draft:
    """An answer before verification: markdown text and the citations it claims."""

    text: str
    citations: list[Citation]
    notices: list[str] = field(default_factory=list)


def intent_of(question: str) -> str | None:
    for name, pattern in INTENTS:
        if pattern.search(question):
            return name
    return None


def _is_within(inner: str, outer: str) -> bool:
    return inner == outer or inner.startswith(outer + "(") or inner.startswith(outer + ",")


def _prior(hit: Hit, question: str, intent: str | None) -> float:
    prior = 1.0
    mentioned = mentioned_documents(question)
    if mentioned and hit.doc not in mentioned:
        prior *= 0.6  # the question asked about another document
    if hit.how == "definition":
        prior *= 1.2
    if hit.kind in KIND_PRIOR and not re.search(r"recital|memorandum|opinion|EDPB|EDPS|assessment|briefing|news|leak|comment|critic|said|argu",
                                                question, re.I):
        prior *= KIND_PRIOR[hit.kind]
    if intent == "figure" and MONEY.search(hit.text):
        prior *= 1.3
        if re.search(r"\b(max\w*|highest|top|biggest|largest|most)\b", question, re.I):
            prior *= 1.0 + 0.1 * min(_largest_amount(hit.text) / 10_000_000, 3)
    if intent == "deadline" and TIME.search(hit.text):
        prior *= 1.2
    return prior


def _largest_amount(text: str) -> float:
    amounts = [float(m.replace(" ", "")) for m in re.findall(r"\d{1,3}(?: \d{3})+", text)]
    return max(amounts, default=0.0)


def _in_context(hit: Hit, hits: list[Hit], library: Library, limit: int = CONTEXT_LIMIT) -> Hit:
    """A point or subparagraph reads right only with the paragraph it belongs to (its chapeau,
    its sibling points): cite that paragraph when it was retrieved too and is short enough."""
    clause = library.find(hit.doc, hit.ref)
    while clause is not None and clause.parent:
        parent = library.get(hit.doc, clause.parent)
        retrieved = next((h for h in hits if h.key() == (parent.doc, parent.ref)), None)
        if len(parent.text) > limit or retrieved is None:
            break
        hit = Hit(**{**retrieved.__dict__, "score": hit.score})
        clause = parent
    return hit


def _merge_siblings(chosen: list[Hit], hits: list[Hit], library: Library, limit: int = CONTEXT_LIMIT) -> list[Hit]:
    """Cite points with their paragraph, and never a clause together with one of its parts."""
    out: list[Hit] = []
    for hit in (_in_context(h, hits, library, limit) for h in chosen):
        if any(o.doc == hit.doc and (_is_within(hit.ref, o.ref) or _is_within(o.ref, hit.ref)) for o in out):
            continue
        out.append(hit)
    return out


def select(hits: list[Hit], question: str, intent: str | None, library: Library) -> list[Hit]:
    """The clauses to cite: every clause the question names, else the best hits that are not
    parts of one another, within a score band of the best, spread over compared documents."""
    named = [h for h in hits if h.how == "reference"]
    if named:
        return named[:MAX_CITATIONS + 1]
    defined = [h for h in hits if h.how == "definition"]
    ranked = sorted((h for h in hits if h.how != "reference"), key=lambda h: -h.score * _prior(h, question, intent))
    if not ranked:
        return []
    ranked = [Hit(**{**h.__dict__, "score": round(h.score * _prior(h, question, intent), 4)}) for h in ranked]
    docs = mentioned_documents(question) if intent == "compare" else []
    best = ranked[0].score
    chosen: list[Hit] = list(defined[:2])
    for hit in ranked:
        if len(chosen) >= MAX_CITATIONS:
            break
        if hit.score < best * RELATIVE_CUTOFF and not (docs and hit.doc in docs and all(c.doc != hit.doc for c in chosen)):
            continue
        overlapping = [c for c in chosen if c.doc == hit.doc and (_is_within(hit.ref, c.ref) or _is_within(c.ref, hit.ref))]
        if overlapping:
            continue
        chosen.append(hit)
    # A comparison needs each document it names.
    for doc in docs:
        if all(c.doc != doc for c in chosen):
            extra = next((h for h in ranked if h.doc == doc), None)
            if extra:
                chosen.append(extra)
    return _merge_siblings(chosen, hits, library, MAX_FIRST_QUOTE if intent == "list" else CONTEXT_LIMIT)


def _sentences(text: str) -> list[str]:
    parts = []
    for line in text.split("\n"):
        parts += [s for s in re.split(r"(?<=[.;:])\s+(?=[A-Z(‘])", line.strip()) if s]
    return parts


def lead_sentence(text: str, question: str, intent: str | None) -> str:
    """The verbatim sentence of a clause that best answers the question."""
    wanted = set(tokenize(question))
    asks_exception = bool(re.search(r"\b(except\w*|exempt\w*|derogat\w*|not apply|unless|loophole|carve.?out)", question, re.I))
    best, best_score = "", -1e9
    for i, sentence in enumerate(_sentences(text)):
        words = set(tokenize(sentence))
        score = len(words & wanted) / (1 + len(words) ** 0.5)
        if intent == "figure" and MONEY.search(sentence):
            score += 1.0
        if intent == "deadline" and TIME.search(sentence):
            score += 0.5
        if EXCEPTION.match(sentence) and not asks_exception:
            score -= 0.5  # the rule answers; its exception only when asked for
        score -= i * 0.01  # earlier sentences break ties: they carry the rule, later ones exceptions
        if score > best_score:
            best, best_score = sentence, score
    return best


def quote_of(text: str, limit: int = MAX_QUOTE) -> tuple[str, bool]:
    """A verbatim quote of a clause, cut at a line or sentence end when it is long."""
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n", 0, limit)
    if cut < limit // 2:
        cut = max(text.rfind(". ", 0, limit) + 1, limit // 2)
    return text[:cut].rstrip(), True


def _where(hit: Hit, library: Library) -> str:
    return f"{human_ref(hit.ref)} of {library.document(hit.doc).source.label_name}"


def _blockquote(text: str) -> str:
    return "\n".join("> " + line.strip() if line.strip() else ">" for line in text.split("\n"))


def compose(question: str, hits: list[Hit], library: Library, context: str = "") -> Draft:
    """``context``: earlier turns a follow-up leans on; the question itself decides the intent."""
    intent = intent_of(question)
    if intent is None and context:
        intent = intent_of(context)
    chosen = select(hits, f"{context} {question}".strip(), intent, library)
    if not chosen:
        return Draft("I found no clause in the texts that answers this.", [])
    citations = []
    lead_parts = []
    lead_docs = set()
    for i, hit in enumerate(chosen, 1):
        limit = MAX_NAMED_QUOTE if hit.how == "reference" else MAX_FIRST_QUOTE if i == 1 else MAX_QUOTE
        quote, cut = quote_of(hit.text, limit)
        citations.append(Citation(hit.doc, hit.ref, hit.label, quote, hit.url, hit.score, hit.heading_path))
        if i == 1 or (intent == "compare" and hit.doc not in lead_docs):
            sentence = lead_sentence(hit.text, question, intent)
            template = LEADS.get(intent if i == 1 else "compare", LEADS[None])
            if i == 1 and intent == "prohibited" and hit.doc in AI_ACTS and top_level(hit.ref) == "Art. 5":
                template = "{where} lists it among the prohibited artificial intelligence practices:"
            lead_parts.append(f"{template.format(where=_where(hit, library))} “{sentence}” [{i}]")
            lead_docs.add(hit.doc)
    lines = [" ".join(lead_parts), "", "**The provisions**", ""]
    for i, (hit, citation) in enumerate(zip(chosen, citations), 1):
        heading = " > ".join(hit.heading_path)
        lines.append(f"**[{i}] {format_citation(hit.doc, hit.ref)}** — {heading}")
        lines.append(_blockquote(citation.quote) + ("\n> […]" if citation.quote != hit.text else ""))
        if hit.url:
            lines.append(f"[{top_level(hit.ref)} on EUR-Lex]({hit.url})" if "eur-lex" in hit.url else f"[Source]({hit.url})")
        lines.append("")
    return Draft("\n".join(lines).strip(), citations)
