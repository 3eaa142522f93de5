"""The hybrid retriever on the whole corpus, through the public ``Assistant.retrieve`` API.

The index is the session's one build (the ``assistant`` fixture in conftest.py builds it into
ASSISTANT_DATA_DIR once and reopens it afterwards)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.clauses import LIST_KINDS, top_level
from assistant.index import ClauseIndex
from assistant import plan as planning
from assistant.retrieval import HybridRetriever, Retriever, hits_from_documents, told_apart
from assistant.tuning import DEFAULT

pytestmark = pytest.mark.slow

PROPOSAL, GDPR, FINAL = "ai-act-proposal-2021", "gdpr", "ai-act-final-2024"
EDPB = "edpb-edps-joint-opinion-5-2021"


def articles(hits, n=None):
    return [(h.doc, top_level(h.ref)) for h in hits[:n]]


@pytest.mark.parametrize("question", [
    "What does Article 52 require?",
    "what does art 52 say about chatbots",
    "Art. 52 — transparency obligations for certain AI systems",
])
def test_a_named_article_comes_first(assistant, question):
    hits = assistant.retrieve(question, k=10)
    assert (hits[0].doc, hits[0].ref) == (PROPOSAL, "Art. 52")
    assert hits[0].how == "reference"
    assert hits[0].label == "Article 52 of the AI Act proposal, COM(2021) 206"


def test_named_references_resolve_to_the_document_named(assistant):
    hits = assistant.retrieve("Compare Article 5(1)(c) of the proposal with GDPR Article 22", k=10)
    assert [(h.doc, h.ref) for h in hits[:2]] == [(PROPOSAL, "Art. 5(1)(c)"), (GDPR, "Art. 22")]
    assert assistant.retrieve("What does Article 99 of the final act say?", k=3)[0].key() == (FINAL, "Art. 99")


def test_hits_carry_the_canonical_clause(assistant):
    hits = assistant.retrieve("Is social scoring banned?", k=10)
    assert len(hits) == 10
    for hit in hits:
        clause = assistant.library.get(hit.doc, hit.ref)  # a real clause, by its canonical reference
        assert hit.text == clause.text and hit.label == clause.label and hit.kind == clause.kind
        assert isinstance(hit.score, float) and hit.how in ("reference", "definition", "classification", "hybrid")
    assert len({h.key() for h in hits}) == len(hits)
    assert (PROPOSAL, "Art. 5") in articles(hits, 3)


@pytest.mark.parametrize("documents, allowed", [
    (["gdpr"], {GDPR}),
    ("final", {FINAL}),
    (["commentary"], {"edpb-edps-joint-opinion-5-2021", "eprs-briefing-ai-act", "impact-assessment-swd-2021-84-part1",
                      "impact-assessment-swd-2021-84-part2", "aim-news-2021-04-eu-mulls-ban"}),
    (["proposal", "gdpr"], {PROPOSAL, GDPR}),
])
def test_a_document_filter_holds(assistant, documents, allowed):
    for question in ("What are the maximum fines?", "What does Article 52 of the proposal say?",
                     "Is facial recognition by the police allowed in the final act?"):
        hits = assistant.retrieve(question, k=10, documents=documents)
        assert hits and {h.doc for h in hits} <= allowed, (question, documents)


def test_questions_naming_no_version_search_the_proposal_and_what_is_new_in_the_final_act(assistant):
    hits = assistant.retrieve("Which AI practices are prohibited?", k=10)
    assert articles(hits, 1) == [(PROPOSAL, "Art. 5")]
    # the final Act's clauses that are the draft's own again are not searched; at most one new in it
    assert [h.how for h in hits if h.doc == FINAL] in ([], ["adopted"])
    assert not [h for h in assistant.retrieve("do i have to tell customers they are talking to a bot?", k=10)
                if h.doc == FINAL]
    # what only the adopted Act has: the draft holds nothing like it
    hits = assistant.retrieve("is it legal in the eu to build a face recognition database by scraping photos "
                              "off social media?", k=10)
    # (found as what only the Act has, or as the Act's banned practice nearest the use: "is it legal")
    assert {(FINAL, "Art. 5(1)(e)", "adopted"), (FINAL, "Art. 5(1)(e)", "classification")} & \
        {(h.doc, h.ref, h.how) for h in hits[:3]}
    hits = assistant.retrieve("can a company build a face recognition database by scraping photos off social media?", k=10)
    assert (FINAL, "Art. 5(1)(e)", "adopted") in [(h.doc, h.ref, h.how) for h in hits[:3]]
    # ... only when the draft is searched first: not in a question in the GDPR's words
    hits = assistant.retrieve("a website based in the us follows everything i click on while im at home in "
                              "germany. do the eu privacy rules apply to them", k=10)
    assert FINAL not in {h.doc for h in hits} and (GDPR, "Art. 3") in articles(hits, 3)


def test_the_maximum_fine_is_found(assistant):
    hits = assistant.retrieve("What's the maximum fine under the AI Act proposal?", k=10)
    assert (PROPOSAL, "Art. 71") in articles(hits, 3)


def test_a_defined_term_brings_its_definition(assistant):
    hits = assistant.retrieve("I use an AI photo app at home just for fun. Am I a 'user' under the draft?", k=10)
    assert (PROPOSAL, "Art. 3(4)") in [h.key() for h in hits[:2]]


def test_a_list_asked_for_is_found_as_the_clause_that_holds_it(assistant):
    """An item of a list that matches best stands for its whole list when a list is asked for."""
    question = "List the tasks of a data protection officer under the GDPR."
    assert planning.build(question, assistant.library).asks == "list"
    hits = assistant.retrieve(question, k=10)
    assert hits[0].key() == (GDPR, "Art. 39(1)")
    items = [h.ref for h in hits if h.how == "hybrid" and assistant.library.get(h.doc, h.ref).kind in LIST_KINDS
             and not assistant.library.has_list(assistant.library.get(h.doc, h.ref))]
    assert items == []


def test_an_articles_further_clauses_rank_among_the_other_articles_discounted(assistant):
    retriever = assistant.retriever
    plan = planning.build("How high can GDPR fines go?", assistant.library, tuning=retriever.tuning)
    kinds = planning.kind_weights(plan, retriever.tuning)
    fused, _ = retriever.fuse(plan, [(plan.question, 1.0)], plan.weights, kinds)
    units = retriever.index.units

    def articles_in_order(r):
        return [units[row].article for row, _ in r.rank(fused, r.tuning.repeat_discount)]

    def first_repeat(order):
        return next(i for i, art in enumerate(order) if art in order[:i])

    flat = articles_in_order(Retriever(assistant.library, retriever.index,
                                       replace(DEFAULT, repeat_discount=0.0, referred_share=0.0)))
    assert first_repeat(flat) == len(set(flat))  # every article once before any twice
    discounted = articles_in_order(retriever)
    assert first_repeat(discounted) < 5 and discounted[:5].count(discounted[0]) >= 2


@pytest.mark.parametrize("question, doc, ref", [
    ("in a sentence, what was the commission's 2021 ai proposal supposed to achieve?", PROPOSAL, "Recital 1"),
    ("Quel est l'objectif du projet de règlement sur l'IA de 2021 ?", PROPOSAL, "Recital 1"),
    ("what's the goal of the 2024 ai act?", FINAL, "Art. 1"),
])
def test_what_an_act_is_for_is_answered_by_its_statement_of_purpose(assistant, question, doc, ref):
    # the draft states its purpose in Recital 1 (its Art. 1 lists what it lays down); written for this test
    hits = [(h.doc, h.ref) for h in assistant.retrieve(question, k=5)]
    assert any(d == doc and (r == ref or r.startswith(ref + "(")) for d, r in hits), hits


@pytest.mark.parametrize("question, expected", [
    ("when do the ai act rules actually kick in? the draft said 24 months", [(PROPOSAL, "Art. 85"), (FINAL, "Art. 113")]),
    ("When did the GDPR start to apply?", [(GDPR, "Art. 99")]),
])
def test_when_an_act_applies_is_answered_by_its_article_on_application(assistant, question, expected):
    # not by the transitional articles on systems already on the market (proposal Art. 83, Act
    # Art. 111), which share its words and ranked first
    assert articles(assistant.retrieve(question, k=10), len(expected)) == expected


def test_a_comparison_searches_both_versions(assistant):
    hits = assistant.retrieve("Is emotion recognition at work banned in the final act? How was it treated in the proposal?")
    assert {h.doc for h in hits[:4]} == {FINAL, PROPOSAL}
    # the ban in the workplace (Art. 5(1)(f)): emotion recognition "at work" reads as the workplace in
    # the glossary again (a bare "at work" entry had gone; this one needs moods or emotions beside it)
    assert (FINAL, "Art. 5") in articles(hits, 8)


def test_gdpr_vocabulary_is_not_mistaken_for_the_impact_assessment(assistant):
    weights = planning.build("When is a data protection impact assessment mandatory?", assistant.library).weights
    assert "impact-assessment-swd-2021-84-part1" not in weights or weights[GDPR] >= 1.0
    hits = assistant.retrieve("When is a data protection impact assessment mandatory?", k=5)
    assert (GDPR, "Art. 35") in articles(hits, 3)


def test_follow_up_uses_the_conversation(assistant):
    earlier = "What's the deadline for notifying a personal data breach under GDPR?"
    plan = planning.build("And if we're only the processor?", assistant.library, history=[(earlier, None)])
    assert plan.follow_up and earlier in plan.context
    hits = assistant.retriever.search(plan, k=10)
    assert (GDPR, "Art. 33") in articles(hits, 5)


def test_langchain_retriever(assistant):
    retriever = HybridRetriever(retriever=assistant.retriever, k=5, documents=[GDPR])
    documents = retriever.invoke("Can I withdraw my consent?")
    assert len(documents) == 5 and all(d.metadata["doc"] == GDPR for d in documents)
    assert {"doc", "ref", "label", "score", "url", "how", "kind"} <= set(documents[0].metadata)
    hits = hits_from_documents(documents)
    assert hits[0].text == assistant.library.get(hits[0].doc, hits[0].ref).text
    assert (GDPR, "Art. 7") in articles(hits, 3)


def test_the_whole_corpus_index_reopens_without_rebuild(assistant):
    index = ClauseIndex(assistant.library, assistant.settings).open(progress=False)
    assert not index.built
    assert index.name == assistant.retriever.index.name
    assert index.collection.count() == len(index.embedded)  # reopen time: bench/benchmark.py


@pytest.mark.parametrize("question, area, docs", [
    # no version named: the draft's list, as asked, and the adopted Act's beside it
    ("is it high risk when a bank's ai works out my credit score?", "Annex III(5)", [PROPOSAL, FINAL]),
    ("is a tool that filters job applications high-risk under the draft?", "Annex III(4)", [PROPOSAL]),
    ("our college wants ai to mark the exam papers. would that be high risk?", "Annex III(3)", [PROPOSAL, FINAL]),
    ("are systems that help decide asylum applications high-risk?", "Annex III(7)", [PROPOSAL, FINAL]),
])
def test_a_use_asked_about_in_everyday_words_meets_its_point_of_the_high_risk_list(assistant, question, area, docs):
    found = [h for h in assistant.retrieve(question, k=10) if h.how == "classification"]
    assert [(h.doc, h.ref.startswith(area + "(")) for h in found] == [(doc, True) for doc in docs], found


def test_a_practice_asked_about_meets_its_point_of_the_prohibitions_in_the_version_asked(assistant):
    found = [h for h in assistant.retrieve("is emotion recognition at work banned under the final AI act?", k=10)
             if h.how == "classification"]
    assert [(h.doc, h.ref) for h in found] == [(FINAL, "Art. 5(1)(f)")]
    # A comparison of the versions is answered by the aligned pair, not by each version's nearest point
    # (tune: 4 more comparisons with all key facts without it, none fewer).
    assert not [h for h in assistant.retrieve("is emotion recognition at work still banned in the final act?", k=10)
                if h.how == "classification"]
    # In everyday words: the point's own words decide, not the opening every point shares ("faces" and
    # "cameras" had put the ban on scraping faces, 5(1)(e), nearest)
    found = [h for h in assistant.retrieve("my boss wants cameras that read our faces to see if we look happy or "
                                           "stressed at work. is that banned under the final AI act?", k=10)
             if h.how == "classification"]
    assert [(h.doc, h.ref) for h in found] == [(FINAL, "Art. 5(1)(f)")]


def test_list_items_are_told_apart_by_what_follows_their_shared_opening():
    items = ["the use of an AI system that scores people", "the use of an AI system that reads moods",
             "the use of an AI system that scrapes faces", "real-time identification, unless"]
    assert told_apart(items) == ["scores people", "reads moods", "scrapes faces", "real-time identification, unless"]
    assert told_apart(["AI systems for credit", "biometric systems", "border control"]) == \
        ["AI systems for credit", "biometric systems", "border control"]


@pytest.mark.parametrize("question, doc, articles", [
    # everyday words for the GDPR's notions (corpus/glossary.json, corpus/aliases.json, the plan's GDPR words)
    ("can i make a company tell me what info they hold about me?", "gdpr", {"Art. 15"}),
    ("a bank that uses an ai system to score loans - what does the bank itself have to do?",
     "ai-act-proposal-2021", {"Art. 29"}),
    # written after the fourth tune batch (tune4-*) as other users' words for the same notions
    ("I agreed to their newsletter but I've changed my mind, what now?", "gdpr", {"Art. 7"}),
    ("can I claim compensation after a hospital lost my records?", "gdpr", {"Art. 82"}),
    ("can I take my listening history with me when I switch to another music service?", "gdpr", {"Art. 20"}),
    # switching apps, and switching away from one's own (written for this test)
    ("switching from my meal planner app to a new one - can i make them send my saved recipes across?", "gdpr", {"Art. 20"}),
    ("we are a small company with 40 employees, do we need to keep records of processing?", "gdpr", {"Art. 30"}),
    ("a computer rejected my insurance claim with no human involved, is that allowed?", "gdpr", {"Art. 22"}),
    # "purely by computer", "no person ever looking at it": the same notion, and not Art. 2's "purely personal"
    ("can my insurer refuse a claim purely by computer, with no person ever looking at it?", "gdpr", {"Art. 22"}),
    ("the insurer says an ai rated me as high risk. can i ask for a human to look at it again?", "gdpr", {"Art. 22"}),
    # written for this test: "refused automatically", "nobody even reviewed it" (everyday words added after tune73)
    ("my health insurer refused my claim automatically and nobody even reviewed it. what are my rights?", "gdpr",
     {"Art. 22"}),
    # asking for "all that", "whatever they like": more data than needed (written for this test)
    ("my new gym asks for my payslips and my partner's phone number. can they ask for whatever they want?",
     "gdpr", {"Art. 5"}),
    # a record that leaves something out is incomplete data to be completed (rectification, Art. 16)
    ("the clinic's notes on me leave out that the diagnosis was later withdrawn. can i get that added?",
     "gdpr", {"Art. 16"}),
    # the legal grounds for processing are its lawfulness (Art. 6's heading), not Art. 9's special categories
    ("on what legal grounds can my gym use the data it collects about me?", "gdpr", {"Art. 6"}),
    # the two-person check of a biometric match by its everyday names
    ("in the draft, does a face recognition hit have to be double checked by 2 people before police act?",
     "ai-act-proposal-2021", {"Art. 14"}),
    # asking to have a decision explained is asking for "meaningful information about the logic involved"
    ("the bank's scoring software refused my credit card. can i make them explain how it decided?", "gdpr",
     {"Art. 13", "Art. 14", "Art. 15"}),
    # a blind tune question (tune8-every-*) the recital bridge brought in: Recital 39 -> Art. 13(2)
    ("when a shop takes my details at the till, are they meant to tell me how long they will hang on "
     "to them", "gdpr", {"Art. 13"}),
    # written for the principles' and the AI acts' everyday names added after the 28th batch
    ("the app asks for my income and my job just to send me a coupon. can they ask for stuff they dont need?",
     "gdpr", {"Art. 5"}),
    ("which body makes sure companies follow the ai rules in my country? is there an ai regulator?",
     "ai-act-proposal-2021", {"Art. 59", "Art. 63"}),  # national competent / market surveillance authorities
    ("under the final act, do readers have to be told when news articles were generated by ai?",
     "ai-act-final-2024", {"Art. 50"}),
    # written for this test: a human who can 'get involved' in a machine's decision is GDPR Art. 22(3)
    ("my insurer's computer set my premium. can i get a human involved?", "gdpr", {"Art. 22"}),
    # written for this test: asking whether one talks to a machine or a person is the chatbot duty
    ("on a help line, how can i tell whether i'm typing to a real human or a machine?",
     "ai-act-proposal-2021", {"Art. 52"}),
    # written for this test: whether a notified body is needed, or the provider checks it itself, is
    # the conformity assessment procedure (Art. 43), not the articles on notified bodies themselves
    ("in the draft, can the maker of an ai exam-grading tool just check it themselves or does it need "
     "a notified body?", "ai-act-proposal-2021", {"Art. 43"}),
    # written for this test: moods read at work are the adopted Act's ban in the workplace (Art. 5(1)(f))
    ("HR plans an AI that reads staff emotions in meetings. what does the final AI act say?",
     "ai-act-final-2024", {"Art. 5"}),
    # written for this test: work rated by productivity is the employment use of Annex III(4)(b)
    ("an algorithm decides which drivers get the best routes and rates our productivity. is that high risk "
     "under the draft ai act?", "ai-act-proposal-2021", {"Annex III"}),
    # written for this test: who will enforce the rules is Art. 59's national competent authorities
    ("in each country, who will enforce these ai rules once the draft is adopted?", "ai-act-proposal-2021", {"Art. 59"}),
])
def test_everyday_words_reach_the_operative_article(assistant, question, doc, articles):
    top = [(h.doc, top_level(h.ref)) for h in assistant.retrieve(question, k=5)]
    assert any(d == doc and a in articles for d, a in top), top


@pytest.mark.parametrize("question, doc, paragraph, k", [
    # written for this test: a judge's permission is Art. 5(3)'s prior authorisation; without the glossary's
    # reading, the ban's other paragraphs, the final Act's list and the chatbot duty came first
    ("does a judge have to give permission before police use live facial recognition at a football stadium?",
     PROPOSAL, "Art. 5(3)", 3),
    # written for this test: a processor using the data for its own purposes becomes a controller (Art. 28(10))
    ("our hosting provider began using the customer database for its own purposes. does the gdpr treat it "
     "differently now?", GDPR, "Art. 28(10)", 5),
    # written for this test: a browser setting is the objection by automated means (Art. 21(5))
    ("could i just turn on a setting on my phone so that apps stop using my data, instead of emailing each one?",
     GDPR, "Art. 21(5)", 5),
    # written for this test: a leak's victim asking for money is the GDPR's compensation (Art. 82)
    ("my dentist's booking system leaked my address. can i go after them for it, or get my money back for the "
     "new locks?", GDPR, "Art. 82", 5),
    # written for this test: leaving a mailing list one had agreed to is withdrawing consent (Art. 7(3))
    ("i said yes to a charity's mailing list but unsubscribing needs a phone call. is that allowed?",
     GDPR, "Art. 7(3)", 5),
    # written for this test: a user whose system misbehaves monitors, informs and suspends (Art. 29(4))
    ("the ai we use to sort insurance claims started producing bizarre decisions that could harm people. "
     "can we just carry on using the tool?", PROPOSAL, "Art. 29(4)", 5),
    # written for this test: a list of one's party guests is a purely personal or household activity
    ("my party guest list has everyone's phone numbers and allergies, is that a gdpr problem?",
     GDPR, "Art. 2(2)(c)", 5),
    ("under the final ai act, do i have obligations if i only use image generators as a hobby?",
     "ai-act-final-2024", "Art. 2(10)", 5),
    # written for this test: who sits on a body, a word between, is its structure (Art. 57(1))
    ("so who really sits on the draft's artificial intelligence board?", PROPOSAL, "Art. 57(1)", 5),
    # written for this test: searching stored footage is 'post' remote biometric identification
    ("my shop's archived camera videos were handed to police who ran face matching on them. does the draft ai "
     "regulation cover that?", PROPOSAL, "Annex III(1)(a)", 5),
    # written for this test: whether a listed use is high-risk by itself is Art. 6(2), the Act's way out 6(3)
    ("does a use listed in the draft's annex iii count automatically as high risk?", PROPOSAL, "Art. 6(2)", 5),
    ("under the 2024 act, is a hiring tool in annex iii exempt from being classed as high risk if it only "
     "sorts files?", "ai-act-final-2024", "Art. 6(3)", 5),
    # written for this test: the legal grounds for processing are Art. 6(1)'s list, not Art. 9(2)'s exceptions
    ("list the lawful grounds for processing personal data in the gdpr", GDPR, "Art. 6(1)", 5),
    # written for this test: a toy or app exploiting children or the elderly into harm is the ban of Art. 5(1)(b),
    # not the subliminal techniques of 5(1)(a), which came first
    ("my daughter's ai doll keeps daring her to do dangerous things on the stairs. would the draft regulation "
     "ban a product like that?", PROPOSAL, "Art. 5(1)(b)", 1),
    ("could an ai app take advantage of elderly people to talk them into risky decisions that hurt them?",
     PROPOSAL, "Art. 5(1)(b)", 5),
    # written for this test: a doll or teddy egging a child on to danger is the same ban; a service refused
    # unless one agrees is consent made a condition of it (GDPR Art. 7(4))
    ("the teddy bear my nephew got for christmas talks to him and urges him to try dangerous tricks. would the "
     "draft ai regulation stop toys like that?", PROPOSAL, "Art. 5(1)(b)", 5),
    ("the game won't let us play unless we accept that our location goes to advertisers. is that allowed under "
     "the gdpr?", GDPR, "Art. 7(4)", 5),
    # written for this test: taking one's data to a competitor or rival is portability (GDPR Art. 20)
    ("can i take my listening history from this streaming service to a rival?", GDPR, "Art. 20(1)", 5),
    # written for this test: fingerprints read at a door are biometric data, a special category (GDPR Art. 9(1))
    ("our office wants a thumbprint reader at the door instead of badges. anything special under the gdpr?",
     GDPR, "Art. 9(1)", 3),
    # written for this test: a country with no adequacy decision is Art. 46(1)'s transfer on appropriate safeguards
    ("our cloud host sits in a country the commission never gave an adequacy decision. can we still send "
     "customer data there under the gdpr?", GDPR, "Art. 46(1)", 3),
    # written for this test: a local council is a public authority, not the Council of the EU's legislation
    # (Annex II's Council Directives); without that reading the listed public benefits were not in the five
    ("our borough council plans to let an algorithm decide who keeps receiving welfare payments. does the draft "
     "ai regulation cover that?", PROPOSAL, "Annex III(5)(a)", 5),
    ("the county council wants to use ai to decide on housing allowance claims. which rules of the proposal apply?",
     PROPOSAL, "Annex III(5)", 5),
    # written for this test: whether one had to be told that an AI system decided is the deployer's duty to
    # inform the persons subject to it (the final Act's Art. 26(11)), not found without the glossary's reading
    ("a hospital used an algorithm to decide my treatment priority. under the 2024 ai act, were they obliged to "
     "inform me about it?", FINAL, "Art. 26(11)", 5),
    ("my insurer's ai system set my premium. under the regulation as adopted in 2024, should they have told me?",
     FINAL, "Art. 26(11)", 5),
])
def test_everyday_words_reach_the_operative_paragraph(assistant, question, doc, paragraph, k):
    """Where the article alone would not tell (Art. 5 or 28 is found either way), the paragraph that answers."""
    refs = [(h.doc, h.ref) for h in assistant.retrieve(question, k=k)]
    assert any(d == doc and ref.startswith(paragraph) for d, ref in refs), refs  # its points and subparagraphs too


def test_a_two_person_check_of_a_biometric_match_is_found_in_both_versions(assistant):
    # written for this test: Art. 14(5) names the systems only as "point 1(a) of Annex III", never "biometric"
    refs = [(h.doc, h.ref) for h in assistant.retrieve(
        "did the final ai act keep the draft's rule that a biometric identification match has to be confirmed by "
        "two people before anyone acts on it?", k=5)]
    assert {(PROPOSAL, "Art. 14(5)"), ("ai-act-final-2024", "Art. 14(5)")} <= set(refs), refs


def test_logging_is_the_record_keeping_of_high_risk_systems(assistant):
    # written for this test: logging is Art. 12's automatic recording of events, not Art. 20's keeping of logs
    answer = assistant.ask("is logging something a high-risk system has to be built with, under the commission's 2021 text?")
    assert (answer.citations[0].doc, answer.citations[0].ref.split("(")[0]) == (PROPOSAL, "Art. 12"), answer.text


def test_data_contested_and_kept_in_use_meanwhile_is_a_restriction(assistant):
    # written for this test: Art. 18(1)(a), processing restricted while the accuracy is checked
    answer = assistant.ask("I disputed the salary figure my landlord's agency holds on me. Can they go on processing "
                           "it while they look into it?")
    assert (GDPR, "Art. 18") in [(c.doc, top) for c in answer.citations for top in [c.ref.split("(")[0]]], answer.text


def test_those_the_data_were_shared_with_are_the_recipients(assistant):
    # written for this test: Art. 19, each recipient told of a rectification; Art. 16 and 17 had come alone
    answer = assistant.ask("My insurer corrected my address at my request. Must it also let the firms it sent my "
                           "file to know about the correction?")
    assert (GDPR, "Art. 19") in [(c.doc, c.ref) for c in answer.citations], answer.text


def test_a_processor_bringing_in_a_subcontractor_is_answered_with_the_controllers_authorisation(assistant):
    # written for this test: Art. 28(2); the answers had quoted Art. 28(1)/(4) and Art. 30 without it
    answer = assistant.ask("the firm that processes our payroll data wants to pass some of the work to a "
                           "subcontractor. can it do that without our ok?")
    assert (GDPR, "Art. 28(2)") in [(c.doc, c.ref) for c in answer.citations], answer.text


@pytest.mark.parametrize("question", [
    # written for this test: ads sent or targeted at a person, asked to stop, are GDPR Art. 21(2)-(3)
    "my phone company keeps sending me offers for upgrades. how do i get them to quit?",
    "a retailer shows me targeted ads based on my loyalty card. can i opt out of that?",
])
def test_ads_sent_or_targeted_are_direct_marketing(assistant, question):
    refs = [(h.doc, h.ref) for h in assistant.retrieve(question, k=5)]
    assert any(d == GDPR and ref.startswith("Art. 21") for d, ref in refs), refs


def test_a_service_on_condition_of_a_yes_is_consent_not_freely_given(assistant):
    # written for this test: GDPR Art. 7(4), a service made conditional on consent it does not need
    refs = [(h.doc, h.ref) for h in assistant.retrieve(
        "the gym will only give me a membership if i agree to them selling my details. is my yes worth anything?", k=5)]
    assert any(d == GDPR and ref.startswith("Art. 7") for d, ref in refs), refs


def test_data_kept_correct_unasked_is_the_accuracy_principle(assistant):
    # written for this test: Art. 5(1)(d), a duty of the controller, not the right to rectification it is asked for
    refs = [(h.doc, h.ref) for h in assistant.retrieve(
        "my gym still has my old phone number. shouldn't they update it themselves without me asking?", k=5)]
    assert (GDPR, "Art. 5(1)(d)") in refs, refs


def test_the_part_an_ai_played_in_a_decision_is_the_final_acts_explanation(assistant):
    # written for this test: Art. 86(1), the role of the AI system in the decision-making procedure
    refs = [(h.doc, h.ref) for h in assistant.retrieve(
        "the 2024 ai act: my insurer refused my claim with some software involved. can i learn what role the "
        "software had?", k=5)]
    assert any(d == FINAL and ref.startswith("Art. 86") for d, ref in refs), refs


@pytest.mark.parametrize("question, doc, article", [
    # written for this test: a controller outside the Union designates a representative in it (GDPR Art. 27);
    # a provider outside it appoints an authorised representative (proposal Art. 25)
    ("a chinese shopping site with no branch in europe tracks what i buy. who do i write to over here?", GDPR, "Art. 27"),
    ("we make ai hiring software in india. under the draft, must we have someone established in the eu?",
     PROPOSAL, "Art. 25"),
])
def test_someone_in_the_union_for_a_firm_outside_it_is_its_representative(assistant, question, doc, article):
    refs = [(h.doc, h.ref) for h in assistant.retrieve(question, k=5)]
    assert any(d == doc and ref.startswith(article) for d, ref in refs), refs


def test_a_point_found_only_by_its_chapeau_stands_for_its_paragraph(assistant):
    # written for this test: 83(5)(b), the data subjects' rights, was found by its paragraph's "shall be
    # subject to administrative fines up to 20 000 000 EUR" (indexed with it) and shares no word with the question.
    # Art. 83's three ceilings (4), (5), (6) score within 0.02 of each other, so which of them comes second
    # or third in the article (and takes the repeat discount once or twice) is not stable: on a fresh
    # environment of 2026-12-04 83(5) came 6th, not in the first 5. What this test guards is that the
    # point never stands in for its paragraph, and that the answer quotes the paragraph.
    question = "how high can a gdpr fine get for a company?"
    refs = [(h.doc, h.ref) for h in assistant.retrieve(question, k=10)]
    assert (GDPR, "Art. 83(5)") in refs and not any(r.startswith("Art. 83(5)(") for _, r in refs), refs
    assert (GDPR, "Art. 83(5)") in [(c.doc, c.ref) for c in assistant.ask(question).citations]


def test_the_paragraph_whose_own_words_answer_leads_its_article(assistant):
    # written for this test: Art. 29(5)'s first subparagraph is the users' duty to keep the logs; its second
    # (credit institutions) is indexed with that line and shorter, and alone had come before any other
    refs = [h.ref for h in assistant.retrieve("how long must a user of a high-risk ai system keep its logs under "
                                              "the draft?", k=5)]
    later = "Art. 29(5), second subparagraph"
    assert "Art. 29(5)" in refs and refs.index("Art. 29(5)") < (refs.index(later) if later in refs else 5), refs


@pytest.mark.parametrize("question", [
    # written for this test: a team counted in words is a small company (proposal Art. 55, SMEs)
    "we are just four of us making a chatbot. does the draft do anything for outfits our size?",
    "tiny firm here, building ai for dentists. any breaks for us in the 2021 proposal?",
])
def test_a_team_counted_in_words_is_a_small_company(assistant, question):
    refs = [(h.doc, top_level(h.ref)) for h in assistant.retrieve(question, k=5)]
    assert (PROPOSAL, "Art. 55") in refs, refs


@pytest.mark.parametrize("question, processor", [
    # written for this test: a household's supplier is the controller one leaves, not a processor
    ("switching gas supplier, can my usage history go with me?", False),
    ("we switched to another phone supplier. can the old one send our data straight over?", False),
    ("our IT supplier stores our customer files. what contract do we need?", True),
])
def test_a_households_supplier_is_no_processor(question, processor):
    from assistant.retrieval import legal_wording

    read = legal_wording(question)
    assert any("processor" in m for m in read) is processor, read
    assert processor or any("data portability" in m for m in read), read


@pytest.mark.parametrize("question", [
    # written for this test: where the data would go, named as a country, is what makes it a transfer
    "we'd like to host our client files on servers located in india, is that a problem?",
    "our payroll contractor in the US wants a copy of our staff list. can we just send it?",
])
def test_data_kept_by_a_server_or_contractor_in_a_named_country_is_a_transfer(assistant, question):
    top = [(h.doc, top_level(h.ref)) for h in assistant.retrieve(question, k=3)]
    assert any(d == GDPR and a in {"Art. 44", "Art. 45", "Art. 46"} for d, a in top), top


@pytest.mark.parametrize("question", [
    "is there a limit on how long an online shop can store my order history?",
    "how long may my old landlord hold on to a copy of my passport?",
    "how long can my old bank records be kept by the bank?",  # the past participle too
])
def test_how_long_data_may_be_kept_is_storage_limitation_not_a_notification_deadline(assistant, question):
    """"how long" reads as a deadline ("without undue delay", "hours", "days"), which led 8 of 11
    tune questions on keeping data with Art. 33's 72 hours for reporting a breach; keeping data
    for how long is the storage limitation principle (corpus/glossary.json)."""
    hits = assistant.retrieve(question, k=5)
    assert (hits[0].doc, top_level(hits[0].ref)) == (GDPR, "Art. 5"), articles(hits)
    assert (GDPR, "Art. 33") not in articles(hits, 3)


def test_how_long_reaches_a_period_counted_in_years(assistant):
    """"How long" reads as the acts' time words; years are one of them ("which shall not exceed five
    years"), not only hours, days and months."""
    hits = assistant.retrieve("for how long does a notified body's certificate stay valid under the draft?", k=5)
    assert (PROPOSAL, "Art. 44(2)") in [(h.doc, h.ref) for h in hits], articles(hits)


