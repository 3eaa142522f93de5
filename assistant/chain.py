"""The QA chain as LangChain LCEL Runnables:
condense -> retrieve -> scope -> answer -> verify -> disclose.

Each step reads and extends one state dict; ``finish`` turns it into an ``Answer``.
"""
from __future__ import annotations

import re
import time

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from .answering.composer import MAX_FIRST_QUOTE, Draft, compose
from .answering.disclosure import DISCLOSURE, refusal_note
from .answering.base import BackendUnavailable
from .answering.scope import decline
from .answering.verify import Verified, verify
from .citations import find_references, mentioned_documents, without_document_names
from .definitions import defining_clauses
from .embedding import embed_query
from .plan import QueryPlan
from .retrieval import document_weights
from .records import Answer, Hit

ANSWER_CANDIDATES = 20

FOLLOW_UP = re.compile(
    r"^\s*(and|but|also|what about|how about|so|then|ok\w*|okay|same|what if)\b"
    r"|\b(that|this|it|they|them|those|these|there|its|their|such)\b", re.IGNORECASE)
PERSONAL = re.compile(r"\b(I|we|my|our|us|me|mine|company|employer|client|startup|we're|I'm)\b", re.IGNORECASE)


def conversation_context(question: str, history: list | None) -> str:
    """Earlier questions that a follow-up leans on ("and what are the fines for that?")."""
    if not history:
        return ""
    self_contained = find_references(question) or (mentioned_documents(question) and len(question.split()) > 8)
    if self_contained and not FOLLOW_UP.search(question):
        return ""
    earlier = [q for q, _ in history[-2:]]
    return " ".join(earlier)


def with_parents(hits: list[Hit], library) -> list[Hit]:
    """The retrieved clauses plus the paragraph or point each retrieved point belongs to, so that
    an answer can quote a whole list item with its chapeau (a parent-document retriever)."""
    out = list(hits)
    seen = {h.key() for h in hits}
    for hit in hits:
        clause = library.find(hit.doc, hit.ref)
        parent = library.find(hit.doc, clause.parent) if clause and clause.parent else None
        if parent and (parent.kind != "article" or len(parent.text) <= MAX_FIRST_QUOTE) and (parent.doc, parent.ref) not in seen:
            seen.add((parent.doc, parent.ref))
            out.append(Hit(parent.doc, parent.ref, parent.label, parent.text, hit.score * 0.9, parent.heading_path,
                           parent.url, parent.kind, "parent", hit.similarity))
    return out


def _timed(name: str, fn):
    def step(state: dict) -> dict:
        started = time.perf_counter()
        out = fn(state)
        state.setdefault("timings", {})[name] = round(time.perf_counter() - started, 4)
        return out
    return step


def build_chain(assistant) -> Runnable:
    library = assistant.library

    def condense(state):
        return conversation_context(state["question"], state.get("history"))

    def retrieve(state):
        retriever = assistant.retriever
        hits = retriever.search(state["question"], k=ANSWER_CANDIDATES, documents=state.get("documents"),
                                context=state["context"])
        searched = sorted(document_weights(f"{state['context']} {state['question']}", library, state.get("documents")))
        named = [h for h in hits if h.how == "reference"]
        defined = [retriever.hit(c.doc, c.ref, 1.5, "definition") for c in
                   defining_clauses(state["question"], library, searched) if (c.doc, c.ref) not in {h.key() for h in named}]
        rest = [h for h in hits if h.how != "reference" and h.key() not in {d.key() for d in defined}]
        return with_parents(named + defined + rest, library)

    def scope(state):
        # How close the best clause is to the question as asked (no glossary expansion).
        whole = f"{state['context']} {state['question']}".strip()
        index = assistant.retriever.index
        dense = index.dense(embed_query(without_document_names(whole) or whole), 3, None)
        best = dense[0][1] if dense else 0.0
        return decline(state["question"], library, state["hits"], best, state.get("documents"), state["context"])

    def answer(state):
        if state["decline"]:
            return Draft(state["decline"].message, [])
        question = state["question"]
        answerer = assistant.answerer
        if answerer is not None:
            try:
                history = tuple((q, getattr(a, "text", str(a))) for q, a in state.get("history") or [])
                plan = QueryPlan(question=question, context=state["context"], history=history)
                draft = answerer.answer(plan, state["hits"])
                draft.notices.append(f"Answered by {answerer.name}; citations checked against the texts.")
                return draft
            except BackendUnavailable as exc:
                fallback = compose(question, state["hits"], library, state["context"])
                fallback.notices.append(str(exc))
                return fallback
        return compose(question, state["hits"], library, state["context"])

    def check(state):
        if state["decline"]:
            return Verified(state["draft"], 0, [])  # our own message, which names what does not exist
        verified = verify(state["draft"], state["hits"], library)
        if assistant.answerer is not None and not verified.draft.citations and not state["decline"]:
            # An LLM answer left with no support is replaced by the embedded one.
            fallback = verify(compose(state["question"], state["hits"], library, state["context"]),
                              state["hits"], library)
            fallback.draft.notices = verified.draft.notices + [
                "The LLM's answer had no verifiable citation; showing the embedded answer instead."]
            fallback.removed += verified.removed
            return fallback
        return verified

    return (
        RunnablePassthrough.assign(context=_timed("condense", condense))
        | RunnablePassthrough.assign(hits=_timed("retrieve", retrieve))
        | RunnablePassthrough.assign(decline=_timed("scope", scope))
        | RunnablePassthrough.assign(draft=_timed("answer", answer))
        | RunnablePassthrough.assign(verified=_timed("verify", check))
        | RunnableLambda(finish)
    )


def finish(state: dict) -> Answer:
    """Attach the disclosure and caveats; the AI notice cannot be removed by anything typed."""
    verified = state["verified"]
    draft = verified.draft
    refused = state["decline"]
    parts = []
    first_turn = not state.get("history")
    if first_turn:
        parts.append(f"*{DISCLOSURE}*")
    note = refusal_note(state["question"])
    if note:
        parts.append(note)
    parts.append(draft.text)
    cites = draft.citations
    caveats = []
    if any(c.doc == "ai-act-proposal-2021" for c in cites):
        caveats.append("The 2021 text is the Commission's proposal, not law in force; the AI Act as adopted "
                       "is Regulation (EU) 2024/1689.")
        if not mentioned_documents(state["question"]) and not state.get("documents"):
            caveats.append("Your question named no version, so this answer is from the 2021 proposal.")
    if cites and PERSONAL.search(state["question"]):
        caveats.append("This is general information from the texts, not legal advice on your situation.")
    if caveats:
        parts.append("_" + " ".join(caveats) + "_")
    notices = list(draft.notices)
    if verified.removed:
        notices.append(f"The verifier removed {verified.removed} unsupported citation(s) or quotation(s).")
    timings = dict(state.get("timings", {}))
    timings["total"] = round(sum(timings.values()), 4)
    return Answer(
        question=state["question"], text="\n\n".join(p for p in parts if p), citations=cites,
        disclosure=DISCLOSURE, abstained=refused is not None,
        reason=(refused.message if refused else None), timings=timings, notices=notices,
        backend=state.get("backend", "embedded"), removed_citations=verified.removed,
        retrieved=[h.key() for h in state["hits"]],
    )
