"""The query plan (issue 11): what a question names, compares and asks, read once.

Fast: the library only, no index or model."""
from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from assistant import plan as planning
from assistant.plan import sentences
from assistant.records import Citation
from assistant.tuning import DEFAULT, Tuning

P, G, F = "ai-act-proposal-2021", "gdpr", "ai-act-final-2024"


def read(question, library, **kwargs):
    return planning.build(question, library, **kwargs)


@pytest.mark.parametrize("question,asks", [
    ("Is social scoring banned under the draft?", "yes_no"),
    ("When may police use real-time biometric identification? List the exceptions.", "list"),
    ("What must a data protection impact assessment contain?", "list"),
    ("What are the DPO's tasks?", "list"),
    ("What are the GDPR's maximum fines?", "figure"),
    ("How long do we have to notify a personal data breach?", "deadline"),
    ("what is a data controller", "definition"),
    ("What do Articles 5 and 6 say?", "provision"),
    ("How did the fines change between the proposal and the final act?", "comparison"),
    ("Why does the proposal regulate AI at all?", "explanation"),
    ("Which criteria are taken into account when the amount of a fine is decided?", "list"),
    ("We have no adequacy decision - which safeguards allow the transfer?", "list"),
    ("Who handles complaints when a public body uses AI?", "explanation"),  # a condition, not a time
    ("When does the regulation start to apply?", "deadline"),
    ("ok, so when does that apply from?", "deadline"),  # after an opening "ok, so"
    ("ok and when can they say no?", "explanation"),  # ... but "when can they" asks in which cases
    # "when" and its subject open a condition, not a question on a time
    ("When I chat with customer support online, does the company have to let me know?", "yes_no"),
    ("when's the deadline for the bans?", "deadline"),
    ("Our form asks for a date of birth and a home address. Is that allowed?", "yes_no"),
    ("with the act that got adopted, do i have to say so when an article on my site was written by ai?", "yes_no"),
    # what a document has to contain is a list
    ("we hire a firm to run our payroll. what has to be in our agreement with them?", "list"),
    ("do we need a written policy, and what goes in it?", "list"),
    # "fined" as a verb asks whether a fine can be imposed; what it costs is asked in other words
    ("Can a government ministry be fined under the proposal?", "yes_no"),
    ("how much can a company be fined for using banned AI?", "figure"),
    # a frequency is a period: how often a review or report comes round
    ("how frequently must the risk management system be updated?", "deadline"),
])
def test_what_is_asked(library, question, asks):
    assert read(question, library).asks == asks


@pytest.mark.parametrize("question,compares", [
    ("Did the maximum fine for prohibited practices go up in the final act?", "figure"),
    ("Is the deadline for reporting serious incidents shorter in the final act than in the draft?", "deadline"),
    ("Which criteria for setting fines were added in the final act compared with the proposal?", "list"),
    ("What is the fine for prohibited practices under the proposal?", None),  # no comparison
])
def test_what_a_comparison_compares(library, question, compares):
    assert read(question, library).compares == compares


def test_a_data_protection_impact_assessment_is_not_the_commissions_impact_assessment(library):
    plan = read("When is a data protection impact assessment mandatory?", library)
    assert "impact-assessment-swd-2021-84-part1" not in plan.documents_named
    assert plan.weights[G] >= plan.weights.get("impact-assessment-swd-2021-84-part1", 0)
    assert read("What did the impact assessment say about costs?", library).documents_named == (
        "impact-assessment-swd-2021-84-part1",)


@pytest.mark.parametrize("question,doc,ref", [
    ("what is a data controller", G, "Art. 4(7)"),
    ("who counts as a deployer in the final act?", F, "Art. 3(4)"),
    ("What's an 'importer' under the proposal?", P, "Art. 3(6)"),
    ("Who is the controller under the GDPR?", G, "Art. 4(7)"),
])
def test_defined_terms_resolve_to_their_defining_point(library, question, doc, ref):
    assert planning.NamedClause(doc, ref) in read(question, library).defined


def test_a_follow_up_leans_on_the_question_and_the_clauses_cited_before(library):
    earlier = "Is social scoring banned under the draft?"
    cited = Citation(P, "Art. 5(1)(c)", "Article 5(1)(c) of the AI Act proposal", "x", None)

    class Earlier:
        citations = [cited]
        text = "..."
    plan = read("and what are the fines for breaking that?", library, history=[(earlier, Earlier())])
    assert plan.follow_up and earlier in plan.context and "Article 5" in plan.context
    assert plan.asks == "figure"
    alone = read("What does Article 22 of the GDPR say?", library, history=[(earlier, Earlier())])
    assert not alone.follow_up and alone.context == ""


def test_a_follow_up_asking_its_own_question_keeps_its_own_shape(library):
    # a follow-up with its own question word and verb asks what it asks; one with none ("and for the
    # final act?") asks what the conversation asked (written for this test)
    earlier = [("what is the definition of a 'distributor' in the draft?", "...")]
    assert read("and what do they have to check before selling one?", library, history=earlier).asks != "definition"
    assert read("and in the GDPR?", library, history=earlier).asks == "definition"
    assert read("what about an 'importer'?", library, history=earlier).asks == "definition"


def test_comparisons_name_both_sides(library):
    assert set(read("Where did the chatbot disclosure rule end up?", library).documents_compared) == {P, F}
    assert read("Did the top fine go up in the final act?", library).versions
    # "in the final act" alone says which version is asked about, not that the two are compared
    assert not read("Is emotion recognition at work banned in the final act?", library).versions
    assert read("Compare the GDPR's fines with the proposal's", library).documents_compared == (G, P)
    # The final act alone, with no word that compares, is asked about on its own.
    assert read("What duties do providers of general-purpose AI models have under the final act?",
                library).documents_compared == ()


def test_the_ai_act_named_without_a_version_is_the_draft_with_the_adopted_act_beside_it(library):
    plan = read("my health insurance company uses ai to set my premium. does the eu ai act say anything about that",
                library)
    assert set(plan.documents_compared) == {P, F} and plan.weights[F] == 1.0
    # a version said in other words, or no act named at all: as before
    assert read("when the eu first proposed its ai law in 2021, could police use live face recognition?",
                library).documents_compared == ()
    assert F not in read("is an ai that scores job applicants high risk?", library).weights