def test_every_language_has_the_glossary_in_its_own_everyday_words():
    import json

    from assistant.i18n import locale
    from assistant.retrieval import GLOSSARY_PATH, glossary
    from evals.questions_i18n import LANGUAGES

    english = list(dict.fromkeys(e["means"] for e in json.loads(GLOSSARY_PATH.read_text("utf-8"))["entries"]))
    for lang in LANGUAGES:
        table = locale(lang)["glossary"]
        assert list(table) == english and all(table.values()), lang  # every entry, in the English order
        assert [means for _, means in glossary(lang)] == english, lang


@pytest.mark.parametrize("lang, text, means", [
    # written for this test, not taken from the eval questions
    ("fr", "Est-ce que je peux poursuivre l'entreprise en justice ?", "judicial remedy"),
    ("de", "Kann ich die Firma verklagen?", "judicial remedy"),
    ("pl", "Czy mogę pozwać tę firmę?", "judicial remedy"),
    ("nl", "Mag mijn werkgever met camera's mijn emoties herkennen?", "emotion recognition"),
    ("pl", "Czy pracodawca może odczytywać emocje pracowników kamerą?", "emotion recognition"),
    ("es", "¿Quieren borrar mis datos?", "right to erasure"),
    ("it", "Voglio che cancellino i miei dati", "right to erasure"),
    ("pt", "Quero que apaguem os meus dados", "right to erasure"),
    ("es", "¿Qué pasa si una máquina decide sobre mi préstamo?", "automated processing"),
    ("pl", "Mój szef chce, żebyśmy wszyscy przeszli szkolenie z AI", "AI literacy"),
    ("fr", "Peuvent-ils m'expliquer comment le logiciel a décidé ?", "logic involved"),
    ("de", "Darf unser Cloud-Anbieter einen Subunternehmer mit unseren Kundendaten beauftragen?", "engage another processor"),
    ("pl", "Czy nasz dostawca chmury może zatrudnić podwykonawcę do danych klientów?", "engage another processor"),
    ("es", "¿Pueden decirme a quién han vendido mis datos?", "recipients to whom"),
    ("de", "Muss die Bank alle informieren, an die sie meine Adresse weitergegeben hat?", "recipients to whom"),
    ("it", "Hanno sbagliato il mio indirizzo: possono continuare a usarlo nel frattempo?", "restriction of processing"),
    ("nl", "Mijn adres klopt niet. Mogen ze het ondertussen blijven gebruiken?", "restriction of processing"),
    ("fr", "Cette appli n'a aucun bureau en Europe : qui contacter ?", "representative in the Union"),
    ("pl", "Ta firma nie ma biura w UE. Do kogo mam się zwrócić?", "representative in the Union"),
    ("nl", "Moeten we iemand in de EU aanwijzen die voor ons optreedt?", "representative in the Union"),
    ("de", "Welche Rolle hat die KI bei der Ablehnung meines Kredits gespielt?", "role of the AI system"),
    ("es", "¿Qué papel tuvo el algoritmo en la decisión sobre mi ayuda?", "role of the AI system"),
    ("fr", "La banque doit-elle corriger mon adresse périmée de sa propre initiative ?", "principle of accuracy"),
    ("nl", "Moet de verzekeraar mijn oude adres bijwerken, ook als ik er niet om vraag?", "principle of accuracy"),
    ("de", "Der Online-Shop schickt mir ständig Werbung. Kann ich das verbieten?", "direct marketing"),
    ("it", "Posso impedire le pubblicità mirate basate sui miei acquisti?", "direct marketing"),
    ("pl", "Sklep pozwala założyć konto tylko, jeśli zgodzę się na profilowanie. Czy to legalne?", "consent freely given"),
    ("nl", "Ik mag de app alleen gebruiken als ik akkoord ga met tracking. Mag dat?", "consent freely given"),
    ("fr", "Puis-je refuser le pistage une fois pour toutes dans les paramètres de mon navigateur ?", "by automated means"),
    ("de", "Reicht eine Einstellung im Browser, um der Nutzung meiner Daten zu widersprechen?", "by automated means"),
    ("pl", "Czy wystarczy ustawienie w przeglądarce, żeby się sprzeciwić?", "by automated means"),
    ("de", "Unsere KI liefert seit gestern seltsame Ergebnisse. Dürfen wir sie weiter nutzen?", "suspend the use"),
    ("nl", "Onze AI geeft ineens rare uitkomsten. Moeten we stoppen met het gebruik?", "suspend the use"),
    ("pl", "Czy Komisja nadal przewodniczy temu komitetowi?", "chaired by"),
    ("nl", "Wie wordt de voorzitter van het toezichthoudende comité?", "chaired by"),
    ("de", "Wer hat im Ausschuss den Vorsitz?", "chaired by"),
    # the object before the verb, or words between them, as Polish word order has it
    ("pl", "Czy firma musi swoich pracowników, nawet stażystów, przeszkolić z tych narzędzi?", "AI literacy"),
    ("pl", "Czy musimy przeszkolić z AI naszych pracowników?", "AI literacy"),
    ("de", "Eine App nutzt die Schwäche älterer Menschen aus. Ist das verboten?", "exploits any of the vulnerabilities"),
    ("pl", "Zabawka namawia moje dziecko do niebezpiecznych zabaw. Czy to legalne?", "exploits any of the vulnerabilities"),
    ("it", "Un robot giocattolo spinge i bambini a fare cose pericolose: è vietato?", "exploits any of the vulnerabilities"),
    ("fr", "La poupée parlante de ma nièce la pousse à faire des choses dangereuses.", "exploits any of the vulnerabilities"),
    ("de", "Der Teddy meines Neffen stiftet ihn zu gefährlichen Mutproben an.", "exploits any of the vulnerabilities"),
    ("es", "La aplicación no me deja entrar a menos que acepte compartir mis contactos.", "consent freely given"),
    ("nl", "De app laat me niet inloggen tenzij ik akkoord ga met het delen van mijn contacten.", "consent freely given"),
    ("it", "Posso spostare i miei allenamenti su un'app concorrente?", "data portability"),
    ("pl", "Chcę zabrać treningi z jednej aplikacji do konkurencyjnej.", "data portability"),
    ("de", "Kann ich meine Laufstrecken zu einem Konkurrenten mitnehmen?", "data portability"),
    ("fr", "Mon employeur veut installer un lecteur d'empreintes digitales pour pointer.", "biometric data"),
    ("nl", "De sportschool wil met vingerafdrukken werken bij de ingang. Mag dat?", "biometric data"),
    ("de", "Für das Land gibt es keinen Angemessenheitsbeschluss. Dürfen wir trotzdem Daten dorthin schicken?",
     "in the absence of a decision"),
    ("es", "¿Y si ese país no tiene una decisión de adecuación?", "in the absence of a decision"),
    ("nl", "Onze gemeente laat een algoritme fraude met uitkeringen opsporen.", "public authorities"),
    ("es", "¿Puede el ayuntamiento puntuar a los vecinos con IA?", "public authorities"),
    ("fr", "L'assureur a fixé ma prime avec une IA. Aurait-il dû me le dire ?", "shall inform the natural persons"),
    ("pl", "Urząd przyznał zasiłek przez algorytm. Czy musiał mnie o tym poinformować?", "shall inform the natural persons"),
    ("nl", "Het ziekenhuis gebruikte een algoritme. Hadden ze me dat moeten vertellen?", "shall inform the natural persons"),
])
def test_another_languages_everyday_words_get_the_same_legal_wording(lang, text, means):
    from assistant.retrieval import english_reading, legal_wording

    assert any(means in m for m in legal_wording(text, lang)), legal_wording(text, lang)
    assert means in english_reading(text, lang) and english_reading(text.lower(), "en") == ""


