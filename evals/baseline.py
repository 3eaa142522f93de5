"""Naive RAG baseline: plain chunked retrieval over the same corpus.

Why this exists
---------------
The assistant's own retriever works on clauses (articles, paragraphs, points, recitals, ...)
and cites them exactly. To show what that buys, the eval report and the retrieval benchmark
need a comparison point built the way a "tutorial" RAG is built, with no knowledge of the
legal structure:

* every document is flattened into one string (its top-level clauses in document order,
  joined by blank lines);
* the string is cut by LangChain's ``RecursiveCharacterTextSplitter`` (1000 characters,
  200 overlap);
* chunks are embedded with all-MiniLM-L6-v2 (the same offline model the project uses) and
  searched by cosine similarity in Chroma.

The only extra this module does is bookkeeping, never used for ranking: it remembers which
character span of the flattened string came from which clause, so every retrieved chunk can
be scored against the eval's expected clause references (``NaiveHit.refs`` for the
top-level units, ``NaiveHit.clause_refs`` for clauses at any depth). This is deliberately
*not* a copy of the project's retriever: no clause-level indexing, no hybrid/BM25 search,
no reference parsing, no reranking.

Usage::

    from evals.baseline import NaiveRAG
    rag = NaiveRAG(library, path="/tmp/naive-chroma")   # path=None: in-memory Chroma
    rag.build()                                         # ~1-3 min on 2 CPU cores
    hits = rag.retrieve("What are the penalties ...?", k=10)
"""
from __future__ import annotations

import bisect
import hashlib
import json
import re
import uuid
from dataclasses import dataclass

from assistant.embedding import embeddings


CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
SEPARATOR = "\n\n"
COLLECTION = "naive_rag_baseline"
BATCH = 1000


@dataclass(frozen=True)
class NaiveHit:
    doc: str
    refs: tuple[str, ...]         # top-level clause refs the chunk overlaps, in document order
    clause_refs: tuple[str, ...]  # clause refs (any depth) whose text lies (partly) in the chunk
    text: str
    score: float                  # cosine similarity of question and chunk


@dataclass(frozen=True)
class Span:
    ref: str
    start: int  # offsets in the flattened document string, end exclusive
    end: int
    depth: int
    seq: int


@dataclass(frozen=True)
class Chunk:
    doc: str
    index: int
    start: int
    end: int
    text: str
    refs: tuple[str, ...]
    clause_refs: tuple[str, ...]


# ---------------------------------------------------------------- flattening and span map

