"""The hybrid retriever: references named in the question first, then BM25 and dense
similarity fused by reciprocal rank, within the documents the question is about."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from .citations import find_references, mentioned_documents, without_document_names
from .clauses import Library
from .config import REPO_ROOT
from .embedding import embed_query
from .index import ClauseIndex
from .records import Hit

GLOSSARY_PATH = REPO_ROOT / "corpus" / "glossary.json"
DEFAULT_DOC = "ai-act-proposal-2021"
FINAL_ACT = "ai-act-final-2024"
RRF_K = 60
CANDIDATES = 40
PER_ARTICLE = 2
GDPR_TERMS = re.compile(
    r"\b(data subjects?|controllers?|processors?|DPIA|DPO|data protection (impact assessment|officer)|"
    r"personal data breach|lawful(ness)? (basis|of processing)|legitimate interests?|special categor\w*|"
    r"right (to|of) (erasure|access|rectification|object|be forgotten|data portability)|"
    r"adequacy decision|standard (data protection|contractual) clauses|binding corporate rules|"
    r"supervisory authorit\w*|third countr\w*|profiling|consent)\b", re.IGNORECASE)


def document_weights(question: str, library: Library, documents: list[str] | None = None) -> dict[str, float]:
    """Which documents to search and how much each counts.

    Questions that name no version mean the proposal: the final act, whose clauses are
    near-verbatim twins of the proposal's, is searched only when asked for by name.
    """
    kinds = {d.id: d.source.kind for d in library}
    if documents:
        return {d: 1.0 for d in documents}
    mentioned = mentioned_documents(question)
    if mentioned:
        weights = {d: 1.0 for d in mentioned}
        if all(kinds[d] == "commentary" for d in mentioned):
            weights[DEFAULT_DOC] = 0.3  # commentary discusses the proposal's clauses
        return weights
    weights = {d: (0.5 if kind == "commentary" else 1.0) for d, kind in kinds.items()}
    weights["gdpr"] = 1.0 if gdpr_topic(question) else 0.7
    weights[DEFAULT_DOC] = 0.7 if gdpr_topic(question) else 1.0
    weights.pop(FINAL_ACT, None)
    return weights


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[re.Pattern, str]]:
    data = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    return [(re.compile(r"\b(" + "|".join(e["terms"]) + r")\b", re.IGNORECASE), e["means"]) for e in data["entries"]]


def expand(question: str) -> str:
    """The question plus the legal wording for the everyday words it uses (corpus/glossary.json)."""
    extra = [means for pattern, means in _glossary() if pattern.search(question)]
    return " ".join([question] + extra)


def gdpr_topic(question: str) -> bool:
    """Whether the question uses the GDPR's own vocabulary (data subject, DPIA, DPO, ...)."""
    return bool(GDPR_TERMS.search(question))


def diversify(rows: list, article_of, per_article: int) -> list:
    """Keep at most ``per_article`` results from one article ahead of the rest, so that the
    first results span several provisions instead of every paragraph of one."""
    counts: dict = {}
    first, later = [], []
    for row in rows:
        key = article_of(row)
        counts[key] = counts.get(key, 0) + 1
        (first if counts[key] <= per_article else later).append(row)
    return first + later


def interleave(rows: list, doc_of, docs: list[str]) -> list:
    """Alternate between the documents a comparison names, best of each first."""
    queues = {d: [r for r in rows if doc_of(r) == d] for d in docs}
    rest = [r for r in rows if doc_of(r) not in queues]
    out = []
    while any(queues.values()):
        for d in docs:
            if queues[d]:
                out.append(queues[d].pop(0))
    return out + rest