@pytest.mark.parametrize("lang, keep, answer", [
    # written for this test: how long data may be kept, then how long someone has to answer
    ("fr", "Combien de temps peuvent-ils conserver mes données ?", "Combien de temps ont-ils pour répondre ?"),
    ("de", "Wie lange darf die Firma meine Daten speichern?", "Wie lange hat die Firma Zeit für die Antwort?"),
    ("es", "¿Cuánto tiempo pueden guardar mis datos?", "¿Cuánto tiempo tienen para responder?"),
    ("it", "Quanto tempo possono conservare i miei dati?", "In quanto tempo devono rispondere?"),
    ("pl", "Jak długo mogą przechowywać moje dane?", "Jak długo mają na odpowiedź?"),
    ("nl", "Hoe lang mogen ze mijn gegevens bewaren?", "Hoe lang hebben ze om te antwoorden?"),
    ("pt", "Quanto tempo podem guardar os meus dados?", "Quanto tempo têm para responder?"),
])
def test_another_languages_how_long_data_is_kept_is_not_a_deadline(lang, keep, answer):
    """As in English (corpus/glossary.json): the deadline words of every locale had read keeping
    data as a time limit, and the translated tune question on it led with Art. 33 in 4 languages."""
    from assistant.retrieval import legal_wording

    assert any("storage limitation" in m for m in legal_wording(keep, lang)), legal_wording(keep, lang)
    assert not any("without undue delay" in m for m in legal_wording(keep, lang)), legal_wording(keep, lang)
    assert any("without undue delay" in m for m in legal_wording(answer, lang)), legal_wording(answer, lang)


