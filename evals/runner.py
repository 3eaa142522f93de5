"""The eval runner: every known question through the public Python API, scored with the
deterministic metrics defined in evals/README.md, beside the naive chunked-RAG baseline."""
from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.disclosure import HUMAN_CLAIMS
from assistant.answering.verify import normalise
from assistant.clauses import top_level
from assistant.i18n import eurlex_url, t

from .metrics import facts_covered, lead_holds_fact, p50, percentile, recall_at, reciprocal_rank
from .questions import Question, load_questions
from .questions_i18n import Translated

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.json")
RETRIEVAL_K = (1, 5, 10)


@dataclass
class ItemResult:
    id: str
    split: str
    category: str
    question: str
    decline_expected: bool
    abstained: bool
    facts_ok: bool | None  # None when the item has no facts (declines)
    missing_facts: list[str]
    lead_fact: bool | None  # the opening holds a key fact (None when the item has no facts)
    cited: list[tuple[str, str]]
    fabricated: list[str]
    citation_precision: float | None
    citation_recall: float | None
    disclosed: bool
    latency: float
    retrieval: dict[str, float] = field(default_factory=dict)  # ours; empty for multi-turn and declines
    baseline: dict[str, float] = field(default_factory=dict)
    language: str = "en"              # the language the question is written in
    in_language: bool = True          # the disclosure the answer carries is the one of that language
    links_in_language: bool | None = None  # every cited EUR-Lex link opens the act in that language (None: no link)
    both_versions: bool | None = None  # cites an expected article of each AI Act version (None: expects one side)


def _articles(keys) -> set[tuple[str, str]]:
    return {(d, top_level(r)) for d, r in keys}


VERSIONS = ("ai-act-proposal-2021", "ai-act-final-2024")


def both_versions_cited(expected, cited) -> bool | None:
    """For an item expecting clauses of both the proposal and the final Act: whether the answer
    cites an expected article of each (None for an item expecting one side or neither)."""
    wanted = _articles(expected)
    if not all(any(d == doc for d, _ in wanted) for doc in VERSIONS):
        return None
    got = _articles(cited) & wanted
    return all(any(d == doc for d, _ in got) for doc in VERSIONS)


def fabricated_citations(answer, library) -> list[str]:
    """A citation that is not a real clause, was not retrieved for the answer, or whose quote
    is not verbatim in the clause."""
    out = []
    retrieved = set(answer.retrieved)
    for c in answer.citations:
        clause = library.find(c.doc, c.ref)
        if clause is None:
            out.append(f"{c.doc} {c.ref}: no such clause")
        elif (c.doc, c.ref) not in retrieved and not any(
                d == c.doc and (c.ref.startswith(r + "(") or c.ref.startswith(r + ",")) for d, r in retrieved):
            out.append(f"{c.doc} {c.ref}: not retrieved")
        elif normalise(c.quote) not in normalise(clause.text):
            out.append(f"{c.doc} {c.ref}: quote not verbatim")
    return out


def retrieval_scores(expected, ranked, prefix="") -> dict[str, float]:
    out = {}
    for k in RETRIEVAL_K:
        out[f"{prefix}article_recall@{k}"] = recall_at(expected, ranked, k, "article")
        out[f"{prefix}clause_recall@{k}"] = recall_at(expected, ranked, k, "clause")
    out[f"{prefix}mrr"] = reciprocal_rank(expected, ranked)
    return out


def baseline_scores(question: Question, baseline) -> dict[str, float]:
    """The naive baseline on the same question: a chunk counts for every clause it overlaps."""
    hits = baseline.retrieve(question.question, k=10)
    expected = list(question.expected)
    out = {}
    for k in RETRIEVAL_K:
        arts = {(h.doc, r) for h in hits[:k] for r in h.refs}
        clauses = {(h.doc, r) for h in hits[:k] for r in h.clause_refs}
        out[f"article_recall@{k}"] = len(_articles(expected) & arts) / len(_articles(expected))
        out[f"clause_recall@{k}"] = len(set(expected) & clauses) / len(set(expected))
    rr = 0.0
    for rank, h in enumerate(hits, 1):
        if _articles(expected) & {(h.doc, r) for r in h.refs}:
            rr = 1.0 / rank
            break
    out["mrr"] = rr
    # Plain RAG's "answer" is its top three chunks: do they carry the key facts?
    out["key_fact_coverage"] = float(facts_covered(question.patterns, "\n".join(h.text for h in hits[:3])))
    return out


