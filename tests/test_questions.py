"""The known-question set is sound: references exist and key facts are in the clauses."""
from collections import Counter

from evals.questions import CATEGORIES, load_questions, problems


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
