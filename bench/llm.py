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

``--coverage`` and ``--ab`` choose the prompt on the ``tune`` split (never on ``test``): the first
without running the model (the prompt's tokens, and whether the question's key facts are in it,
for every answerable single-turn tune question), the second running it, the settings of ``AB``
interleaved question by question in one process (the machine is shared: only settings measured
side by side compare). Both go to ``evals/llm_ab.json``, which ``evals/report.py`` renders::

    python bench/llm.py --coverage default 2x500 3x400 2x400
    nice -n 10 python bench/llm.py --ab default forget --questions 10 --threads 1

``--side-by-side`` compares the embedded composer and the local model on a fixed sample of the
locked ``test`` split, through ``Assistant.stream`` as a user gets it (plan, retrieval, answer,
verifier), scored like ``assistant eval``; then tries the ``TRIED`` settings on the first
answered questions of the sample. It writes ``evals/llm_side_by_side.json``, which
``evals/report.py`` renders into ``evals/report.md``::

    python bench/llm.py --side-by-side --threads 1   # 40 questions: ~40 min on 2 busy cores (load 4-6)
    python bench/llm.py --side-by-side --sources 2 --source-chars 400   # the same, with a shorter prompt

(The shorter prompt on the 40, machine otherwise idle (load 0.2 before, 2.0 after), 2 threads: first
token p50 4.59 s (5.73 with 3 x 500), full answer 8.6 s (8.3), 433 prompt tokens (498), but key facts
0.43 (0.57): the third clause and the characters after the 400th hold facts the answers need. The
default stays 3 x 500.)

(One thread on 2 shared cores: llama.cpp's threads wait for each other at every layer, so a core taken by
other work stalls both. A raw read of 300 prompt tokens then 32 new ones, 2 threads against 1: beside one
nice 10 process (load 2.6), 49 vs 19 prompt tokens/s but 2.2 vs 7.5 new tokens/s; beside one nice 5 process
(load 1.6-3.9), 16-17 vs 18-20 and 0.3-0.4 vs 6.1-6.9; at load 4-6, 9 vs 12 and 0.4 vs 3.7. On the machine
idle (load 1.9, this process alone), 4 questions, 3 x 500 characters: 2 threads first token p50 7.0 s, full
answer 9.1 s, 15 tokens/s; 1 thread 12.8 s, 17.8 s, 7.2 tokens/s. Hence the default of one thread per core,
and ``--threads 1`` when the cores are shared.)

The llama.cpp bindings (assistant/answering/gguf_ik.py, gguf_cyllama.py; ASSISTANT_LLM_RUNTIME), without
the chain: one real prompt read from an empty cache, then 24 tokens written greedily, each binding and
thread count interleaved in one process (the order rotated each round)::

    nice -n 10 python bench/llm.py --runtimes ik cyllama --rounds 3     # ~9 min at load 2-4

Measured 2026-11-30, ``ik-llama-cpp-python`` 0.1.5 against ``cyllama`` 0.2.18, prompt tokens read / new
tokens written per second, medians:

    setting (prompt of 519-522 tokens)              load      ik            cyllama
    --runtimes, 1 thread, 3 rounds                  2.0-3.6   37.1 / 6.8    26.0 / 6.6
    --runtimes, 2 threads, 3 rounds                 3.1-3.9   25.6 / 0.6    18.3 / 0.6
    scratch loop, 1 thread, 2 rounds                3.5-5.7   29.2 / 4.8    18.5 / 5.4
    scratch loop, 1 thread, 2 rounds                4.2-6.2   28.7 / 4.9    15.3 / 4.3
    scratch loop, 2 threads, 2 rounds               4.5-5.4   22.2 / 1.3    15.2 / 0.6
    scratch loop, 2 threads, 3 rounds               3.6-5.4   40.6 / 1.3    14.2 / 1.1

