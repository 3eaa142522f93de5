"""Annex points an article refers to, written out in its searched text (assistant/annex_points.py)."""
from assistant.annex_points import written_out
from assistant.index import dense_text

PROPOSAL = "ai-act-proposal-2021"
FINAL = "ai-act-final-2024"


def test_the_point_a_paragraph_opens_with_is_written_out_after_the_reference(library):
    clause = library.get(FINAL, "Art. 14(5)")
    searched = written_out(clause.text, FINAL, library)
    assert "point 1(a) of Annex III (remote biometric identification systems)" in searched
    assert "biometric" not in clause.text.split("two natural persons")[0]  # the quoted text itself never said it


def test_a_point_in_the_opening_words_whatever_its_spacing(library):
    searched = written_out(library.get(FINAL, "Art. 12(3)").text, FINAL, library)
    assert "of Annex III (remote biometric identification systems), the logging" in searched
    searched = written_out(library.get(PROPOSAL, "Art. 19(2)").text, PROPOSAL, library)
    assert "creditworthiness" in searched


def test_a_whole_area_a_range_or_a_point_past_the_opening_words_is_left_as_it_is(library):
    for ref in ("Art. 43(1)",  # "point 1 of Annex III": an area, which made the paragraph read as about any annex use
                "Art. 43(2)",  # "points 2 to 8", and point 5(b) in its second sentence, a side rule on credit institutions
                "Art. 7(1)"):
        text = library.get(PROPOSAL, ref).text
        assert written_out(text, PROPOSAL, library) == text, ref
    text = "For high-risk AI systems referred to in point 42(z) of Annex III, nothing"  # no such point
    assert written_out(text, PROPOSAL, library) == text


def test_the_index_embeds_the_written_out_point_and_quotes_the_clause_as_it_is(library):
    clause = library.get(PROPOSAL, "Art. 14(5)")
    assert "remote biometric identification" in dense_text(clause, library)
    assert "remote biometric identification" not in clause.text
