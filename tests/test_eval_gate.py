"""The CI gate: the locked test split on the embedded default, against evals/thresholds.json.

The gate reads the test split alone, so that is all it runs: the tune split (over 2 000 questions, 7-10
min on 2 cores, and growing with every blind batch) had made the suite the largest part of CI's
time. The report, results and chart of this run are written to tests/artifacts/eval/; the committed
copy in evals/ is refreshed with `assistant eval`, which runs both splits."""
from pathlib import Path

import pytest

from evals.baseline import NaiveRAG
from evals.questions import load_questions
from evals.report import table, write
from evals.runner import gate, load_thresholds, run_suite

ARTIFACTS = Path(__file__).parent / "artifacts" / "eval"


@pytest.mark.slow
def test_eval_suite_meets_the_thresholds(assistant):
    baseline = NaiveRAG(assistant.library, path=str(assistant.settings.data_dir / "naive-baseline"))
    baseline.build()
    result = run_suite(assistant, baseline, questions=load_questions(split="test"))
    assert set(result["splits"]) == {"test"}
    thresholds = load_thresholds()
    failures = gate(result["summary"], thresholds)
    write(result, ARTIFACTS, failures, thresholds)
    print("\n" + table(result["summary"]))
    assert result["summary"]["overall"]["fabricated_citations"] == 0
    assert not failures, failures


def test_side_by_side_is_rendered_into_the_report():
    """evals/llm_side_by_side.json (bench/llm.py --side-by-side) reaches report.md as a section."""
    import json

    from evals.report import SIDE_BY_SIDE, side_by_side_section

    data = json.loads(SIDE_BY_SIDE.read_text(encoding="utf-8"))
    section = "\n".join(side_by_side_section(data))
    assert section.startswith("## Embedded vs local LLM") and data["sample"]["rule"] in section
    assert "| fabricated citations after verification | 0 | 0 |" in section  # none, for either answerer
    for title in ("key-fact coverage", "first token, s (p50 / p95)", "full answer, s (p50 / p95)",
                  "prompt tokens", "generated tokens", "generated tokens/s", "abstention recall", "disclosure rate"):
        assert f"| {title}" in section
    assert f"load average (1 min) {data['machine']['load_before'][0]:g}" in section


def test_prompt_choice_is_rendered_into_the_report():
    """evals/llm_ab.json (bench/llm.py --coverage and --ab, on the tune split) reaches report.md."""
    import json

    from evals.report import AB_FILE, ab_section

    data = json.loads(AB_FILE.read_text(encoding="utf-8"))
    section = "\n".join(ab_section(data))
    assert "on the `tune` split" in section
    for name, setting in data["coverage"]["settings"].items():
        assert f"| {name}: {setting['about']} | {setting['prompt_tokens']['p50']:g} | {setting['facts_available']} |" in section
    assert "default" in data["coverage"]["settings"]  # the setting the prompt has now is among those compared
    for name in data["ab"]["summary"]:
        assert f"| {name}: {data['ab']['descriptions'][name]} |" in section
