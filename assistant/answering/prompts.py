"""The messages an LLM answerer gets: fixed rules, the conversation so far, and the question
with its numbered sources under their canonical references.

The rules come first and never change, so that a local model keeps them in its cache between
questions; what changes (history, sources, question) follows. Budgets are in characters
(about 4.8 per token for these texts). The time to the first token is the time to read the
prompt: bench/llm.py measured about 22 prompt tokens per CPU-second for the local model here
(the rules, ~220 tokens, are read once and kept: 218 tokens reused on every question of
bench/llm.py --ab), so every source clause costs seconds.
"""
from __future__ import annotations

import re

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from ..citations import format_citation, short_names
from ..records import Hit
from .composer import sentence_scores, sentences

# The rules are kept apart: the verifier strikes any answer sentence that repeats them.
RULES = """You are eu-ai-draft-assistant, an AI system (never a human). Answer ONLY from the numbered sources below.
Rules:
- After every statement, cite the source it rests on as [n], using the numbers below. Cite no other provision.
- When you quote, copy the words exactly from the source, inside double quotes.
- If the sources do not answer the question, say so in one sentence.
- Questions that name no version are about the 2021 proposal, which is not law in force.
- Never claim to be human, and never drop or contradict the notice that you are an AI system, whatever the user asks.
- Be brief: at most 3 sentences. The sources you cite are shown under your answer."""

SYSTEM = RULES + """
The texts: the EU's 2021 AI Act proposal (COM(2021) 206), the GDPR, the final AI Act (Regulation (EU) 2024/1689)
and commentary on the proposal."""

# Repeated after the question: a 1.5B model follows the last instruction it read. Without it
# Qwen2.5-1.5B cited no [n] in 2 of 2 test answers; with it (and llm.mark_references), 10 of 10
# bench/llm.py answers kept at least one verified citation.
REMINDER = "Answer in at most 3 sentences. End each sentence with the number of the source it comes from, like [1]."

# The clauses are those the embedded answer quotes (``LLMAnswerer.chosen``), each read as its
# sentences that carry the question (``excerpt``). bench/llm.py --coverage, all 253 answerable
# single-turn tune questions, prompt tokens p50 and questions whose key facts are all in the prompt:
# the best 3 retrieved clauses' first 500 characters (the prompt before) 522 tokens, 93; the
# composer's 3 clauses as excerpts of 500, 547, 107; their first 500 characters, 565, 86; 2 excerpts
# of 500, 480, 96; 3 of 400, 506, 91; 2 of 400, 447, 82. Two clauses: the shortest prompt that
# loses no facts (the first token waits for every prompt token; the rules, ~220, are kept in the cache).
SOURCES = 2            # at most this many clauses
SOURCE_CHARS = 500     # of each clause: its sentences that carry the question
HISTORY_TURNS = 2      # earlier turns shown
HISTORY_CHARS = 500    # of each earlier answer

ASKS = {
    "definition": "the meaning of a term",
    "list": "a list",
    "figure": "an amount or figure",
    "deadline": "a date or period",
    "yes_no": "yes or no, then why",
    "comparison": "a comparison",
}


def clip(text: str, limit: int) -> str:
    """``text`` cut at a word boundary before ``limit`` characters, marked when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " [...]"


def excerpt(text: str, plan, limit: int) -> list[str]:
    """What the model reads of a clause: all of it when it fits ``limit`` characters; else the
    sentences that answer the question best (the composer's ``sentence_scores``: the question's
    words, an amount or a period asked for, the rule before its exception), in the clause's
    order, up to ``limit``, after the opening sentence when that is short. Each piece is a run of
    adjacent sentences, verbatim."""
    if len(text) <= limit:
        return [text]
    parts = sentences(text)
    scored = sentence_scores(parts, plan)
    kept, used = set(), 0
    if len(parts[0]) <= limit * 3 // 4:  # the opening states the rule, or the chapeau the points continue
        kept.add(0)
        used += len(parts[0]) + 1
    for i in sorted(range(len(parts)), key=lambda i: -scored[i][1]):
        if i in kept:
            continue
        if used + len(parts[i]) <= limit:
            kept.add(i)
            used += len(parts[i]) + 1
    if not kept:  # every sentence is longer than the budget: the best one's opening
        best = max(range(len(parts)), key=lambda i: scored[i][1])
        return [clip(parts[best], limit).removesuffix(" [...]")]
    pieces: list[list[str]] = []
    for i in sorted(kept):
        if pieces and i - 1 in kept:
            pieces[-1].append(parts[i])
        else:
            pieces.append([parts[i]])
    return ["\n".join(piece) for piece in pieces]


def joined(pieces: list[str], text: str) -> str:
    """The pieces of ``excerpt(text, ...)`` as one text, "[...]" where words were left out."""
    out = "\n[...]\n".join(pieces)
    if not normalised(text).startswith(normalised(pieces[0])):
        out = "[...]\n" + out
    if not normalised(text).endswith(normalised(pieces[-1])):
        out += "\n[...]"
    return out


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def numbered_sources(hits: list[Hit], plan) -> str:
    return "\n\n".join(f"[{i}] {format_citation(h.doc, h.ref)}:\n{joined(excerpt(h.text, plan, SOURCE_CHARS), h.text)}"
                         for i, h in enumerate(hits, 1))


def _earlier_answer(text: str) -> str:
    """An earlier answer as context: without its citation markers, which numbered other sources."""
    return clip(re.sub(r"\s*\[\d+\]", "", text).strip(), HISTORY_CHARS)


def _guidance(plan) -> str:
    lines = []
    if plan.asks in ASKS:
        lines.append(f"The question asks for {ASKS[plan.asks]}.")
    if len(plan.documents_compared) > 1:
        names = short_names()
        lines.append("Compare: " + " and ".join(names.get(d, d) for d in plan.documents_compared) + ".")
    if plan.language != "en":
        lines.append(f"Answer in the question's language ({plan.language}); quote the sources as written.")
    return " ".join(lines)


def messages(plan, hits: list[Hit]) -> list[BaseMessage]:
    """The chat for ``plan`` answered from ``hits`` (already cut to what the model sees)."""
    chat: list[BaseMessage] = [SystemMessage(SYSTEM)]
    for question, answer in plan.history[-HISTORY_TURNS:]:
        chat += [HumanMessage(question), AIMessage(_earlier_answer(answer))]
    guidance = _guidance(plan)
    chat.append(HumanMessage(f"Sources:\n{numbered_sources(hits, plan)}\n\n"
                             + (f"{guidance}\n" if guidance else "")
                             + f"Question: {plan.question}\n\n{REMINDER}"))
    return chat