@pytest.mark.parametrize("question", [
    "the commission proposed that fines could reach 6% of turnover. how high can fines go under the eu ai act?",
    "the text from 2021 i studied said it would apply after two years. when does the ai act apply?",
    "back in 2021 the drafters proposed a single national supervisory authority. how many authorities does the ai act require?",
])
def test_the_ai_act_asked_now_against_the_draft_told_in_the_past_compares_both(library, question):
    # the draft by its version words in a sentence of its own, "the AI act" asked in the present
    assert set(read(question, library).documents_compared) == {P, F}


def test_when_the_ai_act_applies_is_a_date_not_the_act_as_a_whole(library):
    assert set(read("when does the eu ai act actually apply?", library).documents_compared) == {P, F}
    assert read("does the eu ai act actually apply to my company?", library).general


@pytest.mark.parametrize("question, beside", [
    ("is an ai that scores job applicants high risk?", True),  # no act named: the draft, the Act beside
    ("is an ai that scores job applicants high risk under the proposal?", False),  # a version named
    ("can a company keep my personal data for years after i applied?", False),  # the GDPR's words
    # neither act's words: the GDPR is searched first, and an answer from the draft gets the Act beside it
    ("are the police allowed to scan faces live in the street?", True),
    ("what did the edpb and edps say about facial recognition?", False),  # a commentary named
    ("what does article 52 require of chatbots?", True),  # a clause named with no version: the draft's
    ("what does article 52 of the 2021 proposal require of chatbots?", False),
])
def test_an_ai_rule_asked_with_no_act_named_shows_the_adopted_act_beside_the_draft(library, question, beside):
    plan = read(question, library)
    assert plan.adopted_beside is beside
    assert F not in plan.searched or plan.documents_compared  # only shown beside, never searched as such


def test_the_versions_in_everyday_words_are_compared(library):
    # "the 2024 law", "did that change?" on an AI act rule
    assert set(read("how serious does the crime have to be in the draft vs the 2024 law?", library).documents_compared) == {P, F}
    assert set(read("if a deployer thinks a high risk ai system presents a risk, who do they tell? did that change?",
                    library).documents_compared) == {P, F}
    # a rule of the AI acts asked of today, no version named: "did the ban change?", "is that still the ceiling?"
    assert set(read("did the social scoring ban change?", library).documents_compared) == {P, F}
    assert set(read("the draft capped fines for banned practices at 6% of turnover. is that still the ceiling?",
                    library).documents_compared) == {P, F}
    assert set(read("do member states have to run an ai sandbox, or is that still left optional?",
                    library).documents_compared) == {P, F}
    assert read("does the rule that high-risk systems must log their use over their lifetime still apply?",
                library).documents_compared in ((P, F), (F, P))
    assert read("can I still object to profiling once I gave consent?", library).documents_compared == ()
    assert read("does the right to object still apply once I gave consent to profiling?", library).documents_compared == ()
    # ... but a change in the user's own story is not a comparison
    assert read("the computer turned down my loan and she cant change it. under the eu ai draft shouldnt staff be able "
                "to overrule the machine", library).documents_compared == ()
    # a change the question itself describes is no comparison of the versions
    assert read("what must a provider do when its high-risk system has been substantially changed?",
                library).documents_compared == ()


def test_an_annex_named_to_say_which_systems_is_not_the_clause_asked_for(library):
    assert read("how long is a certificate valid for an annex iii system?", library).references == ()
    assert read("can a system listed in annex III avoid being high-risk under the final act?", library).references == ()
    assert read("was every annex iii use case high-risk in the draft?", library).references == ()
    assert read("which conformity assessment route applies to annex iii high-risk systems?", library).references == ()
    assert read("can a tool that falls within an annex III area escape the high-risk rules?", library).references == ()
    assert [r.ref for r in read("What are the eight areas listed in Annex III of the proposal?", library).references] == ["Annex III"]
    assert [r.ref for r in read("Which systems are listed in Annex III?", library).references] == ["Annex III"]


def test_still_or_now_against_one_version_named_compares_both(library):
    assert read("Under the draft, do notified bodies still have to be independent of the provider?", library).versions
    assert read("Does the final act now ask providers to keep logs for six months?", library).versions
    # without a version named, "still" is no comparison
    assert read("can I still object to profiling once I gave consent?", library).documents_compared == ()


def test_a_rule_of_the_ai_acts_set_against_the_past_with_no_version_named_compares_both(library):
    assert read("does an importer have to check the CE marking? at the time only distributors did", library).versions
    assert read("since 2021, have the rules on regulatory sandboxes become compulsory?", library).versions
    # "originally" alone is not the draft: data originally collected for another purpose
    assert not read("can an AI sandbox reuse personal data originally collected for something else?", library).versions
    # not of the GDPR, and "already" of a system on the market sets nothing against the draft
    assert not read("since 2018, can I still ask a company to delete my personal data?", library).versions
    assert not read("do the rules apply to high-risk systems already on the market?", library).versions


@pytest.mark.parametrize("question", [
    "the shop's servers went down and our accounts vanished. should they be able to restore people's data quickly?",
    "an ai that keeps learning after it is sold could end up feeding its bias back into itself. is that covered?",
])
def test_plain_words_of_what_happens_are_no_comparison_of_versions(library, question):
    """"Went down" and "end up" say what happened to a thing, not what became of a provision of the draft."""
    plan = read(question, library)
    assert plan.documents_compared == () and not plan.versions and plan.asks != "comparison"


@pytest.mark.parametrize("question", [
    "In which situations is a decision based solely on automated processing still allowed under Article 22 GDPR?",
    "under the GDPR, is a DPO still required for a small company that monitors people?",
    "what happened to my right to object under GDPR when I signed the contract?",
    # ... or in the GDPR's words alone (written for this test)
    "after i said no to profiling, is the shop still allowed to keep my data for its ads?",
])
def test_what_became_of_a_gdpr_rule_is_no_comparison_of_the_ai_act_versions(library, question):
    """"Still allowed", "what happened to" asked of a rule of the GDPR, named or in its words: not of the draft's."""
    plan = read(question, library)
    assert plan.documents_compared == () and not plan.versions


