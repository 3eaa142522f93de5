"""The answerer seam: one small protocol, and a registry the backends register in.

An answerer turns (query plan, retrieved clauses) into a ``Draft``: markdown text and the
citations it claims, which the verifier then checks. ``stream`` yields the text as it is
written; the chain verifies the finished text. Backends register a factory under the kind
that ``ASSISTANT_LLM`` names (``ollama:MODEL`` -> ``"ollama"``), as simonw/llm registers
models, so that the chain branches on nothing and a new backend is one module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

from ..errors import AssistantError
from ..records import Citation, Hit

if TYPE_CHECKING:
    from ..clauses import Library
    from ..config import Settings
    from ..plan import QueryPlan


@dataclass
class Draft:
    """An answer before verification: markdown text and the citations it claims."""

    text: str
    citations: list[Citation]
    notices: list[str] = field(default_factory=list)
    # Clauses the answerer read beyond the retrieved ones: the article, list or chapeau a
    # retrieved clause belongs to. They join what was retrieved for this answer.
    consulted: list[Hit] = field(default_factory=list)
    # The answerer that wrote it when that is not the one asked: the embedded composer standing
    # in for an unavailable backend, so that the answer names who really wrote it.
    by: str | None = None


class BackendUnavailable(AssistantError):
    """The backend could not be loaded or reached, or did not answer in time (never a bug)."""


class Answerer(Protocol):
    name: str

    def answer(self, plan: "QueryPlan", hits: list[Hit]) -> Draft: ...

    def stream(self, plan: "QueryPlan", hits: list[Hit]) -> Iterator[str]: ...


def finished(stream: Iterator[str]) -> Draft:
    """Run an answerer's stream to its end and return the ``Draft`` it returns."""
    while True:
        try:
            next(stream)
        except StopIteration as stop:
            return stop.value


# kind -> factory(argument after the colon, settings, library) -> Answerer
Factory = Callable[[str, "Settings", "Library"], Answerer]
_REGISTRY: dict[str, Factory] = {}


def register(kind: str) -> Callable[[Factory], Factory]:
    def add(factory: Factory) -> Factory:
        _REGISTRY[kind] = factory
        return factory
    return add


def registered() -> list[str]:
    return sorted(_REGISTRY)


def create(spec: str, settings: "Settings", library: "Library") -> Answerer:
    """The answerer ``spec`` names (``kind`` or ``kind:argument``)."""
    kind, _, argument = spec.partition(":")
    factory = _REGISTRY.get(kind)
    if factory is None:
        raise BackendUnavailable(f"ASSISTANT_LLM={spec!r}: unknown answerer {kind!r}; known: {', '.join(registered())}.")
    return factory(argument, settings, library)
