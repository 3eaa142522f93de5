"""``assistant ...``: the command line. Heavy modules are imported inside each command."""
from __future__ import annotations

import argparse
import json
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


def cmd_show(args) -> int:
    from .citations import parse_reference
    library = _library()
    try:
        reference = parse_reference(args.ref, default_doc=args.doc or "ai-act-proposal-2021")
    except ValueError as exc:
        raise AssistantError(str(exc)) from None
    doc = args.doc or reference.doc
    clause = library.get(doc, reference.ref)
    out = {"doc": clause.doc, "ref": clause.ref, "label": clause.label,
           "heading_path": list(clause.heading_path), "text": clause.text, "url": clause.url}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(f"{clause.label}\n{' > '.join(clause.heading_path)}\n\n{clause.text}\n\n{clause.url or ''}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="the source documents")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", required=True)
    stats = corpus_sub.add_parser("stats", help="articles, recitals, annexes and clauses per document")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_corpus_stats)

    show = sub.add_parser("show", help="print one clause, e.g. 'Art. 5(1)(c)' or 'Recital 70'")
    show.add_argument("ref")
    show.add_argument("--doc", help="document id (default: the one the reference names, else the proposal)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
