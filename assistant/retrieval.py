"""The hybrid retriever: references named in the question first, then BM25 and dense
similarity fused by weighted reciprocal rank, within the documents the question is about.

How a question is searched:

1. Documents. A filter, or the documents the question names, or (naming none) the proposal,
   the GDPR and the commentary - never the final act's near-verbatim twins of the proposal.
   Naming the memorandum names the proposal; asking what commentators or watchdogs said adds
   the commentary. A question naming two documents, or only the final act (asked about this
   draft, that is a comparison with the proposal), searches each on its own and alternates
   their results; for the proposal and the final act, the counterpart of the best clause of
   one version in the other (nearest stored vector) is brought up in that version's list.
2. References the question names ("Article 52", "Art. 5(1)(d)", "Recital 72") are fetched
   directly and ranked first; then the definitions of terms the question asks the meaning of
   (``assistant/definitions.py``), with the annex a definition refers to.
3. Everyday words get the texts' legal wording added (``corpus/glossary.json``). The dense
   query is the question plus that wording; in BM25 the added words count ``EXPANSION_WEIGHT``
   of the question's own.
4. Each unit scores ``doc weight x kind weight x sum of weight/(RRF_K + rank)`` over the dense
   and BM25 rankings. Recitals, memorandum and commentary paragraphs weigh less than the
   enacting terms unless the question asks for them.
5. Articles are ranked by their best unit; the results give one clause of each article first
   (its best-matching one), then more clauses of the same articles.
6. A follow-up is searched with the conversation before it, and on its own at ``OWN_WEIGHT``;
   the documents it names itself decide where to search.

The constants below were tuned on evals/questions.yaml with bench/tune.py (flat optima, round
values); nothing in this module or the glossary names an eval question.
"""
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
from .definitions import defining_clauses
from .embedding import embed_query
from .index import ClauseIndex, tokenize
from .records import Hit

GLOSSARY_PATH = REPO_ROOT / "corpus" / "glossary.json"
DEFAULT_DOC = "ai-act-proposal-2021"
FINAL_ACT = "ai-act-final-2024"

RRF_K = 20            # reciprocal-rank constant
CANDIDATES = 80       # units taken from each of the dense and BM25 rankings
DENSE_WEIGHT = 0.75   # weight of the dense ranking in the fusion
LEXICAL_WEIGHT = 1.5  # weight of the BM25 ranking
EXPANSION_WEIGHT = 0.75  # weight in BM25 of a word the glossary added (the question's own count 1)
OWN_WEIGHT = 0.5      # a follow-up searched on its own, besides the whole conversation (weight 1)
TWIN_POSITION = 1     # where the other version's counterpart of a clause found goes in its list
FINAL_WITH_PROPOSAL = 0.6  # the proposal's weight beside the final act (both are then searched apart)
COMMENTARY_WEIGHT = 0.4    # commentary when the question names no document
OPINION_WEIGHT = 1.0       # commentary when the question asks what commentators said

KIND_WEIGHTS = {"recital": 0.7, "em_section": 0.6, "em_paragraph": 0.6, "cover": 0.3}

GDPR_TERMS = re.compile(
    r"\b(data subjects?|controllers?|processors?|DPIA|DPO|data protection (impact assessment|officer)|"
    r"personal data breach|lawful(ness)? (basis|of processing)|legitimate interests?|special categor\w*|"
    r"right (to|of) (erasure|access|rectification|object|be forgotten|data portability)|"
    r"adequacy decision|standard (data protection|contractual) clauses|binding corporate rules|"
    r"supervisory authorit\w*|third countr\w*|profiling|consent)\b", re.IGNORECASE)
# Asking what commentators, watchdogs, the impact assessment or the press said, wanted or criticised.
OPINION_TERMS = re.compile(
    r"\b(commentators?|critics?|criticis\w*|criticiz\w*|watchdogs?|stakeholders?|opinions?|"
    r"news|reported|leak(ed|s)?|briefing|what did (they|the \w+( \w+)?) (think|want|say|recommend)|"
    r"did (they|the \w+( \w+)?) (think|want|say|recommend|propose|suggest|expect))\b", re.IGNORECASE)
RECITAL_TERMS = re.compile(r"\b(recitals?|why|reason\w*|rationale|justif\w*|purpose of)\b", re.IGNORECASE)
MEMORANDUM_TERMS = re.compile(r"\b(consultation|policy options?|legal basis|subsidiarity|proportionality|"
                              r"impact assessment)\b", re.IGNORECASE)
