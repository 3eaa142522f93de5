"""The acts' own terms as a question in another language words them, mapped to the English terms
of the corpus, so that the English index can read what the question is about.

The EU publishes each act in all its languages, with one official word for each defined term:
the controller of GDPR Art. 4(7) is "Verantwortlicher" in German, "responsable du traitement" in
French, "administrator" in Polish. ``assistant/locales/terms/<lang>.json`` holds, per language,
the defined terms of the three acts (GDPR Art. 4, proposal Art. 3, final Act Art. 3) and the key
notions of their headings (prohibited practices, human oversight, right to erasure, ...), in the
wording of that language's text of the acts, each mapped to the English term. A closed set: the
acts' defined vocabulary, never a question's own words.

``english_terms("Wer ist Verantwortlicher nach der DSGVO?", "de")`` -> ``["controller"]``.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache

from .i18n import LOCALES_DIR, alternation

TERMS_DIR = LOCALES_DIR / "terms"
# Languages that write a noun and the nouns before it as one word: there a term is also the last
# part of a compound ("Höchstbußgeld" is a "Bußgeld", "Dienstanbieter" an "Anbieter"). Translated
# tune questions, article R@5: German 0.782 -> 0.808, Dutch unchanged, the others not concerned.
COMPOUNDING = {"de", "nl"}
# Only a pattern that opens with this many letters is looked for inside a word: a short one
# ("KI") would be found in unrelated words ("Skifahren").
_COMPOUND_TAIL = re.compile(r"[^\W\d_]{4}")


def _pattern(patterns: list[str], lang: str) -> re.Pattern:
    whole = alternation(patterns)
    tails = [p for p in patterns if lang in COMPOUNDING and _COMPOUND_TAIL.match(p)]
    if tails:  # the term at the end of a compound: no word boundary before it
        whole += "|(?:" + "|".join(f"(?:{p})" for p in tails) + r")(?![\w])"
    return re.compile(whole, re.IGNORECASE)


@lru_cache(maxsize=None)
def table(lang: str, section: str = "terms") -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern of the term in ``lang``, English term), in file order; empty for a language
    without a table (English among them). ``section``: "terms" (the defined terms and the
    headings' notions that are the field's own words) or "notions" (the headings' other key
    notions: "transfer", "safeguards", "employment", ...)."""
    path = TERMS_DIR / f"{lang}.json"
    if not re.fullmatch(r"[a-z]{2}", lang or "") or not path.is_file():
        return ()
    terms = json.loads(path.read_text(encoding="utf-8")).get(section, {})
    return tuple((_pattern(patterns, lang), english) for english, patterns in terms.items() if patterns)


def english_terms(text: str, lang: str, notions: bool = True) -> list[str]:
    """The English terms of the acts' terms that ``text``, written in ``lang``, uses, and (unless
    ``notions`` is off) of the headings' other key notions. Scope reads the terms alone: a notion
    is an everyday word too ("recherche", "Garantien", "lavoro"), which does not make a question
    one of the field; retrieval reads both (they name what an article is about)."""
    rows = table(lang) + (table(lang, "notions") if notions else ())
    return [english for pattern, english in rows if pattern.search(text)]


# Quotation marks of the languages with a table, as typed: « » (fr, it, pt, es), „ “ (de, pl, nl), ‚ ‘,
# and the English ones.
OPENING = "«„‚“‘\"'"
CLOSING = "»“”‘’\"'"


def quoted_terms(text: str, lang: str) -> list[str]:
    """The English terms of the acts' terms that ``text`` sets in quotation marks (« utilisateur »,
    „Nutzer“): in any language, as in English (``definitions.asks_meaning``), a term quoted in a
    question is asked for its meaning."""
    out = []
    for pattern, english in table(lang):
        for match in pattern.finditer(text):
            before, after = text[:match.start()].rstrip()[-1:], text[match.end():].lstrip()[:1]
            if before and after and before in OPENING and after in CLOSING and english not in out:
                out.append(english)
    return out
