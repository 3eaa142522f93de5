"""The messages an LLM answerer gets: fixed rules, the conversation so far, and the question
with its numbered sources under their canonical references.

The rules come first and never change, so that a local model keeps them in its cache between
questions; what changes (history, sources, question) follows. Budgets are in characters
(about 4.8 per token for these texts). The time to the first token is the time to read the
prompt: bench/llm.py measured about 22 prompt tokens per CPU-second for the local model here
(the rules, ~220 tokens, are read once and kept), so every source clause costs seconds.
"""
from __future__ import annotations

import re

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from ..citations import format_citation, short_names
from ..records import Hit

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

# bench/llm.py, 10 eval questions, 1 thread: 5 clauses x 700 chars -> 658 prompt tokens, 36.8 CPU-s
# per answer (p50); 3 x 500 -> 476 tokens, 19.4 CPU-s, the same key facts found (7 of 22) and
# 16 verified citations instead of 20 (one answer of ten left with none: the chain's fallback).
SOURCES = 3            # at most this many clauses
SOURCE_CHARS = 500     # of each clause (its opening, where the rule is stated)
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


def numbered_sources(hits: list[Hit]) -> str:
    return "\n\n".join(f"[{i}] {format_citation(h.doc, h.ref)}:\n{clip(h.text, SOURCE_CHARS)}"
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
    chat.append(HumanMessage(f"Sources:\n{numbered_sources(hits)}\n\n"
                             + (f"{guidance}\n" if guidance else "")
                             + f"Question: {plan.question}\n\n{REMINDER}"))
    return chat
