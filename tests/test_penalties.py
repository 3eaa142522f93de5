"""Which fine covers which rule, read from the real acts' penalties articles (``assistant.penalties``),
and the answers that use it: the fine for breaking a rule leads with the tier that names it."""
from __future__ import annotations

import pytest

from assistant.penalties import is_penalty_article, tier_for, tiers

PROPOSAL, GDPR, FINAL = "ai-act-proposal-2021", "gdpr", "ai-act-final-2024"


@pytest.fixture(scope="module")
def found(library):
    return tiers(library)


def test_every_act_has_its_fine_tiers_with_the_articles_they_name(found):
    by_ref = {(t.doc, t.ref): t for t in found}
    # "Articles 8, 11, 25 to 39 and 42 and 43": a range names each article in it
    assert {f"Art. {n}" for n in [8, 11, *range(25, 40), 42, 43]} <= by_ref[GDPR, "Art. 83(4)"].articles
    assert {"Art. 5", "Art. 6", "Art. 7", "Art. 9", "Art. 17"} <= by_ref[GDPR, "Art. 83(5)"].articles
    assert by_ref[FINAL, "Art. 99(3)"].articles == {"Art. 5"}
    # "other than those laid down in Articles 5 and 10": every other rule, not those two
    assert by_ref[PROPOSAL, "Art. 71(4)"].all_others and by_ref[PROPOSAL, "Art. 71(4)"].articles == {"Art. 5", "Art. 10"}
    # the final Act's operator tier excludes Art. 5 in its chapeau and lists the duties in its points
    assert "Art. 5" not in by_ref[FINAL, "Art. 99(4)"].articles and "Art. 50" in by_ref[FINAL, "Art. 99(4)"].articles


@pytest.mark.parametrize("doc, article, tier", [
    (GDPR, "Art. 33", "Art. 83(4)"),       # breach notification
    (GDPR, "Art. 15", "Art. 83(5)"),       # the right of access
    (PROPOSAL, "Art. 10", "Art. 71(3)"),   # data governance: the top tier in the draft
    (PROPOSAL, "Art. 12", "Art. 71(4)"),   # record-keeping: "other than Articles 5 and 10"
    (FINAL, "Art. 50", "Art. 99(4)"),      # transparency duties
    (FINAL, "Art. 5", "Art. 99(3)"),
])
def test_the_tier_for_a_rule(found, doc, article, tier):
    assert tier_for(found, doc, article).ref == tier


def test_union_institutions_tiers_are_not_the_answer_for_everyone(found, library):
    # final Art. 100(3) fines Union bodies for "any requirements ... other than Article 5": a rule
    # the general tiers do not name gets no tier rather than that one
    assert tier_for(found, FINAL, "Art. 12") is None
    assert is_penalty_article(library, FINAL, "Art. 100") and not is_penalty_article(library, GDPR, "Art. 33")


@pytest.mark.slow
@pytest.mark.parametrize("turns, doc, tier", [
    (["do we need to do a DPIA before we profile our customers?", "what's the penalty if we skip it?"], GDPR, "Art. 83(4)"),
    (["under the draft, do providers of high-risk AI have to keep logs?", "and how much can they be fined if they don't?"],
     PROPOSAL, "Art. 71(4)"),
    (["how much can a company be fined for not appointing a data protection officer?"], GDPR, "Art. 83(4)"),
    # the tier whose listed point the search finds ("(g) transparency obligations ... pursuant to Article
    # 50"), before the article's first tier
    (["we're a tiny company. under the 2024 act what fine do we risk if we break the transparency obligations?"],
     FINAL, "Art. 99(4)"),
])
def test_the_fine_for_breaking_a_rule_leads_with_the_tier_that_names_it(assistant, turns, doc, tier):
    history = []
    for question in turns[:-1]:
        history.append((question, assistant.ask(question, history=list(history)).text))
    answer = assistant.ask(turns[-1], history=history)
    assert answer.plan["asks_penalty"]
    assert (answer.citations[0].doc, answer.citations[0].ref) == (doc, tier), [c.ref for c in answer.citations]
    assert not answer.notices  # nothing the verifier had to strike


@pytest.mark.slow
def test_the_answer_says_which_rule_the_tier_fines_when_it_quotes_both(assistant):
    first = "how fast do we have to report a data breach to the regulator?"
    answer = assistant.ask("and what's the fine if we don't?", history=[(first, assistant.ask(first).text)])
    number = next(i for i, c in enumerate(answer.citations, 1) if c.ref == "Art. 33")
    assert f"A breach of Article 33 of the GDPR, Regulation (EU) 2016/679 [{number}] falls under Article 83(4) [1]." in answer.text


@pytest.mark.slow
def test_a_question_on_the_fines_in_general_keeps_every_tier_highest_first(assistant):
    answer = assistant.ask("What are the GDPR's maximum fines?")
    assert [c.ref for c in answer.citations[:3]] == ["Art. 83(5)", "Art. 83(6)", "Art. 83(4)"]


@pytest.mark.parametrize("question", [
    "Quelle amende risque une entreprise qui ne désigne pas de délégué à la protection des données ?",
    "Welche Geldbuße droht, wenn ein Unternehmen keinen Datenschutzbeauftragten benennt?",
])
def test_the_fine_for_breaking_a_rule_asked_in_another_language(library, question):
    from assistant import plan as planning

    assert planning.build(question, library).asks_penalty  # the locale's words for fines and penalties