@pytest.mark.parametrize("question, doc, articles, n", [
    # written for this test; without the locales' glossaries none of these is in the top n (the
    # breach notice to the people affected was 4th, after the DPIA, portability and processors)
    ("Czy mogę pozwać firmę, która zgubiła moje dane?", GDPR, {"Art. 77", "Art. 79", "Art. 82"}, 5),
    ("A empresa teve uma fuga de dados. Tem de avisar os clientes?", GDPR, {"Art. 33", "Art. 34"}, 2),
    ("Moja szkoła używa chatbota. Czy musi powiedzieć, że to nie człowiek?", PROPOSAL, {"Art. 52"}, 5),
    ("Mes données sont envoyées hors de l'UE, est-ce permis ?", GDPR, {"Art. 44", "Art. 45", "Art. 46"}, 5),
])
def test_another_languages_everyday_words_reach_the_operative_article(assistant, question, doc, articles, n):
    top = [(h.doc, top_level(h.ref)) for h in assistant.retrieve(question, k=n)]
    assert any(d == doc and a in articles for d, a in top), top


@pytest.mark.parametrize("question, point", [
    ("Ist ein KI-System, das die Kreditwürdigkeit von Verbrauchern bewertet, hochriskant?", "Annex III(5)(b)"),
    ("Un logiciel d'IA qui trie les CV des candidats est-il à haut risque ?", "Annex III(4)(a)"),
    ("Czy system AI oceniający uczniów na egzaminach jest systemem wysokiego ryzyka?", "Annex III(3)(b)"),
    ("Is een AI-systeem dat sollicitanten selecteert een systeem met een hoog risico?", "Annex III(4)(a)"),
])
def test_another_languages_use_meets_the_listed_use_in_its_own_model(assistant, question, point):
    """The listed use nearest a question in another language is found with multilingual-e5 (MiniLM,
    which reads English only, chose Annex III(8)(a) or (6)(e) for three of these)."""
    found = [(h.doc, h.ref) for h in assistant.retriever.search(question, 10) if h.how == "classification"]
    # no version named: the draft's point, then the adopted Act's in the same area beside it
    assert found[0] == (PROPOSAL, point) and [doc for doc, _ in found] == [PROPOSAL, FINAL], found
    assert found[1][1].startswith(point.rsplit("(", 1)[0] + "("), found


