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


def test_a_blind_batchs_writer_reads_every_clause_and_its_mistakes_are_named(library, tmp_path):
    import json

    from evals.blind import batch_problems, write_units

    units = tmp_path / "units.jsonl"
    assert write_units(library, units) == sum(len(d.clauses) for d in library)
    first = json.loads(units.read_text(encoding="utf-8").splitlines()[0])
    assert library.get(first["doc"], first["ref"]).text == first["text"]
    batch = tmp_path / "tune99.yaml"  # written for this test: a good item and three mistakes
    batch.write_text("""
- {id: tune99-ok, category: gdpr-consent, question: "can i take my consent back?",
   expected: [{doc: gdpr, ref: "Art. 7(3)"}], key_facts: ['right to withdraw']}
- {id: tune99-no-such-point, category: gdpr-consent, question: "q", expected: [{doc: gdpr, ref: "Art. 7(9)"}]}
- {id: tune99-fact-elsewhere, category: gdpr-consent, question: "q", expected: [{doc: gdpr, ref: "Art. 7(3)"}],
   key_facts: ['data protection officer']}
- {id: tune98-wrong-batch, category: out-of-scope, question: "q", decline: true}
""", encoding="utf-8")
    found = batch_problems(batch, library)
    assert len(found) == 3 and not any("tune99-ok" in p for p in found), found
    assert any("Art. 7(9)" in p for p in found) and any("tune98-wrong-batch" in p for p in found)
