"""The CI gate: the whole eval suite on the embedded default, against evals/thresholds.json.

The report, results and chart of this run are written to tests/artifacts/eval/ (the committed
copy in evals/ is refreshed with `assistant eval`)."""
from pathlib import Path

import pytest

from evals.baseline import NaiveRAG
from evals.report import table, write
from evals.runner import gate, load_thresholds, run_suite

ARTIFACTS = Path(__file__).parent / "artifacts" / "eval"


@pytest.mark.slow
def test_eval_suite_meets_the_thresholds(assistant):
    baseline = NaiveRAG(assistant.library, path=str(assistant.settings.data_dir / "naive-baseline"))
    baseline.build()
    result = run_suite(assistant, baseline)
    thresholds = load_thresholds()
    failures = gate(result["summary"], thresholds)
    write(result, ARTIFACTS, failures, thresholds)
    print("\n" + table(result["summary"]))
    assert result["summary"]["overall"]["fabricated_citations"] == 0
    assert not failures, failures
