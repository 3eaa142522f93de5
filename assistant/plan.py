"""The query plan: what a question is about, worked out once at the head of the chain.

Retrieval, scope, the answerers and ``finish`` read the plan; none of them re-derives what
the question names, asks or compares. ``QueryPlan.to_dict()`` is in ``Answer.to_dict()`` so
that a user can see how the question was read (``assistant ask --explain``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

# What the question asks for: the shape of the answer it wants.
Ask = Literal["provision", "definition", "list", "figure", "deadline", "yes_no", "comparison", "explanation"]


@dataclass(frozen=True)
class NamedClause:
    """A clause the question names by reference ("Article 5(1)(c) of the draft")."""

    doc: str
    ref: str


@dataclass(frozen=True)
class QueryPlan:
    question: str                                   # as typed, normalised (NFC, whitespace)
    asks: Ask = "explanation"
    language: str = "en"                            # ISO 639-1 code of the question's language
    follow_up: bool = False                         # leans on earlier turns
    context: str = ""                               # the earlier questions a follow-up leans on
    history: tuple[tuple[str, str], ...] = ()       # earlier (question, answer text) turns, oldest first
    documents_named: tuple[str, ...] = ()           # documents the question names, in order of mention
    documents_compared: tuple[str, ...] = ()        # two or more when the question compares them
    weights: dict[str, float] = field(default_factory=dict)  # documents searched and how much each counts
    filtered: bool = False                          # the user restricted the documents
    references: tuple[NamedClause, ...] = ()        # named clauses that exist
    missing: tuple[str, ...] = ()                   # messages for named clauses that do not exist
    other_instrument: bool = False                  # names an article of a text outside the corpus
    defined: tuple[NamedClause, ...] = ()           # defining clauses of terms whose meaning is asked
    wants_recitals: bool = False                    # asks why / for the recitals
    wants_memorandum: bool = False                  # asks about the explanatory memorandum
    wants_commentary: bool = False                  # asks what commentators said
    wants_final_provisions: bool = False            # asks about entry into force, amendments, repeal

    @property
    def searched(self) -> list[str]:
        return sorted(d for d, w in self.weights.items() if w > 0)

    @property
    def versions(self) -> bool:
        """Compares the 2021 proposal with the final 2024 Act."""
        return {"ai-act-proposal-2021", "ai-act-final-2024"} <= set(self.documents_compared)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["history"] = [list(t) for t in self.history]
        data["references"] = [asdict(r) for r in self.references]
        data["defined"] = [asdict(r) for r in self.defined]
        return data
