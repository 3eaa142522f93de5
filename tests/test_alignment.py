"""The proposal <-> final Act alignment and the "what changed" diff, on the real texts."""
import dataclasses
import json

import pytest

from assistant import alignment, textdiff
from assistant.alignment import Alignment, sequence_align
from assistant.clauses import FINAL_ACT, PROPOSAL
from assistant.errors import UnknownReference


@pytest.fixture(scope="module")
def store(settings, tmp_path_factory):
    return dataclasses.replace(settings, data_dir=tmp_path_factory.mktemp("align"))


@pytest.fixture(scope="module")
def aligned(library, store):
    return Alignment.load(library, store)


def finals(aligned, ref, doc=PROPOSAL):
    return [c.ref for c in aligned.counterpart(doc, ref)]


# ---------------------------------------------------------------- the table

def test_every_proposal_unit_has_an_entry(aligned, library):
    proposal = library.document(PROPOSAL)
    listed = {p.proposal for p in aligned.units}
    for kind in alignment.KINDS:
        units = {c.ref for c in proposal.clauses.values() if c.kind == kind}
        assert units and units <= listed
    for pair in aligned.units:  # a counterpart, or an explicit "no counterpart" with the nearest candidate
        assert pair.final or pair.evidence.startswith("no counterpart")
        assert len(pair.scores) == len(pair.final)
        for ref in pair.final:
            assert library.find(FINAL_ACT, ref) is not None


@pytest.mark.parametrize("proposal, final", [
    ("Art. 52", ["Art. 50"]),      # transparency obligations, renumbered
    ("Art. 71", ["Art. 99"]),      # penalties, after new chapters
    ("Art. 29", ["Art. 26"]),      # obligations of users -> deployers
    ("Art. 50", ["Art. 18"]),      # document retention moved into the providers' chapter
    ("Art. 85", ["Art. 113"]),
    ("Annex II", ["Annex I"]),     # harmonisation legislation became the first annex
    ("Annex IX", ["Annex X"]),
    ("Art. 4", []),                # amendments to Annex I: Annex I (AI techniques) was dropped
    ("Annex I", []),
])
def test_known_article_pairs(aligned, proposal, final):
    assert finals(aligned, proposal) == final


@pytest.mark.parametrize("proposal, final", [
    ("Art. 5(1)(c)", "Art. 5(1)(c)"),
    ("Art. 5(1)(d)", "Art. 5(1)(h)"),  # the remote biometric identification ban moved behind four new points
    ("Art. 71(3)", "Art. 99(3)"),
    ("Art. 3(4)", "Art. 3(4)"),
    ("Art. 52(1)", "Art. 50(1)"),
])
def test_paragraph_and_point_pairs(aligned, proposal, final):
    assert finals(aligned, proposal)[0] == final


def test_general_purpose_ai_models_have_no_ancestor(aligned):
    unmatched = set(aligned.data["unmatched_final"])
    assert {"Art. 51", "Art. 53", "Art. 55", "Annex XIII"} <= unmatched  # the GPAI chapter is new
    assert "Art. 50" not in unmatched


def test_renamed_terms_come_from_the_definitions(aligned):
    renames = {(r.proposal_term, r.final_term) for r in aligned.renames}
    assert ("user", "deployer") in renames
    assert all(r.proposal.startswith("Art. 3(") and r.final.startswith("Art. 3(") for r in aligned.renames)


def test_backward_lookup_and_ancestor_fallback(aligned):
    assert finals(aligned, "Art. 99(3)", doc=FINAL_ACT) == ["Art. 71(3)"]
    via = aligned.counterpart(PROPOSAL, "Art. 71(3)(a)")  # a point with no pair of its own
    assert via and all(c.via in ("Art. 71(3)(a)", "Art. 71(3)") for c in via)
    assert all(c.clause.text and c.doc == FINAL_ACT for c in via)


def test_bad_lookups_raise_typed_errors(aligned):
    with pytest.raises(UnknownReference):
        aligned.counterpart("gdpr", "Art. 5")
    with pytest.raises(UnknownReference, match="Art|Article"):
        aligned.counterpart(PROPOSAL, "Art. 999")