def earlier_turns(assistant, question: Question) -> list:
    """The conversation before the scored question: its earlier turns, each answered in turn."""
    history = []
    for turn in question.turns[:-1]:
        history.append((turn, assistant.ask(turn, history=list(history))))
    return history


def run_item(assistant, question: Question, baseline=None, language: str = "en") -> ItemResult:
    """One question through ``Assistant.ask`` (its earlier turns first), scored; ``language``
    is the language it is written in, whose disclosure and EUR-Lex links the answer should carry."""
    history = earlier_turns(assistant, question)
    started = time.perf_counter()
    answer = assistant.ask(question.question, history=history)
    latency = time.perf_counter() - started
    return score(assistant, question, answer, history, latency, baseline, language)


def score(assistant, question: Question, answer, history: list, latency: float, baseline=None,
          language: str = "en") -> ItemResult:
    """The metrics of one answer to ``question`` (asked after ``history``, in ``language``)."""
    cited = [(c.doc, c.ref) for c in answer.citations]
    expected = list(question.expected)
    precision = recall = None
    if expected and cited:
        precision = len([k for k in cited if _articles([k]) & _articles(expected)]) / len(cited)
    if expected:
        recall = len(_articles(expected) & _articles(cited)) / len(_articles(expected))
    patterns = question.patterns
    facts_ok = facts_covered(patterns, answer.text) if patterns else None
    missing = [p for p in patterns if not re.search(p, answer.text, re.IGNORECASE)]
    disclosed = bool(answer.disclosure) and not HUMAN_CLAIMS.search(answer.text) and (
        bool(history) or answer.disclosure in answer.text)
    # EUR-Lex links that carry a language (another site's cannot be in the user's language).
    links = [c.url for c in answer.citations if eurlex_url(c.url, "de") != eurlex_url(c.url, "fr")]
    result = ItemResult(question.id, question.split, question.category, question.question, question.decline, answer.abstained,
                        facts_ok, missing, lead_holds_fact(patterns, answer.text) if patterns else None, cited, fabricated_citations(answer, assistant.library),
                        precision, recall, disclosed, latency, language=language,
                        in_language=answer.disclosure == t("disclosure", language),
                        links_in_language=all(eurlex_url(u, language) == u for u in links) if links else None,
                        both_versions=both_versions_cited(expected, cited))
    if expected and len(question.turns) == 1:
        ranked = [h.key() for h in assistant.retrieve(question.question, k=10)]
        result.retrieval = retrieval_scores(expected, ranked)
        if baseline is not None:
            result.baseline = baseline_scores(question, baseline)
    return result


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def summarise_block(items: list[ItemResult]) -> dict:
    """The metrics of a group of results (a split, a category, a language)."""
    out: dict = {"questions": len(items)}
    ours = [r.retrieval for r in items if r.retrieval]
    base = [r.baseline for r in items if r.baseline]
    for key in (ours[0] if ours else {}):
        out[key] = _mean(r[key] for r in ours)
    for key in (base[0] if base else {}):
        out[f"baseline_{key}"] = _mean(r[key] for r in base)
    out["key_fact_coverage"] = _mean(float(r.facts_ok) for r in items if r.facts_ok is not None)
    out["lead_fact"] = _mean(None if r.lead_fact is None else float(r.lead_fact) for r in items)
    out["citation_precision"] = _mean(r.citation_precision for r in items)
    out["citation_recall"] = _mean(r.citation_recall for r in items)
    out["both_versions_cited"] = _mean(None if r.both_versions is None else float(r.both_versions) for r in items)
    out["fabricated_citations"] = sum(len(r.fabricated) for r in items)
    tp = sum(1 for r in items if r.abstained and r.decline_expected)
    fp = sum(1 for r in items if r.abstained and not r.decline_expected)
    fn = sum(1 for r in items if not r.abstained and r.decline_expected)
    out["abstention_precision"] = round(tp / (tp + fp), 4) if tp + fp else None
    out["abstention_recall"] = round(tp / (tp + fn), 4) if tp + fn else None
    out["false_decline_rate"] = _mean(float(r.abstained) for r in items if not r.decline_expected)
    out["disclosure_rate"] = _mean(float(r.disclosed) for r in items)
    out["disclosure_in_language"] = _mean(float(r.in_language) for r in items)
    out["links_in_language"] = _mean(None if r.links_in_language is None else float(r.links_in_language)
                                     for r in items)
    latencies = [r.latency for r in items]
    out["latency_p50_s"] = round(p50(latencies), 4)
    out["latency_p95_s"] = round(percentile(latencies, 0.95), 4)
    return out