@pytest.mark.parametrize("text, kept, dropped", [
    # French short words and a reference word naming nothing ("un article de journal") are no English
    ("Un article de journal dit que le GDPR interdit les caméras, c'est vrai ?", {"gdpr", "journal"},
     {"articl", "de", "le", "un", "c"}),
    # the pieces of an accented word ("für" -> "f", "r") are not read as words
    ("Was gilt für Article 5 paragraph 2 und Annex III point (b)?", {"articl", "5", "paragraph", "2", "annex", "iii",
                                                                     "point", "(b)"}, {"f", "r", "und"}),
    ("Czy Annex I dotyczy AI w art. 22 RODO?", {"annex", "ai", "articl", "22", "rodo"}, {"w"}),
])
def test_bm25_reads_of_another_languages_question_what_english_can_read(text, kept, dropped):
    from assistant.index import tokenize
    from assistant.retrieval import lexical_text

    tokens = set(tokenize(lexical_text(text)))
    assert kept <= tokens and not dropped & tokens


def test_a_recital_lends_part_of_its_score_to_the_articles_it_explains(assistant):
    retriever = assistant.retriever
    units = retriever.index.units
    recital = next(i for i, u in enumerate(units) if u.doc == GDPR and u.ref == "Recital 71")
    explained = retriever.recital_bridge[recital]
    # the recital on decisions based solely on automated processing explains Art. 22, in its own act
    assert "Art. 22" in {top_level(units[row].ref) for row in explained}
    assert all(units[row].doc == GDPR and not units[row].ref.startswith("Recital") for row in explained)
    lent = retriever.bridged({recital: 1.0})
    assert all(lent[row] == pytest.approx(DEFAULT.recital_bridge) for row in explained)
    off = Retriever(assistant.library, retriever.index, replace(DEFAULT, recital_bridge=0.0))
    assert off.bridged({recital: 1.0}) == {recital: 1.0}


