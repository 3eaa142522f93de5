"""The known-question set is sound: references exist and key facts are in the clauses."""
from collections import Counter

from evals.questions import CATEGORIES, QUESTION_FILES, load_questions, problems, tune_files, tune_ids


def test_question_set_is_valid(library):
    questions = load_questions()
    assert problems(questions, library) == []


def test_question_set_covers_every_category():
    questions = load_questions()
    counts = Counter(q.category for q in questions)
    assert len(questions) >= 150
    assert set(counts) == set(CATEGORIES)
    assert counts["out-of-scope"] + counts["nonexistent"] >= 10
    assert all(len(q.turns) > 1 for q in questions if q.category == "multi-turn")


def test_split_is_fixed_by_id_and_every_tune_batch_is_tune():
    questions = load_questions()
    listed, batches = tune_ids(), {q.id for f in tune_files() for q in load_questions(f)}
    assert listed <= {q.id for q in questions}  # no stale id in split.yaml
    assert batches and not listed & batches
    assert all(q.split == "tune" for q in questions if q.id in batches)
    assert all(q.split == "test" for q in load_questions(QUESTION_FILES[1]))  # written blind for test
