"""Local LLM benchmark: what an answer from the in-process GGUF model costs on this machine.

For a spread of eval questions (evals/questions.yaml: every n-th single-turn question that
expects clauses), one process: retrieve the clauses, stream the answer through the local
answerer, verify it. Per question: prompt tokens (and how many were reused from the cache),
generated tokens, generation speed, time to the first token and to the full answer, the CPU
time it took (on a machine shared with other work, CPU time / threads is what the wall time
would be with the cores to itself; exact for one thread, an upper bound for more), citations
kept and struck by the verifier, key facts found. Then medians against the targets of issue
#14 (first token p50 <= 5 s, full answer p50 <= 25 s).

The knobs are the ones that set the latency: how many clauses and how much of each the
prompt carries, the answer's token budget, and the threads llama.cpp runs::

    nice -n 10 python bench/llm.py                      # the defaults (~5 min on 2 idle cores)
    nice -n 10 python bench/llm.py --sources 5 --source-chars 700 --max-tokens 400 --threads 1
    nice -n 10 python bench/llm.py --json out.json

Model load and assembly are timed separately (the first run in a data directory assembles
and hashes the 1.1 GB file).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from langchain_core.callbacks import BaseCallbackHandler

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def questions(count: int):
    from evals.questions import load_questions
    pool = [q for q in load_questions() if len(q.turns) == 1 and q.expected and not q.decline]
    step = max(1, len(pool) // count)
    return pool[::step][:count]


class Recorder(BaseCallbackHandler):
    """Keeps the finished message's token counts and timings (ChatGGUF's last chunk)."""

    def __init__(self, usage: dict, meta: dict):
        self.usage, self.meta = usage, meta

    def on_llm_end(self, response, **kwargs):
        message = response.generations[0][0].message
        self.usage.update(message.usage_metadata or {})
        self.meta.update(message.response_metadata or {})


def run(args) -> dict:
    from assistant import Assistant
    from assistant.answering import llm, prompts  # llm registers the LLM backends
    from assistant.answering.base import create
    from assistant.answering.verify import verify
    from assistant.plan import QueryPlan

    prompts.SOURCE_CHARS = args.source_chars
    assistant = Assistant().warm_up()
    started = time.perf_counter()
    answerer = create("local", assistant.settings, assistant.library)
    assembled = time.perf_counter() - started
    answerer.model.max_tokens, answerer.sources = args.max_tokens, args.sources
    if args.threads is not None:
        answerer.model.n_threads = args.threads
    answerer.model.timeout = args.timeout
    started = time.perf_counter()
    answerer.warm_up()
    loaded = time.perf_counter() - started

    rows = []
    for q in questions(args.questions):
        hits = assistant.retrieve(q.question, k=10)
        usage, meta = {}, {}
        answerer.model.callbacks = [Recorder(usage, meta)]
        stream = answerer.stream(QueryPlan(question=q.question), hits)
        t0, cpu0 = time.perf_counter(), time.process_time()
        first = None
        while True:
            try:
                next(stream)
            except StopIteration as stop:
                draft = stop.value
                break
            first = first if first is not None else time.perf_counter() - t0
        total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        checked = verify(draft, hits, assistant.library)
        facts = [p for p in q.patterns if re.search(p, checked.draft.text, re.IGNORECASE)]
        rows.append({
            "id": q.id, "prompt_tokens": usage.get("input_tokens"), "reused": meta.get("prompt_tokens_reused"),
            "generated": usage.get("output_tokens"), "prompt_s": meta.get("prompt_seconds"),
            "tok_s": round(usage.get("output_tokens", 0) / max(meta.get("generation_seconds", 0), 1e-9), 1),
            "first_s": round(first or total, 2), "total_s": round(total, 2), "cpu_s": round(cpu, 2),
            "kept": len(checked.draft.citations), "struck": checked.removed,
            "facts": f"{len(facts)}/{len(q.patterns)}", "answer": checked.draft.text, "struck_why": checked.reasons,
        })
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    knobs = {k: v for k, v in vars(args).items() if k != "json"} | {"threads": answerer.model.threads}
    return {"settings": knobs, "assemble_or_verify_s": round(assembled, 2), "load_s": round(loaded, 2),
            "rows": rows}


def report(result: dict) -> str:
    rows = result["rows"]
    cols = ["id", "prompt_tokens", "reused", "generated", "prompt_s", "tok_s", "first_s", "total_s", "cpu_s", "kept",
            "struck", "facts"]
    lines = [" | ".join(cols), " | ".join("---" for _ in cols)]
    lines += [" | ".join(str(r[c]) for c in cols) for r in rows]

    def p50(key):
        return round(statistics.median(r[key] for r in rows), 2)
    lines.append("")
    lines.append(f"settings: {result['settings']}")
    lines.append(f"model file check {result['assemble_or_verify_s']} s, load {result['load_s']} s")
    lines.append(f"p50: prompt tokens {p50('prompt_tokens')}, generated {p50('generated')}, "
                 f"{p50('tok_s')} tok/s, first token {p50('first_s')} s (target <= 5), "
                 f"full answer {p50('total_s')} s (target <= 25), CPU {p50('cpu_s')} s per answer")
    lines.append(f"citations kept {sum(r['kept'] for r in rows)}, struck {sum(r['struck'] for r in rows)}, "
                 f"answers with no kept citation {sum(1 for r in rows if not r['kept'])}/{len(rows)}")
    return "\n".join(lines)


def main() -> None:
    from assistant.answering import prompts
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--sources", type=int, default=prompts.SOURCES, help="clauses in the prompt")
    parser.add_argument("--source-chars", type=int, default=prompts.SOURCE_CHARS, help="characters of each clause")
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("--threads", type=int, help="default: ASSISTANT_LLM_THREADS or one per core")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