# The explanatory memorandum is part of the proposal: naming it names the proposal.
MEMORANDUM = re.compile(r"\b(explanatory memo(randum)?|memorandum)\b", re.IGNORECASE)
# Legal terms that contain a document's alias ("data protection impact assessment" is not the
# Commission's impact assessment): hidden from document detection.
COMPOUND_TERMS = re.compile(r"\b(data protection|fundamental rights)\s+impact\s+assessments?\b", re.IGNORECASE)


def _shield(text: str) -> str:
    return COMPOUND_TERMS.sub(lambda m: m.group(0).replace("impact assessment", "impact-assessment")
                              .replace("Impact assessment", "Impact-assessment"), text)


def mentioned(text: str) -> list[str]:
    """Documents the text names (``citations.mentioned_documents``, legal compounds excepted)."""
    return mentioned_documents(_shield(text))


def search_text(text: str) -> str:
    """The question without the names of documents (they choose where to search)."""
    shielded = _shield(text)
    return without_document_names(shielded) or shielded


def gdpr_topic(question: str) -> bool:
    """Whether the question uses the GDPR's own vocabulary (data subject, DPIA, DPO, ...)."""
    return bool(GDPR_TERMS.search(question))


def document_weights(question: str, library: Library, documents: list[str] | None = None) -> dict[str, float]:
    """Which documents to search and how much each counts.

    Questions that name no version mean the proposal: the final act, whose clauses are
    near-verbatim twins of the proposal's, is searched only when asked for by name.
    """
    kinds = {d.id: d.source.kind for d in library}
    if documents:
        return {d: 1.0 for d in documents}
    opinion = bool(OPINION_TERMS.search(question))
    named = mentioned(question)
    if MEMORANDUM.search(question) and DEFAULT_DOC not in named:
        named.append(DEFAULT_DOC)
    if named:
        weights = {d: 1.0 for d in named}
        if all(kinds.get(d) == "commentary" for d in named):
            weights[DEFAULT_DOC] = 0.3  # commentary discusses the proposal's clauses
        elif opinion:  # "did commentators think the proposal ...?"
            for d, kind in kinds.items():
                if kind == "commentary":
                    weights.setdefault(d, OPINION_WEIGHT)
        if FINAL_ACT in named and DEFAULT_DOC not in named:
            weights[DEFAULT_DOC] = FINAL_WITH_PROPOSAL  # "did it change in the final act?"
        return weights
    commentary = OPINION_WEIGHT if opinion else COMMENTARY_WEIGHT
    weights = {d: (commentary if kind == "commentary" else 1.0) for d, kind in kinds.items()}
    weights["gdpr"] = 1.0 if gdpr_topic(question) else 0.7
    weights[DEFAULT_DOC] = 0.7 if gdpr_topic(question) else 1.0
    weights.pop(FINAL_ACT, None)
    return weights


def kind_weights(question: str) -> dict[str, float]:
    weights = dict(KIND_WEIGHTS)
    if RECITAL_TERMS.search(question):
        weights["recital"] = 1.0
    if MEMORANDUM_TERMS.search(question):
        weights["em_section"] = weights["em_paragraph"] = 1.0
    if MEMORANDUM.search(question):  # asked for by name: the memorandum before the articles
        weights.update({"em_section": 1.0, "em_paragraph": 1.0, "article": 0.5, "paragraph": 0.5,
                        "point": 0.5, "subparagraph": 0.5, "recital": 0.5})
    return weights


@lru_cache(maxsize=1)
def _glossary() -> list[tuple[re.Pattern, str]]:
    data = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    return [(re.compile(r"\b(" + "|".join(e["terms"]) + r")\b", re.IGNORECASE), e["means"]) for e in data["entries"]]


def legal_wording(question: str) -> list[str]:
    """The texts' wording for the everyday words the question uses (corpus/glossary.json)."""
    return [means for pattern, means in _glossary() if pattern.search(question)]


def expand(question: str) -> str:
    """The question plus the legal wording for the everyday words it uses."""
    return " ".join([question] + legal_wording(question))


def query_terms(question: str) -> dict[str, float]:
    """BM25 query terms with weights: the question's own words 1, words the glossary adds less."""
    weighted: dict[str, float] = {}
    for token in tokenize(question):
        weighted[token] = weighted.get(token, 0.0) + 1.0
    for token in tokenize(" ".join(legal_wording(question))):
        if token not in weighted:
            weighted[token] = EXPANSION_WEIGHT
    return weighted