def test_stored_and_reread_deterministic(aligned, library, store):
    again = Alignment.load(library, store)
    assert not again.built and again.table() == aligned.table()
    rebuilt = alignment.build(library)
    for part in ("units", "parts", "renames", "unmatched_final"):
        assert json.loads(json.dumps(rebuilt[part])) == json.loads(json.dumps(aligned.data[part]))


def test_unreadable_store_is_rebuilt(library, settings, tmp_path):
    settings = dataclasses.replace(settings, data_dir=tmp_path)
    first = Alignment.load(library, settings)
    (stored,) = tmp_path.glob("alignment-*.json")
    stored.write_text("{not json", encoding="utf-8")
    second = Alignment.load(library, settings)
    assert second.built and second.table() == first.table()
    assert json.loads(stored.read_text(encoding="utf-8"))["key"] == alignment.key(library)


def test_sequence_alignment_keeps_order_and_threshold():
    scores = [[0.9, 0.1, 0.0],
              [0.1, 0.2, 0.8],
              [0.0, 0.7, 0.1]]
    # the diagonal (0,0), then (1,2) or (2,1) but not both: pairs never cross
    pairs = sequence_align(scores, 0.25)
    assert pairs[0] == (0, 0) and len(pairs) == 2
    assert all(a < b for a, b in zip([p[0] for p in pairs], [p[0] for p in pairs][1:]))
    assert sequence_align([[0.1, 0.2]], 0.25) == []


# ---------------------------------------------------------------- what changed

def test_fines_changes_read_off_the_texts(library):
    c = textdiff.compare(library.get(PROPOSAL, "Art. 71(3)").text, library.get(FINAL_ACT, "Art. 99(3)").text)
    found = {(x.kind, x.before, x.after) for x in c.changes}
    assert ("amount", "EUR 30 000 000", "EUR 35 000 000") in found
    assert ("percentage", "6 %", "7 %") in found


def test_renamed_term_and_period(library, aligned):
    renames = [(r.proposal_term, r.final_term) for r in aligned.renames]
    c = textdiff.compare(library.get(PROPOSAL, "Art. 29(1)").text, library.get(FINAL_ACT, "Art. 26(1)").text, renames)
    assert ("term", "user", "deployer") in {(x.kind, x.before, x.after) for x in c.changes}
    c = textdiff.compare(library.get(PROPOSAL, "Art. 5(1)(d)(iii)").text, library.get(FINAL_ACT, "Art. 5(1)(h)(iii)").text)
    assert ("period", "three years", "four years") in {(x.kind, x.before, x.after) for x in c.changes}


def test_points_added(library):
    c = textdiff.compare(library.get(PROPOSAL, "Art. 5(1)").text, library.get(FINAL_ACT, "Art. 5(1)").text)
    added = [x.after for x in c.changes if x.kind == "point added"]
    removed = [x for x in c.changes if x.kind == "point removed"]
    assert [a.split()[0] for a in added] == ["(d)", "(e)", "(f)", "(g)"] and not removed


def test_a_point_opening_with_a_reference_is_named_by_its_label(library):
    # the draft's Art. 85(3)(b) reads "Article 71 shall apply from [twelve months ...]": no empty "( ...)"
    c = textdiff.compare(library.get(PROPOSAL, "Art. 85(3)").text, library.get(FINAL_ACT, "Art. 113").text)
    removed = [x.before for x in c.changes if x.kind == "point removed"]
    assert "(b)" in removed and not any("( " in r or "()" in r for r in removed)


def test_no_change_claimed_without_a_diff(library):
    text = library.get(PROPOSAL, "Art. 71(3)").text
    same = textdiff.compare(text, text, [("user", "deployer")])
    assert same.identical and not same.changes
    # the new term alone (no old term deleted) is not a rename; an amount kept is not a change
    c = textdiff.compare("fines up to EUR 10 000 000 for users", "fines up to EUR 10 000 000 for users and deployers",
                         [("user", "deployer")])
    assert not c.changes