ENGLISH_EVERYDAY = "my boss put an app on our laptops that watches how fast we type. is that allowed"


def test_english_questions_are_ranked_by_e5_too_once_its_vectors_exist(assistant):
    """e5's nearest units of an English question enter the fused ranking as a third source, units
    MiniLM and BM25 did not find among them."""
    retriever = assistant.retriever
    assert retriever.ready_multilingual() is retriever.multilingual  # built by the fixture
    plan = planning.build(ENGLISH_EVERYDAY, assistant.library, tuning=retriever.tuning)
    kinds = planning.kind_weights(plan, retriever.tuning)
    with_e5, _ = retriever.fuse(plan, [(plan.question, 1.0)], plan.weights, kinds)
    without = Retriever(assistant.library, retriever.index, replace(retriever.tuning, english_e5_weight=0.0))
    without_e5, _ = without.fuse(plan, [(plan.question, 1.0)], plan.weights, kinds)
    from assistant.retrieval import multilingual_vector
    nearest = [row for row, _ in retriever.multilingual.dense(multilingual_vector(plan.question), 10,
                                                            sorted(d for d, w in plan.weights.items() if w > 0))]
    assert all(with_e5.get(row, 0) > 0 for row in nearest)
    assert any(row not in without_e5 for row in nearest), "e5 found no unit that MiniLM and BM25 missed"


