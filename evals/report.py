"""The eval report: a printed table, evals/report.md, the JSON result and a PNG chart."""
from __future__ import annotations

import json
from pathlib import Path

COLUMNS = [
    ("questions", "n", "{}"),
    ("article_recall@5", "art R@5", "{:.2f}"),
    ("baseline_article_recall@5", "naive", "{:.2f}"),
    ("clause_recall@5", "clause R@5", "{:.2f}"),
    ("mrr", "MRR", "{:.2f}"),
    ("key_fact_coverage", "facts", "{:.2f}"),
    ("baseline_key_fact_coverage", "naive", "{:.2f}"),
    ("lead_fact", "lead", "{:.2f}"),
    ("citation_precision", "cit P", "{:.2f}"),
    ("citation_recall", "cit R", "{:.2f}"),
    ("both_versions_cited", "both cited", "{:.2f}"),
    ("fabricated_citations", "fabr.", "{}"),
    ("abstention_precision", "abst P", "{:.2f}"),
    ("abstention_recall", "abst R", "{:.2f}"),
    ("disclosure_rate", "discl.", "{:.2f}"),
    ("latency_p50_s", "p50 s", "{:.3f}"),
    ("latency_p95_s", "p95 s", "{:.3f}"),
]


# The per-language table: each language's translations beside English on the same questions.
LANGUAGE_COLUMNS = [
    ("questions", "n", "{}"),
    ("article_recall@5", "art R@5", "{:.2f}"),
    ("test_article_recall@5", "art R@5 (test sources)", "{:.2f}"),
    ("key_fact_coverage", "facts", "{:.2f}"),
    ("abstention_recall", "declines", "{:.2f}"),
    ("false_decline_rate", "false declines", "{:.2f}"),
    ("disclosure_in_language", "disclosure in language", "{:.2f}"),
    ("links_in_language", "EUR-Lex in language", "{:.2f}"),
    ("latency_p50_s", "p50 s", "{:.3f}"),
]


def _cell(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def rows(summary: dict) -> list[list[str]]:
    out = [["overall"] + [_cell(summary["overall"].get(k), f) for k, _, f in COLUMNS]]
    for name, block in summary["categories"].items():
        out.append([name] + [_cell(block.get(k), f) for k, _, f in COLUMNS])
    return out


def _plain(header: list[str], body: list[list[str]]) -> str:
    """Columns aligned for a terminal."""
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in body])