def test_what_is_still_allowed_after_a_gdpr_question_is_no_comparison_of_the_ai_act_versions(library):
    # the follow-up's own words are no GDPR words; the conversation's are (written for this test)
    earlier = [("can i make them stop using my personal data while my objection is checked?", "...")]
    plan = read("and while that runs, what are they still allowed to do?", library, history=earlier)
    assert plan.documents_compared == () and not plan.versions


def test_critics_asked_beside_two_acts_compared_bring_the_commentaries_as_a_side(library):
    plan = read("scholars said the draft left people no way to complain. did the 2024 act change that?", library)
    assert plan.versions and "eprs-briefing-ai-act" in plan.commentary_beside
    # what a text itself said is no critic's view; a commentary named is compared as named
    assert read("what did the draft say about logs, and what does the final act say?", library).commentary_beside == ()
    assert read("critics in the EPRS briefing said the draft had no complaint route. and the final act?",
                library).commentary_beside == ()


def test_the_draft_told_in_the_past_tense_is_set_against_the_final_act(library):
    assert read("the proposal only listed three criteria for setting fines. what must be weighed today?", library).versions
    assert read("The draft's transparency rules just said users must be told. Do providers have to label "
                "deep fakes?", library).versions
    # the draft asked about in the present is not a comparison
    assert not read("What does the draft say about regulatory sandboxes?", library).versions


def test_a_present_question_beside_the_draft_told_in_the_past_compares_both(library):
    # the question's sentence names no version and asks in the present; the draft's is past
    assert read("when do the transparency duties apply? in the draft everything applied after two years",
                library).versions
    assert read("must importers keep the declaration? how did the 2021 text word that?", library).versions
    # "prohibited" is an adjective here, not a past tense: the present question still counts
    assert read("are prohibited practices reported each year? the proposal said regularly", library).versions
    assert read("how long may the Council object to a delegated act? same in the proposal?", library).versions
    # both sentences about the draft, the second in the present with its own tense: not compared
    assert not read("What did the draft require of importers? Was there a deadline?", library).versions
    assert not read("Which firms would the 2021 proposal have applied to? Just EU ones?", library).versions


def test_sentences_end_where_a_sentence_ends_not_after_an_abbreviation():
    assert [s.strip() for s in sentences("Does Art. 5 (e.g. point c, bans etc.) apply? The draft said so.") if s.strip()] == [
        "Does Art. 5 (e.g. point c, bans etc.) apply?", "The draft said so."]
    assert [s for s in sentences("a.b? c") if s.strip()] == ["a.b?", " c"]
    # the locales' reference words, and a number after a full stop, end no sentence
    assert [s for s in sentences("Gilt Art. 6 Abs. 2 Buchst. a auch hier? Nr. 44 nicht.") if s.strip()] == [
        "Gilt Art. 6 Abs. 2 Buchst. a auch hier?", " Nr. 44 nicht."]


def test_at_a_minimum_bounds_a_list_not_an_amount(library):
    assert read("what does a quality management system need to cover at a minimum?", library).asks == "list"
    assert read("what is the minimum age for consent to online services?", library).asks == "figure"


def test_what_is_asked_is_read_from_whole_sentences():
    # a question word in the sentence after "art." makes it no yes/no question
    assert not planning.asks_yes_or_no("Que prévoit l'art. 10 pour les données d'entraînement ?", "fr")
    assert not planning.asks_yes_or_no("Jakie dane obejmuje art. 10 ust. 3?", "pl")
    assert planning.asks_yes_or_no("L'art. 10 vaut aussi pour les données de test ?", "fr")
    # the asking sentence, after a situation told; a reference's parts are not sentences
    assert planning.asked_part("My employer scans our faces at the door. Is that allowed under Art. 9?") == (
        "Is that allowed under Art. 9?")
    assert planning.asked_part("Co wynika z art. 6 ust. 2 lit. a dla banków?") == "Co wynika z art. 6 ust. 2 lit. a dla banków?"


def test_the_draft_told_in_a_clause_of_its_own_compares_both(library):
    # the draft told in a clause of the question's one sentence, the present asked in another
    assert read("do hospitals using a high-risk system have to register it too, or was registration only "
                "for providers in the proposal?", library).versions
    assert read("importers of high-risk AI - what must they verify, compared to what the 2021 text "
                "required?", library).versions
    assert read("does the secrecy rule (trade secrets, source code etc.) cover the Commission? my reading "
                "of the 2021 draft is that it only covered notified bodies", library).versions
    # one question of the draft in two halves is no comparison
    assert not read("under the draft, does a CV screening tool need a notified body, or can the provider "
                    "self-assess?", library).versions


def test_a_person_asking_about_their_own_data_asks_about_the_gdpr(library):
    for question in ("how do i find out if a shop holds any info on me?", "can they sell my email to others?",
                     "can we pass our customers' emails to a partner?"):  # a business, in the same words
        weights = read(question, library).weights
        assert weights[G] == 1.0 and weights[P] < 1.0, question
    assert read("what does the draft decision procedure look like for a lead authority?", library).documents_named == ()


def test_a_machine_deciding_about_a_person_asks_about_the_gdpr_whatever_words_describe_it(library):
    # the GDPR's automated decisions (Art. 22), though "an ai" and "the algorithm" are the AI acts' words
    for question in ("my loan got turned down and the bank says an ai scored me. can i insist a human looks at it?",
                     "the algorithm rejected my application purely automatically, is that ok?"):
        weights = read(question, library).weights
        assert weights[G] == 1.0 and weights[P] < 1.0, question
    # a human watching over a system is the AI acts' oversight, not a decision about someone
    assert read("must a human oversee a high-risk AI system?", library).weights[G] < 1.0


