"""The tune split alone, scored and compared per question: what a change gained and lost.

    python -m evals.tune_run run OUT.json [--prefix tune4-pvf-]   # score the tune split (or ids with a prefix)
    python -m evals.tune_run run OUT.json --ids IDS.txt            # ... or the ids listed in a file, one a line
    python -m evals.tune_run run OUT.json --set repeat_discount=0.5   # ... with a value of the tuning table changed
    python -m evals.tune_run run OUT.json --translated             # the tune questions' translations, per language
    python -m evals.tune_run diff BEFORE.json AFTER.json          # per question: facts, both versions cited, art R@5

Never reads the ``test`` split (``assistant eval`` runs both; this is for tuning between two runs).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .questions import Question, load_questions
from .report import table
from .runner import run_item, summarise

# What a question can gain or lose between two runs, with the result key it is read from.
COMPARED = [("facts", "facts_ok"), ("both cited", "both_versions")]


def tuning(settings: list[str]):
    """The tuning table with the values of ``NAME=VALUE`` strings, each of the type of its default."""
    from assistant.tuning import DEFAULT

    values = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        if not hasattr(DEFAULT, name):
            raise SystemExit(f"--set: no tuning value named {name!r}")
        values[name] = type(getattr(DEFAULT, name))(value)
    return replace(DEFAULT, **values)


def selected(prefix: str = "", ids: set[str] | None = None, translated: bool = False) -> list[tuple[Question, str]]:
    """The tune questions to run, each with the language it is asked in: the English tune split, or
    with ``translated`` the translations of tune questions (``questions_i18n_tune.yaml``) in every
    language; only those whose id starts with ``prefix`` and, when given, is one of ``ids``."""
    if translated:
        from .questions_i18n import TUNE_TRANSLATIONS_PATH, load_translated

        asked = [(x.question, x.lang) for x in load_translated(TUNE_TRANSLATIONS_PATH)]
    else:
        asked = [(q, "en") for q in load_questions(split="tune")]
    return [(q, lang) for q, lang in asked if q.split == "tune" and q.id.startswith(prefix)
            and (ids is None or q.id in ids)]


def read_ids(path: Path) -> set[str]:
    """The ids listed in a file, one a line (blank lines and ``#`` comments ignored)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def run(out: Path, prefix: str = "", settings: list[str] = (), ids: set[str] | None = None,
        translated: bool = False) -> dict:
    from assistant.core import Assistant

    assistant = Assistant(tuning=tuning(list(settings))).warm_up_languages()  # as run_suite: English questions read e5 too
    results = []
    for question, lang in selected(prefix, ids, translated):
        result = run_item(assistant, question, language=lang)
        # a translation is compared with the same question in the same language, and summed up per language
        results.append(replace(result, id=f"{result.id}@{lang}", category=lang) if translated else result)
    summary = summarise(results)
    out.write_text(json.dumps({"summary": summary, "items": [r.__dict__ for r in results]},
                              indent=1, ensure_ascii=False, default=list), encoding="utf-8")
    return summary


def measure(item: dict, key: str):
    """One result's value of a compared measure (article recall@5 sits in its retrieval block)."""
    return item["retrieval"].get(key) if key == "article_recall@5" else item[key]


def changes(before: list[dict], after: list[dict]) -> dict[str, dict[str, list[str]]]:
    """Per compared measure, the ids that went from a miss to a hit ("gained") and back ("lost");
    ``art R@5`` compares article recall@5 of the single-turn items."""
    old = {i["id"]: i for i in before}
    out: dict[str, dict[str, list[str]]] = {}
    for name, key in COMPARED + [("art R@5", "article_recall@5")]:
        gained, lost = [], []
        for item in after:
            was = old.get(item["id"])
            if was is None:
                continue
            a, b = measure(item, key), measure(was, key)
            if a is None or b is None or a == b:
                continue
            (gained if a > b else lost).append(item["id"])
        out[name] = {"gained": gained, "lost": lost}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.tune_run", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("out", type=Path)
    r.add_argument("--prefix", default="", help="only the tune ids that start with this")
    r.add_argument("--ids", type=Path, help="only the tune ids listed in this file, one a line")
    r.add_argument("--translated", action="store_true",
                   help="the translations of tune questions (questions_i18n_tune.yaml), summed up per language")
    r.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a value of the tuning table (assistant/tuning.py) for this run; repeatable")
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        ids = read_ids(args.ids) if args.ids else None
        print(table(run(args.out, args.prefix, args.set, ids, args.translated)))
        return 0
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (args.before, args.after))
    print(table(after["summary"]))
    for name, moved in changes(before["items"], after["items"]).items():
        print(f"\n{name}: +{len(moved['gained'])} -{len(moved['lost'])}")
        for sign, ids in (("+", moved["gained"]), ("-", moved["lost"])):
            for i in ids:
                print(f"  {sign} {i}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
