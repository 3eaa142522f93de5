"""The corpus parsed into clauses: counts, verbatim text, structure."""
import re
from collections import Counter

import pytest

PROPOSAL, GDPR, FINAL = "ai-act-proposal-2021", "gdpr", "ai-act-final-2024"
EDPB = "edpb-edps-joint-opinion-5-2021"


@pytest.mark.parametrize("doc,articles,recitals,annexes", [
    (PROPOSAL, 85, 89, 9), (GDPR, 99, 173, 0), (FINAL, 113, 180, 13)])
def test_counts(library, doc, articles, recitals, annexes):
    d = library.document(doc)
    assert (d.count("article"), d.count("recital"), d.count("annex")) == (articles, recitals, annexes)
    assert [c.ref for c in d.clauses.values() if c.kind == "article"] == [f"Art. {n}" for n in range(1, articles + 1)]


def test_edpb_numbered_paragraphs(library):
    refs = [c.ref for c in library.document(EDPB).clauses.values() if c.ref.startswith("Para. ")]
    assert refs == [f"Para. {n}" for n in range(1, 83)]


# (doc, reference, a verbatim piece of its text)
SPOT_CHECKS = [
    (PROPOSAL, "Art. 5(1)(c)", "evaluation or classification of the trustworthiness of natural persons"),
    (PROPOSAL, "Art. 5(1)(d)(iii)", "Council Framework Decision 2002/584/JHA"),
    (PROPOSAL, "Art. 52(1)", "natural persons are informed that they are interacting with an AI system"),
    (PROPOSAL, "Art. 52(3), second subparagraph", "However, the first subparagraph shall not apply"),
    (PROPOSAL, "Art. 71(3)", "administrative fines of up to 30 000 000 EUR"),
    (PROPOSAL, "Art. 71(4)", "up to 4 % of its total worldwide annual turnover"),
    (PROPOSAL, "Art. 3(1)", "‘artificial intelligence system’ (AI system) means software"),
    (PROPOSAL, "Art. 3(2)", "‘provider’ means a natural or legal person"),
    (PROPOSAL, "Recital 70", "natural persons should be notified that they are interacting with an AI system"),
    (PROPOSAL, "Recital 1", "The purpose of this Regulation is to improve the functioning of the internal market"),
    (PROPOSAL, "Annex III(4)(a)", "recruitment or selection of natural persons"),
    (PROPOSAL, "Annex I(a)", "Machine learning approaches"),
    (PROPOSAL, "Annex II, Section A(1)", "Directive 2006/42/EC"),
    (PROPOSAL, "EM 3.5", "EU Charter of Fundamental Rights"),
    (PROPOSAL, "EM 5.2.2", "Title II establishes a list of prohibited AI"),
    (GDPR, "Art. 22(1)", "not to be subject to a decision based solely on automated processing"),
    (GDPR, "Art. 6(1)(a)", "the data subject has given consent"),
    (GDPR, "Art. 6(1), second subparagraph", "Point (f) of the first subparagraph shall not apply"),
    (GDPR, "Art. 83(5)", "20 000 000 EUR"),
    (GDPR, "Art. 33(1)", "not later than 72 hours"),
    (GDPR, "Recital 71", "right not to be subject to a decision"),
    (FINAL, "Art. 50(1)", "interacting with an AI system"),
    (FINAL, "Art. 99(3)", "EUR 35 000 000"),
    (FINAL, "Art. 43(1), second subparagraph, point (a)", "harmonised standards referred to in Article 40 do not exist"),
    (FINAL, "Annex III(4)(a)", "recruitment or selection of natural persons"),
    (EDPB, "Para. 31", "extensive list of exceptional cases"),
    ("aim-news-2021-04-eu-mulls-ban", "Para. 5", "fined up to €20 million or 4% of their turnover"),
]


@pytest.mark.parametrize("doc,ref,piece", SPOT_CHECKS)
def test_verbatim_spot_checks(library, doc, ref, piece):
    clause = library.get(doc, ref)
    assert piece in clause.text
    assert clause.text.strip()


def test_clause_text_is_verbatim_from_the_source(library):
    """Every clause's text appears in its source record's flattened text, indentation aside."""
    corpus = library.corpus
    for source in corpus.sources:
        if source.kind == "commentary":
            continue
        blob = "\n".join(r.get("text", "") for r in corpus.records(source))
        flat = re.sub(r"\s+", " ", blob)
        for clause in library.document(source.id).clauses.values():
            if clause.kind in ("em_section", "em_paragraph", "annex_section") or "\n" in clause.text and clause.kind == "point":
                continue
            assert re.sub(r"\s+", " ", clause.text) in flat, (source.id, clause.ref)


def test_references_unique_and_nonempty(library):
    for doc in library:
        refs = Counter(c.ref for c in doc.clauses.values())
        assert max(refs.values()) == 1
        for clause in doc.clauses.values():
            assert clause.text.strip(), (doc.id, clause.ref)
            assert clause.label and clause.heading_path


