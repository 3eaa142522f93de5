"""The QA chain as LangChain LCEL Runnables:
plan -> retrieve -> scope -> answer -> verify -> finish.

Each step reads and extends one state dict. The query plan, built first, is the only place
where what the question names, compares and asks is worked out; the later steps read it.
``prepare`` (plan, retrieve, scope) is shared by ``invoke`` and by streaming, which then
takes the answerer's text as it is written and verifies it when it is finished.
"""
from __future__ import annotations

import re
import time
from dataclasses import replace

from langchain_core.runnables import Runnable, RunnableLambda

from . import plan as planning
from .answering.base import BackendUnavailable, Draft
from .answering.scope import decline
from .answering.topic import question_margin
from .answering.verify import Verified, verify
from .citations import without_document_names
from .clauses import FINAL_ACT, PROPOSAL
from .errors import AssistantError
from .i18n import eurlex_url, language_name, t, words
from .records import Answer, Hit
from .retrieval import query_vector, spell_out

ANSWER_CANDIDATES = 20
PERSONAL = re.compile(r"\b(I|we|my|our|us|me|mine|company|employer|client|startup|we're|I'm)\b", re.IGNORECASE)


def personal(question: str, lang: str) -> bool:
    """Whether the question speaks of the asker's own situation: the English words in any
    language, and those of its own (``personal`` in its locale; on the 92 translated questions of
    each language they agree with the English on the source question 84-97 % of the time, pronoun-
    dropping Italian, Polish and Spanish lowest)."""
    own = words(lang, "personal") if lang != "en" else None
    return bool(PERSONAL.search(question) or (own and own.search(question)))


class TooSlow(AssistantError):
    """A question whose answer took longer than the per-question time budget."""


def with_parents(hits: list[Hit], library, limit: int) -> list[Hit]:
    """The retrieved clauses plus the paragraph or point each retrieved point belongs to, so that
    an answer can quote a whole list item with its chapeau (a parent-document retriever)."""
    out = list(hits)
    seen = {h.key() for h in hits}
    for hit in hits:
        clause = library.find(hit.doc, hit.ref)
        parent = library.find(hit.doc, clause.parent) if clause and clause.parent else None
        if parent and (parent.kind != "article" or len(parent.text) <= limit) and (parent.doc, parent.ref) not in seen:
            seen.add((parent.doc, parent.ref))
            out.append(Hit(parent.doc, parent.ref, parent.label, parent.text, hit.score * 0.9, parent.heading_path,
                           parent.url, parent.kind, "parent", hit.similarity, hit.rare))
    return out


def _timed(name: str, fn):
    """Time a step, and stop before it when the question's time budget is spent: every step is
    linear in the question, so this only trips on a machine that is overloaded."""
    def step(state: dict) -> dict:
        started = time.perf_counter()
        # The answer step is not ours to bound: an LLM answerer has its own timeout, after which
        # the embedded answer stands in; the steps after it still get the rest of the budget.
        if started > state["deadline"] + state.get("timings", {}).get("answer", 0.0):
            raise TooSlow(f"Answering took longer than {state['budget']:.0f} s and was stopped before the "
                          f"'{name}' step. The server may be busy: try again, or ask a shorter question.")
        out = fn(state)
        state.setdefault("timings", {})[name] = round(time.perf_counter() - started, 4)
        return out
    return step


def _then(key: str, fn) -> Runnable:
    """A step that adds ``fn(state)`` to the state as ``key``. ``RunnablePassthrough.assign`` does the
    same through a thread pool started for each call, which one step at a time does not need: five
    steps cost ~12 ms a question that way, ~3 ms this way (2 cores, one busy); whole questions, p50
    72 -> 55 ms on 100 tune questions in one process."""
    def step(state: dict) -> dict:
        out = fn(state)  # before the copy: a step may note its timing in the state
        return {**state, key: out}
    return RunnableLambda(step, name=key)


def build_prepare(assistant) -> Runnable:
    """plan -> retrieve -> scope."""
    library = assistant.library
    tuning = assistant.tuning

    def plan(state):
        return planning.build(state["question"], library, state.get("history"), state.get("documents"), tuning,
                              state.get("language"))

    def retrieve(state):
        hits = assistant.retriever.search(state["plan"], k=ANSWER_CANDIDATES)
        return with_parents(hits, library, tuning.max_first_quote)

    def scope(state):
        # How close the best clause is to the question as asked (no glossary expansion: its everyday
        # words' legal readings would pull off-topic questions near; acronyms only are spelled out).
        p = state["plan"]
        whole = spell_out(f"{p.context} {p.question}".strip())

        def similarity() -> float:
            # query_vector keeps the vectors it made: a question the glossary adds nothing to was
            # embedded in the same words by the retrieval just before (one MiniLM call, ~15 ms, saved)
            dense = assistant.retriever.index.dense(query_vector(without_document_names(whole) or whole), 3, None)
            return dense[0][1] if dense else 0.0

        def margin() -> float:
            return question_margin(p.reading or p.question, p.language, assistant.settings.data_dir)

        return decline(p, state["hits"], similarity, tuning, margin=margin)

    return (
        _then("plan", _timed("condense", plan))
        | _then("hits", _timed("retrieve", retrieve))
        | _then("decline", _timed("scope", scope))
    )


