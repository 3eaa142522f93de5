"""The eval's own measures, on hand-made answers (no index needed)."""
from assistant.answering.composer import PROVISIONS_HEADING
from evals.metrics import facts_covered, lead, lead_holds_fact

ANSWER = ("Article 99(3) of the final Act sets fines of up to EUR 35 000 000.\n\n" + PROVISIONS_HEADING
          + "\n\n> 3. ... or, if the offender is an undertaking, up to 7 % of its total worldwide annual turnover")


def test_the_lead_is_the_text_before_the_quoted_provisions():
    assert lead(ANSWER).startswith("Article 99(3)") and "7 %" not in lead(ANSWER)
    assert lead("An answer that quotes nothing.") == "An answer that quotes nothing."


def test_a_fact_counts_for_the_lead_only_when_the_lead_itself_holds_it():
    assert facts_covered([r"35 000 000", r"7 %"], ANSWER)
    assert lead_holds_fact([r"35 000 000", r"7 %"], ANSWER)
    assert not lead_holds_fact([r"7 %"], ANSWER)
