"""``assistant ...``: the command line. Heavy modules are imported inside each command."""
from __future__ import annotations

import argparse
import json
import re
import sys

from .errors import AssistantError


def _library():
    from .clauses import Library
    from .config import Settings
    return Library.from_settings(Settings.from_env())


def cmd_corpus_stats(args) -> int:
    rows = _library().stats()
    if args.json:
        print(json.dumps({"documents": rows}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'document':40} {'articles':>8} {'recitals':>8} {'annexes':>7} {'clauses':>7}")
    for row in rows:
        print(f"{row['id']:40} {row['articles']:>8} {row['recitals']:>8} {row['annexes']:>7} {row['clauses']:>7}")
    return 0


def cmd_corpus_fetch(args) -> int:
    from pathlib import Path

    from .config import Settings
    from .fetch import fetch
    from .sources import load_manifest
    settings = Settings.from_env()
    dest = Path(args.dest) if args.dest else settings.corpus_dir
    outcomes = fetch(load_manifest(settings.manifest_path), dest, Path(args.from_dir) if args.from_dir else None,
                     progress=not args.quiet)
    bad = [o for o in outcomes if not o.ok]
    print(f"{dest}: {sum(o.ok for o in outcomes)} of {len(outcomes)} files in place"
          + (f", {len(bad)} not (see above)." if bad else "."))
    return 1 if bad else 0


def cmd_show(args) -> int:
    from .citations import parse_reference
    from .clauses import PROPOSAL
    library = _library()
    try:
        reference = parse_reference(args.ref, default_doc=args.doc or PROPOSAL)
    except ValueError as exc:
        raise AssistantError(str(exc)) from None
    leftover = args.ref[:reference.start] + args.ref[reference.end:]
    if re.search(r"[()\d]", leftover):
        raise AssistantError(f"Could not read {args.ref!r} as one reference (read {reference.ref!r}, left "
                             f"{leftover.strip()!r}). Write it as e.g. 'Art. 5(1)(c)' or 'Annex III(4)(a)'.")
    doc = args.doc or reference.doc
    clause = library.get(doc, reference.ref)
    out = {"doc": clause.doc, "ref": clause.ref, "label": clause.label,
           "heading_path": list(clause.heading_path), "text": clause.text, "url": clause.url}
    counterpart = _counterpart_line(library, clause)
    if counterpart is not None:
        out["counterpart"] = counterpart
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"{clause.label}\n{' > '.join(clause.heading_path)}\n\n{clause.text}\n\n{clause.url or ''}")
        if counterpart is not None:
            print(f"\n{counterpart['text']}")
    return 0


def _counterpart_line(library, clause) -> dict | None:
    """What became of a proposal clause in the final Act (or where a final clause came from)."""
    from .alignment import Alignment
    from .clauses import FINAL_ACT, PROPOSAL
    from .config import Settings
    if clause.doc not in (PROPOSAL, FINAL_ACT):
        return None
    found = Alignment.load(library, Settings.from_env()).counterpart(clause.doc, clause.ref)
    other = "final Act" if clause.doc == PROPOSAL else "proposal"
    refs = [{"doc": c.doc, "ref": c.ref, "score": c.score, "via": c.via} for c in found]
    if not found:
        text = f"Counterpart in the {other}: none (no provision of the {other} corresponds)."
    else:
        via = f" (through {found[0].via})" if found[0].via != clause.ref else ""
        text = f"Counterpart in the {other}{via}: " + "; ".join(f"{c.clause.label} (score {c.score:.2f})" for c in found)
    return {"text": text, "clauses": refs}


def cmd_align(args) -> int:
    from .alignment import Alignment
    from .config import Settings
    table = Alignment.load(_library(), Settings.from_env()).table()
    if args.json:
        print(json.dumps(table, ensure_ascii=False, indent=1))
        return 0
    for name in ("articles", "annexes", "recitals"):
        for row in table[name]:
            print(f"{row['proposal']:12} -> {', '.join(row['final']) or '(none)':24} {row['score']:.2f}  {row['evidence']}")
    print(f"\nNo ancestor in the proposal: {', '.join(table['unmatched_final'])}")
    print("Renamed terms: " + "; ".join(f"{r['proposal_term']} -> {r['final_term']}" for r in table["renamed_terms"]))
    return 0