def test_a_question_without_the_ai_acts_words_is_about_the_gdpr(library):
    weights = read("a company wants 25 euros before they send me a copy of what they have on me", library).weights
    assert weights[G] == 1.0 and weights[P] < 1.0
    for question in ("do I need to tell people that my shop's help bot is not a person?",
                     "what must importers check before selling the product?",
                     # a machine as the one acting is the AI acts' too
                     "does the company have to let me know if it's a computer and not a real person answering?",
                     "the council wants a computer to decide who keeps getting their benefits. any rules on that?"):
        weights = read(question, library).weights
        assert weights[P] == 1.0 and weights[G] < 1.0, question
    # ... nor are faces recognised or scanned by a camera
    weights = read("can cops point cameras at a crowd and recognise everyone's faces live?", library).weights
    assert weights[P] == 1.0 and weights[G] < 1.0
    # ... not a machine where data are kept
    assert read("does the gdpr only apply to data on computers, or also to paper files?", library).weights[G] == 1.0


def test_an_ai_acts_question_on_a_gdpr_notion_is_answered_from_both(library):
    plan = read("a shopping centre wants face recognition cameras at its entrances. is that banned by the "
                "commission's ai proposal, and do they need a data protection impact assessment?", library)
    assert plan.documents_compared == (P, G) and plan.weights[G] == 1.0
    assert plan.classifies  # the banned practice nearest the use, as for "is it banned?"
    assert read("What does the proposal say about regulatory sandboxes?", library).documents_compared == ()


@pytest.mark.parametrize("question,penalty", [
    ("what's the fine for breaking Art. 5?", True),
    ("Fine for not appointing a DPO?", True),
    ("What factors set the amount of a GDPR fine?", True),
    ("can they be fined for that?", True),
    ("if a customer says it's fine, can we send their file abroad?", False),  # the adjective
    ("is that fine under the GDPR?", False),
    ("Do we become a provider if we fine-tune a general-purpose model?", False),
    ("how is a deep fake defined in the final act?", False),  # "fined" inside another word
    ("can a company be fined and refined models withdrawn?", True),
    # the penalty rules named as such are what is asked about, not the cost of breaking another rule
    ("when do member states have to adopt their rules on penalties under the draft?", False),
    ("does the final act's penalty regime cover warnings?", False),
])
def test_fine_the_noun_not_the_adjective(library, question, penalty):
    assert read(question, library).asks_penalty == penalty


def test_a_term_followed_by_the_act_it_is_in_is_not_a_definition_question(library):
    plan = read("what goes in the instructions that come with a high-risk ai system under the draft?", library)
    assert plan.asks != "definition" and plan.defined == ()
    assert read("what is an AI system under Article 3?", library).asks == "definition"


def test_references_other_instruments_and_missing_ones(library):
    plan = read("What does Article 16 TFEU say?", library)
    assert plan.external == ("Art. 16 TFEU",) and not plan.references
    plan = read(("Art. 86 " * 285)[:1990], library)
    assert len(plan.missing) == 1
    plan = read(" ".join(["Art. 200-215"] * 170)[:1990], library)
    assert len(plan.missing) <= DEFAULT.max_messages + 1


def test_a_general_question_about_an_act(library):
    assert read("what does the regulation cover", library).general
    assert not read("what does Article 2 cover", library).general
    for question in ("who has to comply with the gdpr?", "give me an overview of the final AI Act",
                     "Which processing does the GDPR not apply to?", "does the 2024 act cover research?"):
        assert read(question, library).general, question
    assert not read("did the draft's education point cover exam proctoring?", library).general
    # In Polish the act is what applies only as the sentence's subject: "zasada RODO dotyczy ..." is a
    # principle of the GDPR that concerns something (genitive), not the GDPR's scope
    assert read("Czy RODO obejmuje także firmy spoza UE?", library).general
    assert not read("Która zasada RODO mówi o tym, że dane trzeba chronić? Która zasada RODO dotyczy "
                    "bezpieczeństwa?", library).general
    # A comparison of the versions on one provision is not about the acts as a whole.
    assert not read("Does the final act's ban on real-time identification still cover the search for missing persons "
                    "as the proposal did?", library).general


def test_asking_whether_a_use_is_high_risk_or_banned(library):
    assert read("my bank uses an ai to decide who gets a loan. is that high risk?", library).classifies == ("high-risk",)
    assert read("does an ai that picks which ambulance goes first count as high-risk", library).classifies == ("high-risk",)
    assert read("Is social scoring banned under the draft?", library).classifies == ("prohibited",)
    # ... or whether it may be done at all, in everyday words
    assert read("my landlord wants an ai camera that guesses how tenants feel. is that even legal?",
                library).classifies == ("prohibited",)
    assert read("can the city use software that scores residents' behaviour? is that allowed?",
                library).classifies == ("prohibited",)
    # ... of "the AI act" with no version (both versions searched), and "count that as"
    assert read("a school wants an ai to mark the kids' tests. does the ai act count that as high risk?",
                library).classifies == ("high-risk",)
    assert read("is this a high-risk use?", library).classifies == ("high-risk",)
    # ... and "dangerous" as what a use is treated as, not a toy's dangerous stunts
    assert "high-risk" in read("My bank uses smart software to decide whether I can borrow money. Do the new EU "
                               "rules treat that kind of program as dangerous?", library).classifies
    assert read("a talking toy that eggs kids on to do dangerous stunts. would that be allowed?",
                library).classifies == ("prohibited",)
    # ... or whether someone else may put a system to a use, not what I may do
    assert "prohibited" in read("under the 2021 draft, can the police run live face recognition on everyone walking "
                                "down the high street?", library).classifies
    assert "prohibited" in read("can cops just point cameras at a crowd at a football match and recognise "
                                "everyone's faces live?", library).classifies
    assert "prohibited" not in read("can I use an ai system to check my own essays?", library).classifies
    # About the rule itself, or a named clause: no use to classify.
    assert read("How does the proposal decide whether an AI system is high-risk?", library).classifies == ()
    assert read("Is Article 5 about banned practices?", library).classifies == ()
    assert read("Did the top fine for prohibited practices go up in the final act?", library).classifies == ()
    assert read("Do providers of high-risk AI systems need a risk management system?", library).classifies == ()
    assert read("we use a high-risk ai system from a vendor. do we have to tell our staff?", library).classifies == ()
    assert read("does the ai act say a person has to be able to switch off a risky ai system?", library).classifies == ()
    # a situation told, then a duty asked of it (written for this test): no use to classify either
    assert read("we put a voice bot on our hotline. do we have to tell callers that it is an ai?", library).classifies == ()
    assert read("my gym uses ai cameras now. is that allowed by the ai rules?", library).classifies != ()