def draft_for(assistant, state) -> Draft:
    """The answerer's draft, or the embedded one (with a notice) when the backend is unavailable."""
    if state["decline"]:
        return Draft(state["decline"].message, [])
    answerer = assistant.answerer
    try:
        draft = answerer.answer(state["plan"], state["hits"])
    except BackendUnavailable as exc:
        draft = assistant.composer.answer(state["plan"], state["hits"])
        draft.notices.append(str(exc))
        draft.by = assistant.composer.name
        return draft
    if answerer is not assistant.composer:
        draft.notices.append(t("answered_by", state["plan"].language, name=answerer.name))
    return draft


def checked(assistant, state) -> Verified:
    """The verifier on the draft; an LLM answer left with no support is replaced by the embedded one."""
    if state["decline"]:
        return Verified(state["draft"], 0, [])  # our own message, which names what does not exist
    library = assistant.library
    verified = verify(state["draft"], searched(state["hits"], state["draft"]), library)
    if assistant.answerer is not assistant.composer and not verified.draft.citations:
        fallback = verify(assistant.composer.answer(state["plan"], state["hits"]), state["hits"], library)
        fallback.draft.notices = verified.draft.notices + [t("llm_fallback", state["plan"].language)]
        fallback.draft.by = assistant.composer.name
        fallback.removed += verified.removed
        fallback.reasons = verified.reasons + fallback.reasons
        return fallback
    return verified


def searched(hits: list[Hit], draft: Draft) -> list[Hit]:
    """The clauses retrieved, and those the answerer read beside them (a retrieved point's
    article or list): together, what was searched for this answer."""
    known = {h.key() for h in hits}
    return hits + [h for h in draft.consulted if h.key() not in known]


def build_chain(assistant) -> Runnable:
    return (
        build_prepare(assistant)
        | _then("draft", _timed("answer", lambda state: draft_for(assistant, state)))
        | _then("verified", _timed("verify", lambda state: checked(assistant, state)))
        | RunnableLambda(lambda state: finish(state, assistant.tuning.max_answer_chars))
    )


def bounded(text: str, limit: int) -> tuple[str, bool]:
    """The text without repeated paragraphs, cut at a paragraph end when longer than ``limit``."""
    seen, kept = set(), []
    for paragraph in text.split("\n\n"):
        key = re.sub(r"\s++", " ", paragraph).strip()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(paragraph)
    text = "\n\n".join(kept)
    if len(text) <= limit:
        return text, False
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(), True


def prefix(state: dict) -> str:
    """What every answer text starts with: the AI notice on a first turn, and the refusal to
    hide it when asked to (the text ``finish`` puts before the answer, with its separator)."""
    lang = state["plan"].language
    parts = []
    if not state.get("history"):
        parts.append(f"*{t('disclosure', lang)}*")
    if state["plan"].asks_to_hide:
        parts.append(t("refusal_note", lang))
    return "".join(p + "\n\n" for p in parts)


def finish(state: dict, max_chars: int) -> Answer:
    """Attach the disclosure and caveats; the AI notice cannot be removed by anything typed."""
    verified = state["verified"]
    draft = verified.draft
    refused = state["decline"]
    plan = state["plan"]
    lang = plan.language
    disclosure = t("disclosure", lang)
    head = prefix(state)
    parts = []
    body, cut = bounded(draft.text, max_chars)
    cites = draft.citations
    if lang != "en":  # the same acts on EUR-Lex in the user's language
        for c in cites:
            if c.url and eurlex_url(c.url, lang) != c.url:
                body = body.replace(f"({c.url})", f"({eurlex_url(c.url, lang)})")
        cites = [replace(c, url=eurlex_url(c.url, lang)) for c in cites]
    parts.append(body)
    caveats = []
    if any(c.doc == PROPOSAL for c in cites):
        caveats.append(t("caveat_proposal", lang))
        if not plan.documents_named and not plan.filtered and not any(c.doc == FINAL_ACT for c in cites):
            caveats.append(t("caveat_no_version", lang))  # (with the adopted Act quoted beside, it says itself)
    if cites and personal(state["question"], lang):
        caveats.append(t("caveat_not_legal_advice", lang))
    if caveats:
        parts.append("_" + " ".join(caveats) + "_")
    notices = list(draft.notices)
    if lang != "en" and cites:
        notices.append(t("english_original", lang, language=language_name(lang)))
    if cut:
        notices.append(t("answer_cut", lang, limit=f"{max_chars:,}"))
    if verified.removed:  # what it struck and why, as the verifier names it (in English)
        removed = t("verifier_removed", lang, count=verified.removed).rstrip(".")
        notices.append(f"{removed}: " + "; ".join(dict.fromkeys(verified.reasons[:5])) + ".")
    timings = dict(state.get("timings", {}))
    timings["total"] = round(sum(timings.values()), 4)
    return Answer(
        question=state["question"], text=head + "\n\n".join(p for p in parts if p), citations=cites,
        disclosure=disclosure, abstained=refused is not None,
        reason=(refused.message if refused else None), timings=timings, notices=notices,
        backend=draft.by or state.get("backend", "embedded"), removed_citations=verified.removed,
        retrieved=[h.key() for h in searched(state["hits"], draft)], plan=plan.to_dict(),
    )
