"""Load on the running app over loopback (small counts here; bench/load.py runs the full 16 x 10
and 500 sequential questions) and memory that does not grow with the number of questions."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from load import QUESTIONS, load, rss_mb  # noqa: E402

pytestmark = pytest.mark.slow


def test_concurrent_clients_get_answers(app):
    report = load(app["url"], clients=16, per_client=2)
    print(f"\nload: {report}")
    assert report["requests"] == 32 and report["errors"] == 0, report["first_errors"]


def test_memory_is_stable_over_many_questions(assistant):
    for q in QUESTIONS:
        assistant.ask(q)
    start = rss_mb()
    for i in range(60):
        assistant.ask(f"{QUESTIONS[i % len(QUESTIONS)]} ({i})")
    growth = rss_mb() - start
    print(f"\nmemory: start {start:.0f} MB, growth {growth:.1f} MB over 60 questions")
    assert growth < 100