def _assistant(progress: bool = True):
    from .core import Assistant
    return Assistant(progress=progress)


def cmd_index(args) -> int:
    from .index import ClauseIndex
    assistant = _assistant()
    index = ClauseIndex(assistant.library, assistant.settings).open(rebuild=args.rebuild, progress=True)
    reused = f", {index.reused} of {len(index.embedded)} vectors kept from the previous index" if index.reused else ""
    state = (f"built in {index.build_seconds:.1f} s{reused}" if index.built
             else "reopened (unchanged corpus, model and units)")
    if index.recovered:
        print(f"Recovered: {index.recovered}")
    print(f"Index {index.name}: {len(index.units)} clauses, {state}.")
    from .alignment import Alignment
    aligned = Alignment.load(assistant.library, assistant.settings)
    print(f"Proposal/final alignment: {len(aligned.units)} units, {len(aligned.parts)} paragraphs and points, "
          + (f"built in {aligned.data['build_seconds']:.1f} s." if aligned.built else "reopened."))
    return 0


def cmd_ask(args) -> int:
    if args.stream and (args.json or args.format or args.output):
        raise AssistantError("--stream prints the answer as it is written; it does not combine with --json, "
                             "--format or --output.")
    assistant = _assistant()
    if args.stream:
        from .terminal import print_stream
        answer = print_stream(assistant.stream(args.question, documents=args.doc))
        if args.explain:
            print(explain(answer.plan), file=sys.stderr)
        return 0
    answer = assistant.ask(args.question, documents=args.doc)
    if args.explain:
        print(explain(answer.plan), file=sys.stderr if not args.json else sys.stdout)
        if args.json:
            return 0
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
        return 0
    if args.format or args.output:
        from .export import conversation_record, to_json, to_markdown
        from .terminal import write_export
        if args.output:
            fmt = write_export([(args.question, answer)], assistant.library, args.output, args.format)
            print(f"Saved the answer to {args.output} ({fmt}).", file=sys.stderr)
            return 0
        record = conversation_record([(args.question, answer)], assistant.library)
        sys.stdout.write(to_json(record) if args.format == "json" else to_markdown(record))
        return 0
    from .terminal import print_answer
    print_answer(answer)
    return 0


def explain(plan: dict) -> str:
    """How the question was read (the query plan), one line a field, empty fields left out."""
    lines = ["How the question was read:"]
    for key, value in plan.items():
        if key in ("question", "history") or value in ((), [], {}, "", False, None):
            continue
        if key == "weights":
            value = ", ".join(f"{d} {w:g}" for d, w in sorted(value.items(), key=lambda x: -x[1]))
        elif isinstance(value, list):
            value = ", ".join(f"{v['doc']} {v['ref']}" if isinstance(v, dict) else str(v) for v in value)
        lines.append(f"  {key}: {value}")
    return "\n".join(lines)


def cmd_chat(args) -> int:
    from .terminal import chat
    assistant = _assistant()
    if sys.stdin.isatty():
        print("Opening the search index ...", file=sys.stderr, flush=True)
    assistant.warm_up()
    return chat(assistant, documents=args.doc)


