"""Retrieval benchmark: our clause index + hybrid retriever against the naive RAG baseline.

One run, the same eval questions (evals/questions.yaml: the single-turn questions that expect
clauses), each system in its own fresh Python process so that build time and peak memory are
its own:

* cold build: a new process, an empty data directory; wall time from process start until the
  index answers (imports, corpus parse, model load, embedding, Chroma writes, BM25);
* reopen (ours): a second new process on the same directory, until the index answers;
* recall@1/5/10 at article level and exact-clause level, MRR (evals/metrics.py definitions; a
  baseline chunk counts for every clause it overlaps, as in evals/runner.py);
* query latency p50/p95 once warm (three warm-up queries first), wall time per retrieve call;
* peak RSS of each process;
* the same recall on bench/heldout_questions.yaml, 30 questions written after the retriever was
  tuned and never used to tune it (an estimate for unseen questions).

Usage::

    python bench/benchmark.py            # prints the table (~3-5 min on 2 cores)
    python bench/benchmark.py --json out.json

The targets of issue #4 are checked at the end (exit status 1 when one is missed).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KS = (1, 5, 10)
TARGETS = {"article_recall@5": 0.95, "margin_over_baseline": 0.25, "query_p50_ms": 50.0, "cold_build_s": 90.0}


HELDOUT = Path(__file__).with_name("heldout_questions.yaml")


def questions():
    from evals.questions import load_questions
    return [q for q in load_questions() if q.expected and not q.decline and len(q.turns) == 1]


def heldout_questions():
    """bench/heldout_questions.yaml: written after tuning, never used for it (article level)."""
    from evals.questions import load_questions
    return load_questions(HELDOUT)


def scores_ours(expected, ranked) -> dict:
    from evals.metrics import recall_at, reciprocal_rank
    out = {}
    for k in KS:
        out[f"article_recall@{k}"] = recall_at(expected, ranked, k, "article")
        out[f"clause_recall@{k}"] = recall_at(expected, ranked, k, "clause")
    out["mrr"] = reciprocal_rank(expected, ranked)
    return out


def scores_baseline(expected, hits) -> dict:
    from assistant.clauses import top_level
    articles = {(d, top_level(r)) for d, r in expected}
    out = {}
    for k in KS:
        arts = {(h.doc, r) for h in hits[:k] for r in h.refs}
        clauses = {(h.doc, r) for h in hits[:k] for r in h.clause_refs}
        out[f"article_recall@{k}"] = len(articles & arts) / len(articles)
        out[f"clause_recall@{k}"] = len(set(expected) & clauses) / len(set(expected))
    out["mrr"] = next((1.0 / rank for rank, h in enumerate(hits, 1) if articles & {(h.doc, r) for r in h.refs}), 0.0)
    return out


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_queries(retrieve, score, items) -> dict:
    for q in items[:3]:
        retrieve(q.question)  # warm up: model, BM25, Chroma's first query
    rows, times = [], []
    for q in items:
        started = time.perf_counter()
        result = retrieve(q.question)
        times.append((time.perf_counter() - started) * 1000)
        rows.append(score(list(q.expected), result))
    metrics = {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}
    metrics["query_p50_ms"] = percentile(times, 0.5)
    metrics["query_p95_ms"] = percentile(times, 0.95)
    metrics["questions"] = len(rows)
    return metrics


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


# ---------------------------------------------------------------- workers (fresh processes)

def worker_ours(data_dir: str, phase: str) -> dict:
    from assistant.config import Settings
    from assistant.core import Assistant

    settings = Settings.from_env({**os.environ, "ASSISTANT_DATA_DIR": data_dir})
    assistant = Assistant(settings, progress=False)
    assistant.retriever.index.lexical_index  # BM25 is part of being ready
    ready = time.perf_counter() - STARTED
    index = assistant.retriever.index
    out = {"ready_s": ready, "built": index.built, "build_s": index.build_seconds,
           "units": len(index.units), "embedded": len(index.embedded)}
    if phase == "build":
        retrieve = lambda text: [h.key() for h in assistant.retrieve(text, k=10)]  # noqa: E731
        out.update(run_queries(retrieve, scores_ours, questions()))
        out["heldout"] = run_queries(retrieve, scores_ours, heldout_questions())
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def worker_baseline(data_dir: str) -> dict:
    from assistant.clauses import Library
    from assistant.config import Settings
    from evals.baseline import NaiveRAG

    library = Library.from_settings(Settings.from_env())
    rag = NaiveRAG(library, path=str(Path(data_dir) / "naive"))
    started = time.perf_counter()
    rag.build(force=True)
    out = {"ready_s": time.perf_counter() - STARTED, "build_s": time.perf_counter() - started,
           "units": len(rag.chunks), "embedded": len(rag.chunks), "built": True}
    out.update(run_queries(lambda text: rag.retrieve(text, k=10), scores_baseline, questions()))
    out["heldout"] = run_queries(lambda text: rag.retrieve(text, k=10), scores_baseline, heldout_questions())
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def spawn(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                          env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"worker {args} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report

ROWS = [
    ("article recall@1", "article_recall@1", "{:.3f}"),
    ("article recall@5", "article_recall@5", "{:.3f}"),
    ("article recall@10", "article_recall@10", "{:.3f}"),
    ("clause recall@1", "clause_recall@1", "{:.3f}"),
    ("clause recall@5", "clause_recall@5", "{:.3f}"),
    ("clause recall@10", "clause_recall@10", "{:.3f}"),
    ("MRR (article)", "mrr", "{:.3f}"),
    ("cold build, s (process start to ready)", "ready_s", "{:.1f}"),
    ("  of which embedding + store, s", "build_s", "{:.1f}"),
    ("reopen, s (process start to ready)", "reopen_s", "{:.1f}"),
    ("query p50, ms (warm)", "query_p50_ms", "{:.1f}"),
    ("query p95, ms (warm)", "query_p95_ms", "{:.1f}"),
    ("peak RSS, MB", "peak_rss_mb", "{:.0f}"),
    ("indexed units / embedded", "units_embedded", "{}"),
]


def table(ours: dict, base: dict) -> str:
    lines = [f"{'metric':42s} {'ours':>12s} {'baseline':>12s} {'ours/baseline':>14s}", "-" * 83]
    for label, key, fmt in ROWS:
        a, b = ours.get(key), base.get(key)
        ratio = f"{a / b:.2f}" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else "-"
        show = lambda v: fmt.format(v) if v is not None else "-"  # noqa: E731
        lines.append(f"{label:42s} {show(a):>12s} {show(b):>12s} {ratio:>14s}")
    return "\n".join(lines)


def check(ours: dict, base: dict) -> list[tuple[str, bool, str]]:
    margin = ours["article_recall@5"] - base["article_recall@5"]
    return [
        ("article recall@5 >= 0.95", ours["article_recall@5"] >= TARGETS["article_recall@5"],
         f"{ours['article_recall@5']:.3f}"),
        ("article recall@5 >= baseline + 0.25", margin >= TARGETS["margin_over_baseline"], f"+{margin:.3f}"),
        ("query p50 <= 50 ms (warm)", ours["query_p50_ms"] <= TARGETS["query_p50_ms"], f"{ours['query_p50_ms']:.1f} ms"),
        ("cold build <= 90 s", ours["ready_s"] <= TARGETS["cold_build_s"], f"{ours['ready_s']:.1f} s"),
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directories")
    args = parser.parse_args(argv)

    if args.worker:
        kind, data_dir, *rest = args.worker
        result = worker_ours(data_dir, rest[0]) if kind == "ours" else worker_baseline(data_dir)
        print(json.dumps(result))
        return 0

    tmp = tempfile.mkdtemp(prefix="retrieval-bench-")
    ours_dir, base_dir = str(Path(tmp) / "ours"), str(Path(tmp) / "baseline")
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {len(questions())} single-turn eval questions; "
          f"data in {tmp}", flush=True)
    ours = spawn("ours", ours_dir, "build")
    assert ours["built"], "the first process must build the index"
    reopened = spawn("ours", ours_dir, "reopen")
    assert not reopened["built"], "an unchanged index must reopen without a rebuild"
    ours["reopen_s"] = reopened["ready_s"]
    base = spawn("baseline", base_dir)
    for result in (ours, base):
        result["units_embedded"] = f"{result['units']}/{result['embedded']}"
    print(f"load after the run {os.getloadavg()[0]:.2f}\n")
    print(table(ours, base))
    held_ours, held_base = ours["heldout"], base["heldout"]
    print(f"\nheld-out check ({held_ours['questions']} questions written after tuning, bench/heldout_questions.yaml):")
    for key in ("article_recall@1", "article_recall@5", "article_recall@10", "mrr"):
        print(f"  {key:18s} ours {held_ours[key]:.3f}   baseline {held_base[key]:.3f}")
    print()
    failed = 0
    for name, ok, value in check(ours, base):
        print(f"  [{'ok' if ok else 'MISSED'}] {name}: {value}")
        failed += not ok
    if args.json:
        Path(args.json).write_text(json.dumps({"ours": ours, "baseline": base}, indent=1))
    if not args.keep:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