def test_renumbering_alone_is_no_change(library):
    # 'emotion recognition system' is Art. 3(34) of the proposal and Art. 3(39) of the Act, word for word
    c = textdiff.compare(library.get(PROPOSAL, "Art. 3(34)").text, library.get(FINAL_ACT, "Art. 3(39)").text)
    assert c.identical and not c.changes
    c = textdiff.compare(library.get(PROPOSAL, "Art. 3(33)").text, library.get(FINAL_ACT, "Art. 3(34)").text)
    assert not c.identical  # 'biometric data' lost "which allow or confirm the unique identification"


def test_a_change_says_only_what_the_diff_shows(library):
    # the 15 days of proposal Art. 62(1) are in final Art. 73(2), not in its counterpart 73(1)
    c = textdiff.compare(library.get(PROPOSAL, "Art. 62(1)").text, library.get(FINAL_ACT, "Art. 73(1)").text)
    assert "period 15 days only in the proposal's text" in c.summary()
    # the points added to the fines for operators are named by their words up to a cross-reference
    c = textdiff.compare(library.get(PROPOSAL, "Art. 71(4)").text, library.get(FINAL_ACT, "Art. 99(4)").text)
    added = [x.after for x in c.changes if x.kind == "point added"]
    assert "(a) (obligations of providers pursuant to ...)" in added
    assert not any("Article" in a for a in added)


def test_compare_html_escapes_and_marks(library):
    page = textdiff.compare_html(library.get(PROPOSAL, "Art. 71(3)"), library.get(FINAL_ACT, "Art. 99(3)"))
    assert "<del" in page and "<ins" in page and "35 000 000" in page and "Article 99(3)" in page
    proposal = dataclasses.replace(library.get(PROPOSAL, "Art. 52(1)"), text="a <script>alert(1)</script> b")
    final = dataclasses.replace(library.get(FINAL_ACT, "Art. 50(1)"), text="a <img src=x onerror=alert(1)> b")
    page = textdiff.compare_html(proposal, final)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page


# ---------------------------------------------------------------- the seams