def cmd_serve(args) -> int:
    from .ui import launch
    launch(host=args.host, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from pathlib import Path

    from evals.report import language_table, table, write
    from evals.runner import gate, load_thresholds, run_suite

    assistant = _assistant()
    baseline = None
    if not args.no_baseline:
        from evals.baseline import NaiveRAG
        print("Building the naive baseline (chunked RAG) ...", file=sys.stderr)
        baseline = NaiveRAG(assistant.library, path=str(assistant.settings.data_dir / "naive-baseline"))
        baseline.build()
    progress = (lambda i, n: print(f"\r{i}/{n} questions", end="", file=sys.stderr, flush=True))
    translations = None
    if not args.no_languages:
        from evals.questions_i18n import TRANSLATIONS_PATH, TUNE_TRANSLATIONS_PATH, load_translated
        translations = {"translated eval questions (questions_i18n.yaml)": load_translated(TRANSLATIONS_PATH),
                        "translated tune questions (questions_i18n_tune.yaml)": load_translated(TUNE_TRANSLATIONS_PATH)}
    result = run_suite(assistant, baseline, progress=progress, translations=translations)
    print(file=sys.stderr)
    thresholds = load_thresholds()
    failures = gate(result["summary"], thresholds)
    if args.out:
        write(result, Path(args.out), failures, thresholds)
    if args.json:
        print(json.dumps(result["summary"], indent=1))
    else:
        for name, block in result["splits"].items():
            print(f"\n== {name} split ==")
            print(table(block))
        for name, scored in result["languages"].items():
            print(f"\n== languages: {name} ==")
            print(language_table(scored))
        print("\ngate:", "passed" if not failures else "FAILED: " + "; ".join(failures))
    return 1 if (args.gate and failures) else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="the source documents")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", required=True)
    stats = corpus_sub.add_parser("stats", help="articles, recitals, annexes and clauses per document")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_corpus_stats)
    fetch = corpus_sub.add_parser("fetch", help="download the official source files (sha256 checked)")
    fetch.add_argument("--dest", help="corpus directory to fill (default: ASSISTANT_CORPUS_DIR)")
    fetch.add_argument("--from", dest="from_dir", help="copy from this folder instead of downloading")
    fetch.add_argument("--quiet", action="store_true", help="no progress bars")
    fetch.set_defaults(func=cmd_corpus_fetch)

    show = sub.add_parser("show", help="print one clause, e.g. 'Art. 5(1)(c)' or 'Recital 70'")
    show.add_argument("ref")
    show.add_argument("--doc", help="document id (default: the one the reference names, else the proposal)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    align = sub.add_parser("align", help="which article, annex and recital of the proposal became which in the final Act")
    align.add_argument("--json", action="store_true")
    align.set_defaults(func=cmd_align)

    ask = sub.add_parser("ask", help="answer a question with verified citations")
    ask.add_argument("question")
    ask.add_argument("--doc", action="append", help="limit to a document id or group (proposal, gdpr, final, commentary)")
    ask.add_argument("--json", action="store_true", help="print Answer.to_dict()")
    ask.add_argument("--explain", action="store_true", help="also print how the question was read (the query plan)")
    ask.add_argument("--format", choices=["md", "json"],
                     help="print the answer to keep: question, answer, cited clauses in full with EUR-Lex links, "
                          "AI disclosure, date and corpus checksums")
    ask.add_argument("-o", "--output", help="write that to a file instead (format from --format or the extension)")
    ask.add_argument("--stream", action="store_true",
                     help="print the answer as it is written (then the verified text, if the verifier struck anything)")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="an interactive conversation in the terminal (follow-ups, /save, /exit)")
    chat.add_argument("--doc", action="append", help="limit to a document id or group (proposal, gdpr, final, commentary)")
    chat.set_defaults(func=cmd_chat)

    index = sub.add_parser("index", help="build or reopen the search index (with progress)")
    index.add_argument("--rebuild", action="store_true", help="build anew even when nothing changed")
    index.set_defaults(func=cmd_index)

    serve = sub.add_parser("serve", help="start the web chat")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=7860)
    serve.set_defaults(func=cmd_serve)

    ev = sub.add_parser("eval", help="run the known questions and report the metrics")
    ev.add_argument("--json", action="store_true", help="print the summary as JSON")
    ev.add_argument("--out", default="evals", help="where report.md, results.json and chart.png go ('' for nowhere)")
    ev.add_argument("--no-baseline", action="store_true", help="skip the naive RAG baseline")
    ev.add_argument("--no-languages", action="store_true",
                    help="skip the translated questions (the per-language table)")
    ev.add_argument("--gate", action="store_true", help="exit non-zero when a threshold is missed")
    ev.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head & co.
        return 0


if __name__ == "__main__":
    sys.exit(main())