def summarise(results: list[ItemResult]) -> dict:
    """Overall and per-category metrics."""
    by_category = defaultdict(list)
    for r in results:
        by_category[r.category].append(r)
    return {"overall": summarise_block(results),
            "categories": {c: summarise_block(items) for c, items in sorted(by_category.items())}}


def run_languages(assistant, translations: list[Translated], english: list[ItemResult], progress=None) -> dict:
    """The translated questions through the assistant, per language, beside English on the same
    questions (``english``: results of the source questions, run here when missing). ``languages``
    has every question; ``languages_test`` only those whose source is in the ``test`` split."""
    ids = list(dict.fromkeys(x.id for x in translations))
    ran = {r.id: r for r in english}
    originals = {q.id: q for q in load_questions()} if set(ids) - set(ran) else {}
    done = {"en": [ran.get(i) or run_item(assistant, originals[i]) for i in ids]}
    for n, x in enumerate(translations, 1):
        done.setdefault(x.lang, []).append(run_item(assistant, x.question, language=x.lang))
        if progress:
            progress(n, len(translations))
    return {"languages": {lang: summarise_block(items) for lang, items in done.items()},
            "languages_test": {lang: summarise_block([r for r in items if r.split == "test"])
                               for lang, items in done.items()},
            "items": [r.__dict__ for lang, items in done.items() if lang != "en" for r in items]}


def run_suite(assistant, baseline=None, questions: list[Question] | None = None, progress=None,
              translations: dict[str, list[Translated]] | None = None) -> dict:
    """Every question; ``summary`` is the locked ``test`` split (what the gate reads), and
    ``splits`` has both (tuning reads only ``tune``). ``translations`` (name -> translated
    questions) are scored per language in ``languages`` (name -> ``run_languages``)."""
    questions = questions or load_questions()
    assistant.warm_up_languages()  # English questions read e5 too once its vectors exist: always, here
    results = []
    for i, question in enumerate(questions, 1):
        results.append(run_item(assistant, question, baseline))
        if progress:
            progress(i, len(questions))
    splits = {name: summarise([r for r in results if r.split == name])
              for name in ("tune", "test") if any(r.split == name for r in results)}
    summary = splits.get("test") or summarise(results)
    languages = {name: run_languages(assistant, translated, results, progress)
                 for name, translated in (translations or {}).items()}
    return {"summary": summary, "splits": splits, "items": [r.__dict__ for r in results], "languages": languages}


GAP_WARNING = 0.05  # a tune-test gap above this on a headline metric is shown as a warning


def gaps(result: dict) -> list[str]:
    """Warnings for headline metrics where ``tune`` beats ``test`` by more than GAP_WARNING."""
    splits = result.get("splits", {})
    if {"tune", "test"} - set(splits):
        return []
    out = []
    for key in ("key_fact_coverage", "article_recall@5", "clause_recall@5"):
        tune, test = splits["tune"]["overall"].get(key), splits["test"]["overall"].get(key)
        if tune is not None and test is not None and tune - test > GAP_WARNING:
            out.append(f"{key}: tune {tune:.2f} vs test {test:.2f} (gap {tune - test:.2f} > {GAP_WARNING})")
    return out


def load_thresholds() -> dict:
    return json.loads(THRESHOLDS_PATH.read_text(encoding="utf-8"))


def gate(summary: dict, thresholds: dict) -> list[str]:
    """The thresholds the overall results miss (empty when the gate passes)."""
    failures = []
    overall = summary["overall"]
    for key, rule in thresholds["minimum"].items():
        value = overall.get(key)
        if value is None or value < rule:
            failures.append(f"{key} = {value} is below {rule}")
    for key, rule in thresholds["maximum"].items():
        value = overall.get(key)
        if value is None or value > rule:
            failures.append(f"{key} = {value} is above {rule}")
    return failures
