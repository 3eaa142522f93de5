"""Deterministic metrics for the eval suite (each is defined in evals/README.md)."""
from __future__ import annotations

import re
from statistics import median

from assistant.answering.composer import PROVISIONS_HEADING
from assistant.clauses import top_level


def _article(key: tuple[str, str]) -> tuple[str, str]:
    return (key[0], top_level(key[1]))


def recall_at(expected: list[tuple[str, str]], ranked: list[tuple[str, str]], k: int, level: str) -> float:
    """Share of the expected clauses found in the first k results, at 'article' or 'clause' level."""
    if not expected:
        return 1.0
    norm = _article if level == "article" else (lambda key: key)
    got = {norm(key) for key in ranked[:k]}
    wanted = {norm(key) for key in expected}
    return len(wanted & got) / len(wanted)


def reciprocal_rank(expected: list[tuple[str, str]], ranked: list[tuple[str, str]]) -> float:
    """1/rank of the first result in the same article as an expected clause (0 when none)."""
    wanted = {_article(key) for key in expected}
    for rank, key in enumerate(ranked, 1):
        if _article(key) in wanted:
            return 1.0 / rank
    return 0.0


def facts_covered(patterns: list[str], text: str) -> bool:
    return all(re.search(p, text, re.IGNORECASE) for p in patterns)


def lead(text: str) -> str:
    """The answer's opening, before the quoted provisions (all of it when it quotes none)."""
    return text.split(PROVISIONS_HEADING)[0]


def lead_holds_fact(patterns: list[str], text: str) -> bool:
    """Whether the opening holds at least one key fact: what a reader who stops there learns."""
    return any(re.search(p, lead(text), re.IGNORECASE) for p in patterns)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def p50(values: list[float]) -> float:
    return median(values) if values else 0.0
