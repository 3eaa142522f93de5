"""When a question in another language is outside the corpus: another act or jurisdiction
named, by the words of its language, or a topic nearer everyday life than the corpus's.

The English rules (``scope.py``: DOMAIN, OTHER_ACT, OTHER_JURISDICTION and MiniLM's similarity)
read English. For the other languages the acts and jurisdictions the corpus does not hold are
authored per language in ``assistant/locales/*.json`` (``scope``: ``other_act``,
``other_jurisdiction``, ``eu``); a law or jurisdiction named in English inside the question
("le California Consumer Privacy Act") is named all the same. What the question is about is read
by meaning (``topic.py``): a word list of the field could not tell everyday questions from the
field's, since its words are everyday words too ("Händler", "parkeerboete", "Daten", "recht"
answered a parking ticket or a broken washing machine with unrelated clauses; tune scope
questions, bench/multilingual.md). The acts' own terms in the question's language
(``legal_terms``: "verwerkingsverantwoordelijke", "Händler") are weak evidence only: their English
terms are part of the text e5 reads, as in retrieval, and move it only so far.

Requests no legal text answers (what happened, what a court ruled, a product to pick, how to work
an app, writing tasks, opinions, how the technology works: ``scope.OTHER_FIELDS``) are read by
each locale's cue words (``scope.outside``), written by a helper from the English patterns without
seeing the questions they were measured on: on the near-field scope questions (24 out of scope and
12 in scope a situation, 7 languages, ``evals/scope_i18n_tune.yaml``) declines went from 3-5 to
11-14 of 24 a language, false declines unchanged (3 of 84, none by a cue).
"""
from __future__ import annotations

from collections.abc import Callable

from ..citations import find_references, mentioned_documents
from ..i18n import words
from ..language import english_references
from ..legal_terms import english_terms
from ..tuning import DEFAULT, Tuning
from .scope import (ANY_NAMES, EU_WORDS, OTHER_ACT, OTHER_FIELDS, OTHER_JURISDICTION, OUR_ACTS, TRANSFER_ABROAD,
                    TRANSFER_TERMS)


def _says(lang: str, text: str, *path: str) -> bool:
    """Whether ``text`` uses the cue words at ``scope.<path>`` of ``lang``'s locale."""
    pattern = words(lang, "scope", *path)
    return bool(pattern and pattern.search(text))


def other_field(question: str, lang: str, names_ours: bool) -> str | None:
    """The kind of request no legal text answers (``scope.OTHER_FIELDS``: what happened, what a
    court ruled, a product to pick, how to work an app, writing tasks, opinions, how the technology
    works) that a question in ``lang`` makes, by the cue words of its locale (``scope.outside``),
    or None. As in English, a question naming one of our texts is declined only for the fields of
    ``ANY_NAMES``."""
    for field, _ in OTHER_FIELDS:
        if (field in ANY_NAMES or not names_ours) and _says(lang, question, "outside", field):
            return field
    return None


def out_of_scope(question: str, lang: str, margin: Callable[[], float] | None, tuning: Tuning = DEFAULT) -> bool:
    """Whether a question in ``lang`` (not English) is about something the corpus does not hold:
    another act or jurisdiction named without one of ours, or, naming neither our clauses nor our
    acts, a topic closer to everyday ones than to the corpus's: ``margin()`` (``topic.question_margin``)
    below ``tuning.foreign_topic_margin`` (``tuning.foreign_gdpr_topic_margin`` for a question in the
    GDPR's words of its language, the locale's ``gdpr_terms``). ``margin`` is None when the topic is not the question's
    own to judge (a follow-up, or a question on what an act is about), and is computed only when
    the words leave the question open."""
    rewritten = english_references(question, lang)
    references = find_references(rewritten)
    ours = mentioned_documents(rewritten)
    other_act = _says(lang, question, "other_act") or bool(OTHER_ACT.search(question) and not OUR_ACTS.search(question))
    elsewhere = _says(lang, question, "other_jurisdiction") or bool(OTHER_JURISDICTION.search(question))
    eu = _says(lang, question, "eu") or bool(EU_WORDS.search(question))
    abroad = bool(TRANSFER_ABROAD.search(question)) or not TRANSFER_TERMS.isdisjoint(english_terms(question, lang))
    if (other_act or (elsewhere and not ours and not eu and not abroad)) and not references:
        return True
    if not references and other_field(question, lang, bool(ours)):
        return True
    if references or ours or margin is None:
        return False
    gdpr = words(lang, "gdpr_terms")  # the GDPR's vocabulary as the language says it ("mes données")
    bar = tuning.foreign_gdpr_topic_margin if gdpr and gdpr.search(question) else tuning.foreign_topic_margin
    return margin() < bar
