"""The assistant's own words in the user's language, and EUR-Lex links in that language.

One authored file per language in ``assistant/locales/`` (``en.json`` is the source the others
translate). ``t("caveat_proposal", "de")`` -> the German caveat; a string a locale lacks, or a
language without a locale, falls back to English. The corpus itself is never translated: answers
quote the English text and say so (``english_original``).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).with_name("locales")
DEFAULT = "en"

# EUR-Lex names a language in two ways: two letters in the legal-content path (/EN/TXT/), and
# three letters at the end of an ELI (/oj/eng). The 24 official languages of the Union.
EURLEX_CODES = {
    "bg": "bul", "cs": "ces", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "es": "spa", "et": "est",
    "fi": "fin", "fr": "fra", "ga": "gle", "hr": "hrv", "hu": "hun", "it": "ita", "lt": "lit", "lv": "lav",
    "mt": "mlt", "nl": "nld", "pl": "pol", "pt": "por", "ro": "ron", "sk": "slk", "sl": "slv", "sv": "swe",
}
_LEGAL_CONTENT = re.compile(r"^(https?://eur-lex\.europa\.eu/legal-content/)[A-Z]{2}(/)", re.IGNORECASE)
_ELI = re.compile(r"^(https?://eur-lex\.europa\.eu/eli/[^?#]*?/oj)(?:/[a-z]{3})?(?=$|[?#])", re.IGNORECASE)


def languages() -> list[str]:
    """The languages with an authored locale file, English first."""
    return [DEFAULT] + sorted(p.stem for p in LOCALES_DIR.glob("*.json") if p.stem != DEFAULT)


@lru_cache(maxsize=None)
def locale(lang: str) -> dict:
    """The authored file of ``lang`` ({} for a language without one)."""
    path = LOCALES_DIR / f"{lang}.json"
    if not re.fullmatch(r"[a-z]{2}", lang or "") or not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def alternation(patterns: list[str]) -> str:
    """Authored patterns as one alternation matching whole words only."""
    return r"(?<![\w])(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?![\w])"


@lru_cache(maxsize=None)
def words(lang: str, *path: str) -> re.Pattern | None:
    """The word patterns authored at ``path`` of ``lang``'s locale (``words("de", "scope", "other_act")``)
    as one case-insensitive pattern; None when the locale has none there (no English fallback:
    English has its own rules)."""
    node = locale(lang)
    for key in path:
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return re.compile(alternation(node), re.IGNORECASE) if node else None


def t(key: str, lang: str = DEFAULT, **fields) -> str:
    """The string ``key`` in ``lang`` (English where the locale lacks it), with ``fields`` filled in.

    Raises ``KeyError`` for a key English does not have either: a typo, never a silent blank."""
    template = locale(lang).get("strings", {}).get(key)
    if template is None:
        template = locale(DEFAULT)["strings"][key]
    return template.format(**fields)


def language_name(lang: str) -> str:
    """The language's own name for itself ("français"), English's name for an unknown one."""
    return locale(lang).get("name") or locale(DEFAULT)["name"]


def eurlex_url(url: str | None, lang: str) -> str | None:
    """The same EUR-Lex address in ``lang``; anything else (another site, an unknown language) as it is.

    ``.../legal-content/EN/TXT/?uri=CELEX:52021PC0206`` -> ``.../legal-content/FR/TXT/?uri=...``;
    ``.../eli/reg/2016/679/oj#art_22`` -> ``.../eli/reg/2016/679/oj/fra#art_22`` (English keeps the
    plain ELI, which EUR-Lex opens in English)."""
    if not url or lang not in EURLEX_CODES:
        return url
    if _LEGAL_CONTENT.match(url):
        return _LEGAL_CONTENT.sub(lambda m: f"{m.group(1)}{lang.upper()}{m.group(2)}", url, count=1)
    if _ELI.match(url):
        suffix = "" if lang == DEFAULT else f"/{EURLEX_CODES[lang]}"
        return _ELI.sub(lambda m: m.group(1) + suffix, url, count=1)
    return url


def catalog(prefix: str = "ui_") -> dict[str, dict[str, str]]:
    """Every language's strings whose key starts with ``prefix``, English filling any gap:
    the form ``gradio.I18n(**catalog())`` takes, so that the page's own labels follow the
    browser's language (``label=i18n("ui_send")``)."""
    english = {k: v for k, v in locale(DEFAULT)["strings"].items() if k.startswith(prefix)}
    return {lang: {k: locale(lang).get("strings", {}).get(k, v) for k, v in english.items()} for lang in languages()}
