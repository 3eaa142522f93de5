"""The search index: clause units embedded into a Chroma collection, plus BM25 over the same units.

Every clause of every document is a unit with its canonical reference, so any hit names the
exact clause. Two texts are kept per unit:

* the *lexical* text (BM25, every unit): the clause's heading path (title / chapter / section /
  article heading), the lead-in of the paragraph it continues, and its own text (a paragraph's
  text folds in its points);
* the *dense* text (embedded): the last heading, the lead-in and the clause text, cut at
  ``MAX_SEQ_LENGTH`` word pieces, with the annex point its opening words name written out
  (``annex_points``). Not in the lexical text: the point's rarer words ("creditworthiness") made
  BM25 rank the articles that refer to a point above the point itself (tune: four questions on a
  bank's credit scoring lost Annex III(5)(b)).

Chosen by measurement on evals/questions.yaml (the 173 single-turn questions; bench/tune.py):

* paragraphs embedded with their points folded in carry the dense side (without their vectors
  article recall@5 fell from 0.96 to 0.92, recall@1 from 0.72 to 0.61);
* points embedded on their own, with their paragraph's lead-in, buy exact-clause precision
  (clause recall@5 0.61 vs 0.58 without them; with the first hybrid retriever they were also
  worth 0.05 of article recall@5);
* whole articles that have paragraphs are not embedded: their paragraphs carry the article
  heading and together the same text, and embedding them added 60 000 word pieces (a fifth
  of the build) for no hit the paragraphs missed; BM25 still matches them whole;
* 128 word pieces (what all-MiniLM-L6-v2 was trained on) rather than 256: recall@5 0.858 vs
  0.838 with the same units and retriever, and 25% fewer word pieces to embed.

The index's identity is the corpus checksums + the embedding model + the unit scheme. An
unchanged identity reopens at once; a changed one builds a new collection and switches over
only when the build has finished, so an interrupted build leaves the previous index usable.
A unit whose id and embedded text an index here already holds (same model and unit scheme) keeps
its stored vector: a corpus update or a parser fix embeds only the units it changed.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .annex_points import written_out
from .clauses import Clause, Library, top_level
from .config import Settings
from .embedding import MODEL_NAME, embed_documents
from .errors import IndexUnavailable

# The name of how units are embedded. It is part of the index's identity together with a digest
# of every embedded unit's id and text and MAX_SEQ_LENGTH, so a change to the unit texts forces a
# rebuild even if this name is not updated (update it anyway: it is what the collection records).
UNIT_SCHEME = "clause-v2:heading+leadin+text,no-parent-articles,seq128"
MAX_SEQ_LENGTH = 128  # word pieces embedded per unit (all-MiniLM-L6-v2 was trained on 128)
BATCH = 256           # units embedded per step (one progress-bar step)
ADD_BATCH = 5000      # vectors added to Chroma per call (at most the client's maximum)
KEEP_PREVIOUS = 1     # indexes of older identities kept after a switch (for processes still reading them)
STALE_STAGING = 3600  # Chroma server only: seconds after which a staging collection is a dead build's leftover
KEEP_QUARANTINED = 1  # unreadable index folders kept for inspection (the newest); older ones are deleted
PROBES = 3            # stored vectors read back and searched for when an index is opened
REMEDY = "Run `assistant index --rebuild` to build it again from the corpus."
DENSE_DEPTH = 1500    # deepest unfiltered nearest-neighbour search before asking Chroma to filter
COLLECTION_PREFIX = "clauses-"
STAGING_PREFIX = "building-"

# BM25 (rank_bm25.BM25Okapi) parameters.
BM25_K1 = 1.2
BM25_B = 0.75

STOPWORDS = frozenset("""a an and are as at be by for from has have how in into is it its of on or
that the their there these this to was were what when where which who will with does do can i my
me we our you your under about any shall should would could may s t d ll re ve m
don doesn didn isn aren wasn weren won if then than so also just been being did doing had us they them
he she his her""".split())

_LEGAL_FORMS = [
    (re.compile(r"\b(?:arts?|articles?)\.?\s*(?=\d)"), "article "),
    (re.compile(r"\b(?:paras?|paragraphs?)\.?\s*(?=\d)"), "paragraph "),
    (re.compile(r"\b(?:pts?|points?)\.?\s*(?=\(?[a-z0-9]{1,4}\)?)"), "point "),
    (re.compile(r"\b(?:subpara|subparagraph)s?\b\.?"), "subparagraph "),
    (re.compile(r"\brecitals?\b"), "recital "),
    (re.compile(r"\bannex(?:es)?\b"), "annex "),
]
# "(a)", "(iv)", "(12)" as point tokens ("(EU)" is a word); plain words; numbers ("2016/679" -> "2016", "679").
_TOKEN = re.compile(r"\(([a-z]|[ivx]{1,5}|\d{1,3})\)|[a-z]+|\d+(?:\.\d+)*")


_local = threading.local()


def _stemmer():
    """One Snowball stemmer per thread: an instance keeps per-word state, and shared by 8
    threads it gave 1,407 wrong stems and 280 IndexErrors in 35,200 (which the cache then kept)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


