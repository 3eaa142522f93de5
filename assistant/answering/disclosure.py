"""The AI-system notice the proposal itself requires of chatbots (Art. 52(1)), and the guard
that keeps any answer from claiming to be human."""
from __future__ import annotations

import re

DISCLOSURE = ("You are interacting with an AI system (eu-ai-draft-assistant), not a human lawyer. "
              "It answers from the texts it cites; check them, and do not take this as legal advice.")

SHORT_LABEL = "AI system - not a human, not legal advice"

# What an answer must never say about itself, whatever the question asked for. Matched on
# text whose quotes and apostrophes are normalised ("I’m" -> "I'm"), with up to three words
# before the noun ("a qualified attorney", "a real human legal expert") but never "not".
_PERSON = (r"(?:human|person|people|lawyer|attorney|solicitor|barrister|advocate|paralegal|jurist|notary|counsel|"
           r"legal\s++(?:expert|professional|adviser|advisor|team|counsel)|expert|employee|staff|compliance\s++officer|"
           r"man|woman)s?")
# Who an answer may not claim wrote or checked it: professionals only, since the texts
# themselves say "verified and confirmed by at least two natural persons".
_PROFESSIONAL = (r"(?:human|lawyer|attorney|solicitor|barrister|paralegal|jurist|notary|counsel|"
                 r"legal\s++(?:expert|professional|adviser|advisor|team|counsel|department))s?")
_WORDS = r"(?:(?!not\b|never\b|no\b)[\w-]++\s++){0,3}"
HUMAN_CLAIMS = re.compile(
    rf"(\b(?:I|we)\s*+(?:am|'m|are|'re)\s++{_WORDS}{_PERSON}\b"
    r"|\bI\s*+(?:am|'m)\s++not\s++(?:an?\s++)?(?:AI|bot|machine|language\s++model|chatbot|computer)\b"
    rf"|\b(?:written|checked|reviewed|verified|prepared|drafted|approved|vetted|answered|signed\s++off)"
    rf"(?:\s++(?:and|&)\s++\w++)?\s++by\s++(?:a\s++|an\s++|our\s++|the\s++|one\s++of\s++our\s++)?{_WORDS}{_PROFESSIONAL}\b"
    r"|\bas\s++a\s++human\b|\bmy\s++name\s++is\s++\w+)",
    re.IGNORECASE,
)
QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "’": "'", "‘": "'", "`": "'", "´": "'"})

# "Act as" and "drop the" only of a persona or of the notice: "the AI Act as adopted", "bodies that
# act as notified bodies", "did they drop the ban?" ask about the texts (13 tune questions had been
# answered with the refusal to hide, 9 of them on "the ... Act as ...").
_NOTICE = r"(?:ai |ai-system |the )?(?:notices?|disclaimers?|disclosures?|warnings?|labels?|pretence|pretense)"
ASKS_TO_HIDE = re.compile(
    r"\b(pretend|role-?play|answer as|you are now|confirm you'?re|admit you'?re|say you are|"
    rf"act as (?:if|though)|act as (?:an? |my |your |our |the )?(?:[\w-]++\s++){{0,2}}?{_PERSON}|"
    rf"claim to be|drop (?:the|your|this|that) (?:['\"‘“][^'\"’”]{{0,40}}['\"’”] )?{_NOTICE}|no ai notices?|never mention|"
    r"don'?t say you'?re|ignore (all |your )?(previous )?instructions)\b",
    re.IGNORECASE,
)


def drop_sentences(text: str, bad) -> tuple[str, int]:
    """Remove the sentences for which ``bad(sentence)`` holds, keeping lines and layout;
    returns (text, count removed)."""
    removed = 0
    lines = []
    for line in text.split("\n"):
        sentences = re.split(r"(?<=[.!?])\s++", line)
        kept = [s for s in sentences if not bad(s)]
        removed += len(sentences) - len(kept)
        lines.append(" ".join(kept) if len(kept) != len(sentences) else line)
    return ("\n".join(lines) if removed else text), removed


def claims_to_be_human(text: str) -> bool:
    return bool(HUMAN_CLAIMS.search(text.translate(QUOTE_MARKS)))


def strip_human_claims(text: str) -> tuple[str, int]:
    """Remove sentences in which the answer claims to be human; returns (text, count removed)."""
    return drop_sentences(text, claims_to_be_human)


def asks_to_hide(question: str, lang: str = "en") -> bool:
    """Whether the user asks the assistant to hide what it is (pretend to be human, drop the
    notice, ignore its instructions): the English patterns in any language (people mix them in),
    and the patterns of the question's language (``asks_to_hide`` in its locale)."""
    from ..i18n import words

    own = words(lang, "asks_to_hide") if lang != "en" else None
    return bool(ASKS_TO_HIDE.search(question) or (own and own.search(question)))