def test_the_plan_is_part_of_the_answer_record(library):
    data = read("what is a data controller", library).to_dict()
    assert data["asks"] == "definition" and data["defined"] == [{"doc": G, "ref": "Art. 4(7)"}]


def test_one_frozen_tuning_table():
    assert isinstance(DEFAULT, Tuning)
    with pytest.raises(FrozenInstanceError):
        DEFAULT.rrf_k = 10  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULT.kind_weights["recital"] = 1.0  # type: ignore[index]
    assert replace(DEFAULT, rrf_k=40).rrf_k == 40 and DEFAULT.rrf_k == 20


def test_the_list_as_a_noun_asks_for_no_list(library):
    assert read("is ai that sorts emergency calls on the high-risk list?", library).asks == "yes_no"
    assert read("list every right I have under the gdpr", library).asks == "list"
    assert read("what are the obligations of importers? give me the full list", library).asks == "list"


def test_everyday_data_protection_words_route_to_the_gdpr_not_the_commentary(library):
    plan = read("the payroll company my boss uses leaked my payslip. can i go after them for it?", library)
    assert plan.weights["gdpr"] == 1.0 and not plan.wants_commentary
    plan = read("can a group report a company to the privacy watchdog without being asked?", library)
    assert plan.weights["gdpr"] == 1.0 and not plan.wants_commentary
    assert read("what did the leaked draft say about social scoring?", library).wants_commentary


@pytest.mark.parametrize("question, commentary", [
    # written for this test: stakeholders by kind are whose views the commentaries report
    ("how did tech industry associations react to the 2021 draft?", True),
    ("did any consumer organisations push back on the commission's ai proposal?", True),
    ("a think-tank says the draft will cost smes a fortune. was that claim contested?", True),
    # ... not a consumer group or an NGO acting for a person, nor data disputed with a company
    ("can a consumer group take my data complaint to the regulator for me?", False),
    ("i disputed my credit score with the bank. can they keep using it meanwhile?", False),
])
def test_stakeholders_by_kind_ask_for_the_commentary(library, question, commentary):
    assert read(question, library).wants_commentary is commentary


def test_a_claim_about_the_act_asked_whether_disputed_searches_the_commentaries_beside_it(library):
    # written for this test: "the AI act" names no version (both are searched); the claim is the commentaries'
    plan = read("a lobby group says the ai act will wipe out european startups. was that claim challenged?", library)
    assert plan.commentary_beside and len(plan.documents_compared) > 1


def test_a_news_site_is_not_the_news_report(library):
    assert not read("do i have to label ai-written articles on my news site?", library).wants_commentary
    assert read("what did the news report on the leaked draft say about social scoring?", library).wants_commentary


@pytest.mark.parametrize("question", [
    "what is the gdpr actually there to protect?",
    "does the draft regulation protect people's rights at all?",
    "what is the proposal meant to achieve?",
    "does the ai law apply to the military?",  # "law", as people call the acts
    "give me a short summary of the gdpr",
    "what is the 2024 ai act actually for? whats its purpose",
    "What is the purpose of the AI Act?",
    # everyday words for what an act is for and whom it covers
    "honestly what is the point of the gdpr?",
    "what is the draft regulation really good for",
    "who is actually covered by the final act, only EU firms?",
    "so what does the commission's draft AI law actually regulate?",
])
def test_what_an_act_is_for_is_a_general_question(library, question):
    assert read(question, library).general


def test_what_an_act_is_for_is_asked_apart_from_what_it_covers(library):
    assert read("what is the gdpr actually meant to achieve?", library).asks_purpose
    assert read("Jaki jest cel rozporządzenia RODO?", library).asks_purpose
    plan = read("who is actually covered by the final act, only EU firms?", library)
    assert plan.general and not plan.asks_purpose


@pytest.mark.parametrize("question", [
    "does my bank have to send me a copy of all my data or just a summary?",
    # a purpose, not the act's
    "Can we reuse patient data to train an AI in a sandbox, given the GDPR's purpose limitation principle?",
    "We want to use customer data for a new purpose without new consent. What does GDPR say?",
    "If we change the intended purpose of a high-risk AI system we bought, do we become its provider?",
    # what something else is for, or who is covered by one of its rules
    "what is the conformity assessment actually for?",
    "which systems are covered by the high-risk requirements?",
])
def test_a_summary_or_purpose_of_something_else_is_no_general_question(library, question):
    assert not read(question, library).general


@pytest.mark.parametrize("question", ["what fines did the leaked proposal have?",
                                      "what did the press report about the leaked regulation?"])
def test_the_leaked_draft_by_other_names(library, question):
    assert read(question, library).documents_named == ("aim-news-2021-04-eu-mulls-ban",)


@pytest.mark.parametrize("question", ["When does the GDPR apply from?", "from when do the penalty rules apply?",
                                      "When will the rules on general-purpose AI start to apply?",
                                      # by the date asked, the act named at length between
                                      "From which date will the adopted regulation, Regulation (EU) 2024/1689, apply?"])
def test_when_rules_apply_asks_for_the_final_provisions(library, question):
    plan = read(question, library)
    assert plan.wants_final_provisions and plan.asks_application and not plan.general


@pytest.mark.parametrize("question", ["For how long is the Commission empowered to adopt delegated acts?",
                                      "when does the transitional period for systems already on the market end?"])
def test_other_final_provisions_are_not_when_the_act_applies(library, question):
    plan = read(question, library)
    assert plan.wants_final_provisions and not plan.asks_application


# ------------------------------------------------------------------ questions in other languages