def _markdown(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def table(summary: dict) -> str:
    return _plain(["category"] + [h for _, h, _ in COLUMNS], rows(summary))


def markdown_table(summary: dict) -> str:
    return _markdown(["category"] + [h for _, h, _ in COLUMNS], rows(summary))


def chart(summary: dict, path: Path) -> None:
    """Per-category bars: article recall@5 and key-fact coverage, ours against the naive baseline."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cats = [c for c, b in summary["categories"].items()]
    series = [
        ("article_recall@5", "article recall@5 (ours)", "#1f4e79"),
        ("baseline_article_recall@5", "article recall@5 (naive RAG)", "#9dc3e6"),
        ("key_fact_coverage", "key-fact coverage (ours)", "#7f3f00"),
        ("baseline_key_fact_coverage", "key facts in top-3 chunks (naive RAG)", "#f4b183"),
    ]
    fig, ax = plt.subplots(figsize=(14, 6.5), dpi=100)
    width = 0.2
    for i, (key, label, color) in enumerate(series):
        values = [summary["categories"][c].get(key) or 0 for c in cats]
        ax.bar([x + (i - 1.5) * width for x in range(len(cats))], values, width, label=label, color=color)
    ax.set_xticks(range(len(cats)))
    ax.set_xticklabels(cats, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of questions")
    overall = summary["overall"]
    ax.set_title("eu-ai-draft-assistant eval: per category, ours vs naive chunked RAG  "
                 f"(overall article R@5 {overall.get('article_recall@5')} vs {overall.get('baseline_article_recall@5')})")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def split_table(result: dict) -> str:
    """The two splits' overall figures side by side (markdown)."""
    splits = result.get("splits", {})
    return _markdown(["split"] + [h for _, h, _ in COLUMNS],
                     [[name] + [_cell(block["overall"].get(k), f) for k, _, f in COLUMNS]
                      for name, block in splits.items()])


def language_rows(scored: dict) -> list[list[str]]:
    """One row per language of a ``run_languages`` result, English first."""
    out = []
    for lang, block in scored["languages"].items():
        block = {**block, "test_article_recall@5": scored["languages_test"][lang].get("article_recall@5")}
        out.append([lang] + [_cell(block.get(k), f) for k, _, f in LANGUAGE_COLUMNS])
    return out


def language_table(scored: dict, markdown: bool = False) -> str:
    return (_markdown if markdown else _plain)(["language"] + [h for _, h, _ in LANGUAGE_COLUMNS],
                                               language_rows(scored))


def languages_section(result: dict) -> list[str]:
    """The "Languages" section of report.md (nothing when no translations were scored)."""
    if not result.get("languages"):
        return []
    lines = [
        "## Languages",
        "",
        "The translated questions through the same assistant, per language, beside English on the same "
        "questions: article recall@5 (also on the questions whose source is in the `test` split alone), "
        "key-fact coverage (matched in the quoted English text), out-of-scope declines and false "
        "declines, the disclosure in the question's language, EUR-Lex links in that language, p50 latency.",
        "",
    ]
    for name, scored in result["languages"].items():
        lines += [f"### {name}", "", language_table(scored, markdown=True), ""]
    return lines


SIDE_BY_SIDE = Path(__file__).with_name("llm_side_by_side.json")  # written by bench/llm.py --side-by-side
SIDE_BY_SIDE_ROWS = [
    ("key-fact coverage", "key_fact_coverage", "{:.2f}"),
    ("citations struck by the verifier per answer", "struck_per_answer", "{:.2f}"),
    ("fabricated citations after verification", "fabricated_after_verification", "{}"),
    ("abstention precision", "abstention_precision", "{:.2f}"),
    ("abstention recall", "abstention_recall", "{:.2f}"),
    ("disclosure rate", "disclosure_rate", "{:.2f}"),
    ("first token, s (p50 / p95)", "first_token_s", None),
    ("full answer, s (p50 / p95)", "full_answer_s", None),
    ("CPU per answer, s (p50 / p95)", "cpu_s", None),
    ("prompt tokens (p50 / p95)", "prompt_tokens", None),
    ("reading the prompt, s (p50 / p95)", "prompt_read_s", None),
    ("generated tokens (p50 / p95)", "generated_tokens", None),
    ("generated tokens/s (p50 / p95)", "tokens_per_s", None),
    ("answers written by the embedded composer instead", "written_by_embedded", "{}"),
]


def _pair(value) -> str:
    return "-" if not value else f"{value['p50']:g} / {value['p95']:g}"


def side_by_side_section(data: dict) -> list[str]:
    """The embedded composer against the local LLM on the test sample (markdown lines)."""
    answerers = data["answerers"]
    machine = data["machine"]
    settings = data["local_settings"]
    lines = ["## Embedded vs local LLM", "",
             f"`bench/llm.py --side-by-side` on {answerers['local']['questions']} questions of the `test` split: "
             f"{data['sample']['rule']}. Each answer through `Assistant.stream` (plan, retrieval, answer, verifier), "
             "scored like the eval; the first token is the first piece of answer text after the AI notice, timed "
             f"from the question. Local model: {settings['model']}, {settings['sources']} clauses x "
             f"{settings['source_chars']} characters"
             + (f" ({settings['clauses']})" if settings.get("clauses") else "")
             + f", at most {settings['max_tokens']} new tokens, "
             f"{settings['threads']} thread(s); {machine['cpus']} CPUs shared with other work, load average (1 min) "
             f"{machine['load_before'][0]:g} before and {machine['load_after'][0]:g} after "
             f"({machine['minutes']:g} min in all).", "",
             "| | embedded (quoted clauses) | local LLM |", "|---|---|---|"]
    for title, key, fmt in SIDE_BY_SIDE_ROWS:
        cells = [(_pair(answerers[a].get(key)) if fmt is None else _cell(answerers[a].get(key), fmt))
                 for a in ("embedded", "local")]
        lines.append(f"| {title} | {cells[0]} | {cells[1]} |")
    local = answerers["local"]
    if local.get("prompt_read_s") and local.get("tokens_per_s"):
        lines += ["", "Where the local model's time goes (p50 over the answers it wrote): reading the prompt, "
                  f"{local['prompt_read_s']['p50']:g} s ({local['prompt_tokens']['p50']:g} prompt tokens, the fixed "
                  "rules among them read once and kept); then "
                  f"{local['generated_tokens']['p50']:g} tokens written at {local['tokens_per_s']['p50']:g} tokens/s "
                  f"with {settings['threads']} thread(s)."]
    tried = data.get("tried") or []
    if tried:
        lines += ["", f"What the local model's latency was tried with, on the first {tried[0]['questions']} "
                  "answered questions of the sample (p50s; facts: answers with all key facts):", "",
                  "| clauses x chars, max tokens | prompt tokens | generated | first token s | full answer s | "
                  "CPU s | facts | citations kept / struck |", "|---|---|---|---|---|---|---|---|"]
        for t in tried:
            c = t["settings"]
            lines.append(f"| {c['sources']} x {c['source_chars']}, {c['max_tokens']} | {t['prompt_tokens_p50']:g} | "
                         f"{t['generated_tokens_p50']:g} | {t['first_token_s_p50']:g} | {t['full_answer_s_p50']:g} | "
                         f"{t['cpu_s_p50']:g} | {t['facts_found']}/{t['questions']} | "
                         f"{t['citations_kept']} / {t['citations_struck']} |")
    return lines + [""]


AB_FILE = Path(__file__).with_name("llm_ab.json")  # bench/llm.py --coverage and --ab, on the tune split


def ab_section(data: dict) -> list[str]:
    """The local model's prompt settings compared on the tune split (markdown lines)."""
    coverage = data["coverage"]["settings"]
    questions = next(iter(coverage.values()))["questions"]
    lines = ["", f"Prompt settings compared on the `tune` split. Without running the model "
             f"(`bench/llm.py --coverage`), all {questions} answerable single-turn tune questions: the prompt's "
             "tokens (p50; about 220 of them are the fixed rules, kept in the cache) and the questions whose key "
             "facts are all in the clauses the prompt gives (the most an answer can state):", "",
             "| setting | prompt tokens (p50) | questions with all key facts in the prompt |", "|---|---|---|"]
    lines += [f"| {name}: {c['about']} | {c['prompt_tokens']['p50']:g} | {c['facts_available']} |"
              for name, c in coverage.items()]
    ab = data.get("ab")
    if ab:
        lines += ["", f"The model run on {len(ab['questions'])} of them (`bench/llm.py --ab`, the settings interleaved "
                  f"question by question in one process, {ab['threads']} thread; load average {ab['load_before'][0]:g} "
                  f"before, {ab['load_after'][0]:g} after; the first token ratio is the median of the per-question "
                  f"ratios to `{next(iter(ab['summary']))}`; facts: answers with all key facts):", "",
                  "| setting | prompt tokens | reused from the cache | reading the prompt s | first token s | "
                  "full answer s | first token ratio | facts | citations kept / struck |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, f in ab["summary"].items():
            lines.append(f"| {name}: {ab['descriptions'][name]} | {f['prompt_tokens_p50']:g} | {f['reused_p50']:g} | "
                         f"{f['prompt_read_s_p50']:g} | {f['first_token_s_p50']:g} | {f['full_answer_s_p50']:g} | "
                         f"{f['first_token_ratio']:g} | {f['facts_found']}/{len(ab['questions'])} | "
                         f"{f['citations_kept']} / {f['citations_struck']} |")
    run = data.get("test_run")
    if run:
        new, old = run["local"], run["default_local"]
        lines += ["", f"Tried on the `test` sample, once: {run['about']}. Key facts {new['key_fact_coverage']:.2f} against "
                  f"{old['key_fact_coverage']:.2f} (answers with all of them {run['facts_ok']['composer-2x500']} against "
                  f"{run['facts_ok']['default']}), prompt tokens p50 {new['prompt_tokens']['p50']:g} against "
                  f"{old['prompt_tokens']['p50']:g}, fabricated citations {new['fabricated_after_verification']}; first "
                  f"token p50 {new['first_token_s']['p50']:g} s with {run['local_settings']['threads']} thread at load "
                  f"{run['machine']['load_before'][0]:g}-{run['machine']['load_after'][0]:g} (not comparable with the "
                  "table above, measured at another load)."]
    return lines


def write(result: dict, out_dir: Path, failures: list[str], thresholds: dict) -> None:
    from .runner import gaps
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = result["summary"]
    (out_dir / "results.json").write_text(json.dumps(result, indent=1, ensure_ascii=False, default=list),
                                          encoding="utf-8")
    chart(summary, out_dir / "chart.png")
    misses = [i for i in result["items"] if i["facts_ok"] is False or i["abstained"] != i["decline_expected"]
              or i["fabricated"]]
    lines = [
        "# Eval report",
        "",
        "Generated by `assistant eval` on the embedded default (no LLM). Metrics are defined in "
        "[README.md](README.md); thresholds in [thresholds.json](thresholds.json).",
        "",
        f"Gate (on the locked `test` split): **{'passed' if not failures else 'FAILED'}**"
        + ("" if not failures else ": " + "; ".join(failures)),
        "",
        "## Tune and test",
        "",
        "`tune` is the half of the original questions plus questions written for tuning in the categories "
        "that half lacked (`evals/tune/`): weights and rules may be tuned on it. `test` is the other "
        "half plus every question written blind after the set was split (never tuned on).",
        "",
        split_table(result),
        "",
    ] + [f"> **Warning:** {w}" for w in gaps(result)] + [
        "",
        "## Test split by category",
        "",
        "![per-category recall and key-fact coverage, ours vs naive RAG](chart.png)",
        "",
        markdown_table(summary),
        "",
    ] + languages_section(result)
    if SIDE_BY_SIDE.is_file():
        lines += side_by_side_section(json.loads(SIDE_BY_SIDE.read_text(encoding="utf-8")))
        if AB_FILE.is_file():
            lines[-1:-1] = ab_section(json.loads(AB_FILE.read_text(encoding="utf-8")))
    lines += [
        f"## Items that missed ({len(misses)})",
        "",
    ]
    for item in misses:
        why = []
        if item["facts_ok"] is False:
            why.append("missing facts: " + ", ".join(f"`{p}`" for p in item["missing_facts"]))
        if item["abstained"] != item["decline_expected"]:
            why.append("declined" if item["abstained"] else "answered instead of declining")
        if item["fabricated"]:
            why.append("fabricated: " + "; ".join(item["fabricated"]))
        cited = ", ".join(f"{d} {r}" for d, r in item["cited"][:4])
        lines.append(f"- `{item['id']}` ({item['category']}): {'; '.join(why)}. Cited: {cited or 'nothing'}.")
    (out_dir / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
