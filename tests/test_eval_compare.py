"""The eval's 'both cited' measure and the per-question comparison of two tune runs (issue 13)."""
from __future__ import annotations

import pytest

from evals.runner import both_versions_cited
from evals.tune_run import changes, tuning

P, F, G = "ai-act-proposal-2021", "ai-act-final-2024", "gdpr"


def test_both_cited_needs_an_expected_article_of_each_version():
    expected = [(P, "Art. 52(1)"), (F, "Art. 50(1)")]
    assert both_versions_cited(expected, [(P, "Art. 52"), (F, "Art. 50(1)"), (G, "Art. 13")]) is True
    assert both_versions_cited(expected, [(P, "Art. 52(1)"), (F, "Art. 52")]) is False  # the other act's Art. 52
    assert both_versions_cited(expected, [(P, "Art. 52(1)")]) is False
    # an item that expects one side only is not counted
    assert both_versions_cited([(F, "Art. 4")], [(F, "Art. 4")]) is None


def test_two_runs_compared_question_by_question():
    def item(i, facts, both, recall):
        return {"id": i, "facts_ok": facts, "both_versions": both, "retrieval": {"article_recall@5": recall}}

    before = [item("a", False, False, 0.5), item("b", True, None, 1.0), item("c", True, True, 1.0)]
    after = [item("a", True, True, 1.0), item("b", False, None, 1.0), item("c", True, True, 0.5), item("d", True, True, 1)]
    moved = changes(before, after)
    assert moved["facts"] == {"gained": ["a"], "lost": ["b"]}
    assert moved["both cited"] == {"gained": ["a"], "lost": []}
    assert moved["art R@5"] == {"gained": ["a"], "lost": ["c"]}


def test_a_tune_run_can_change_a_tuning_value():
    from assistant.tuning import DEFAULT

    changed = tuning(["repeat_discount=0.5", "candidates=40"])
    assert (changed.repeat_discount, changed.candidates) == (0.5, 40) and isinstance(changed.candidates, int)
    assert changed.rrf_k == DEFAULT.rrf_k
    with pytest.raises(SystemExit):
        tuning(["no_such_value=1"])


def test_a_tune_run_selects_ids_and_translations_of_tune_questions_only(tmp_path):
    from evals.questions_i18n import LANGUAGES
    from evals.tune_run import read_ids, selected

    listed = tmp_path / "ids.txt"
    listed.write_text("tune47-gen-personal-hobby-use  # a hobby\n\ntune46-mt-notified-body-insurance\n", encoding="utf-8")
    ids = read_ids(listed)
    assert ids == {"tune47-gen-personal-hobby-use", "tune46-mt-notified-body-insurance"}
    assert {(q.id, lang) for q, lang in selected(ids=ids)} == {(i, "en") for i in ids}
    translated = selected(translated=True)
    assert translated and all(q.split == "tune" for q, _ in translated)
    assert {lang for _, lang in translated} == set(LANGUAGES)
    defined = selected(prefix="def-", translated=True)
    assert 0 < len(defined) < len(translated) and all(q.id.startswith("def-") for q, _ in defined)