@pytest.mark.parametrize("question, asks, classifies", [
    ("Ist Emotionserkennung am Arbeitsplatz verboten?", "yes_no", ("prohibited",)),  # the verb first
    ("le tri automatique des CV est-il à haut risque ?", "yes_no", ("high-risk",)),  # inversion
    ("¿el reconocimiento facial en un estadio está prohibido?", "yes_no", ("prohibited",)),  # a statement asked
    ("Czy system oceny kredytowej uznaje się za system wysokiego ryzyka?", "yes_no", ("high-risk",)),
    ("Un chatbot per il servizio clienti è considerato ad alto rischio?", "yes_no", ("high-risk",)),
    ("Welke verplichtingen hebben aanbieders van systemen met een hoog risico?", "list", ()),  # asks which, not whether
    ("Quais são as obrigações dos importadores?", "list", ()),
    ("Wie hoch ist die Höchststrafe nach der DSGVO?", "figure", ()),
    ("Hoeveel tijd heeft een verwerkingsverantwoordelijke om een datalek te melden?", "deadline", ()),
    ("Quand le règlement entre-t-il en vigueur ?", "deadline", ()),
])
def test_another_languages_question_is_read_by_its_own_cue_words(library, question, asks, classifies):
    plan = read(question, library)
    assert plan.language != "en"
    assert (plan.asks, plan.classifies) == (asks, classifies)


@pytest.mark.parametrize("question, defined", [
    ("Qu'est-ce qu'un fournisseur de système d'IA ?", (P, "Art. 3(2)")),
    ("Was bedeutet Einwilligung nach der DSGVO?", (G, "Art. 4(11)")),
    ("Co oznacza profilowanie danych osobowych w RODO?", (G, "Art. 4(4)")),
])
def test_another_languages_question_asking_a_meaning_gets_the_definition(library, question, defined):
    plan = read(question, library)
    assert plan.asks == "definition" and defined in [(d.doc, d.ref) for d in plan.defined]


def test_another_languages_words_for_the_versions_and_the_final_provisions(library):
    fate = read("Ist die Höchstgeldbuße in der endgültigen Verordnung gestiegen?", library)
    assert set(fate.documents_compared) == {P, F} and fate.asks == "comparison"
    assert read("Wanneer treedt de verordening in werking?", library).wants_final_provisions
    assert read("¿Cuándo empieza a aplicarse el reglamento de IA?", library).wants_final_provisions
    assert read("Od kiedy zacznie się stosować rozporządzenie o AI?", library).asks_application
    assert read("Perché il riconoscimento delle emozioni è vietato?", library).wants_recitals
    # a ban named as a thing (a noun) is not a question whether a use is banned
    assert read("Czy wyraźna zgoda znosi zakaz przetwarzania danych biometrycznych?", library).classifies == ()


def test_one_version_named_in_words_that_ask_what_changed_compares_both(library):
    # the other version is meant beside the one named: "the 2021 one", "any different in the draft"
    assert read("How has the definition of 'provider' changed? The 2021 one mentioned small-scale providers",
                library).versions
    assert read("can a notified body be fined? was it any different in the draft?", library).versions
    assert read("high-risk obligations, proposal vs final: what moved?", library).versions  # "final" beside "proposal"
    assert read("which rights of affected persons were added in the final version?", library).versions
    assert read("did the importers' obligations grow in the adopted text?", library).versions
    assert read("are the transparency duties the same in both versions?", library).versions
    # "change" said of the content, and a change of the GDPR, compare no versions of the AI Act
    assert not read("Can a user change the intended purpose of a high-risk system under the draft?", library).versions
    assert not read("has the gdpr definition of consent changed since 2016?", library).versions


def test_a_follow_up_asking_of_a_case_compares_no_versions(library):
    earlier = [("How high can fines get under the final AI Act for breaking the transparency duties?", "...")]
    for question in ("would that be any different for a small company?",
                     "does the same ceiling apply to us, a start-up of twelve people, or is it different?"):
        plan = read(question, library, history=earlier)
        assert plan.follow_up and not plan.versions, question
    # the other version asked of is still a comparison
    assert read("and was it any different in the draft?", library, history=earlier).versions


def test_a_follow_up_naming_the_other_version_compares_both(library):
    earlier = [("How does the proposal define 'importer'?", "...")]
    assert read("and in the final act?", library, history=earlier).versions
    assert read("is it the same in the final act?", library, history=earlier).versions
    # the same version asked about again is no comparison
    assert not read("and what about the final act?", library,
                    history=[("what are the duties of importers under the final act?", "...")]).versions


def test_a_bare_reference_belongs_to_the_document_its_sentence_names(library):
    plan = read("Is the rule still there under the final act? The draft had it in Art. 60", library)
    assert [(r.doc, r.ref) for r in plan.references] == [(P, "Art. 60")]
    assert [(r.doc, r.ref) for r in read("What does Article 60 of the final act say?", library).references] == [
        (F, "Art. 60")]


def test_a_reference_naming_no_document_belongs_to_the_act_the_question_is_worded_in(library):
    def refs(question):
        return [(r.doc, r.ref) for r in read(question, library).references]

    assert refs("We're reviewing a SaaS vendor's DPA. What terms does Art. 28 require the controller-processor "
                "contract to contain?") == [(G, "Art. 28")]
    assert refs("For health data, what kind of consent lifts the Article 9 prohibition?") == [(G, "Art. 9")]
    # no GDPR words: the draft, as before
    assert refs("who can draw up a code of conduct under Art 69?") == [(P, "Art. 69")]
    # ... unless the GDPR's article of that number shares more of the question's words than the draft's
    assert refs("Can an automated decision about someone be based on their health data or other sensitive data "
                "under Art 22?") == [(G, "Art. 22")]
    assert refs("article 14 human oversight - who has to watch the system?") == [(P, "Art. 14")]
    assert refs("what does article 6 say?") == [(P, "Art. 6")]
    assert refs("Does art 5(1)(b) protect people with a mental disability, or only children?") == [(P, "Art. 5(1)(b)")]


def test_a_follow_up_comparing_the_versions_compares_what_the_answer_before_quoted(library):
    from types import SimpleNamespace

    def quoted(*keys):
        return SimpleNamespace(citations=[Citation(d, r, "", "", None, 1.0, ()) for d, r in keys])

    earlier = [("what fines does the proposal set for using a banned AI practice?",
                quoted((P, "Art. 71(4)"), (F, "Art. 99(4)"), (P, "Art. 71(3)"), (G, "Art. 83(5)")))]
    plan = read("did they go up in the final act?", library, history=earlier)
    assert plan.versions
    # the proposal's clauses quoted first, each to be compared with its counterpart; not the final
    # Act's (the version the follow-up names), nor the GDPR's
    assert [(r.doc, r.ref) for r in plan.references] == [(P, "Art. 71(4)"), (P, "Art. 71(3)")]