def test_parent_and_children_agree(library):
    for doc in library:
        for clause in doc.clauses.values():
            for child in clause.children:
                assert doc.clauses[child].parent == clause.ref
            if clause.parent:
                assert clause.ref in doc.clauses[clause.parent].children


def test_labels_headings_and_links(library):
    clause = library.get(PROPOSAL, "Art. 5(1)(d)(iii)")
    assert clause.label == "Article 5(1)(d)(iii) of the AI Act proposal, COM(2021) 206"
    assert clause.heading_path == ("Title II PROHIBITED ARTIFICIAL INTELLIGENCE PRACTICES", "Article 5")
    assert clause.url == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52021PC0206"
    assert library.get(GDPR, "Art. 22(1)").url.endswith("#art_22")
    assert library.get(FINAL, "Art. 50").url.endswith("#art_50")
    assert library.get(GDPR, "Art. 22").heading_path[0].startswith("Chapter III")


def test_commentary_debris_is_merged_or_dropped(library):
    for doc_id in ("edpb-edps-joint-opinion-5-2021", "impact-assessment-swd-2021-84-part1", "eprs-briefing-ai-act"):
        doc = library.document(doc_id)
        texts = [c.text for c in doc.clauses.values()]
        assert not any(re.fullmatch(r"EN( EN)*", t) for t in texts)
        cover = doc.get("Cover")
        assert len(cover.text) > 30
        # title-page lines are one clause, not a dozen fragments
        assert not any(c.heading_path == ("Cover",) and c.ref != "Cover" for c in doc.clauses.values())
    edpb = library.document(EDPB)
    assert "Joint Opinion 5/2021" in edpb.get("Cover").text


def test_page_break_fragments_joined(library):
    """No commentary paragraph starts mid-sentence with a lowercase word after an unfinished one."""
    for doc in library:
        if doc.source.kind != "commentary":
            continue
        clauses = list(doc.clauses.values())
        for prev, cur in zip(clauses, clauses[1:]):
            if cur.ref.startswith("p. ") and re.match(r"[a-z]", cur.text) and prev.heading_path == cur.heading_path:
                assert re.search(r"[.:;!?”\"’)\]]\s*(\[\^\d+\])?\s*$", prev.text), (doc.id, cur.ref)


def test_unknown_reference_says_what_exists(library):
    from assistant.errors import UnknownReference
    with pytest.raises(UnknownReference, match=r"Article 5\(1\) has points \(a\) to \(d\)"):
        library.get(PROPOSAL, "Art. 5(1)(e)")
    with pytest.raises(UnknownReference, match="Article 1 to Article 85"):
        library.get(PROPOSAL, "Art. 130")
    with pytest.raises(UnknownReference, match="Known documents"):
        library.document("no-such-doc")


def test_an_article_of_one_paragraph_is_cited_as_the_article(library):
    # EUR-Lex cites "Article 48", not a "first subparagraph" of the same words
    article = library.get(GDPR, "Art. 48")
    assert article.children == [] and article.text.startswith("Any judgment of a court or tribunal")
    assert library.find(GDPR, "Art. 48, first subparagraph") is article  # as a user may still write it
    assert library.get(PROPOSAL, "Art. 51, first subparagraph").ref == "Art. 51"
    assert library.find(GDPR, "Art. 48, second subparagraph") is None
    # an article whose one paragraph leads a list keeps it, with its points
    assert library.get(PROPOSAL, "Art. 1, first subparagraph").children[0] == "Art. 1, first subparagraph(a)"
    one = [(d.id, c.ref) for d in library for c in d.clauses.values() if c.kind == "article" and not c.children]
    assert len(one) == 28  # 9 of the proposal, 14 of the GDPR, 5 of the final Act
    assert not [ref for doc, ref in one if f"{ref}, first subparagraph" in library.document(doc).clauses]


def test_a_clause_names_the_paragraphs_of_its_own_article_it_builds_on(library):
    def referred(doc, ref):
        return [c.ref for c in library.referred_within(library.get(doc, ref))]

    assert referred(PROPOSAL, "Art. 5(2)") == ["Art. 5(1)(d)"]  # "referred to in paragraph 1 point d)"
    assert referred(GDPR, "Art. 22(3)") == ["Art. 22(2)"]       # "points (a) and (c) of paragraph 2"
    assert referred(GDPR, "Art. 17(2)") == ["Art. 17(1)"]       # "pursuant to paragraph 1 to erase"
    assert referred(GDPR, "Art. 22") == []                      # its own paragraphs are no reference
    assert referred(PROPOSAL, "Recital 18") == []


def test_a_list_is_points_or_an_annexs_numbered_paragraphs(library):
    assert library.has_list(library.get("ai-act-proposal-2021", "Art. 5(1)"))
    # an annex's items are numbered paragraphs ("1. Name, address and contact details of the provider;")
    assert library.has_list(library.get("ai-act-proposal-2021", "Annex VIII"))
    # an article's paragraphs are not a list
    assert not library.has_list(library.get("gdpr", "Art. 7"))
