"""The search index: clause units embedded into a Chroma collection, plus BM25 over the same units.

The index's identity is the corpus checksums + the embedding model + the unit scheme. An
unchanged identity reopens at once; a changed one builds a new collection and switches over
only when the build has finished, so an interrupted build leaves the previous index usable.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .clauses import Clause, Library, top_level
from .config import Settings
from .embedding import MODEL_NAME, embed_documents
from .errors import IndexUnavailable

# Every clause is a unit: paragraphs fold in their points (their text includes them), and
# points are indexed too, so a hit can name the exact clause. Changing how unit texts are
# made must change this name, which forces a rebuild.
UNIT_SCHEME = "clause-v1:context+text"
BATCH = 256

STOPWORDS = frozenset("""a an and are as at be by for from has have how in into is it its of on or
that the their there these this to was were what when where which who will with does do can i my
me we our you your under about any shall should would could may""".split())


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer
    return snowballstemmer.stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case, Snowball-stemmed words and numbers; 'Art.'/'Arts' read as 'article',
    point letters kept ('(c)' -> 'c')."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\barts?\.?(?=\s*\d)", "article ", text)
    words = [w for w in re.findall(r"[a-z]+|\d+(?:\.\d+)*", text) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


@dataclass(frozen=True)
class Unit:
    id: str  # "doc::ref"
    doc: str
    ref: str
    text: str  # what is embedded and matched: heading context + clause text

    @property
    def article(self) -> tuple[str, str]:
        return (self.doc, top_level(self.ref))


def unit_text(clause: Clause, library: Library) -> str:
    context = [clause.heading_path[-1]] if clause.heading_path else []
    if clause.parent:
        parent = library.get(clause.doc, clause.parent)
        if parent.kind != "article":
            context.append(parent.text.split("\n", 1)[0])
    return " — ".join(context + [clause.text])


def build_units(library: Library) -> list[Unit]:
    return [Unit(f"{c.doc}::{c.ref}", c.doc, c.ref, unit_text(c, library)) for c in library.all_clauses]


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        match = re.match(r"^(https?)://([^:/]+)(?::(\d+))?/?$", settings.chroma_url)
        if not match:
            raise IndexUnavailable(f"ASSISTANT_CHROMA_URL={settings.chroma_url!r} is not an http(s)://host:port address.")
        scheme, host, port = match.groups()
        try:
            return chromadb.HttpClient(host=host, port=int(port or 8000), ssl=scheme == "https",
                                       settings=chroma_settings)
        except Exception as exc:
            raise IndexUnavailable(f"Chroma server at {settings.chroma_url} is unreachable: {exc}") from None
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise IndexUnavailable(f"The index at {path} cannot be opened ({exc}). "
                               f"Delete that directory or run `assistant index --rebuild`.") from None


class ClauseIndex:
    """Dense (Chroma) and lexical (BM25) search over the clause units of a library."""

    def __init__(self, library: Library, settings: Settings):
        self.library = library
        self.settings = settings
        self.units = build_units(library)
        self.by_id = {u.id: i for i, u in enumerate(self.units)}
        self.collection = None
        self.built = False  # True when this process built the collection (rather than reopened it)

    @cached_property
    def identity(self) -> str:
        checksums = self.library.corpus.checksums
        payload = json.dumps({"corpus": checksums, "model": MODEL_NAME, "units": UNIT_SCHEME}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def name(self) -> str:
        return f"clauses-{self.identity[:24]}"

    def open(self, rebuild: bool = False, progress: bool = True) -> "ClauseIndex":
        client = _client(self.settings)
        self.client = client
        try:
            existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        except Exception as exc:
            raise IndexUnavailable(f"The index cannot be read ({type(exc).__name__}: {exc}). "
                                   "Run `assistant index --rebuild`.") from None
        if self.name in existing and not rebuild:
            collection = client.get_collection(self.name, embedding_function=None)
            if collection.count() == len(self.units):
                self.collection = collection
                return self
        self._build(client, existing, progress)
        return self

    def _build(self, client, existing: set[str], progress: bool) -> None:
        from tqdm import tqdm

        staging = f"building-{self.identity[:12]}-{uuid.uuid4().hex[:8]}"
        collection = client.create_collection(staging, embedding_function=None,
                                              metadata={"identity": self.identity, "scheme": UNIT_SCHEME})
        started = time.perf_counter()
        bar = tqdm(total=len(self.units), desc="Indexing clauses", unit="clause", disable=not progress)
        # Similar lengths in a batch waste less on padding: embed shortest first.
        ordered = sorted(self.units, key=lambda u: len(u.text))
        for start in range(0, len(ordered), BATCH):
            batch = ordered[start:start + BATCH]
            vectors = embed_documents([u.text for u in batch])
            collection.add(ids=[u.id for u in batch], embeddings=vectors,
                           metadatas=[{"doc": u.doc, "ref": u.ref} for u in batch])
            bar.update(len(batch))
        bar.close()
        # Switch over only now: the finished collection takes the index's name.
        if self.name in existing:
            client.delete_collection(self.name)
        collection.modify(name=self.name)
        for old in existing:
            if old != self.name and (old.startswith("clauses-") or old.startswith("building-")):
                try:
                    client.delete_collection(old)
                except Exception:
                    pass  # another process may be using or removing it; it is only disk space
        self.collection = client.get_collection(self.name, embedding_function=None)
        self.built = True
        self.build_seconds = time.perf_counter() - started

    # ---------------------------------------------------------------- search

    @cached_property
    def bm25(self):
        from rank_bm25 import BM25Okapi
        return BM25Okapi([tokenize(u.text) for u in self.units])

    @cached_property
    def _doc_rows(self) -> dict[str, "list[int]"]:
        rows: dict[str, list[int]] = {}
        for i, unit in enumerate(self.units):
            rows.setdefault(unit.doc, []).append(i)
        return rows

    def dense(self, vector: list[float], k: int, docs: list[str] | None = None) -> list[tuple[int, float]]:
        where = {"doc": {"$in": list(docs)}} if docs else None
        try:
            result = self.collection.query(query_embeddings=[vector], n_results=k, where=where,
                                           include=["distances"])
        except Exception as exc:
            raise IndexUnavailable(f"The vector index did not answer ({type(exc).__name__}: {exc}).") from None
        out = []
        for uid, dist in zip(result["ids"][0], result["distances"][0]):
            if uid in self.by_id:
                out.append((self.by_id[uid], 1.0 - dist / 2.0))  # unit vectors: squared L2 -> cosine
        return out

    def lexical(self, query: str, k: int, docs: list[str] | None = None) -> list[tuple[int, float]]:
        import numpy as np

        tokens = tokenize(query)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        if docs:
            mask = np.full(len(scores), -np.inf)
            for doc in docs:
                rows = self._doc_rows.get(doc, [])
                mask[rows] = 0.0
            scores = scores + mask
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