# Snowball stems "register" regist and "registration" registr: one stem for both, so "do public
# bodies have to register?" meets Art. 51 "Registration" and Art. 49(3) "register themselves".
_SAME_STEM = {"registr": "regist", "registri": "regist"}


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stem = _stemmer().stemWord(word)  # pure Python: ~20 us a word, so each word once
    return _SAME_STEM.get(stem, stem)


def tokenize(text: str) -> list[str]:
    """BM25 tokens: lower-case Snowball stems of words and the numbers as written.

    Legal forms are normalised ("Art. 5", "Arts 5", "Article 5" -> ``article 5``; "para." ->
    ``paragraph``; "pt" -> ``point``); point letters and numbers in brackets are kept as
    tokens of their own (``(c)`` -> ``(c)``), so the stop-word "a" never swallows point (a).
    """
    text = text.lower().replace("’", "'")
    for pattern, replacement in _LEGAL_FORMS:
        text = pattern.sub(replacement, text)
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        point = match.group(1)
        if point is not None:
            out.append(f"({point})")
            continue
        token = match.group(0)
        if token in STOPWORDS:
            continue
        out.append(_stem(token) if token[0].isalpha() else token)
    return out


@dataclass(frozen=True)
class Unit:
    id: str  # "doc::ref"
    doc: str
    ref: str
    text: str  # lexical text: heading path + lead-in + clause text
    dense_text: str | None  # the embedded text; None when the clause is reached through its parts

    @property
    def article(self) -> tuple[str, str]:
        return (self.doc, top_level(self.ref))

    @property
    def digest(self) -> str:
        """What its vector depends on (its id and embedded text): a vector stored under the same
        digest by an earlier build is reused rather than embedded again."""
        return hashlib.sha256(f"{self.id}\x00{self.dense_text}".encode()).hexdigest()[:20]


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def lead_in(clause: Clause, library: Library) -> str:
    """The words a point or subparagraph continues: its parent's first line (a paragraph's
    chapeau, "The following ... shall be prohibited:"), unless the parent is the article."""
    if not clause.parent:
        return ""
    parent = library.get(clause.doc, clause.parent)
    if parent.kind == "article":
        return ""
    return _first_line(parent.text)


def lexical_text(clause: Clause, library: Library) -> str:
    parts = list(clause.heading_path)
    lead = lead_in(clause, library)
    if lead:
        parts.append(lead)
    return " — ".join(parts + [clause.text])


def dense_text(clause: Clause, library: Library) -> str | None:
    if clause.kind == "article" and clause.children:
        return None  # its paragraphs carry the heading and, together, the same text
    context = [clause.heading_path[-1]] if clause.heading_path else []
    lead = lead_in(clause, library)
    if lead:
        context.append(lead)
    return " — ".join(context + [written_out(clause.text, clause.doc, library)])


