"""The known questions (``questions.yaml``): loading and validating them against the corpus."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).parent
QUESTIONS_PATH = HERE / "questions.yaml"
# The files of known questions: the original 200, the questions written blind for the locked
# test split and the version-comparison questions (all test); split by ``split.yaml``.
QUESTION_FILES = [QUESTIONS_PATH, HERE / "questions_new.yaml", HERE / "questions_versions.yaml"]
SPLIT_PATH = HERE / "split.yaml"
# The questions written for tuning, one file per batch (``tune/README.md``): all tune.
TUNE_DIR = HERE / "tune"

CATEGORIES = """definitions prohibited-practices biometric-exceptions high-risk-classification
high-risk-requirements operator-obligations conformity-assessment transparency sandboxes governance
eu-database post-market-monitoring codes-of-conduct penalties entry-into-force recitals
explanatory-memorandum gdpr-principles gdpr-lawful-basis gdpr-consent gdpr-special-categories
gdpr-rights gdpr-automated-decisions gdpr-dpia gdpr-breach gdpr-dpo gdpr-processors gdpr-transfers gdpr-fines
cross-document commentary proposal-vs-final out-of-scope nonexistent multi-turn disclosure-attack
everyday-wording lists figures general""".split()


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    turns: tuple[str, ...]  # earlier turns, then the question that is scored
    expected: tuple[tuple[str, str], ...]
    key_facts: tuple[str, ...]
    derived_facts: tuple[dict, ...] = ()
    decline: bool = False
    note: str = ""
    split: str = "test"  # "tune" (weights and rules may be tuned on it) or "test" (locked)

    @property
    def question(self) -> str:
        return self.turns[-1]

    @property
    def patterns(self) -> list[str]:
        return list(self.key_facts) + [d["pattern"] for d in self.derived_facts]


def tune_ids() -> set[str]:
    """The ids of the question files that may be tuned on (``split.yaml``); every other question
    there is test."""
    return set(yaml.safe_load(SPLIT_PATH.read_text(encoding="utf-8"))["tune"])


def tune_files() -> list[Path]:
    return sorted(TUNE_DIR.glob("*.yaml"))


def load_questions(path: Path | None = None, split: str | None = None) -> list[Question]:
    """The known questions (all files, or one ``path``), optionally only one split."""
    tune = tune_ids()
    out = []
    for file in ([path] if path else QUESTION_FILES + tune_files()):
        out += _load(file, tune)
    return [q for q in out if split is None or q.split == split]


def _load(path: Path, tune: set[str]) -> list[Question]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    all_tune = path.parent == TUNE_DIR
    out = []
    for item in items:
        turns = item.get("turns") or [item["question"]]
        out.append(Question(
            id=item["id"], category=item["category"], turns=tuple(turns),
            expected=tuple((e["doc"], e["ref"]) for e in item.get("expected") or []),
            key_facts=tuple(item.get("key_facts") or []),
            derived_facts=tuple(item.get("derived_facts") or []),
            decline=bool(item.get("decline")), note=item.get("note") or "",
            split="tune" if all_tune or item["id"] in tune else "test",
        ))
    return out


def problems(questions: list[Question], library) -> list[str]:
    """Everything wrong with the question set, as messages (empty when it is sound)."""
    out = []
    ids = [q.id for q in questions]
    out += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for q in questions:
        if q.category not in CATEGORIES:
            out.append(f"{q.id}: unknown category {q.category}")
        if q.decline and (q.expected or q.key_facts):
            out.append(f"{q.id}: a declined question expects no clauses or facts")
        if not q.decline and not q.expected:
            out.append(f"{q.id}: expects no clause")
        texts = []
        for doc, ref in q.expected:
            clause = library.find(doc, ref)
            if clause is None:
                out.append(f"{q.id}: {doc} has no {ref}")
            else:
                texts.append(clause.text)
        for fact in q.key_facts:
            if not any(re.search(fact, t, re.IGNORECASE) for t in texts):
                out.append(f"{q.id}: key fact {fact!r} is in none of its expected clauses")
        for derived in q.derived_facts:
            if not derived.get("reason"):
                out.append(f"{q.id}: derived fact {derived.get('pattern')!r} gives no reason")
            re.compile(derived["pattern"])
    return out
