"""How the retriever's weights were measured: sweeps of the tuning table on the eval questions.

Runs on the real index (built or reopened under ASSISTANT_DATA_DIR) through ``Retriever.search``,
on the ``tune`` split only (evals/split.yaml and evals/tune/); ``--split test`` is for reading a
result, never for choosing a value:

    python bench/tune.py sweep       # one-at-a-time sweeps of the tuning table (dataclasses.replace)
    python bench/tune.py split       # the chosen values on two halves of the tune questions
    python bench/tune.py glossary    # each glossary entry left out in turn, and none at all
    python bench/tune.py units       # dense units of one kind left out (what embedding them buys)
    python bench/tune.py precision   # bfloat16 vs float32 clause vectors
    python bench/tune.py languages   # per language, the translated tune questions (questions_i18n_tune.yaml)
                                     # beside their English sources, and sweeps of the other-language weights
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NAMES = ["a@1", "a@5", "a@10", "c@1", "c@5", "c@10", "mrr"]
SWEEPS = {
    "rrf_k": [10, 20, 40, 60, 100],
    "candidates": [30, 60, 80, 120],
    "dense_weight": [0.5, 0.75, 1.0, 1.5],
    "lexical_weight": [0.75, 1.0, 1.5, 2.0],
    "expansion_weight": [0.25, 0.5, 0.75, 1.0],
    "commentary_weight": [0.2, 0.4, 0.6, 1.0],
    "final_provisions": [0.4, 0.6, 0.8, 1.0],
    "kind_weights.recital": [0.5, 0.7, 0.85, 1.0],
    "kind_weights.em_paragraph": [0.4, 0.6, 0.8, 1.0],
    "twin_position": [0, 1, 2, 5],
    "repeat_discount": [0.0, 0.3, 0.5, 0.6, 0.7],
}


def setup(split: str):
    from assistant.core import Assistant
    from evals.questions import load_questions

    assistant = Assistant(progress=True).warm_up_languages()  # English questions read e5 too
    retriever = assistant.retriever
    questions = [q for q in load_questions(split=split) if q.expected and not q.decline and len(q.turns) == 1]
    return retriever, questions


def tuned(tuning, name: str, value):
    """The tuning table with one value changed (``kind_weights.recital`` changes one kind)."""
    if "." in name:
        table, key = name.split(".")
        return replace(tuning, **{table: {**getattr(tuning, table), key: value}})
    return replace(tuning, **{name: value})


def current(tuning, name: str):
    if "." in name:
        table, key = name.split(".")
        return getattr(tuning, table).get(key)
    return getattr(tuning, name)


def evaluate(retriever, questions, tuning=None) -> list[float]:
    from assistant.retrieval import Retriever
    from evals.metrics import recall_at, reciprocal_rank

    if tuning is not None:
        retriever = Retriever(retriever.library, retriever.index, tuning)
    rows = []
    for q in questions:
        ranked = [h.key() for h in retriever.search(q.question, 10)]
        expected = list(q.expected)
        rows.append([recall_at(expected, ranked, 1, "article"), recall_at(expected, ranked, 5, "article"),
                     recall_at(expected, ranked, 10, "article"), recall_at(expected, ranked, 1, "clause"),
                     recall_at(expected, ranked, 5, "clause"), recall_at(expected, ranked, 10, "clause"),
                     reciprocal_rank(expected, ranked)])
    return [sum(col) / len(rows) for col in zip(*rows)]


def show(label: str, metrics: list[float]) -> None:
    print(f"{label:38s} " + "  ".join(f"{n}={v:.3f}" for n, v in zip(NAMES, metrics)), flush=True)


def cmd_sweep(retriever, questions) -> None:
    base = retriever.tuning
    show("chosen", evaluate(retriever, questions))
    for name, values in SWEEPS.items():
        chosen = current(base, name)
        for value in values:
            mark = " (chosen)" if value == chosen else ""
            show(f"{name}={value}{mark}", evaluate(retriever, questions, tuned(base, name, value)))


def cmd_split(retriever, questions) -> None:
    """Stable constants score alike on both halves; a constant fitted to a few questions does not."""
    show("all", evaluate(retriever, questions))
    show("odd-numbered questions", evaluate(retriever, questions[0::2]))
    show("even-numbered questions", evaluate(retriever, questions[1::2]))


def cmd_glossary(retriever, questions) -> None:
    from assistant import retrieval

    entries = retrieval.glossary()
    base = evaluate(retriever, questions)
    show("whole glossary", base)
    original = retrieval.glossary
    try:  # the glossary is data, not a weight: it is swapped for the measurement only
        for i, (pattern, means) in enumerate(entries):
            fires = sum(1 for q in questions if pattern.search(q.question))
            retrieval.glossary = lambda lang="en", i=i: (
                [e for j, e in enumerate(entries) if j != i] if lang == "en" else original(lang))
            retrieval._query_vector.cache_clear()
            m = evaluate(retriever, questions)
            print(f"  without #{i:2d} (fires on {fires:3d}): a@5 {m[1] - base[1]:+.3f}  mrr {m[6] - base[6]:+.3f}"
                  f"  -> {means[:50]}", flush=True)
        retrieval.glossary = lambda lang="en": [] if lang == "en" else original(lang)
        retrieval._query_vector.cache_clear()
        show("no glossary", evaluate(retriever, questions))
    finally:
        retrieval.glossary = original
        retrieval._query_vector.cache_clear()


def cmd_units(retriever, questions) -> None:
    """Dense hits of one kind of unit dropped at query time: what embedding that kind buys."""
    index = retriever.index
    kinds = sorted({retriever.library.get(u.doc, u.ref).kind for u in index.embedded})
    real = index.dense
    show("all embedded units", evaluate(retriever, questions))
    try:
        for kind in kinds:
            def dense(vector, k, docs=None, kind=kind):
                return [(row, sim) for row, sim in real(vector, k + 40, docs)
                        if retriever.library.get(index.units[row].doc, index.units[row].ref).kind != kind][:k]
            index.dense = dense
            count = sum(1 for u in index.embedded if retriever.library.get(u.doc, u.ref).kind == kind)
            show(f"without {kind} ({count})", evaluate(retriever, questions))
    finally:
        index.dense = real


def cmd_precision(retriever, questions) -> None:
    from assistant import embedding
    from assistant.index import MAX_SEQ_LENGTH

    texts = [u.dense_text for u in retriever.index.embedded][::10]
    fast = embedding._encode(texts, MAX_SEQ_LENGTH, 64, fast=True)
    exact = embedding._encode(texts, MAX_SEQ_LENGTH, 64, fast=False)
    cosine = (fast * exact).sum(axis=1)
    print(f"bfloat16 used: {embedding.bf16_is_fast()}; {len(texts)} clause vectors, cosine to float32: "
          f"min {cosine.min():.6f}, mean {cosine.mean():.6f}")


# BM25's weight for a question in another language (the dense side, e5, keeps dense_weight: in
# reciprocal-rank fusion only the ratio of the two weights moves the ranking).
LANGUAGE_SWEEPS = {
    "foreign_lexical_weight": [0.0, 0.25, 0.5, 0.75, 1.0, 1.5],
    "term_weight": [0.0, 0.5, 1.0, 2.0, 3.0],
    "window_handicap": [0.0, 0.005, 0.02],
    "foreign_repeat_discount": [0.0, 0.3, 0.6],
}


def cmd_languages(retriever, questions, split: str = "tune") -> None:
    """Article recall@5 per language on the translated tune questions (questions_i18n_tune.yaml;
    ``--split test``: the translated eval questions, questions_i18n.yaml, to read a result once),
    English on the same source questions first; then, on tune only, the other-language sweeps.
    Each question is read into its plan once (the swept weights do not change plans)."""
    from assistant import plan as planning
    from assistant.retrieval import Retriever
    from evals.metrics import recall_at
    from evals.questions import load_questions
    from evals.questions_i18n import LANGUAGES, TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH, load_translated

    path = TUNE_TRANSLATIONS_PATH if split == "tune" else TRANSLATIONS_PATH
    translated = [x for x in load_translated(path) if x.question.expected and not x.question.decline]
    ids = {x.id for x in translated}
    sets = {"en": [q for q in load_questions() if q.id in ids]}
    for lang in LANGUAGES:
        sets[lang] = [x.question for x in translated if x.lang == lang]
    plans = {lang: [planning.build(q.question, retriever.library, tuning=retriever.tuning) for q in qs]
             for lang, qs in sets.items()}

    def recall(lang: str, tuning) -> float:
        searcher = Retriever(retriever.library, retriever.index, tuning)
        found = [recall_at(list(q.expected), [h.key() for h in searcher.search(plan, 10)], 5, "article")
                 for q, plan in zip(sets[lang], plans[lang])]
        return sum(found) / len(found)

    def row(label: str, tuning, languages=tuple(sets)) -> None:
        values = {lang: recall(lang, tuning) for lang in languages}
        others = [v for lang, v in values.items() if lang != "en"]
        print(f"{label:34s} " + "  ".join(f"{lang} {v:.3f}" for lang, v in values.items())
              + f"  | mean of the others {sum(others) / len(others):.3f}", flush=True)

    print(f"article recall@5, {path.name}, {len(sets['en'])} answered questions per language")
    base = retriever.tuning
    row("chosen", base)
    if split != "tune":
        return
    for name, values in LANGUAGE_SWEEPS.items():
        for value in values:
            if value != current(base, name):
                row(f"{name}={value}", tuned(base, name, value), LANGUAGES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["sweep", "split", "glossary", "units", "precision", "languages"])
    parser.add_argument("--split", default="tune", choices=["tune", "test"],
                        help="the questions (tune; test only to read a result)")
    args = parser.parse_args()
    retriever, questions = setup(args.split)
    if args.command == "languages":
        cmd_languages(retriever, questions, args.split)
    else:
        globals()[f"cmd_{args.command}"](retriever, questions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
