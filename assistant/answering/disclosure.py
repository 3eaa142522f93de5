"""The AI-system notice the proposal itself requires of chatbots (Art. 52(1)), and the guard
that keeps any answer from claiming to be human."""
from __future__ import annotations

import re

DISCLOSURE = ("You are interacting with an AI system (eu-ai-draft-assistant), not a human lawyer. "
              "It answers from the texts it cites; check them, and do not take this as legal advice.")

SHORT_LABEL = "AI system - not a human, not legal advice"

# What an answer must never say about itself, whatever the question asked for.
HUMAN_CLAIMS = re.compile(
    r"(\bI\s*(?:am|'m)\s+(?:a\s+|an\s+|actually\s+a\s+|really\s+a\s+)?(?:real\s+)?(?:human|person|lawyer|"
    r"attorney|solicitor|employee|compliance officer|man|woman)\b"
    r"|\bI\s*(?:am|'m)\s+not\s+(?:an?\s+)?(?:AI|bot|machine|language model|chatbot)\b"
    r"|\bas\s+a\s+human\b|\bmy name is\s+\w+)",
    re.IGNORECASE,
)

ASKS_TO_HIDE = re.compile(
    r"(pretend|act as|role-?play|answer as|you are now|confirm you'?re|admit you'?re|say you are|"
    r"claim to be|drop (the|your)|no ai notices?|never mention|don'?t say you'?re|ignore (all |your )?(previous )?instructions)",
    re.IGNORECASE,
)


def drop_sentences(text: str, bad) -> tuple[str, int]:
    """Remove the sentences for which ``bad(sentence)`` holds, keeping lines and layout;
    returns (text, count removed)."""
    removed = 0
    lines = []
    for line in text.split("\n"):
        sentences = re.split(r"(?<=[.!?])\s+", line)
        kept = [s for s in sentences if not bad(s)]
        removed += len(sentences) - len(kept)
        lines.append(" ".join(kept) if len(kept) != len(sentences) else line)
    return ("\n".join(lines) if removed else text), removed


def strip_human_claims(text: str) -> tuple[str, int]:
    """Remove sentences in which the answer claims to be human; returns (text, count removed)."""
    return drop_sentences(text, lambda s: bool(HUMAN_CLAIMS.search(s)))


def refusal_note(question: str) -> str | None:
    """A plain word when the user asked the assistant to hide what it is."""
    if ASKS_TO_HIDE.search(question):
        return ("I can't pretend to be human or drop this notice: I am an AI system, and the notice "
                "stays on every answer. Here is what the texts say.")
    return None