def test_a_follow_up_naming_a_version_after_an_answer_from_the_draft_compares_both(library):
    from types import SimpleNamespace

    def quoted(*keys):
        return SimpleNamespace(citations=[Citation(d, r, "", "", None, 1.0, ()) for d, r in keys])

    # the conversation named no version and was answered from the draft (the AI act unnamed)
    earlier = [("who has to keep the logs of a high-risk system?", quoted((P, "Art. 20(1)"), (P, "Art. 29(5)")))]
    plan = read("did the 2024 regulation change that?", library, history=earlier)
    assert plan.versions and [(r.doc, r.ref) for r in plan.references] == [(P, "Art. 20(1)"), (P, "Art. 29(5)")]
    assert read("is that the same under the final act?", library, history=earlier).versions
    # ... not after an answer from the GDPR, nor from a chat history of plain text
    gdpr = [("how long may a company keep my data?", quoted((G, "Art. 5(1)(e)")))]
    assert not read("and under the final act?", library, history=gdpr).versions
    assert not read("and under the final act?", library, history=[("who keeps the logs?", "...")]).versions
    # another text named in words that compare sets the act answered from against it, not the versions
    plan = read("is it any different under the GDPR?", library, history=earlier)
    assert not plan.versions and set(plan.documents_compared) == {P, G}
    drafted = [("under the draft, who has to keep the logs of a high-risk system?", quoted((P, "Art. 20(1)")))]
    assert set(read("is that the same as under the GDPR?", library, history=drafted).documents_compared) == {P, G}


def test_the_act_as_adopted_described_in_a_follow_up(library):
    earlier = [("What did the 2021 proposal require of importers?", "...")]
    assert read("and in the text that was finally adopted?", library, history=earlier).versions
    # the Commission adopting its proposal describes the proposal, not the Act
    assert F not in planning.mentioned_documents("the proposal text that was adopted by the Commission")


def test_the_final_act_named_by_its_year_in_other_word_orders(library):
    for question in ("do the 2024 EU rules let a shop use face recognition at the door?",
                     "what does the european ai act of 2024 say about chatbots",
                     "my friend says the ai law (the final one) bans social scoring by companies, true?"):
        assert F in planning.mentioned_documents(question), question
    # a year after another text names no act
    assert F not in planning.mentioned_documents("we updated our privacy policy in 2024, was that needed under the gdpr?")


def test_the_final_act_named_with_words_that_measure_it_against_the_draft(library):
    assert read("are serious incidents reported sooner under the final act?", library).versions
    assert read("did the adopted text add exceptions to the scope?", library).versions
    # the final Act asked about on its own
    assert not read("does the final act cap fines at the lower amount for start-ups?", library).versions


def test_the_other_version_in_vague_words_compares_both(library):
    # the draft as "originally" or "from the start" beside the final Act named
    assert read("Under Regulation 2024/1689 an Annex III system can escape the high-risk class. Was that "
                "filter there from the start?", library).versions
    assert read("how long is the delegation under the final act, and was it framed the same way originally?",
                library).versions
    # the draft named with words that set it against what followed
    assert read("has anything been added to the importer checks since the Commission's proposal?", library).versions
    assert read("are election-influencing systems high-risk? was that already in the Commission's original "
                "Annex III?", library).versions
    # ... not a system "already in service", nor a person comparing two things of the draft alone
    assert not read("The draft spares AI that is part of large EU IT systems if it's already in service. "
                    "Up to what date?", library).versions
    assert not read("the bank clerk cant change the decision. under the eu ai draft shouldnt staff be able to "
                    "overrule the machine", library).versions


def test_the_gdpr_named_inside_a_draft_rule_set_against_now_compares_the_versions(library):
    plan = read("must deployers tell workers before using high-risk AI at work? the draft only had them "
                "respect their GDPR duties", library)
    assert set(plan.documents_compared) == {P, F}
    for question in (
            # a question that compares the draft with the GDPR in one sentence keeps comparing them
            "Do users of high-risk systems still have to carry out a GDPR DPIA, and does the proposal help them with it?",
            # the draft told with no finite past ("lets", an adjective in -ed) beside a present question
            # compares it with the GDPR it names
            "The GDPR limits profiling. I read that the 2021 AI draft lets banks use automated scoring anyway. "
            "How does that work?",
            "we are the user under the draft ai act and the controller under the gdpr. what goes into our dpia?"):
        assert set(read(question, library).documents_compared) == {P, G}, question


@pytest.mark.parametrize("question, asks", [
    # the situation stated first is not what is asked
    ("a lending app works out with ai how much money i can borrow. is that one of the risky uses in the eu proposal",
     "yes_no"),
    ("I closed my account years ago. does the company have to delete my stuff if I ask?", "yes_no"),
    # the asking sentence alone says nothing of the shape: the statement before it does (a figure,
    # compared between the GDPR named and "the AI Act", the draft, which is searched too)
    ("Fines under the GDPR reach 4 % of turnover. What about the AI Act?", "figure"),
    # a reference's full stop ends no statement
    ("What does Art. 5 say about social scoring?", "provision"),
])
def test_what_is_asked_is_read_from_the_asking_sentences(library, question, asks):
    plan = read(question, library)
    assert (plan.compares or plan.asks) == asks


def test_the_gdpr_named_beside_the_ai_act_without_a_version_searches_both(library):
    plan = read("does the ai act have its own definition of personal data or does it just use the gdpr one?", library)
    assert set(plan.documents_compared) == {G, P} and plan.weights[P] == 1.0
    # ... "the AI act" read as the draft, with the adopted Act's counterpart beside it; not when a
    # version is named
    assert plan.adopted_beside
    assert not read("does the 2021 draft ai act have its own definition of personal data or does it use the gdpr one?",
                    library).adopted_beside
    # an AI act named, in the GDPR's words: both acts
    plan = read("where do i complain if a company broke the 2024 ai act? is it where i'd complain about my personal data?",
                library)
    assert set(plan.documents_compared) == {F, G}
    # the GDPR named alone is searched alone
    assert read("what does the gdpr say about profiling?", library).searched == [G]
    # ... unless the question is about what only the AI acts regulate: then the draft beside it
    for question in ("Our startup wants to build an AI chatbot for patients. Which GDPR rules matter, and what else?",
                     "can a company in a regulatory sandbox keep using customer data despite the gdpr?"):
        assert set(read(question, library).documents_compared) == {G, P}, question
    # not for the words the GDPR shares with them: "automated", "algorithm", "system"
    assert read("is a decision made by an algorithm about my mortgage allowed under the gdpr?",
                library).documents_compared == ()


