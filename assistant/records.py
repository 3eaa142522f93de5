"""The typed records that cross the seams: Hit (retrieval), Citation and Answer (answering)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Hit:
    """One retrieved clause."""

    doc: str
    ref: str
    label: str
    text: str
    score: float
    heading_path: tuple[str, ...] = ()
    url: str | None = None
    kind: str = ""
    # How it was found: "reference" (named in the question), "definition" (defines a term asked
    # about), "classification" (the listed use nearest a "high-risk / banned?" question), "penalty"
    # (the fine tier naming the rule asked about), "hybrid" (the fused ranking), "adopted" (the final
    # Act's clause with nothing like it in the draft, beside a draft answer to a question naming no version)
    how: str = ""
    similarity: float = 0.0  # cosine similarity of question and clause (0 when not among the dense candidates)
    rare: float = 0.0  # share of the question's rarer words (``Tuning.bare_point_df``) in the clause's own text

    def key(self) -> tuple[str, str]:
        return (self.doc, self.ref)


@dataclass(frozen=True)
class Citation:
    doc: str
    ref: str
    label: str
    quote: str  # verbatim span of the clause text
    url: str | None
    score: float = 0.0
    heading_path: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        from .citations import format_citation
        return format_citation(self.doc, self.ref)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["heading_path"] = list(self.heading_path)
        data["display"] = self.display
        return data


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    disclosure: str
    abstained: bool = False
    reason: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    backend: str = "embedded"
    removed_citations: int = 0  # citations the verifier struck out
    retrieved: list[tuple[str, str]] = field(default_factory=list)  # (doc, ref) searched for this answer
    plan: dict = field(default_factory=dict)  # how the question was read (QueryPlan.to_dict())

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "disclosure": self.disclosure,
            "abstained": self.abstained,
            "reason": self.reason,
            "timings": dict(self.timings),
            "notices": list(self.notices),
            "backend": self.backend,
            "removed_citations": self.removed_citations,
            "retrieved": [{"doc": d, "ref": r} for d, r in self.retrieved],
            "plan": dict(self.plan),
        }