def test_english_questions_never_wait_for_the_multilingual_vectors(assistant, tmp_path):
    """Where the e5 vectors are not built yet (the web UI builds them after it starts), an English
    question is searched with MiniLM and BM25 as before, and nothing is built for it."""
    index = ClauseIndex.__new__(ClauseIndex)
    index.__dict__.update(assistant.retriever.index.__dict__)
    index.settings = replace(assistant.settings, data_dir=tmp_path)
    retriever = Retriever(assistant.library, index, DEFAULT)
    assert retriever.ready_multilingual() is None
    hits = retriever.search(ENGLISH_EVERYDAY, k=5)
    expected = Retriever(assistant.library, assistant.retriever.index,
                         replace(DEFAULT, english_e5_weight=0.0)).search(ENGLISH_EVERYDAY, k=5)
    assert [(h.doc, h.ref) for h in hits] == [(h.doc, h.ref) for h in expected]
    assert not (tmp_path / "multilingual").exists()


def test_an_articles_first_paragraph_counts_a_little_more_for_an_english_question(assistant):
    """The first paragraph states an article's rule (GDPR Art. 9(1) the ban on special categories,
    Art. 9(4) the national conditions that share its words): it weighs ``first_paragraph`` more."""
    retriever = assistant.retriever
    rows = {u.ref: i for i, u in enumerate(retriever.index.units) if u.doc == GDPR and u.ref.startswith("Art. 9(")}
    for question, factor in (("can my gym keep data on my health?", DEFAULT.first_paragraph),
                             ("Mon club de sport peut-il garder des données sur ma santé ?", 1.0)):
        plan = planning.build(question, assistant.library, tuning=retriever.tuning)
        kinds = planning.kind_weights(plan, retriever.tuning)
        first = retriever.prior(rows["Art. 9(1)"], plan, plan.weights, kinds)
        fourth = retriever.prior(rows["Art. 9(4)"], plan, plan.weights, kinds)
        assert first == pytest.approx(fourth * factor), plan.language
    assert DEFAULT.first_paragraph > 1.0