def test_the_ai_rules_asked_about_a_stated_use_ask_whether_it_is_banned_or_high_risk(library):
    plan = read("my daughters college is letting a computer mark the exams. is that something the eu ai proposal "
                "worries about", library)
    assert set(plan.classifies) == {"prohibited", "high-risk"}
    # no situation stated: nothing to classify
    assert not read("what does the eu ai proposal worry about?", library).classifies
    # the machine named only in the situation, deciding about people, and the rules asked of in words
    # of their own (written for this test)
    for question in ("the school board wants software to pick which kids get a place at the good school. "
                     "are there extra rules on that",
                     "my landlord thinks an algorithm should screen tenants before a viewing. is that regulated?"):
        assert set(read(question, library).classifies) == {"prohibited", "high-risk"}, question
    # ... not what a system does of itself, nor a rule the situation states
    for question in ("a chatbot that keeps learning from its own answers could drift over time. does the proposal "
                     "say anything about that",
                     "my boss says the new law means we all need computer training. is that regulated?"):
        assert not read(question, library).classifies, question


def test_another_languages_names_for_the_documents_and_their_parts(library):
    ia = "impact-assessment-swd-2021-84-part1"
    # the Commission's impact assessment, named as each language names it; not the GDPR's or the FRIA
    assert ia in read("Was sagt die Folgenabschätzung der Kommission zu den Kosten für KMU?", library).documents_named
    assert ia in read("Que dit l'analyse d'impact sur les options envisagées ?", library).documents_named
    assert ia not in read("Wann ist eine Datenschutz-Folgenabschätzung nötig?", library).documents_named
    assert ia not in read("O que deve conter uma avaliação de impacto sobre os direitos fundamentais?",
                          library).documents_named
    # the final text in a Polish case ending, the final law in Dutch
    assert F in read("Czy w ostatecznym tekście zmieniono definicję dostawcy?", library).documents_named
    assert F in read("Wat zegt de definitieve wet over de plichten van aanbieders?", library).documents_named
    # the Polish passive ("został zhakowany", was hacked) tells no fate of a provision (written for this test)
    plan = read("Mój bank został zhakowany i wyciekły dane klientów. Czy bank musi mnie o tym powiadomić?", library)
    assert not plan.documents_compared and plan.weights[G] == 1.0
    # "final" after the act's name, or the English name inside another language (written for this test)
    for question in ("¿Qué exige la Ley de IA final a los importadores?",
                     "O que diz o Regulamento da IA final sobre os importadores?",
                     "Co ostateczny AI Act mówi o importerach?",
                     "Was verlangt die finale KI-Verordnung von Importeuren?"):
        assert F in read(question, library).documents_named, question
    # a section of an annex, and an annex is one of the AI acts'
    plan = read("Che cosa elenca l'allegato II, sezione B?", library)
    assert [(r.doc, r.ref) for r in plan.references] == [(P, "Annex II, Section B")]
    assert plan.weights[P] == 1.0


def test_a_data_leak_is_not_the_leaked_draft_or_an_opinion(library):
    opinion = "edpb-edps-joint-opinion-5-2021"
    for question in ("Meine Kontodaten wurden geleakt, was kann ich jetzt tun?",
                     "mis datos de salud se filtraron, ¿qué puedo hacer?",
                     "mijn adres is gelekt door een webwinkel, mag dat?"):
        plan = read(question, library)
        assert plan.weights[opinion] < 1.0 and plan.weights["gdpr"] == 1.0, question
    # the leaked draft itself is still read as such
    assert read("Was stand im geleakten Entwurf über Social Scoring?", library).weights.get(
        "aim-news-2021-04-eu-mulls-ban") == 1.0


def test_what_is_weighed_in_a_decision_is_a_list_in_every_language(library):
    # English: "factors", "criteria", "take into account" ask for the criteria, not the ceiling
    for question in ("Welche Kriterien berücksichtigt die Behörde bei der Höhe einer Geldbuße?",
                     "Qu'est-ce que le juge prend en compte pour fixer le montant des dommages ?",
                     "Di quali fattori si tiene conto per l'importo della sanzione?",
                     "Co organ bierze pod uwagę, ustalając wysokość grzywny?"):
        assert read(question, library).asks == "list", question


@pytest.mark.parametrize("question", [
    "When would the regulation have applied under the Commission's proposal, and what is the general date now?",
    "Date of application: what did the Commission propose, and what date was finally set?",
])
def test_when_a_version_would_have_applied_asks_for_its_article_on_application(library, question):
    assert read(question, library).asks_application


@pytest.mark.parametrize("question, apart", [
    ("under the proposal, who supervises ai used by eu institutions, and what did the edpb and edps say about it?", True),
    ("the draft lets police use live face recognition in some cases. what did the EDPB and EDPS want instead?", True),
    # one text asked about the other: the commentary holds the answer
    ("what did the edpb-edps joint opinion say about the proposal's ban on social scoring?", False),
    ("what criticism of the final ai act does the eprs briefing report?", False),
])
def test_each_compared_text_asked_in_a_part_of_its_own(library, question, apart):
    plan = read(question, library)
    assert len(plan.documents_compared) == 2 and plan.sides_apart is apart


def test_a_document_in_parts_is_named_whole(library):
    # the impact assessment's report and its annexes (where the consultation's results are)
    plan = read("what did respondents to the consultation say, according to the impact assessment?", library)
    assert plan.weights["impact-assessment-swd-2021-84-part1"] == plan.weights["impact-assessment-swd-2021-84-part2"] == 1.0
    # ... unless the search is filtered to one part
    plan = read("what did the impact assessment say?", library, documents=["impact-assessment-swd-2021-84-part1"])
    assert "impact-assessment-swd-2021-84-part2" not in plan.weights