def build_units(library: Library) -> list[Unit]:
    return [Unit(f"{c.doc}::{c.ref}", c.doc, c.ref, lexical_text(c, library), dense_text(c, library))
            for c in library.all_clauses]


SERVER_RETRIES = (0.5, 1.0, 2.0)  # seconds between attempts to reach a Chroma server


def _server_client(settings: Settings, chroma_settings):
    import chromadb

    match = re.match(r"^(https?)://([^:/]+)(?::(\d+))?/?$", settings.chroma_url)
    if not match:
        raise IndexUnavailable(f"ASSISTANT_CHROMA_URL={settings.chroma_url!r} is not an http(s)://host:port address.")
    scheme, host, port = match.groups()
    error = None
    for pause in (0.0, *SERVER_RETRIES):  # a server that is restarting gets a few seconds, then a clear error
        time.sleep(pause)
        try:
            client = chromadb.HttpClient(host=host, port=int(port or 8000), ssl=scheme == "https",
                                         settings=chroma_settings)
            client.heartbeat()
            return client
        except Exception as exc:
            error = exc
    raise IndexUnavailable(f"Chroma server at {settings.chroma_url} is unreachable after {len(SERVER_RETRIES) + 1} "
                           f"attempts over {sum(SERVER_RETRIES):.1f} s ({type(error).__name__}). Start it, or unset "
                           "ASSISTANT_CHROMA_URL to use the embedded store.") from None


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return _server_client(settings, chroma_settings)
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        client.list_collections()
        return client
    except Exception as exc:
        raise CorruptIndex(f"The index at {path} cannot be read ({type(exc).__name__}: {exc}).") from None


class CorruptIndex(IndexUnavailable):
    """The embedded store's files cannot be read."""


