"""A blind batch of tune questions: what its writer reads, and the check of what they wrote.

    python -m evals.blind units DIR/units.jsonl       # every citable clause: {"doc", "ref", "text"}, one a line
    python -m evals.blind prompt 49 DIR > prompt.txt   # the writer's brief for batch tune49, reading DIR/units.jsonl
    python -m evals.blind check DIR/tune49.yaml        # ids, categories, clauses and key facts against the corpus

A batch is written from the units file alone (``tune/README.md``: no code, no question files, nothing
run), by a person or a helper agent given the brief; it is scored once before anyone reads it
(``python -m evals.tune_run run OUT.json --prefix tune49-``, at the commit it is added on) and then
joins the tune split as ``evals/tune/tune49.yaml``, with that score in its header.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .questions import load_questions, problems

# The mix of the batches since tune40: the categories the tune split is weakest in come first.
MIX = """everyday-wording 10 (ordinary people, lower case, no legal terms, typos ok, about their own situation: shops,
apps, employers, landlords, schools, police cameras, chatbots, loans...), proposal-vs-final 8 (a rule compared
between the 2021 proposal and the 2024 final Act; expected lists the clause in BOTH versions), multi-turn 8 (2
turns; the second leans on the first, e.g. "and does that also apply to ...?"; expected/key facts for the last
turn), cross-document 6 (two texts, e.g. proposal + GDPR, or proposal + EDPB-EDPS opinion; expected both),
figures 4 (amounts, percentages, numbers of days/months), commentary 4 (what the EDPB-EDPS opinion, impact
assessment or EPRS briefing says), general 3 (what an act covers / is for / applies to), gdpr-rights 3, lists 2
(a question whose answer is a list), high-risk-requirements 2, gdpr-processors 2, gdpr-principles 2,
gdpr-consent 2, definitions 2, conformity-assessment 1, out-of-scope 1 (a question the texts cannot answer, e.g.
another country's law or today's news: write `decline: true` and NO expected/key_facts)"""

PROMPT = """You are writing a blind batch of 60 evaluation questions for a legal question-answering assistant about the
EU's 2021 AI Act proposal (COM(2021) 206), the final 2024 AI Act (Regulation (EU) 2024/1689), the GDPR, and
commentary on the proposal (EDPB-EDPS Joint Opinion 5/2021, the Commission's impact assessment SWD(2021) 84
parts 1 and 2, the European Parliament's EPRS briefing, an AIM news article on the leaked draft).

Your ONLY sources: {dir}/units.jsonl (one citable clause per line: {{"doc", "ref", "text"}}). Do NOT open the
assistant's code, its question files or its evals, do not run the assistant, do not search the web. Work with
shell tools (grep, python) on units.jsonl.

Write {dir}/tune{n}.yaml: a YAML list of 60 items in this exact format:

- id: tune{n}-<short-slug>
  category: <one of the categories below>
  question: "<the question as a real user would type it>"     # or, for multi-turn:  turns: ["first", "second"]
  expected:
    - {{doc: <doc id exactly as in units.jsonl>, ref: "<ref exactly as in units.jsonl>"}}
  key_facts: ['<phrase copied verbatim from the text of one expected clause>', '<another>']
  decline: false

Mix (60): {mix}.

Rules:
- Vary the users: compliance officers, engineers, journalists, students, ordinary people; vary phrasing, length,
  and register. Write how people really type. Do not quote article numbers in most questions (users rarely know
  them), but a few may name an article.
- A question that names no version of the AI act refers to the 2021 proposal; say "final act", "2024 AI Act",
  "as adopted" when you mean the final one.
- expected: the most precise clause(s) that answer (a paragraph like "Art. 5(1)(c)" rather than a whole article
  when the units file has it). The ref must exist in units.jsonl for that doc.
- key_facts: 1-2 short phrases (3-10 words) copied verbatim from the expected clause text (case does not matter),
  the facts a correct answer must contain. Escape regex special characters ( ) . ? * + [ ] with a backslash, or
  pick phrases without them.
- No two questions about the same clause. Spread over the whole corpus (not only famous articles).
- When done, run: python -m evals.blind check {dir}/tune{n}.yaml  and fix every error it reports until it
  prints OK.
- Your final message: only "done" plus the count per category.
"""


def write_units(library, out: Path) -> int:
    """Every clause of every document as a line {"doc", "ref", "text"}; returns how many."""
    lines = [json.dumps({"doc": c.doc, "ref": c.ref, "text": c.text}, ensure_ascii=False)
             for document in library for c in document.clauses.values()]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def batch_problems(path: Path, library, questions: list | None = None) -> list[str]:
    """What is wrong with a batch file (its ``questions``, when read already): the question set's
    own checks, and ids not of its batch (``tuneNN-`` for a file ``tuneNN.yaml``)."""
    questions = load_questions(path) if questions is None else questions
    prefix = f"{path.stem}-"
    return problems(questions, library) + [f"{q.id}: id does not start with {prefix}" for q in questions
                                           if not q.id.startswith(prefix)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.blind", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("units").add_argument("out", type=Path)
    prompt = sub.add_parser("prompt")
    prompt.add_argument("number", type=int)
    prompt.add_argument("dir", type=Path)
    sub.add_parser("check").add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "prompt":
        print(PROMPT.format(n=args.number, dir=args.dir, mix=MIX.replace("\n", " ")))
        return 0
    from assistant.clauses import Library
    from assistant.config import Settings

    library = Library.from_settings(Settings.from_env())
    if args.command == "units":
        print(f"{write_units(library, args.out)} clauses written to {args.out}")
        return 0
    questions = load_questions(args.file)
    found = batch_problems(args.file, library, questions)
    print("\n".join(found) or f"OK: {len(questions)} questions")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
