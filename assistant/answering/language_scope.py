"""When a question in another language is outside the corpus, by the words of its language.

The English rules (``scope.py``: DOMAIN, OTHER_ACT, OTHER_JURISDICTION and MiniLM's similarity)
read English. For the other languages the same three word lists are authored per language in
``assistant/locales/*.json`` (``scope``: ``domain``, ``other_act``, ``other_jurisdiction``, ``eu``).
No similarity threshold: multilingual-e5's best similarity is as high for "C'est quoi une bonne
recette de lasagnes ?" (0.85) as for in-scope questions (0.79-0.85, bench/multilingual.md).
Two readings are shared with English: a law or jurisdiction named in English inside the question
("le California Consumer Privacy Act") is named all the same, and a question that uses one of the
acts' own terms in its language (``legal_terms``: "ambiente de testagem da regulamentação") is
about the field whether or not the domain list has the word.
"""
from __future__ import annotations

from ..citations import find_references, mentioned_documents
from ..i18n import words
from ..language import english_references
from ..legal_terms import english_terms
from .scope import EU_WORDS, OTHER_ACT, OTHER_JURISDICTION, OUR_ACTS


def _says(lang: str, kind: str, text: str) -> bool:
    pattern = words(lang, "scope", kind)
    return bool(pattern and pattern.search(text))


def out_of_scope(question: str, lang: str) -> bool:
    """Whether a question in ``lang`` (not English) is about something the corpus does not hold:
    another act or jurisdiction named without one of ours, or none of the field's words."""
    rewritten = english_references(question, lang)
    references = find_references(rewritten)
    ours = mentioned_documents(rewritten)
    other_act = _says(lang, "other_act", question) or bool(OTHER_ACT.search(question) and not OUR_ACTS.search(question))
    elsewhere = _says(lang, "other_jurisdiction", question) or bool(OTHER_JURISDICTION.search(question))
    eu = _says(lang, "eu", question) or bool(EU_WORDS.search(question))
    if (other_act or (elsewhere and not ours and not eu)) and not references:
        return True
    return not (references or ours or _says(lang, "domain", question) or english_terms(question, lang, notions=False))