ik read faster in each of the 15 interleaved rounds (ratio 1.2-3.3) and wrote about as fast; both write the
same greedy tokens for the same prompt (tests/test_local_llm.py), though answers can part after tens of
tokens (the kernels round differently). The scratch loop (the same calls, outside the repository) also
tried the settings, 1 thread, load 3.5-6: ik with flash attention 29.2 against 23.2 without (kept on);
ik n_batch 512 against 256, 22.0 against 28.7 (256 kept); ik with the abort callback installed 23.3
against 28.7 without in the same rounds (22.7 / 22.1 and 23.9 / 35.3: noise at that load, as far as two
rounds tell); cyllama flash attention on 15.6 against auto 18.5, cyllama n_ubatch 256 15.9 against 512
18.5: nothing in cyllama's settings gained. STACK.md's ~150 prompt tokens/s was not reproduced by
either wheel: neither uses AVX-512 on this AVX-512 machine (cyllama's binary holds no zmm instruction;
ik's llama_print_system_info says AVX512 = 0), so a native build might read faster (not measured: a
source build of llama-cpp-python takes ~8 min).

Through the chain, ``--ab ik cyllama --questions 8 --threads 1`` on the tune split (load 5.4 before,
2.7 after), each answer from the same cache (the fixed rules, 218 tokens, kept): ik first token p50
11.1 s against 18.5 s for cyllama (ratio of the pairs 1.68), full answer 25.5 s against 34.0 s (1.50),
prompt read 11.0 s against 18.5 s for 549 tokens; ik wrote longer answers (118 against 50 tokens p50:
its answers part from cyllama's), 13 citations kept against 10, none struck, key facts 3/8 against 2/8.
With 2 threads (``--ab ik cyllama --questions 4``, load 2.3 before, 3.2-3.6 during: other work took a
core), first token p50 11.7 s against 19.4 s (ratio 1.59), full answer 67 s against 130 s (1.94): 2
threads beside other work write 0.6-2.9 tokens/s (see the thread count above). The issue's targets
(first token <= 5 s, full answer <= 25 s) were not met in either run: the machine was never idle.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
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
    pool = [q for q in load_questions(split="tune") if len(q.turns) == 1 and q.expected and not q.decline]
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
    knobs = {k: v for k, v in vars(args).items() if k != "json"} | {"threads": answerer.model.threads,
                                                                     "runtime": answerer.model.runtime}
    return {"settings": knobs, "assemble_or_verify_s": round(assembled, 2), "load_s": round(loaded, 2),
            "rows": rows}


# ------------------------------------------------------------------ embedded vs local on the test split

SIDE_BY_SIDE = ROOT / "evals" / "llm_side_by_side.json"
SAMPLE_RULE = ("every {step}th question of the test split taken in category order (categories alphabetically, "
               "ids sorted within each), from the first: {count} questions, each category in proportion")
# What was tried against the latency, each on the first TRIED_QUESTIONS answered questions of the sample.
TRIED = [{"sources": 2, "source_chars": 400}, {"sources": 3, "source_chars": 300}]
TRIED_QUESTIONS = 4


def test_sample(count: int = 40) -> tuple[list, str]:
    """The fixed sample of ``SAMPLE_RULE``, and the rule."""
    from evals.questions import load_questions
    ordered = sorted(load_questions(split="test"), key=lambda q: (q.category, q.id))
    step = len(ordered) // count
    return ordered[::step][:count], SAMPLE_RULE.format(step=step, count=count)


def percentiles(values: list) -> dict:
    from evals.metrics import p50, percentile
    values = [v for v in values if v is not None]
    return {"p50": round(p50(values), 2), "p95": round(percentile(values, 0.95), 2)} if values else None


def streamed_row(assistant, question, answerer) -> tuple:
    """One question through ``Assistant.stream``: (ItemResult, row of timings and tokens). The
    first token is the first piece of answer text (the answerer's, or a refusal) after the AI
    notice that opens the stream, timed from the call: planning and retrieval included."""
    from assistant.records import Answer
    from evals.runner import score

    # The earlier turns streamed too: Assistant.ask holds the whole chain to its 30 s budget, which
    # a local answer on a busy machine overran (TooSlow before 'verify'); the stream, as in the web chat, does not.
    history = []
    for turn in question.turns[:-1]:
        history.append((turn, list(assistant.stream(turn, history=list(history)))[-1]))
    usage, meta = {}, {}
    model = getattr(answerer, "model", None)
    if model is not None:
        model.callbacks = [Recorder(usage, meta)]
    t0, cpu0 = time.perf_counter(), time.process_time()
    first = None
    for number, piece in enumerate(assistant.stream(question.question, history=history)):
        if isinstance(piece, Answer):
            answer = piece
            break
        if number >= 1 and piece and first is None:
            first = time.perf_counter() - t0
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    item = score(assistant, question, answer, history, total)
    generated, seconds = usage.get("output_tokens"), meta.get("generation_seconds")
    row = {"id": question.id, "category": question.category, "backend": answer.backend,
           "first_s": round(first if first is not None else total, 2), "total_s": round(total, 2),
           "cpu_s": round(cpu, 2), "prompt_tokens": usage.get("input_tokens"),
           "reused": meta.get("prompt_tokens_reused"), "prompt_s": meta.get("prompt_seconds"), "generated": generated,
           "tok_s": round(generated / seconds, 1) if generated and seconds else None,
           "struck": answer.removed_citations, "kept": len(answer.citations), "facts_ok": item.facts_ok,
           "abstained": answer.abstained, "fabricated": item.fabricated, "disclosed": item.disclosed}
    return item, row


def run_answerer(assistant, answerer, sample, label: str) -> tuple[list, list]:
    items, rows = [], []
    for question in sample:
        item, row = streamed_row(assistant, question, answerer)
        items.append(item)
        rows.append(row)
        print(label, json.dumps(row, ensure_ascii=False), flush=True)
    return items, rows


def figures(items: list, rows: list, llm: bool) -> dict:
    """The side-by-side columns for one answerer (``llm``: not the embedded composer)."""
    from evals.runner import summarise
    overall = summarise(items)["overall"]
    answered = [r for r in rows if not r["abstained"]]
    return {
        "questions": len(rows),
        "key_fact_coverage": overall["key_fact_coverage"],
        "struck_per_answer": round(sum(r["struck"] for r in answered) / max(len(answered), 1), 2),
        "fabricated_after_verification": overall["fabricated_citations"],
        "abstention_precision": overall["abstention_precision"],
        "abstention_recall": overall["abstention_recall"],
        "disclosure_rate": overall["disclosure_rate"],
        "first_token_s": percentiles([r["first_s"] for r in rows]),
        "full_answer_s": percentiles([r["total_s"] for r in rows]),
        "cpu_s": percentiles([r["cpu_s"] for r in rows]),
        "prompt_tokens": percentiles([r["prompt_tokens"] for r in rows]),
        "prompt_read_s": percentiles([r["prompt_s"] for r in rows]),
        "generated_tokens": percentiles([r["generated"] for r in rows]),
        "tokens_per_s": percentiles([r["tok_s"] for r in rows]),
        # answers the embedded composer wrote instead (backend unavailable, or no verifiable citation)
        "written_by_embedded": sum(1 for r in answered if r["backend"] == "embedded") if llm else None,
    }


def configure(answerer, prompts, sources: int, source_chars: int, max_tokens: int) -> None:
    answerer.sources, prompts.SOURCE_CHARS, answerer.model.max_tokens = sources, source_chars, max_tokens


def side_by_side(args) -> dict:
    from assistant import Assistant
    from assistant.answering import llm, prompts  # llm registers the LLM backends
    from assistant.answering.base import create

    load_before = os.getloadavg()
    assistant = Assistant().warm_up()
    local = create("local", assistant.settings, assistant.library)
    local.model.timeout = args.timeout  # a slow answer is measured, not replaced by the embedded one
    if args.threads is not None:
        local.model.n_threads = args.threads
    local.warm_up()
    defaults = {"sources": args.sources, "source_chars": args.source_chars, "max_tokens": args.max_tokens}
    configure(local, prompts, **defaults)
    sample, rule = test_sample(args.questions)
    result = {"sample": {"rule": rule, "ids": [q.id for q in sample]},
              "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                          "load_before": [round(x, 2) for x in load_before]},
              "local_settings": defaults | {"threads": local.model.threads, "runtime": local.model.runtime,
                                            "model": local.name, "timeout_s": local.model.timeout,
                                            "clauses": AB["default"]["about"]}}
    started = time.perf_counter()
    embedded_items, embedded_rows = run_answerer(assistant, assistant.composer, sample, "embedded")
    local_assistant = assistant.with_answerer(local)
    local_items, local_rows = run_answerer(local_assistant, local, sample, "local")
    result["answerers"] = {"embedded": figures(embedded_items, embedded_rows, llm=False),
                           "local": figures(local_items, local_rows, llm=True)}
    result["rows"] = {"embedded": embedded_rows, "local": local_rows}
    answered = [q for q, r in zip(sample, local_rows) if not r["abstained"]][:args.tried_questions]
    baseline = [r for q, r in zip(sample, local_rows) if q in answered]
    result["tried"] = [{"settings": defaults, "questions": len(answered), **brief(baseline)}] if answered else []
    for change in (c for c in TRIED if answered and defaults | c != defaults):  # each unless it is the run's own setting
        configure(local, prompts, **(defaults | change))
        rows = [streamed_row(local_assistant, q, local)[1] for q in answered]
        result["tried"].append({"settings": defaults | change, "questions": len(answered), **brief(rows)})
        print("tried", json.dumps(result["tried"][-1]), flush=True)
    configure(local, prompts, **defaults)
    result["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"]["minutes"] = round((time.perf_counter() - started) / 60, 1)
    return result


# ------------------------------------------------------------------ A/B of prompt settings

AB_FILE = ROOT / "evals" / "llm_ab.json"
# Each setting changes the defaults in the respects it names: "forget" (every question read from
# an empty cache: the fixed rules read again), sources, source_chars and runtime (the llama.cpp
# binding, each its own copy of the model; ASSISTANT_LLM_RUNTIME's otherwise). (The composer's clauses,
# each as its sentences that carry the question, were measured too and reverted: evals/llm_ab.json.)
AB = {
    "default": {"about": "the best retrieved clauses, each as its first characters"},
    "forget": {"forget": True, "about": "the default, the fixed rules read again for every question"},
    "2x500": {"sources": 2, "source_chars": 500, "about": "the best 2 retrieved clauses, each as its first 500 characters"},
    "3x400": {"sources": 3, "source_chars": 400, "about": "the best 3 retrieved clauses, each as its first 400 characters"},
    "2x400": {"sources": 2, "source_chars": 400, "about": "the best 2 retrieved clauses, each as its first 400 characters"},
    "ik": {"runtime": "ik", "about": "the default prompt, run by ik-llama-cpp-python"},
    "cyllama": {"runtime": "cyllama", "about": "the default prompt, run by cyllama"},
}


def ab(args) -> dict:
    """The settings named by ``--ab`` interleaved question by question on the tune split (the order
    rotated from one question to the next), in one process: on a shared machine the load changes
    within minutes, so only settings measured side by side on the same questions compare. Each
    answer starts from the same cache: the fixed rules only (none with "forget")."""
    from dataclasses import replace

    from langchain_core.messages import SystemMessage

    from assistant import Assistant
    from assistant.answering import llm, prompts  # llm registers the LLM backends
    from assistant.answering.base import create
    from evals.questions import load_questions

    pool = sorted((q for q in load_questions(split="tune") if len(q.turns) == 1 and q.expected and not q.decline),
                  key=lambda q: (q.category, q.id))
    sample = pool[::max(1, len(pool) // args.questions)][:args.questions]
    load_before = os.getloadavg()
    assistant = Assistant().warm_up()
    answerers = {}
    for runtime in {AB[name].get("runtime", assistant.settings.llm_runtime) for name in args.ab}:
        local = create("local", replace(assistant.settings, llm_runtime=runtime), assistant.library)
        local.model.timeout = args.timeout
        if args.threads is not None:
            local.model.n_threads = args.threads
        answerers[runtime] = (local.warm_up(), assistant.with_answerer(local))
    rows: dict[str, list] = {name: [] for name in args.ab}
    for number, question in enumerate(sample):
        for name in args.ab[number % len(args.ab):] + args.ab[:number % len(args.ab)]:
            setting = AB[name]
            local, local_assistant = answerers[setting.get("runtime", assistant.settings.llm_runtime)]
            configure(local, prompts, setting.get("sources", args.sources),
                      setting.get("source_chars", args.source_chars), args.max_tokens)
            local.model.load(head=[] if setting.get("forget") else [SystemMessage(prompts.SYSTEM)])
            row = streamed_row(local_assistant, question, local)[1]
            rows[name].append(row)
            print(name, json.dumps(row, ensure_ascii=False), flush=True)
    base = rows[args.ab[0]]

    def ratio(name, key):
        pairs = [(r[key], b[key]) for r, b in zip(rows[name], base) if r[key] and b[key]]
        return round(statistics.median(x / y for x, y in pairs), 2) if pairs else None

    summary = {name: {**brief(rows[name]),
                      "prompt_read_s_p50": percentiles([r["prompt_s"] for r in rows[name]])["p50"],
                      "reused_p50": percentiles([r["reused"] for r in rows[name]])["p50"],
                      "first_token_ratio": ratio(name, "first_s"), "full_answer_ratio": ratio(name, "total_s"),
                      "prompt_tokens_ratio": ratio(name, "prompt_tokens")}
               for name in args.ab}
    for name, figures_ in summary.items():
        print(name, json.dumps(figures_), flush=True)
    return {"split": "tune", "questions": [q.id for q in sample], "settings": {n: AB[n] for n in args.ab},
            "descriptions": {n: AB[n]["about"] for n in args.ab}, "sources": args.sources,
            "source_chars": args.source_chars, "threads": local.model.threads,
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()], "summary": summary, "rows": rows}


def coverage(args) -> dict:
    """Without running the model: for every single-turn answerable question of the tune split, the
    prompt's tokens and whether all of the question's key facts are in the clauses the prompt
    gives (the most an answer can state), under each setting of ``--coverage``. Cheap (the
    tokenizer only), so it sees the whole split where ``--ab`` sees a few questions."""
    from assistant import Assistant
    from assistant import plan as planning
    from assistant.answering import llm, prompts  # llm registers the LLM backends
    from assistant.answering.base import create
    from assistant.answering.gguf_chat import ROLES, load_runtime
    from assistant.answering.local_model import local_model_path
    from assistant.chain import ANSWER_CANDIDATES, with_parents
    from evals.questions import load_questions

    assistant = Assistant().warm_up()
    local = create("local", assistant.settings, assistant.library)
    runtime = load_runtime(assistant.settings.llm_runtime, str(local_model_path(assistant.settings.data_dir)),
                           4096, 1, 256)
    pool = [q for q in load_questions(split="tune") if len(q.turns) == 1 and q.expected and not q.decline and q.patterns]
    out = {name: {"tokens": [], "facts_available": 0} for name in args.coverage}
    for q in pool:
        plan = planning.build(q.question, assistant.library, tuning=assistant.tuning)
        hits = with_parents(assistant.retriever.search(plan, k=ANSWER_CANDIDATES), assistant.library,
                            assistant.tuning.max_first_quote)  # as the chain has them
        for name in args.coverage:
            setting = AB[name]
            local.sources = setting.get("sources", args.sources)
            prompts.SOURCE_CHARS = setting.get("source_chars", args.source_chars)
            chat = prompts.messages(plan, hits[:local.sources])
            out[name]["tokens"].append(len(runtime.tokens([(ROLES[m.type], str(m.content)) for m in chat], True)))
            sources = chat[-1].content
            out[name]["facts_available"] += all(re.search(p, sources, re.IGNORECASE) for p in q.patterns)
    summary = {name: {"about": AB[name]["about"], "questions": len(pool),
                      "prompt_tokens": percentiles(v["tokens"]), "facts_available": v["facts_available"]}
               for name, v in out.items()}
    for name, figures_ in summary.items():
        print(name, json.dumps(figures_), flush=True)
    return summary


# ------------------------------------------------------------------ the runtimes themselves

RUNTIME_ROUNDS = 3
GENERATED = 24  # tokens written greedily after the prompt, for the generation speed


def runtimes(args) -> dict:
    """The llama.cpp bindings of ``--runtimes`` without the chain: one real prompt (the first
    question of ``--ab``'s sample, its default prompt) read from an empty cache, then GENERATED
    tokens written one by one, for each runtime and thread count (``--threads``, or 1 and 2), in
    one process, the order rotated from round to round."""
    from assistant import Assistant
    from assistant.answering import prompts
    from assistant.answering.gguf_chat import ROLES, load_runtime
    from assistant.answering.local_model import local_model_path
    from assistant.plan import QueryPlan
    from evals.questions import load_questions

    assistant = Assistant().warm_up()
    question = sorted((q for q in load_questions(split="tune") if len(q.turns) == 1 and q.expected and not q.decline),
                      key=lambda q: (q.category, q.id))[0]
    chat = [(ROLES[m.type], str(m.content))
            for m in prompts.messages(QueryPlan(question=question.question),
                                      assistant.retrieve(question.question, k=10)[:prompts.SOURCES])]
    path = str(local_model_path(assistant.settings.data_dir))
    n_batch = 256
    built = {f"{name} {threads} thread(s)": load_runtime(name, path, 4096, threads, n_batch)
             for name in args.runtimes for threads in ([args.threads] if args.threads else [1, 2])}
    figures_ = {label: {"read_tok_s": [], "generated_tok_s": [], "load": []} for label in built}
    tokens = next(iter(built.values())).tokens(chat, reply=True)
    for round_ in range(args.rounds):
        labels = list(built)[round_ % len(built):] + list(built)[:round_ % len(built)]
        for label in labels:
            rt = built[label]
            rt.forget(0)
            started = time.perf_counter()
            for start in range(0, len(tokens), n_batch):
                rt.decode(tokens[start:start + n_batch], start)
            read = time.perf_counter() - started
            token, started = rt.sample(-1, 0.0), time.perf_counter()
            for position in range(len(tokens), len(tokens) + GENERATED):
                rt.decode([token], position)
                token = rt.sample(-1, 0.0)
            generated = time.perf_counter() - started
            row = figures_[label]
            row["read_tok_s"].append(round(len(tokens) / read, 1))
            row["generated_tok_s"].append(round(GENERATED / generated, 1))
            row["load"].append(round(os.getloadavg()[0], 2))
            print(round_, label, {k: v[-1] for k, v in row.items()}, flush=True)
    summary = {label: {"read_tok_s_p50": statistics.median(v["read_tok_s"]),
                       "generated_tok_s_p50": statistics.median(v["generated_tok_s"]), **v}
               for label, v in figures_.items()}
    for label, figures_row in summary.items():
        print(label, json.dumps(figures_row), flush=True)
    return {"question": question.id, "prompt_tokens": len(tokens), "generated": GENERATED, "rounds": args.rounds,
            "runtimes": summary}


def brief(rows: list) -> dict:
    """The latency figures and what the answers kept, for one setting."""
    return {"first_token_s_p50": percentiles([r["first_s"] for r in rows])["p50"],
            "full_answer_s_p50": percentiles([r["total_s"] for r in rows])["p50"],
            "cpu_s_p50": percentiles([r["cpu_s"] for r in rows])["p50"],
            "prompt_tokens_p50": percentiles([r["prompt_tokens"] for r in rows])["p50"],
            "generated_tokens_p50": percentiles([r["generated"] for r in rows])["p50"],
            "facts_found": sum(1 for r in rows if r["facts_ok"]),
            "citations_kept": sum(r["kept"] for r in rows), "citations_struck": sum(r["struck"] for r in rows)}


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
    parser.add_argument("--side-by-side", action="store_true",
                        help=f"embedded vs local on the test sample (--questions, default 40), into {SIDE_BY_SIDE.name}")
    parser.add_argument("--tried-questions", type=int, default=TRIED_QUESTIONS,
                        help="with --side-by-side: answered questions the TRIED settings are run on (0: none)")
    parser.add_argument("--ab", nargs="+", choices=sorted(AB),
                        help="compare these prompt settings on the tune split (--questions), interleaved")
    parser.add_argument("--coverage", nargs="+", choices=sorted(AB),
                        help="prompt tokens and key facts given, per setting, on the whole tune split (no model run)")
    parser.add_argument("--runtimes", nargs="+", choices=["ik", "cyllama"],
                        help="prompt read and generation speed of these llama.cpp bindings, interleaved (no chain)")
    parser.add_argument("--rounds", type=int, default=RUNTIME_ROUNDS, help="with --runtimes")
    args = parser.parse_args()
    if args.runtimes:
        result = runtimes(args)
        if args.json:
            args.json.write_text(json.dumps(result, indent=1) + "\n")
        return
    if args.coverage or args.ab:
        target = args.json or AB_FILE
        data = json.loads(target.read_text()) if target.is_file() else {}
        if args.coverage:
            data["coverage"] = {"command": " ".join(["bench/llm.py", *sys.argv[1:]]), "split": "tune",
                                "settings": coverage(args)}
        else:
            data["ab"] = ab(args) | {"command": " ".join(["bench/llm.py", *sys.argv[1:]])}
        target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        return
    if args.side_by_side:
        if args.questions == parser.get_default("questions"):
            args.questions = 40
        result = side_by_side(args)
        (args.json or SIDE_BY_SIDE).write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        return
    result = run(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