@lru_cache(maxsize=512)
def _query_vector(text: str) -> tuple[float, ...]:
    return tuple(embed_query(text))


def query_vector(text: str) -> list[float]:
    """The query's vector; repeated texts (a comparison searches each document) embed once."""
    return list(_query_vector(text))


def round_robin(lists: list[list]) -> list:
    """The first of each list, then the second of each, ... (a comparison's documents in turn)."""
    out = []
    for i in range(max((len(x) for x in lists), default=0)):
        out += [x[i] for x in lists if i < len(x)]
    return out


def annexes_cited(clause, library: Library) -> list[tuple[str, str]]:
    """The annexes a clause refers to, as (doc, ref), in its own document."""
    out = []
    for reference in find_references(clause.text):
        if reference.doc is None and reference.ref.startswith("Annex") and library.find(clause.doc, reference.ref):
            key = (clause.doc, reference.ref)
            if key not in out:
                out.append(key)
    return out


class Retriever:
    """Plain search over a ``ClauseIndex``; ``HybridRetriever`` wraps it for LangChain."""

    def __init__(self, library: Library, index: ClauseIndex):
        self.library = library
        self.index = index

    def named_clauses(self, question: str, documents: list[str] | None = None) -> list[tuple[str, str]]:
        """(doc, ref) of the clauses the question names that exist, in order of mention.

        A reference that names no document belongs to the document the question names
        otherwise (or the filter's first); when that name already belongs to another
        reference ("Recital 72 says ... Article 6(4) GDPR"), to the proposal."""
        named_docs = mentioned(question)
        references = find_references(_shield(question))
        claimed = {r.doc for r in references if r.doc}
        unclaimed = [d for d in named_docs if d not in claimed]
        default = (documents or unclaimed or ([] if claimed else named_docs) or [DEFAULT_DOC])[0]
        out: list[tuple[str, str]] = []
        for reference in references:
            # A reference that names its document means that one; otherwise try the likely ones.
            candidates = [reference.doc] if reference.doc else [default, DEFAULT_DOC] + named_docs
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

    def fuse(self, queries: list[tuple[str, float]], weights: dict[str, float], kinds: dict[str, float]):
        """Fused score of every candidate unit row, and the dense similarity of those seen."""
        docs = sorted(d for d, w in weights.items() if w > 0)
        similarity: dict[int, float] = {}
        fused: dict[int, float] = {}
        units = self.index.units
        for text, weight in queries:
            bare = search_text(text)
            dense = self.index.dense(query_vector(expand(bare)), CANDIDATES, docs)
            for row, sim in dense:
                similarity[row] = max(similarity.get(row, 0.0), sim)
            lexical = self._top(self.index.lexical_scores(query_terms(bare), docs))
            for ranked, source_weight in ((dense, DENSE_WEIGHT), (lexical, LEXICAL_WEIGHT)):
                for rank, (row, _score) in enumerate(ranked):
                    unit = units[row]
                    prior = weights.get(unit.doc, 0.0) * kinds.get(self.library.get(unit.doc, unit.ref).kind, 1.0)
                    fused[row] = fused.get(row, 0.0) + weight * source_weight * prior / (RRF_K + rank + 1)
        return fused, similarity

    @staticmethod
    def _top(scores) -> list[tuple[int, float]]:
        import numpy as np

        k = min(CANDIDATES, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def rank(self, fused: dict[int, float]) -> list[tuple[int, float]]:
        """Articles by their best unit, each article once (by the clause that best stands for it)
        before any article a second time."""
        units = self.index.units
        by_article: dict = {}
        for row, score in sorted(fused.items(), key=lambda item: -item[1]):
            by_article.setdefault(units[row].article, []).append((row, score))
        first, later = [], []
        for items in by_article.values():
            lead = self.representative(items)
            first.append(lead)
            later += [item for item in items if item[0] != lead[0]]
        return first + later

    def representative(self, items: list[tuple[int, float]]) -> tuple[int, float]:
        """The clause to show first for an article's matches (``items``, best first), with the
        article's best score: the best one, unless that is a whole article matched word by word
        (BM25 only; articles with parts are not embedded), which shows its best-matching part.

        Points are not replaced by their paragraph here: the chain adds each point's paragraph
        itself (``chain.with_parents``), and the answer should lead with the point."""
        units = self.index.units
        best_row, best_score = items[0]
        clause = self.library.get(units[best_row].doc, units[best_row].ref)
        if clause.kind == "article" and clause.children and len(items) > 1:
            return (items[1][0], best_score)
        return (best_row, best_score)

    def add_twins(self, per_doc: list[list], compared: list[str], found: list[tuple[str, str]]) -> None:
        """Proposal vs final act: the other version's counterpart of the clauses found first (named,
        defined, or each version's best), by the similarity of their stored vectors, goes
        near the top of that version's results."""
        rows = self.index.by_id
        sources = [rows[f"{doc}::{ref}"] for doc, ref in found if f"{doc}::{ref}" in rows]
        sources += [ranked[0][0] for ranked in per_doc if ranked]
        for row in sources:
            doc = self.index.units[row].doc
            if doc not in (FINAL_ACT, DEFAULT_DOC):
                continue
            other = compared.index(DEFAULT_DOC if doc == FINAL_ACT else FINAL_ACT)
            vector = self.index.vector(row)
            if vector is None:
                continue
            twins = self.index.dense(vector, 1, [compared[other]])
            if not twins:
                continue
            twin = twins[0][0]
            target = per_doc[other]
            position = next((i for i, (r, _) in enumerate(target) if r == twin), None)
            if position is None or position > TWIN_POSITION:
                if position is not None:
                    target.pop(position)
                score = target[0][1] if target else 0.0
                target.insert(min(TWIN_POSITION, len(target)), (twin, score))

    @staticmethod
    def compared(whole: str, weights: dict[str, float], documents: list[str] | None) -> list[str]:
        """The documents a question compares: two or more it names (within the filter), or the
        final act it names alone (compared with the proposal it amended)."""
        named = [d for d in mentioned(whole) if not documents or d in documents]
        if named == [FINAL_ACT] and DEFAULT_DOC in weights:
            return [FINAL_ACT, DEFAULT_DOC]
        return named if len(named) > 1 else []

    def search(self, question: str, k: int = 10, documents: list[str] | None = None, context: str = "") -> list[Hit]:
        """``context`` is what earlier turns of a conversation add to the question: it widens
        the search, but only the question's own references are fetched directly."""
        whole = f"{context} {question}".strip()
        # The documents a follow-up names are the ones it asks about ("... and what did the EDPB think?").
        routing = question if mentioned(question) else whole
        weights = document_weights(routing, self.library, documents)
        kinds = kind_weights(whole)
        named = self.named_clauses(question, documents)
        # Terms the question asks the meaning of ("Am I a 'user'?"): their definitions next,
        # with the annex a definition defers to ("techniques listed in Annex I").
        searched = sorted(d for d, w in weights.items() if w > 0)
        defined: list[tuple[str, str]] = []
        for clause in defining_clauses(_shield(question), self.library, searched):
            for key in [(clause.doc, clause.ref)] + annexes_cited(clause, self.library):
                if key not in named and key not in defined:
                    defined.append(key)
        # A follow-up is searched with the turns before it, and on its own at OWN_WEIGHT.
        queries = [(question, 1.0)] if not context else [(question, OWN_WEIGHT), (whole, 1.0)]
        top = (DENSE_WEIGHT + LEXICAL_WEIGHT) * sum(w for _, w in queries) / (RRF_K + 1)
        compared = self.compared(routing, weights, documents)
        if len(compared) > 1:
            # A comparison: each document searched on its own, their best results alternating.
            per_doc, similarity = [], {}
            for doc in compared:
                fused, sims = self.fuse(queries, {doc: 1.0}, kinds)
                similarity.update(sims)
                per_doc.append(self.rank(fused))
            if FINAL_ACT in compared and DEFAULT_DOC in compared:
                self.add_twins(per_doc, compared, named + defined)
            ranked = round_robin(per_doc)
        else:
            fused, similarity = self.fuse(queries, weights, kinds)
            ranked = self.rank(fused)
        rows = self.index.by_id
        hits = [self.hit(doc, ref, 2.0 - i * 0.01, "reference") for i, (doc, ref) in enumerate(named)]
        hits += [self.hit(doc, ref, 1.5, "definition", similarity.get(rows.get(f"{doc}::{ref}"), 0.0))
                 for doc, ref in defined]
        seen = set(named) | set(defined)
        for row, score in ranked:
            if len(hits) >= k:
                break
            unit = self.index.units[row]
            if (unit.doc, unit.ref) in seen:
                continue
            seen.add((unit.doc, unit.ref))
            hits.append(self.hit(unit.doc, unit.ref, min(score / top, 1.0), "hybrid", similarity.get(row, 0.0)))
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