def quarantine(path: Path) -> Path:
    """Move an unreadable index directory aside for inspection. Only the newest
    ``KEEP_QUARANTINED`` such folders are kept: each is a whole index (~11 MB)."""
    from chromadb.api.client import SharedSystemClient

    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}")
    path.rename(target)
    # Chroma keeps one system per path in a process: forget this path's, and only this path's.
    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    older = sorted(path.parent.glob(f"{path.name}.corrupt-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in older[KEEP_QUARANTINED:]:
        shutil.rmtree(stale, ignore_errors=True)
    return target


def unused_segment_folders(path: Path) -> list[Path]:
    """Vector-segment folders of an embedded store that no collection uses any more (Chroma
    leaves a deleted collection's HNSW files on disk; each is ~8 MB). Read from the store's own
    catalogue; nothing is listed when it cannot be read."""
    try:
        with sqlite3.connect(f"file:{path / 'chroma.sqlite3'}?mode=ro", uri=True) as db:
            used = {row[0] for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return []
    uuid_name = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    return [p for p in path.iterdir() if p.is_dir() and uuid_name.match(p.name) and p.name not in used]


@contextmanager
def build_lock(settings: Settings):
    """One build at a time per data directory: a second process waits, then reopens the result.
    Yields whether this process may write there (False for a read-only data directory, where
    an existing index can still be read; the lock file is then opened read-only)."""
    if settings.chroma_url:
        yield True
        return
    import fcntl

    path = settings.data_dir / "index.lock"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fh, writable = open(path, "a"), True
    except OSError:
        try:
            fh, writable = open(path, "r"), False
        except OSError:
            yield False  # nothing to lock: no index can have been built here either
            return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX if writable else fcntl.LOCK_SH)
        try:
            yield writable
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class Lexical:
    """BM25 (rank_bm25's ``BM25Okapi``: its idf, length normalisation, k1 and b) kept as one
    posting list per term with each unit's BM25 term weight, so a query costs a few numpy
    additions (~1 ms) and its terms can carry weights (the glossary's additions count less)."""

    def __init__(self, texts: list[str], k1: float = BM25_K1, b: float = BM25_B):
        import numpy as np
        from rank_bm25 import BM25Okapi

        corpus = [tokenize(t) for t in texts]
        bm25 = BM25Okapi(corpus, k1=k1, b=b)
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for row, (freqs, length) in enumerate(zip(bm25.doc_freqs, bm25.doc_len)):
            norm = k1 * (1 - b + b * length / bm25.avgdl)
            for term, tf in freqs.items():
                rows, weights = postings.setdefault(term, ([], []))
                rows.append(row)
                weights.append(bm25.idf[term] * tf * (k1 + 1) / (tf + norm))
        self.size = len(texts)
        self.postings = {term: (np.asarray(rows, dtype=np.int32), np.asarray(weights, dtype=np.float32))
                         for term, (rows, weights) in postings.items()}

    def share(self, term: str) -> float:
        """The share of the units that hold ``term`` (0 for a term none holds)."""
        posting = self.postings.get(term)
        return len(posting[0]) / self.size if posting is not None else 0.0

    def scores(self, weighted: dict[str, float]):
        """BM25 score of every unit; a term's contribution is multiplied by its weight."""
        import numpy as np

        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in weighted.items():
            posting = self.postings.get(term)
            if posting is not None:
                out[posting[0]] += weight * posting[1]  # a unit appears once per posting list
        return out


class ClauseIndex:
    """Dense (Chroma) and lexical (BM25) search over the clause units of a library."""

    def __init__(self, library: Library, settings: Settings):
        self.library = library
        self.settings = settings
        self.units = build_units(library)
        self.by_id = {u.id: i for i, u in enumerate(self.units)}
        self.embedded = [u for u in self.units if u.dense_text is not None]
        self.collection = None
        self.built = False  # True when this process built the collection (rather than reopened it)
        self.recovered: str | None = None  # what was done about an unreadable index directory
        self.writable = True  # False when the data directory is read-only
        self.build_seconds = 0.0
        self.reused = 0  # vectors of the last build taken from an earlier index here

    @cached_property
    def identity(self) -> str:
        """sha256 of the corpus checksums, the model and the unit scheme (its name, the digest of
        the embedded units' ids and texts, and how many word pieces of each are embedded)."""
        units = hashlib.sha256()
        for unit in self.embedded:
            units.update(f"{unit.id}\x00{unit.dense_text}\x01".encode())
        payload = json.dumps({"corpus": self.library.corpus.checksums, "model": MODEL_NAME,
                              "units": [UNIT_SCHEME, units.hexdigest(), MAX_SEQ_LENGTH]}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def name(self) -> str:
        return f"{COLLECTION_PREFIX}{self.identity[:24]}"

    def open(self, rebuild: bool = False, progress: bool = True) -> "ClauseIndex":
        with build_lock(self.settings) as writable:
            self.writable = writable
            try:
                return self._open(_client(self.settings), rebuild, progress)
            except CorruptIndex as exc:
                if self.settings.chroma_url or not writable:
                    raise IndexUnavailable(f"{exc} {REMEDY}") from None
                # Keep the unreadable files aside and build a fresh index from the corpus.
                moved = quarantine(self.settings.data_dir / "chroma")
                self.recovered = (f"{exc} It was moved to {moved} (only the newest such folder is kept) "
                                  "and the index is being rebuilt.")
                print(f"warning: {self.recovered}", file=sys.stderr)
                return self._open(_client(self.settings), True, progress)

    def _open(self, client, rebuild: bool, progress: bool) -> "ClauseIndex":
        self.client = client
        try:
            existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        except Exception as exc:
            raise CorruptIndex(f"The index cannot be read ({type(exc).__name__}: {exc}).") from None
        if self.writable and not self.settings.chroma_url:
            # Under the build lock no other build runs here: a staging collection is a killed
            # build's leftover (9 MB when killed after embedding), dropped now rather than later.
            for name in sorted(n for n in existing if n.startswith(STAGING_PREFIX)):
                try:
                    client.delete_collection(name)
                except Exception:
                    pass  # only disk space; the next build tries again
            existing = {n for n in existing if not n.startswith(STAGING_PREFIX)}
        if self.name in existing and not rebuild:
            self.collection = client.get_collection(self.name, embedding_function=None)
            self._check()
            self.lexical_index  # BM25 now (~1.5 s), not on the first question
            return self
        if not self.writable:
            raise IndexUnavailable(f"No index for this corpus in {self.settings.data_dir} and the directory is "
                                   "read-only. Point ASSISTANT_DATA_DIR at a writable directory, or build the "
                                   "index there first with `assistant index`.")
        self._build(client, existing, progress, reuse=not rebuild)
        self.lexical_index
        return self

    def _check(self) -> None:
        """Raise CorruptIndex unless the collection holds every unit and a few stored vectors
        read back as unit vectors that find themselves. A truncated, garbled or deleted HNSW
        file fails here, at open, rather than on a user's question (garbled vectors were
        otherwise searched silently)."""
        import numpy as np

        where = f"The index collection {self.name}"
        try:
            count = self.collection.count()
            if count != len(self.embedded):
                raise CorruptIndex(f"{where} holds {count} of {len(self.embedded)} clauses.")
            step = max(1, len(self.embedded) // PROBES)
            ids = [u.id for u in self.embedded[::step][:PROBES]]
            got = self.collection.get(ids=ids, include=["embeddings"])
            vectors = got.get("embeddings")
            if vectors is None or len(vectors) != len(ids):
                raise CorruptIndex(f"{where} lost stored vectors.")
            for uid, vector in zip(got["ids"], vectors):
                vector = np.asarray(vector, dtype=np.float32)
                if not np.all(np.isfinite(vector)) or abs(float(np.linalg.norm(vector)) - 1.0) > 0.01:
                    raise CorruptIndex(f"{where} has a damaged vector ({uid}).")
                # The nearest stored vector must be this one (or an identical twin: clauses repeat).
                nearest = self.collection.query(query_embeddings=[vector.tolist()], n_results=1,
                                                include=["distances"])
                if not nearest["distances"][0] or nearest["distances"][0][0] > 1e-3:
                    raise CorruptIndex(f"{where} does not find its own vector ({uid}).")
        except CorruptIndex:
            raise
        except Exception as exc:
            raise CorruptIndex(f"{where} cannot be read ({type(exc).__name__}: {exc}).") from None

    def _build(self, client, existing: set[str], progress: bool, reuse: bool = True) -> None:
        """Embed every unit (or take its vector from an index here whose unit had the same text,
        unless ``reuse`` is off: a rebuild asked for embeds everything) into a staging collection,
        then switch the index's name over to it."""
        from tqdm import tqdm

        started = time.perf_counter()
        staging = f"{STAGING_PREFIX}{self.identity[:12]}-{uuid.uuid4().hex[:8]}"
        metadata = {"identity": self.identity, "scheme": UNIT_SCHEME, "model": MODEL_NAME, "started": time.time()}
        collection = client.create_collection(staging, embedding_function=None, metadata=metadata)
        bar = tqdm(total=len(self.embedded), desc="Indexing clauses", unit="clause", disable=not progress)
        try:
            # Similar lengths in a batch waste less on padding: embed shortest first. All vectors
            # are computed before any is added: Chroma's indexing threads running between the
            # model's batches made the build 2-3x slower on 2 cores.
            stored = self.stored_vectors(client, existing) if reuse else {}
            self.reused = sum(1 for u in self.embedded if u.digest in stored)
            bar.update(self.reused)
            ordered = sorted(self.embedded, key=lambda u: (u.digest not in stored, len(u.dense_text)))
            vectors = [stored[u.digest] for u in ordered[:self.reused]]
            for start in range(self.reused, len(ordered), BATCH):
                batch = ordered[start:start + BATCH]
                vectors.extend(embed_documents([u.dense_text for u in batch], max_seq_length=MAX_SEQ_LENGTH))
                bar.update(len(batch))
            step = min(ADD_BATCH, client.get_max_batch_size())
            for start in range(0, len(ordered), step):
                batch = ordered[start:start + step]
                collection.add(ids=[u.id for u in batch], embeddings=vectors[start:start + step],
                               metadatas=[{"doc": u.doc, "ref": u.ref, "digest": u.digest} for u in batch])
        except BaseException as exc:
            bar.close()
            try:
                client.delete_collection(staging)  # the previous index stays as it was
            except Exception:
                pass
            if isinstance(exc, Exception) and not isinstance(exc, IndexUnavailable):
                where = self.settings.chroma_url or self.settings.data_dir
                raise IndexUnavailable(f"The index could not be written to {where} ({type(exc).__name__}: {exc}). "
                                       "Check free disk space and permissions; the previous index, if any, is "
                                       f"unchanged. {REMEDY}") from None
            raise
        bar.close()
        # Switch over only now: the finished collection takes the index's name.
        if self.name in existing:
            client.delete_collection(self.name)
        collection.modify(name=self.name, metadata={**metadata, "built_at": time.time()})
        self._tidy(client, existing - {self.name})
        self.collection = client.get_collection(self.name, embedding_function=None)
        self.built = True
        self.build_seconds = time.perf_counter() - started

    def stored_vectors(self, client, existing: set[str]) -> dict:
        """Vectors of the indexes already here (same model and unit scheme) by unit digest
        (``Unit.digest``): a changed corpus or parser embeds only the units whose text changed."""
        stored: dict = {}
        for name in sorted(n for n in existing if n.startswith(COLLECTION_PREFIX)):
            try:
                collection = client.get_collection(name, embedding_function=None)
                meta = collection.metadata or {}
                if (meta.get("scheme"), meta.get("model")) != (UNIT_SCHEME, MODEL_NAME):
                    continue
                got = collection.get(include=["embeddings", "metadatas"])
                for vector, unit in zip(got["embeddings"], got["metadatas"]):
                    if unit and unit.get("digest"):
                        stored[unit["digest"]] = [float(x) for x in vector]
            except Exception:
                continue  # unreadable or removed meanwhile: its units are embedded again
        return stored

    def _tidy(self, client, others: set[str]) -> None:
        """Drop what no process needs any more: indexes of older identities except the latest
        (a process that opened it before the switch keeps answering), the staging collections
        of builds that died (killed), and the files of deleted collections. Embedded, this runs
        under the build lock, so any other staging collection is dead; a Chroma server has no
        such lock, and there a staging collection is dead after STALE_STAGING seconds."""
        embedded = not self.settings.chroma_url
        previous = []
        for name in others:
            if not name.startswith((COLLECTION_PREFIX, STAGING_PREFIX)):
                continue
            try:
                meta = client.get_collection(name, embedding_function=None).metadata or {}
            except Exception:
                continue  # removed meanwhile by another process
            if name.startswith(STAGING_PREFIX):
                if embedded or time.time() - float(meta.get("started", 0)) > STALE_STAGING:
                    previous.append((-1.0, name))  # dead build: always dropped
            else:
                previous.append((float(meta.get("built_at", 0)), name))
        previous.sort(reverse=True)
        keep = [name for when, name in previous if when >= 0][:KEEP_PREVIOUS]
        for _, name in previous:
            if name not in keep:
                try:
                    client.delete_collection(name)
                except Exception:
                    pass  # another process may be removing it; it is only disk space
        if embedded:
            for folder in unused_segment_folders(self.settings.data_dir / "chroma"):
                shutil.rmtree(folder, ignore_errors=True)

    # ---------------------------------------------------------------- search

    @cached_property
    def lexical_index(self) -> Lexical:
        return Lexical([u.text for u in self.units])

    @cached_property
    def _doc_rows(self) -> dict[str, "list[int]"]:
        rows: dict[str, list[int]] = {}
        for i, unit in enumerate(self.units):
            rows.setdefault(unit.doc, []).append(i)
        return rows

    @cached_property
    def _embedded_per_doc(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for unit in self.embedded:
            counts[unit.doc] = counts.get(unit.doc, 0) + 1
        return counts

    def _query(self, vector: list[float], n: int, where: dict | None) -> list[tuple[int, float]]:
        try:
            result = self.collection.query(query_embeddings=[vector], n_results=n, where=where,
                                           include=["distances"])
        except Exception as exc:
            raise IndexUnavailable(f"The vector index did not answer ({type(exc).__name__}: {exc}). "
                                   f"{REMEDY}") from None
        out = []
        for uid, dist in zip(result["ids"][0], result["distances"][0]):
            if uid in self.by_id:
                out.append((self.by_id[uid], 1.0 - dist / 2.0))  # unit vectors: squared L2 -> cosine
        return out

    def dense(self, vector: list[float], k: int, docs: list[str] | None = None) -> list[tuple[int, float]]:
        """(unit row, cosine similarity) of the ``k`` nearest embedded units, best first.

        Chroma's metadata filter costs 8-18 ms a query here, its plain nearest-neighbour search
        1-5 ms: documents are filtered on our side from a deeper unfiltered search, and Chroma
        filters only when that did not find ``k`` (a small document searched alone)."""
        counts = self._embedded_per_doc
        total = len(self.embedded)
        wanted = set(docs) & set(counts) if docs else set(counts)
        share = sum(counts[d] for d in wanted) / total if total else 0.0
        if not share:
            return []
        if share == 1.0:
            return self._query(vector, min(k, total), None)
        depth = min(total, int(k / share * 1.5) + 20)
        if depth <= DENSE_DEPTH:
            found = [(row, sim) for row, sim in self._query(vector, depth, None) if self.units[row].doc in wanted]
            if len(found) >= k or depth == total:
                return found[:k]
        where = {"doc": next(iter(wanted))} if len(wanted) == 1 else {"doc": {"$in": sorted(wanted)}}
        return self._query(vector, min(k, total), where)

    def vector(self, row: int) -> list[float] | None:
        """The stored vector of a unit (None for a unit reached through its parts)."""
        found = self.vectors([row]).get(row)
        return None if found is None else list(found)

    def _stored(self, rows: list[int]) -> list[tuple[int, "object"]]:
        """(row, stored vector as Chroma returns it) of the units of ``rows`` that are embedded."""
        ids = [self.units[row].id for row in rows if self.units[row].dense_text is not None]
        if not ids:
            return []
        try:
            got = self.collection.get(ids=ids, include=["embeddings"])
        except Exception as exc:
            raise IndexUnavailable(f"The vector index did not answer ({type(exc).__name__}: {exc}). "
                                   f"{REMEDY}") from None
        embeddings = got.get("embeddings")
        if embeddings is None:
            return []
        return [(self.by_id[uid], vector) for uid, vector in zip(got["ids"], embeddings) if uid in self.by_id]

    def vectors(self, rows: list[int]) -> dict[int, list[float]]:
        """The stored vectors of units, by row (units reached through their parts have none)."""
        return {row: list(vector) for row, vector in self._stored(rows)}

    def matrix(self, rows: list[int]):
        """(the rows of ``rows`` that are embedded, their stored vectors as one float32 matrix): for
        comparing many units at once (a list of Python floats per vector costs seconds for thousands)."""
        import numpy as np

        stored = self._stored(rows)
        return [row for row, _ in stored], np.asarray([vector for _, vector in stored], dtype=np.float32)

    def lexical_scores(self, weighted: dict[str, float], docs: list[str] | None = None):
        """BM25 score of every unit for weighted query terms (-inf outside ``docs``)."""
        import numpy as np

        scores = self.lexical_index.scores(weighted)
        if docs:
            mask = np.full(len(scores), -np.inf, dtype=np.float32)
            for doc in docs:
                mask[self._doc_rows.get(doc, [])] = 0.0
            scores = scores + mask
        return scores

    def lexical(self, query: str, k: int, docs: list[str] | None = None) -> list[tuple[int, float]]:
        """(unit row, BM25 score) of the ``k`` best units for the query, best first."""
        import numpy as np

        weighted: dict[str, float] = {}
        for token in tokenize(query):
            weighted[token] = weighted.get(token, 0.0) + 1.0
        if not weighted:
            return []
        scores = self.lexical_scores(weighted, docs)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
