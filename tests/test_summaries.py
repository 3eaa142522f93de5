"""Which paragraphs a commentary's own summary restates (assistant/summaries.py)."""
from __future__ import annotations

from assistant.clauses import Clause
from assistant.summaries import is_summary, restated
from assistant.tuning import DEFAULT

OPINION = "edpb-edps-joint-opinion-5-2021"


def paragraph(ref: str, heading: str, text: str) -> Clause:
    return Clause("doc", ref, "commentary_paragraph", ref, (heading,), text, None)


def test_a_summary_restates_the_body_paragraph_whose_words_it_copies():
    body = [paragraph("Para. 1", "2 Analysis", "The proposal sets no deadline. Hence the authors consider that "
                                              "a fixed deadline of thirty days should be laid down for every reply."),
            paragraph("Para. 2", "2 Analysis", "Fees are a separate matter that the authors leave to national law.")]
    summary = [paragraph("p. 1, para. 1", "Executive Summary",
                         "The authors consider that a fixed deadline of thirty days should be laid down."),
               paragraph("p. 1, para. 2", "4 CONCLUSION", "Nothing in these words appears anywhere else at all.")]
    assert restated(body + summary, DEFAULT.summary_overlap) == {"p. 1, para. 1": ("Para. 1",)}
    assert [is_summary(c) for c in summary] == [True, True] and not is_summary(body[0])


def test_the_opinions_summary_points_to_its_recommendations(library):
    found = restated(library.document(OPINION).clauses.values(), DEFAULT.summary_overlap)
    # "DPAs should be designated as the national supervisory authorities" (p. 3) is Para. 48's last
    # sentence; the call for a general ban on biometric recognition (p. 2) is Para. 32's first
    assert any("Para. 48" in v for v in found.values())
    assert any("Para. 32" in v for v in found.values())
    assert all(not ref.startswith("Para.") or is_summary(library.get(OPINION, ref)) for ref in found)
    # the acts have no summary of their own
    assert restated(library.document("gdpr").clauses.values(), DEFAULT.summary_overlap) == {}