def test_assistant_counterpart_and_cli(settings, capsys):
    from assistant import Assistant
    from assistant.cli import main

    got = Assistant(settings).counterpart(PROPOSAL, "Art. 52(1)")
    assert got[0].ref == "Art. 50(1)" and 0 < got[0].score <= 1 and got[0].clause.doc == FINAL_ACT
    assert main(["align", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    row = next(r for r in table["articles"] if r["proposal"] == "Art. 52")
    assert row["final"] == ["Art. 50"] and row["evidence"] and "Art. 51" in table["unmatched_final"]
    assert main(["show", "Art. 52(1)", "--doc", PROPOSAL]) == 0
    assert "Counterpart in the final Act: Article 50(1)" in capsys.readouterr().out


def test_version_questions_are_sound(library):
    from pathlib import Path

    from evals.questions import QUESTIONS_PATH, load_questions, problems

    versions = load_questions(Path(QUESTIONS_PATH).with_name("questions_versions.yaml"))
    assert len(versions) >= 30 and {q.category for q in versions} == {"proposal-vs-final"}
    assert all(q.id.startswith("pvf-") for q in versions)
    assert problems(load_questions(), library) == []  # every question file together: ids unique
    assert {q.split for q in versions} == {"test"}  # version comparisons are never tuned on


def test_versions_pairs_both_texts_with_changes(aligned):
    (pair,) = textdiff.versions(aligned, PROPOSAL, "Art. 71(3)")
    assert (pair.proposal.ref, pair.final.ref) == ("Art. 71(3)", "Art. 99(3)")
    assert "amount: EUR 30 000 000 -> EUR 35 000 000" in pair.comparison.summary()
    back = textdiff.versions(aligned, FINAL_ACT, "Art. 26(1)")  # from the final side: the same orientation
    assert back[0].proposal.doc == PROPOSAL and back[0].final.ref == "Art. 26(1)"
    assert "‘user’ is now ‘deployer’" in back[0].comparison.summary()
    assert textdiff.versions(aligned, FINAL_ACT, "Art. 53(1)") == []  # general-purpose AI models: no ancestor


def test_assistant_counterpart_accepts_group_names(settings):
    from assistant import Assistant

    a = Assistant(settings)
    assert [c.ref for c in a.counterpart("final", "Art. 99(3)")] == ["Art. 71(3)"]
    assert a.alignment is a.alignment  # read once


def test_a_clause_whose_points_are_paired_has_their_counterparts(settings):
    from assistant import Assistant

    a = Assistant(settings)
    # the Act's Art. 74(13) on source code has no pair of its own; its point (a) is paired with the
    # proposal's Art. 64(2): that is its counterpart, compared with it whole, not all of Art. 63
    got = a.counterpart(FINAL_ACT, "Art. 74(13)")
    assert [(c.ref, c.via) for c in got] == [("Art. 64(2)", "Art. 74(13)")]
    assert [c.ref for c in a.counterpart(PROPOSAL, "Art. 64(2)")] == ["Art. 74(13)(a)"]


def test_text_moved_to_another_article_is_found_without_exceptions(library):
    data = alignment.build(library, exceptions=[])
    units = {p["proposal"]: p["final"] for p in data["units"]}
    parts = {p["proposal"]: p["final"] for p in data["parts"]}
    assert tuple(units["Art. 45"]) == ("Art. 44",)  # appeals against notified bodies: into Art. 44(3)
    # an article of one paragraph is a clause of its own, paired with where its words went
    assert tuple(parts["Art. 45"]) == ("Art. 44(3), second subparagraph",)
    assert tuple(parts["Art. 64(1)"]) == ("Art. 74(12)",)  # access to datasets: market surveillance powers
    assert "Art. 74" in units["Art. 64"] and "Art. 77" in units["Art. 64"]
    # an amendment instruction ("In Article 17, the following paragraph is added:") is too short to move
    assert not any(ref.startswith("Art. 81") and "moved" in p["evidence"] for p in data["parts"] for ref in [p["proposal"]])


def test_a_split_needs_a_part_of_its_own_without_exceptions(library):
    units = {p["proposal"]: tuple(p["final"]) for p in alignment.build(library, exceptions=[])["units"]}
    assert units["Art. 33"] == ("Art. 31", "Art. 34")  # notified bodies: 33(1) went to Art. 34 (0.92 vs 0.42)
    assert units["Art. 65"] == ("Art. 79",)  # Art. 80 (non-high-risk classification) is new, written on Art. 79
    assert units["Annex IV"] == ("Annex IV",)  # Annex XI (GPAI documentation) is new, written on Annex IV


def test_the_boards_purpose_is_paired_through_its_documented_exception(aligned):
    assert finals(aligned, "Art. 56") == ["Art. 65", "Art. 66"]
    assert finals(aligned, "Art. 56(2)") == ["Art. 66, first subparagraph"]
    assert finals(aligned, "Art. 56(1)") == ["Art. 65(1)"]


def test_a_paragraph_is_paired_through_its_documented_exception(aligned):
    # the general date of application: 85(2) -> Art. 113's second subparagraph, not its first (entry into force)
    assert finals(aligned, "Art. 85(2)") == ["Art. 113, second subparagraph"]
    assert finals(aligned, "Art. 85(1)") == ["Art. 113, first subparagraph"]
    assert "documented exception" in next(p.evidence for p in aligned.parts if p.proposal == "Art. 85(2)")


def test_points_nested_one_level_deeper_in_the_final_act(aligned):
    assert finals(aligned, "Art. 50(c)") == ["Art. 18(1)(c)"]  # document retention: points under 18(1)


def test_a_proposal_source_card_compares_with_the_final_act(assistant):
    from assistant.ui import Turn, render_sources

    answer = assistant.ask("What are the fines for prohibited practices under the proposal?")
    html = render_sources([Turn(answer.question, answer)], assistant.library, assistant.alignment)
    assert "Compare with the final Act" in html and "<ins" in html and "<del" in html


def test_a_definition_split_in_two_compares_first_with_the_one_of_the_same_term(aligned):
    # proposal 'validation data' became the Act's 'validation data' (3(30)) and 'validation data set'
    # (3(31)); the second shares more words with it, the first defines the same term
    assert finals(aligned, "Art. 3(30)") == ["Art. 3(30)", "Art. 3(31)"]