@pytest.mark.parametrize("question, doc, best, base", [
    ("i closed my account with an app years ago, can i get them to delete what they still have on me?",
     GDPR, "Art. 17(2)", "Art. 17(1)"),  # "... obliged pursuant to paragraph 1 to erase"
    ("What has to go into a fundamental rights impact assessment under the 2024 AI Act?",
     FINAL, "Art. 27(4)", "Art. 27(1)"),  # "the fundamental rights impact assessment referred to in paragraph 1"
])
def test_the_paragraph_an_articles_best_unit_builds_on_ranks_beside_it(assistant, question, doc, best, base):
    ranked = [h.key() for h in assistant.retrieve(question, k=10)]
    assert ranked[:2] == [(doc, best), (doc, base)]
    plain = Retriever(assistant.library, assistant.retriever.index, replace(DEFAULT, referred_share=0.0))
    assert (doc, base) not in [h.key() for h in plain.search(question, k=2)]


@pytest.mark.parametrize("question", [
    "in its impact assessment, which regulatory option was chosen by the commission and why?",
    "what option did the commission's impact assessment finally recommend for regulating ai?",
    "Welche Option hat die Kommission in ihrer Folgenabschätzung am Ende gewählt?",
])
def test_the_option_an_impact_assessment_chose_is_its_preferred_option(assistant, question):
    """The assessment names its choice "the preferred option" (p. 88, para. 6): an option chosen,
    picked, selected or recommended is read so, in English and in each locale's words (written for this test)."""
    found = [(h.doc, h.ref) for h in assistant.retrieve(question, k=5)]
    assert ("impact-assessment-swd-2021-84-part1", "p. 88, para. 6") in found, found


def test_a_commentarys_summary_lends_its_score_to_the_paragraph_it_restates(assistant):
    retriever = assistant.retriever
    rows = retriever.index.by_id
    opinion = "edpb-edps-joint-opinion-5-2021"
    summary = next(row for row, restates in retriever.summary_bridge.items()
                   if rows[f"{opinion}::Para. 48"] in restates)
    lent = retriever.bridged({summary: 1.0}, recitals=False)
    assert lent[rows[f"{opinion}::Para. 48"]] == pytest.approx(DEFAULT.summary_bridge)
    off = Retriever(assistant.library, retriever.index, replace(DEFAULT, summary_bridge=0.0))
    assert off.bridged({summary: 1.0}, recitals=False).get(rows[f"{opinion}::Para. 48"], 0.0) == 0.0


def test_the_opinions_recommendation_is_found_through_its_summary(assistant):
    """Asked in other words than the opinion's, the analysis paragraph that ends in the recommendation
    is found beside the summary that restates it."""
    opinion = "edpb-edps-joint-opinion-5-2021"
    for question, paragraph in (("which national regulator did the joint opinion say should enforce the AI proposal?",
                                 "Para. 48"),
                                ("what did the EDPB and EDPS ask for on facial recognition in public places?",
                                 "Para. 32")):
        assert (opinion, paragraph) in [(h.doc, h.ref) for h in assistant.retriever.search(question, k=5)]


@pytest.mark.parametrize("question, lang", [
    # written for this test: marking or grading exams is assessing students, in any language
    ("the college lets software grade our coursework now, any eu rules on that?", "en"),
    ("le lycée fait corriger les copies par une IA, est-ce encadré ?", "fr"),
    ("unsere Schule lässt Klausuren von einer KI benoten. Gibt es Regeln dafür?", "de"),
])
def test_marking_exams_is_assessing_students(question, lang):
    from assistant.retrieval import legal_wording

    assert any("assessing students" in m for m in legal_wording(question, lang)), legal_wording(question, lang)
    assert not any("assessing students" in m for m in legal_wording("when are the exam dates this year?", lang))


@pytest.mark.parametrize("question", [
    # written for this test: who chairs a body is the article saying by whom it 'shall be chaired' (Art. 57(3));
    # without the glossary's reading the Board's establishment (Art. 56) or the Commission's Art. 53 was quoted first
    "Under the proposal who was to be the chair of the AI Board, and what did the EDPB-EDPS joint opinion think of that?",
    "in the commission's draft, who would preside over the artificial intelligence board's meetings?",
])
def test_who_chairs_a_body_is_by_whom_it_is_chaired(assistant, question):
    answer = assistant.ask(question)
    first = next(c.ref for c in answer.citations if c.doc == PROPOSAL)  # the draft's article quoted first
    assert first.startswith("Art. 57"), answer.text


def test_a_commentary_paragraph_is_filed_under_the_articles_it_names(assistant):
    """Para. 77 names the proposal's Art. 43 and, without its act, Art. 47 (the proposal's numbering)."""
    retriever, rows = assistant.retriever, assistant.retriever.index.by_id
    assert rows[f"{EDPB}::Para. 77"] in retriever.commentary_bridge[(PROPOSAL, "Art. 47")]
    assert rows[f"{EDPB}::Para. 77"] in retriever.commentary_bridge[(PROPOSAL, "Art. 43")]
    assert all(doc in (PROPOSAL, FINAL, GDPR) for doc, _ in retriever.commentary_bridge)  # acts only


@pytest.mark.parametrize("question, paragraph, k", [
    # written for this test: without the loan from the articles found (Art. 47, Art. 43), Para. 77 came second
    # after the opinion's paragraph on conformity assessment in general, and Para. 37 was not in the five
    ("In their joint opinion, were the EDPB and EDPS worried that authorities could let high-risk AI be sold "
     "before its conformity assessment for reasons of public security?", "Para. 77", 1),
    ("did the EDPB-EDPS opinion want an outside body rather than the provider to check high-risk AI systems "
     "before they are placed on the market?", "Para. 37", 5),
])
def test_what_a_commentary_says_of_the_article_found_is_found_with_it(assistant, question, paragraph, k):
    refs = [(h.doc, h.ref) for h in assistant.retrieve(question, k=k)]
    assert (EDPB, paragraph) in refs, refs


@pytest.mark.parametrize("lang, text, means", [
    # written for this test: asking the assistant to tell, and an adjective, are not the notions
    ("en", "under the ai act, can you tell me the fines?", "shall inform the natural persons"),
    ("fr", "Une politique commune en matière d'IA est-elle prévue ?", "public authorities"),
])
def test_words_near_a_notion_that_are_not_it(lang, text, means):
    from assistant.retrieval import legal_wording

    assert not any(means in m for m in legal_wording(text, lang)), legal_wording(text, lang)