def _find_line(text: str, line: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Where ``line`` (stripped) occurs in ``text[lo:hi]``: exactly, else with any whitespace
    between its words (a heading the parser joined from two PDF lines)."""
    i = text.find(line, lo, hi)
    if i >= 0:
        return i, i + len(line)
    words = line.split()
    if not words:
        return None
    m = re.compile(r"\s+".join(map(re.escape, words))).search(text, lo, hi)
    return (m.start(), m.end()) if m else None


def _locate(text: str, clause_text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """Span of a sub-clause inside its top-level clause's text. Sub-clause texts are rendered
    with their own indentation, so they are matched line by line, in order."""
    lines = [line.strip() for line in clause_text.split("\n") if line.strip()]
    start = end = None
    pos = lo
    for line in lines:
        found = _find_line(text, line, pos, hi)
        if found is None:
            continue
        if start is None:
            start = found[0]
        pos = end = found[1]
    return (start, end) if start is not None else None


def flatten(document) -> tuple[str, list[Span]]:
    """One string for a document and the span of every clause in it (document order).

    Top-level clauses (``parent is None``) are joined by blank lines; descendants are located
    inside their parent's span, siblings searched in order."""
    clauses = document.clauses
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0

    def descend(ref: str, text: str, base: int, lo: int, hi: int, depth: int) -> None:
        cursor = lo
        for child_ref in clauses[ref].children:
            child = clauses[child_ref]
            # Within the parent's span first; points the parser attached to an unnumbered
            # subparagraph follow it as siblings in the text, so fall back to the rest of it.
            found = (_locate(text, child.text, cursor, hi) or _locate(text, child.text, cursor, len(text))
                     or _locate(text, child.text, lo, hi))
            if found is None:
                continue
            s, e = found
            spans.append(Span(child_ref, base + s, base + e, depth, child.seq))
            cursor = e
            descend(child_ref, text, base, s, e, depth + 1)

    for clause in clauses.values():
        if clause.parent is not None:
            continue
        if parts:
            offset += len(SEPARATOR)
        text = clause.text
        parts.append(text)
        spans.append(Span(clause.ref, offset, offset + len(text), 0, clause.seq))
        descend(clause.ref, text, offset, 0, len(text), 1)
        offset += len(text)
    spans.sort(key=lambda s: (s.start, s.depth, s.seq))
    return SEPARATOR.join(parts), spans


class SpanMap:
    """Which clauses overlap a character range of a flattened document."""

    def __init__(self, spans: list[Span]):
        self.spans = spans  # sorted by start
        self.starts = [s.start for s in spans]
        self.top = [s for s in spans if s.depth == 0]
        self.top_starts = [s.start for s in self.top]
        self.longest = max((s.end - s.start for s in spans), default=0)

    def _overlapping(self, spans, starts, start: int, end: int, longest: int) -> list[Span]:
        lo = bisect.bisect_left(starts, start - longest)
        hi = bisect.bisect_left(starts, end)
        return [s for s in spans[lo:hi] if s.end > start and s.start < end]

    def top_refs(self, start: int, end: int) -> tuple[str, ...]:
        return tuple(s.ref for s in self._overlapping(self.top, self.top_starts, start, end, self.longest))

    def clause_refs(self, start: int, end: int) -> tuple[str, ...]:
        return tuple(s.ref for s in self._overlapping(self.spans, self.starts, start, end, self.longest))


def chunk_library(library) -> list[Chunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP,
                                              add_start_index=True)
    chunks: list[Chunk] = []
    for document in library:
        text, spans = flatten(document)
        span_map = SpanMap(spans)
        for i, piece in enumerate(splitter.create_documents([text])):
            body = piece.page_content
            start = piece.metadata["start_index"]
            if start < 0 or text[start:start + len(body)] != body:  # never seen; be safe
                start = text.find(body)
            end = start + len(body)
            chunks.append(Chunk(document.id, i, start, end, body,
                                span_map.top_refs(start, end), span_map.clause_refs(start, end)))
    return chunks


# ---------------------------------------------------------------- the baseline

class NaiveRAG:
    """Chunked vector search over the whole library (see the module docstring)."""

    def __init__(self, library, path: str | None = None):
        self.library = library
        self.path = path
        self._client = None
        self._collection = None
        self._embedder = None
        # EphemeralClients in one process share their store: keep instances apart.
        self.collection_name = COLLECTION if path else f"{COLLECTION}_{uuid.uuid4().hex[:8]}"
        self.chunks: list[Chunk] = []

    # -- plumbing
    @property
    def client(self):
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            settings = ChromaSettings(anonymized_telemetry=False)
            if self.path:
                self._client = chromadb.PersistentClient(path=str(self.path), settings=settings)
            else:
                self._client = chromadb.EphemeralClient(settings=settings)
        return self._client

    @property
    def embedder(self):
        if self._embedder is None:
            self._embedder = embeddings()  # the project's own MiniLM, not a second copy
        return self._embedder

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self.client.get_collection(self.collection_name, embedding_function=None)
        return self._collection

    # -- API
    def build(self, force: bool = False) -> None:
        """Chunk, embed and add. With a persistent ``path`` an index built from the same
        chunks is reused unless ``force``."""
        self.chunks = chunk_library(self.library)
        fingerprint = hashlib.sha256(
            "\x00".join(f"{c.doc}\x01{c.start}\x01{c.text}" for c in self.chunks).encode()).hexdigest()
        if self.path and not force:
            try:
                existing = self.client.get_collection(self.collection_name, embedding_function=None)
                if (existing.metadata or {}).get("fingerprint") == fingerprint \
                        and existing.count() == len(self.chunks):
                    self._collection = existing
                    return
            except Exception:  # no such collection yet
                pass
        try:
            self.client.delete_collection(self.collection_name)
        except Exception:
            pass
        self._collection = self.client.create_collection(
            self.collection_name, embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"fingerprint": fingerprint, "chunk_size": CHUNK_SIZE, "chunk_overlap": CHUNK_OVERLAP},
        )
        for lo in range(0, len(self.chunks), BATCH):
            batch = self.chunks[lo:lo + BATCH]
            vectors = self.embedder.embed_documents([c.text for c in batch])
            self._collection.add(
                ids=[f"{c.doc}:{c.index}" for c in batch],
                embeddings=vectors,
                documents=[c.text for c in batch],
                metadatas=[{"doc": c.doc, "start": c.start, "end": c.end,
                            "refs": json.dumps(c.refs), "clause_refs": json.dumps(c.clause_refs)}
                           for c in batch],
            )

    def retrieve(self, question: str, k: int = 10) -> list[NaiveHit]:
        vector = self.embedder.embed_query(question)
        result = self.collection.query(query_embeddings=[vector], n_results=k,
                                       include=["documents", "metadatas", "distances"])
        hits = []
        for text, meta, distance in zip(result["documents"][0], result["metadatas"][0], result["distances"][0]):
            hits.append(NaiveHit(doc=meta["doc"], refs=tuple(json.loads(meta["refs"])),
                                 clause_refs=tuple(json.loads(meta["clause_refs"])),
                                 text=text, score=1.0 - float(distance)))
        return hits
