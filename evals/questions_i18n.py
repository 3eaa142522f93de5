"""The translated questions (``questions_i18n.yaml``, and ``questions_i18n_tune.yaml`` to tune on):
each a known question asked in another language, with the source question's expected clauses,
key facts and decline unchanged."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from .questions import Question, load_questions

TRANSLATIONS_PATH = Path(__file__).with_name("questions_i18n.yaml")
# Translations of `tune` questions that TRANSLATIONS_PATH does not translate: what multilingual
# retrieval and scope are tuned on (never on TRANSLATIONS_PATH, which is scored).
TUNE_TRANSLATIONS_PATH = Path(__file__).with_name("questions_i18n_tune.yaml")
LANGUAGES = ("fr", "de", "es", "it", "pl", "nl", "pt")


@dataclass(frozen=True)
class Translated:
    lang: str
    question: Question  # the source question with its text replaced by the translation

    @property
    def id(self) -> str:
        return self.question.id


def load_translated(path: Path = TRANSLATIONS_PATH, languages: tuple[str, ...] = LANGUAGES,
                    sources: list[Question] | None = None) -> list[Translated]:
    """Every translation of every listed question, in file order, then language order.

    Raises ``ValueError`` for an id that is not in questions.yaml, a multi-turn source (only
    single questions are translated) or a language missing from an item."""
    by_id = {q.id: q for q in (sources if sources is not None else load_questions())}
    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        source = by_id.get(item["id"])
        if source is None:
            raise ValueError(f"{path.name}: {item['id']} is not a question of questions.yaml")
        if len(source.turns) != 1:
            raise ValueError(f"{path.name}: {item['id']} has several turns; translate single questions only")
        for lang in languages:
            text = item.get(lang)
            if not text:
                raise ValueError(f"{path.name}: {item['id']} has no {lang} translation")
            out.append(Translated(lang, dataclasses.replace(source, turns=(text,))))
    return out


# Scope questions written in each language with no English source (off-topic ones in everyday
# words, and in-scope ones in everyday words): declines and false declines per language, tune-side.
SCOPE_PATH = Path(__file__).with_name("scope_i18n_tune.yaml")


def load_scope_questions(path: Path = SCOPE_PATH, languages: tuple[str, ...] = LANGUAGES) -> list[Translated]:
    """Every language's wording of every scope item, as questions to decline (``decline: true``,
    category out-of-scope) or to answer (everyday-wording, no expected clause: scored for false
    declines only), in file order, then language order.

    Raises ``ValueError`` for an item without ``decline`` or without one of the languages."""
    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        if not isinstance(item.get("decline"), bool):
            raise ValueError(f"{path.name}: {item['id']} says neither decline: true nor decline: false")
        for lang in languages:
            text = item.get(lang)
            if not text:
                raise ValueError(f"{path.name}: {item['id']} has no {lang} translation")
            question = Question(id=item["id"], category="out-of-scope" if item["decline"] else "everyday-wording",
                                turns=(text,), expected=(), key_facts=(), decline=item["decline"],
                                note=item.get("note") or "", split="tune")
            out.append(Translated(lang, question))
    return out
