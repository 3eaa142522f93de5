"""Worst-case time of every regular expression that sees user or model text, on adversarial
inputs of the longest accepted question. ``python bench/patterns.py`` prints a table;
``tests/test_patterns.py`` runs the same check with a generous bound.

Patterns are found, not listed: every module-level compiled pattern (or list/dict/tuple of
them) in the ``assistant`` package, plus the glossary, alias and defined-term patterns built at
run time, so a new pattern is checked without anyone remembering to add it.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LENGTH = 2000  # the default ASSISTANT_MAX_QUESTION_CHARS
WHITESPACE = [" ", "\t", "\n", "\u2003", " \n"]
HEADS = ["Annex I", "Annex", "em", "EM 3", "Art. 5", "Article 5(1)", "Articles 5", "Recital", "recitals 1",
         "point", "paragraph 1 of", "p. 3", "what is", "what does", "I am", "Art. 5 (1)", "Annex III, point",
         "explanatory memorandum", "Article 5 of the", "data protection", "EUR 30", "1", "(a)"]
REPEATS = ["(1)", "(1) ", "a", "1", ", ", "Art. 5 ", "I ", "'", "‘", "\"", "( ", "1 000 ", "- ", "what is ",
           "the ", "point (a) ", "Annex I, ", "EUR ", "% ", "and ", "article", "ab", "[1]"]


def adversarial_inputs(length: int = LENGTH) -> list[str]:
    out = []
    for head in HEADS:
        for space in WHITESPACE:
            run = space * ((length - len(head) - 1) // len(space))
            out.append(head + run + "x")
    for unit in REPEATS:
        out.append((unit * (length // len(unit) + 1))[:length])
        out.append((unit * (length // len(unit) + 1))[:length - 1] + "!")
    return out


def _collect(value, name: str, found: dict) -> None:
    if isinstance(value, re.Pattern):
        found[name] = value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _collect(item, f"{name}[{i}]", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _collect(item, f"{name}[{key!r}]", found)


def _word_lists(node, path: tuple[str, ...] = ()):
    """Paths of the lists of patterns in a locale (``scope.domain``, ``personal`` ...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("strings", "about", "name"):
                yield from _word_lists(value, path + (key,))
    elif isinstance(node, list) and node and all(isinstance(v, str) for v in node):
        yield path


def public_patterns() -> dict[str, re.Pattern]:
    """Every pattern of the package that can see user or model text, by a readable name."""
    import assistant
    from assistant import citations, i18n

    found: dict[str, re.Pattern] = {}
    for info in pkgutil.walk_packages(assistant.__path__, "assistant."):
        if info.name.endswith(("ui", "cli")) or ".locales" in info.name:
            continue  # presentation: collected below only if importable without side effects
        module = importlib.import_module(info.name)
        for attr, value in vars(module).items():
            if not attr.startswith("__"):
                _collect(value, f"{info.name}.{attr}", found)
    pattern, _ = citations.alias_pattern()
    found["citations.alias_pattern()"] = pattern
    try:
        from assistant.retrieval import glossary  # noqa
        for i, (p, _) in enumerate(glossary()):
            found[f"glossary[{i}]"] = p
    except ImportError:
        pass
    for lang in i18n.languages():  # the authored word lists of each language, compiled as the package does
        for path in _word_lists(i18n.locale(lang)):
            pattern = i18n.words(lang, *path)
            if pattern is not None:
                found[f"locales/{lang}.json:{'.'.join(path)}"] = pattern
    for name in ("assistant.ui",):
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if not attr.startswith("__"):
                _collect(value, f"{name}.{attr}", found)
    return found


def worst_case(pattern: re.Pattern, inputs: list[str], repeats: int = 3) -> tuple[float, str]:
    """The slowest full scan (finditer, as callers use them) over the inputs: (seconds, input
    head). Each input's time is the best of ``repeats`` runs, so that another process on the
    machine does not pass for a slow pattern."""
    worst, which = 0.0, ""
    for text in inputs:
        elapsed = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            for _ in pattern.finditer(text):
                pass
            pattern.match(text)
            elapsed = min(elapsed, time.perf_counter() - started)
        if elapsed > worst:
            worst, which = elapsed, text[:14]
    return worst, which


def main() -> None:
    inputs = adversarial_inputs()
    rows = []
    for name, pattern in public_patterns().items():
        seconds, which = worst_case(pattern, inputs)
        rows.append((seconds, name, which))
    rows.sort(reverse=True)
    print(f"{len(rows)} patterns x {len(inputs)} adversarial inputs of {LENGTH} characters")
    print(f"{'worst ms':>9}  pattern  (input)")
    for seconds, name, which in rows:
        print(f"{seconds * 1000:9.2f}  {name}  ({which!r})")


if __name__ == "__main__":
    main()