class Retriever:
    """Plain search over a ``ClauseIndex``; ``HybridRetriever`` wraps it for LangChain."""

    def __init__(self, library: Library, index: ClauseIndex):
        self.library = library
        self.index = index

    def named_clauses(self, question: str, documents: list[str] | None = None) -> list[tuple[str, str]]:
        """(doc, ref) of the clauses the question names that exist, in order of mention."""
        mentioned = mentioned_documents(question)
        default = (documents or mentioned or [DEFAULT_DOC])[0]
        out: list[tuple[str, str]] = []
        for reference in find_references(question):
            candidates = [reference.doc] if reference.doc else []
            candidates += [default, DEFAULT_DOC]
            for doc in candidates:
                if documents and doc not in documents:
                    continue
                if self.library.find(doc, reference.ref) and (doc, reference.ref) not in out:
                    out.append((doc, reference.ref))
                    break
        return out

    def hit(self, doc: str, ref: str, score: float, how: str, similarity: float = 1.0) -> Hit:
        c = self.library.get(doc, ref)
        return Hit(c.doc, c.ref, c.label, c.text, round(score, 4), c.heading_path, c.url, c.kind, how,
                   round(similarity, 4))

    def search(self, question: str, k: int = 10, documents: list[str] | None = None, context: str = "") -> list[Hit]:
        """``context`` is what earlier turns of a conversation add to the question: it widens
        the search, but only the question's own references are fetched directly."""
        whole = f"{context} {question}".strip()
        weights = document_weights(whole, self.library, documents)
        docs = sorted(weights)
        named = self.named_clauses(question, documents)
        hits = [self.hit(doc, ref, 2.0 - i * 0.01, "reference") for i, (doc, ref) in enumerate(named)]
        seen = set(named)
        # A follow-up is searched both on its own and with the turns before it; its own words count double.
        queries = [(question, 1.0)] if not context else [(question, 1.0), (whole, 0.5)]
        similarity: dict[int, float] = {}
        fused: dict[int, float] = {}
        for text, weight in queries:
            query = expand(without_document_names(text) or text)
            dense = self.index.dense(embed_query(query), CANDIDATES, docs)
            for row, sim in dense:
                similarity[row] = max(similarity.get(row, 0.0), sim)
            for ranked in (dense, self.index.lexical(query, CANDIDATES, docs)):
                for rank, (row, _score) in enumerate(ranked):
                    unit = self.index.units[row]
                    fused[row] = fused.get(row, 0.0) + weight * weights.get(unit.doc, 0.0) / (RRF_K + rank + 1)
        top = 2.0 * sum(w for _, w in queries) / (RRF_K + 1)
        ranked = sorted(fused.items(), key=lambda item: -item[1])
        ranked = diversify(ranked, lambda item: self.index.units[item[0]].article, PER_ARTICLE)
        compared = mentioned_documents(whole) if not documents else documents
        if len(compared) > 1:
            ranked = interleave(ranked, lambda item: self.index.units[item[0]].doc, compared)
        for row, score in ranked:
            if len(hits) >= k:
                break
            unit = self.index.units[row]
            if (unit.doc, unit.ref) in seen:
                continue
            seen.add((unit.doc, unit.ref))
            hits.append(self.hit(unit.doc, unit.ref, score / top, "hybrid", similarity.get(row, 0.0)))
        return hits[:k]


class HybridRetriever(BaseRetriever):
    """LangChain face of ``Retriever``: returns Documents whose metadata carry the clause."""

    retriever: Any
    k: int = 10
    documents: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=h.text, metadata={"doc": h.doc, "ref": h.ref, "label": h.label,
                                                      "score": h.score, "url": h.url, "how": h.how,
                                                      "kind": h.kind, "heading_path": list(h.heading_path)})
            for h in self.retriever.search(query, self.k, self.documents)
        ]


def hits_from_documents(documents: list[LCDocument]) -> list[Hit]:
    return [Hit(d.metadata["doc"], d.metadata["ref"], d.metadata["label"], d.page_content, d.metadata["score"],
                tuple(d.metadata.get("heading_path") or ()), d.metadata.get("url"), d.metadata.get("kind", ""),
                d.metadata.get("how", "")) for d in documents]
