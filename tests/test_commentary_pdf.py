"""The commentary PDFs parsed into commentary records (assistant/parsers/commentary_pdf.py): the rules
that rebuild rows and paragraphs from the characters, each on a small example, and the gate that
reads a commentary document from its PDF only where the parser meets the oracle target."""
import json
from collections import Counter

import pytest

from assistant.agreement import HEADER, Erratum, compare, load_errata
from assistant.clauses import build_clauses
from assistant.errors import CorpusError
from assistant.parsers import PARSERS, commentary_pdf
from assistant.parsers.commentary_pdf import Row
from assistant.sources import Corpus

TARGET = 0.99


def row(page: int, y: float, text: str, size: float = 12.0, x: float = 72.0, calls: dict[int, str] | None = None) -> Row:
    """A row of ``text``; ``calls`` puts superscript digits after the character at that index."""
    chars = []
    for i, c in enumerate(text):
        chars.append((c, False, x + 5 * i, x + 5 * i + 5))
        chars.extend((d, True, x + 5 * i + 5, x + 5 * i + 5) for d in (calls or {}).get(i, ""))
    return Row(page, y, [chars], Counter({size: len(text)}))


def _run(text: str, left: float, step: float = 5.0) -> list:
    return [(c, False, left + step * i, left + step * (i + 1)) for i, c in enumerate(text)]


def test_superscript_digits_become_footnote_calls():
    r = row(5, 700, "Decision No 1247/2002/EC,", calls={23: "1"})
    assert r.text == "Decision No 1247/2002/EC[^1] ,"


def test_runs_of_a_row_are_read_left_to_right():
    r = Row(1, 700, [_run("of the Council", 300), _run("Parliament and ", 72)], Counter({12.0: 29}))
    assert r.text == "Parliament and of the Council"


def test_a_gap_between_runs_is_a_word_space():
    # "rules" and "for" 2.7 pt apart in one run, "for" and "ty" touching in two runs
    r = Row(1, 700, [_run("harmonised rules", 72) + _run("for", 72 + 80 + 2.7), _run("ty", 72 + 80 + 2.7 + 15)],
            Counter({11.0: 21}))
    assert r.text == "harmonised rules forty"


def test_running_rows_are_dropped():
    texts = ["First text.", "Second text.", "Third text."]
    pages = [[row(n, 760, t), row(n, 49, str(n), 11), row(n, 42, "Adopted", 11)] for n, t in enumerate(texts, 1)]
    assert [[r.text for r in page] for page in commentary_pdf.drop_running_rows(pages)] == [[t] for t in texts]


def _records(*pages):
    return [(r["kind"], r.get("number"), r["text"]) for r in commentary_pdf.records([list(p) for p in pages])]


BODY = [row(9, 400 - 16 * k, "filler line of the body text that sets the pitch") for k in range(10)]


def test_numbered_paragraphs_headings_over_two_rows_and_the_cover():
    cover = [row(1, 445, "EDPB-EDPS", 20), row(1, 405, "Joint Opinion 5/2021", 20)]
    page = [row(2, 760, "2 ANALYSIS OF THE KEY PRINCIPLES OF THE", 16), row(2, 739, "PROPOSAL", 16),
            row(2, 710, "2.1 Scope of the Proposal", 13),
            row(2, 680, "1. The advent of AI is a step in the", x=45), row(2, 664, "evolution of technologies."),
            row(2, 640, "2. However, these advances carry risks.", x=45)]
    assert _records(cover, page, BODY)[:6] == [
        ("paragraph", None, "EDPB-EDPS"), ("paragraph", None, "Joint Opinion 5/2021"),
        ("heading", "2", "ANALYSIS OF THE KEY PRINCIPLES OF THE PROPOSAL"),
        ("heading", "2.1", "Scope of the Proposal"),
        ("paragraph", "1", "The advent of AI is a step in the evolution of technologies."),
        ("paragraph", "2", "However, these advances carry risks.")]


def test_a_number_out_of_sequence_at_a_line_start_is_text():
    page = [row(2, 680, "1. AI systems that are listed in Annex III,", x=45), row(2, 664, "6. (a), are high-risk.")]
    assert _records(page, BODY)[0] == ("paragraph", "1", "AI systems that are listed in Annex III, 6. (a), are high-risk.")


def test_a_paragraph_goes_on_over_a_page_break_and_a_compound_hyphen_stays():
    first = [row(2, 100, "the use of ‘real-"), row(2, 84, "time’ systems in")]
    second = [row(3, 760, "public spaces."), row(3, 730, "A new paragraph.")]
    assert _records(first, second, BODY)[:2] == [
        ("paragraph", None, "the use of ‘real-time’ systems in public spaces."), ("paragraph", None, "A new paragraph.")]


def test_table_of_contents_and_footnotes_are_not_body_text():
    page = [row(4, 760, "TABLE OF CONTENTS"), row(4, 730, "1 INTRODUCTION ........................ 5"),
            row(4, 700, "Text of the page."), row(4, 90, "OJ L 295, 21.11.2018, p. 39–98.", 10)]
    assert _records(page, BODY)[0] == ("paragraph", None, "Text of the page.")


def test_a_dash_at_a_row_start_opens_a_bullet():
    page = [row(21, 700, "adherence by providers of AI systems"), row(21, 684, "- as far as such systems process data.")]
    assert _records(page, BODY)[:2] == [("paragraph", None, "adherence by providers of AI systems"),
                                        ("bullet", None, "as far as such systems process data.")]


def test_paragraph_ends_that_pdfium_runs_together_are_kept_apart(settings):
    """PDFium's text puts "…implications." and "The EDPB and the EDPS note…" on one line (page 2 of
    the opinion); the rows rebuilt from the characters keep the two paragraphs."""
    corpus = Corpus.from_settings(settings)
    source = corpus.by_id["edpb-edps-joint-opinion-5-2021"]
    path = corpus.dir / source.official[0].file
    if not path.is_file():
        pytest.skip("no official file")
    records = commentary_pdf.parse([(path.name, path.read_bytes())])
    page2 = [r["text"] for r in records if r.get("page") == 2 and r["kind"] == "paragraph"]
    assert page2[0].endswith("important data protection implications.")
    assert page2[1].startswith("The EDPB and the EDPS note that the legal basis")
    assert [r["number"] for r in records if r["kind"] == "paragraph" and r.get("number")] == [str(n) for n in range(1, 83)]


def test_a_cut_commentary_pdf_is_refused_naming_it(settings):
    corpus = Corpus.from_settings(settings)
    path = corpus.dir / corpus.by_id["edpb-edps-joint-opinion-5-2021"].official[0].file
    if not path.is_file():
        pytest.skip("no official file")
    data = path.read_bytes()
    with pytest.raises(CorpusError, match="opinion.pdf is cut short"):
        commentary_pdf.parse([("opinion.pdf", data[: len(data) // 2])])


@pytest.mark.parametrize("doc", ["edpb-edps-joint-opinion-5-2021", "eprs-briefing-ai-act",
                                 "impact-assessment-swd-2021-84-part1", "impact-assessment-swd-2021-84-part2"])
def test_a_commentary_pdf_is_read_by_default_only_where_it_meets_the_target(settings, doc):
    corpus = Corpus.from_settings(settings)
    source = corpus.by_id[doc]
    files = [(f.file, (corpus.dir / f.file).read_bytes()) for f in source.official if (corpus.dir / f.file).is_file()]
    if not files or not corpus.path(source).is_file():
        pytest.skip(f"official file or oracle of {doc} missing")
    lines = corpus.path(source).read_text(encoding="utf-8").splitlines()
    oracle = build_clauses(source, [json.loads(line) for line in lines if line.strip()][1:])
    result = compare(doc, oracle, build_clauses(source, commentary_pdf.parse(files)), load_errata().get(doc, []))
    print(f"\n{HEADER}\n{result.row()}")
    (fmt,) = {f.format for f in source.official}
    assert (PARSERS.get(fmt) is commentary_pdf.parse) == (result.ratio >= TARGET)
    assert not result.stale, f"errata of {doc} that no longer apply: {result.stale}"


def test_alternating_running_headers_of_facing_pages_are_dropped():
    pages = [[row(n, 797, "Artificial intelligence act" if n % 2 else "EPRS | European Parliamentary Research Service", 10),
              row(n, 700, f"Body text of page {'abcdef'[n - 1]}.")] for n in range(1, 7)]
    assert [[r.text for r in page] for page in commentary_pdf.drop_running_rows(pages)] == \
        [[f"Body text of page {c}."] for c in "abcdef"]


def test_a_caption_at_a_page_foot_does_not_run_into_the_next_page():
    first = [row(7, 420, "The approach of the act"), row(7, 75, "Data source: European Commission", 11)]
    second = [row(8, 760, "The final agreement keeps the approach.")]
    assert _records(first, second, BODY)[:3] == [
        ("paragraph", None, "The approach of the act"), ("paragraph", None, "Data source: European Commission"),
        ("paragraph", None, "The final agreement keeps the approach.")]


# ---------------------------------------------------------------- the impact assessment's and the briefing's layout

def test_numbered_headings_with_a_dot_no_space_or_a_question_mark():
    """The impact assessment numbers "1.3.1. Relevant ...", runs "1.1.Technological context" together
    and indents its headings 21 pt from the text, whatever they end with."""
    page = [row(5, 700, "1.1.Technological context", x=85), row(5, 676, "Today, AI is one of the most vibrant domains."),
            row(5, 652, "2.1.What are the problems?", x=85), row(5, 628, "The analysis suggests six problems."),
            row(5, 604, "4.3. Objectives tree/intervention logic.", x=85), row(5, 580, "Figure 4: Intervention logic")]
    assert [r for r in _records(page, BODY) if r[0] == "heading"] == [
        ("heading", "1.1", "Technological context"), ("heading", "2.1", "What are the problems?"),
        ("heading", "4.3", "Objectives tree/intervention logic.")]


def test_a_heading_wrapped_under_its_title_is_one_heading_and_a_wrapped_list_item_is_none():
    page = [row(64, 780, "5.5. Option 3+: Horizontal EU legislative instrument establishing mandatory", x=85),
            row(64, 766, "requirements for high-risk AI applications + voluntary codes of conduct for non-high", x=99),
            row(64, 752, "risk applications", x=99),
            row(64, 728, "Option 3+ would combine mandatory requirements."),
            row(53, 704, "1. AI systems that are safety components of products would be high-risk if the", x=100),
            row(53, 690, "relevant safety legislation applies to them.", x=118),
            row(53, 666, "Another paragraph.")]
    assert _records(page, BODY)[:4] == [
        ("heading", "5.5", "Option 3+: Horizontal EU legislative instrument establishing mandatory requirements "
                           "for high-risk AI applications + voluntary codes of conduct for non-high risk applications"),
        ("paragraph", None, "Option 3+ would combine mandatory requirements."),
        ("paragraph", None, "1. AI systems that are safety components of products would be high-risk if the relevant "
                            "safety legislation applies to them."),
        ("paragraph", None, "Another paragraph.")]


def test_a_raised_range_of_calls_is_two_calls():
    r = Row(53, 515, [_run("legislation.", 72)], Counter({12.0: 12}))
    r.runs[-1] += [(c, True, 132 + 4 * k, 136 + 4 * k) for k, c in enumerate("229-230")]
    assert r.text == "legislation.[^229][^230]"


def test_a_heading_in_small_capitals_is_not_a_note():
    caps = Row(4, 774, [_run("1. INTRODUCTION: TECHNOLOGICAL CONTEXT", 82)], Counter({12.0: 3, 9.5: 33}))
    assert _records([caps, row(4, 748, "As part of the Commission’s agenda.")], BODY)[0] == \
        ("heading", "1", "INTRODUCTION: TECHNOLOGICAL CONTEXT")


def test_only_a_number_hung_in_the_margin_numbers_a_paragraph():
    """The opinion hangs "1." in the margin; the impact assessment's "1. Use of AI ..." in a table
    cell, inside the text column, numbers no paragraph."""
    hung = [row(5, 464, "1. The advent of AI systems is a step.", x=44), row(5, 448, "It changes technologies.")]
    inside = [row(16, 662, "1. Use of AI poses increased risks to safety", x=75), row(16, 646, "of citizens.")]
    assert _records(hung, BODY)[0] == ("paragraph", "1", "The advent of AI systems is a step. It changes technologies.")
    assert _records(inside, BODY)[0] == ("paragraph", None, "1. Use of AI poses increased risks to safety of citizens.")


def test_a_contents_page_wrapped_entries_and_roman_page_number_are_dropped():
    page = [row(2, 760, "Table of contents"), row(2, 740, "1. INTRODUCTION ..................... 1"),
            row(2, 720, "5.5. Option 3+: Horizontal EU legislative instrument establishing mandatory"),
            row(2, 706, "requirements for high-risk AI applications ..................... 61"),
            row(2, 40, "ii")]
    assert commentary_pdf.drop_contents(page, 14.0) == []


def test_a_contents_page_without_leaders_is_all_contents():
    page = [row(2, 780, "ANNEXES: TABLE OF CONTENTS", 9.5), row(2, 758, "1. ANNEX 1: PROCEDURAL INFORMATION", x=79),
            row(2, 736, "1.1. Lead DG, Decide Planning/CWP references", x=115)]
    assert commentary_pdf.drop_contents(page, 14.0) == []


def _notes_page(n: int, y: float, *rows: Row) -> list[Row]:
    for r in rows:
        r.note = r.y < y
    return list(rows)


def test_table_cells_are_one_paragraph_row_by_row_and_notes_below_the_separator_are_dropped():
    """A document that sets its notes under a separator (the impact assessment) sets its tables in
    10-11 pt: their rows are flattened into one paragraph, each row joined with a space (a row's end
    is a cell's, "high-" / "compliance" are two cells), as the manual conversion does."""
    page = _notes_page(16, 200,
                       row(16, 760, "Table 2: Main problems"),
                       row(16, 741, "MAIN PROBLEMS STAKEHOLDERS CONCERNED", 11.0),
                       row(16, 728, "1. Use of AI poses risks of high-", 10.0, x=75),
                       row(16, 712, "compliance Citizens, consumers", 10.0, x=86),
                       row(16, 680, "Problem 1: The use of AI poses increased risks."),
                       row(16, 186, "93", 6.5), row(16, 182, "The analysed evidence includes results.", 10.0))
    body = [row(9, 400 - 14 * k, "filler line of the body text that sets the pitch") for k in range(6)]
    assert _records(page, body)[:3] == [
        ("paragraph", None, "Table 2: Main problems"),
        ("paragraph", None, "MAIN PROBLEMS STAKEHOLDERS CONCERNED 1. Use of AI poses risks of high- compliance "
                            "Citizens, consumers"),
        ("paragraph", None, "Problem 1: The use of AI poses increased risks.")]


def test_a_paragraph_closing_its_page_on_a_footnote_call_runs_on_as_the_manual_conversion_reads_it():
    """The call hides whether the sentence ends the paragraph; the conversion runs it on into the next
    page's first paragraph (the impact assessment's p. 48, para. 6), and the page's references with it."""
    call = [row(48, 100, "whole groups thereof.", calls={20: "217"})], [row(49, 760, "For these high-risk uses.")]
    ended = [row(48, 100, "whole groups thereof.")], [row(49, 760, "For these high-risk uses.")]
    assert _records(*call, BODY)[0][2] == "whole groups thereof.[^217] For these high-risk uses."
    assert _records(*ended, BODY)[0][2] == "whole groups thereof."


def test_a_table_cell_goes_on_in_its_column_and_another_column_is_another_cell():
    """Table 6.4 of the impact assessment: "... Option 3 + ... for non-" / "high-risk AI" under its
    column is one cell; Table 6's "providers of high-" / "compliance with" starts another column."""
    first = Row(64, 387, [_run("Ex ante enforcement", 71) + _run("Option 3 + self-assessment for non-", 183)],
                Counter({10.0: 54}))
    same = row(64, 374, "high-risk AI", 10.0, x=183)
    other = row(64, 374, "compliance with", 10.0, x=140)
    body = [row(9, 400 - 14 * k, "filler line of the body text that sets the pitch") for k in range(10)]
    for below, text in ((same, "non-high-risk AI"), (other, "non- compliance with")):
        page = _notes_page(64, 100, first, below, row(64, 90, "See above.", 10.0))
        assert _records(page, body)[0][2].endswith(text)


def test_a_section_number_in_the_margin_and_a_title_in_capitals_over_two_rows():
    """The impact assessment's annexes set "5.2. FIVE SPECIFIC CHARACTERISTICS OF AI" left of the text
    and wrap "5.4. LIST OF HIGH RISK AI SYSTEMS (NOT COVERED BY SECTORIAL" / "PRODUCT LEGISLATION)"
    under it in capitals; a paragraph's number in the margin stays a paragraph's."""
    page = [row(35, 700, "5.2. FIVE SPECIFIC CHARACTERISTICS OF AI", x=58),
            row(35, 674, "AI systems often have many different components."),
            row(35, 648, "5.4. LIST OF HIGH RISK AI SYSTEMS (NOT COVERED BY SECTORIAL"),
            row(35, 634, "PRODUCT LEGISLATION)"), row(35, 608, "For AI systems that are mainly with fundamental rights.")]
    assert [r[:3] for r in _records(page, BODY) if r[0] == "heading"] == [
        ("heading", "5.2", "FIVE SPECIFIC CHARACTERISTICS OF AI"),
        ("heading", "5.4", "LIST OF HIGH RISK AI SYSTEMS (NOT COVERED BY SECTORIAL PRODUCT LEGISLATION)")]


def test_a_page_number_is_dropped_wherever_the_page_sets_it():
    pages = [[row(n, 700 - 20 * n, f"Text of page {'abcde'[n - 1]}."), row(n, 18.5 if n % 3 else 34.2, str(n))]
             for n in range(1, 6)]
    assert [[r.text for r in page] for page in commentary_pdf.drop_running_rows(pages)] == \
        [[f"Text of page {c}."] for c in "abcde"]


def test_a_note_number_may_carry_its_opening_quote():
    assert commentary_pdf.NOTE_NUMBER.match("9 ‘") and commentary_pdf.NOTE_NUMBER.match("93")
    assert not commentary_pdf.NOTE_NUMBER.match("1. Use of AI")


def test_a_slash_at_a_row_end_joins_without_a_space():
    page = [row(31, 700, "WHY IS IT A PROBLEM?/"), row(31, 686, "CHARACTERISTICS EXPLANATION.")]
    assert _records(page, BODY)[0][2] == "WHY IS IT A PROBLEM?/CHARACTERISTICS EXPLANATION."


def test_unnumbered_headings_are_levelled_by_size_and_capitals_stay_on_top():
    page = [row(6, 760, "OVERVIEW", 14.0), row(6, 740, "Text one."), row(6, 700, "Legislative process", 18.0),
            row(6, 680, "Text two."), row(6, 640, "Definitions", 16.6), row(6, 620, "Text three.")]
    levels = [(r["text"], r["level"]) for r in commentary_pdf.records([page, BODY]) if r["kind"] == "heading"]
    assert levels == [("OVERVIEW", 1), ("Legislative process", 1), ("Definitions", 2)]


def test_the_impact_assessment_notes_are_told_by_the_separator(settings):
    """Page 13 (PDF page 16) of the impact assessment: Table 2 in 10 pt is text, the notes in 10 pt
    under Word's 144 pt separator are not."""
    corpus = Corpus.from_settings(settings)
    path = corpus.dir / corpus.by_id["impact-assessment-swd-2021-84-part1"].official[0].file
    if not path.is_file():
        pytest.skip("no official file")
    page = commentary_pdf.read_rows(path.read_bytes(), path.name)[15]
    notes = [r.text for r in page if r.note]
    assert notes[0] == "93" and notes[1].startswith("The analysed evidence includes results")
    assert any(r.text.startswith("1. Use of AI poses increased risks") and not r.note for r in page)


def test_an_html_page_saved_as_a_commentary_pdf_is_refused_naming_it():
    with pytest.raises(CorpusError, match=r"briefing\.pdf is not a PDF"):
        commentary_pdf.parse([("briefing.pdf", b"<!DOCTYPE html><html><title>Think Tank</title></html>")])


# ---------------------------------------------------------------- the oracle's errata

def _clauses(**texts):
    from assistant.clauses import Clause
    return {ref.replace("_", " "): Clause("d", ref, "commentary_paragraph", ref, (), text, None) for ref, text in texts.items()}


def test_an_erratum_explains_a_difference_only_where_its_correction_makes_the_texts_equal():
    oracle = _clauses(a="Data source: European Commission EPRS | European Parliamentary Research Service",
                      b="Other text.", c="Same.")
    parsed = _clauses(a="Data source: European Commission", b="Other text, changed.", c="Same.")
    header = " EPRS | European Parliamentary Research Service"
    result = compare("d", oracle, parsed, [Erratum("a", "running header", header, ""),
                                          Erratum("b", "wrong fix", "Other", "Another"), Erratum("c", "stale", "x", "y")])
    assert (result.identical, list(result.explained), list(result.differing)) == (1, ["a"], ["b"])
    assert sorted(result.stale) == ["b", "c"] and result.ratio == 2 / 3


def test_errata_that_remove_join_or_split_clauses_count_the_page_again():
    """The impact assessment's oracle reads the heading "Glossary" as p. 94's first paragraph, splits
    one paragraph over a page break in two, and joins two: corrected, the page's paragraphs are
    counted again, and each clause that moved is explained by the fault that moved it."""
    oracle = _clauses(**{"p._9,_para._1": "In addition, as for example, the", "p._10,_para._1": "Machinery Directive.",
                         "p._10,_para._2": "Reviews are under way.", "p._94,_para._1": "Glossary",
                         "p._94,_para._2": "Acquis Rights. AI Artificial Intelligence", "p._94,_para._3": "CT Tomography"})
    parsed = _clauses(**{"p._9,_para._1": "In addition, as for example, the Machinery Directive.",
                         "p._10,_para._1": "Reviews are under way.", "p._94,_para._1": "Acquis Rights.",
                         "p._94,_para._2": "AI Artificial Intelligence", "p._94,_para._3": "CT Tomography"})
    errata = [Erratum("p. 9, para. 1", "split over a page", join=True),
              Erratum("p. 94, para. 1", "heading read as a paragraph", absent=True),
              Erratum("p. 94, para. 2", "two glossary entries joined", split="AI Artificial")]
    result = compare("d", oracle, parsed, errata)
    assert (result.identical, result.differing, result.missing, result.extra, result.stale) == (1, {}, [], [], [])
    assert result.explained == {"p. 9, para. 1": "split over a page", "p. 10, para. 1": "split over a page",
                                "p. 94, para. 1": "two glossary entries joined",
                                "p. 94, para. 2": "two glossary entries joined"}


def test_every_erratum_names_its_reason():
    errata = load_errata()
    assert errata and all(e.why and (e.wrong or e.absent or e.join or e.split or e.rows and e.through)
                          for entries in errata.values() for e in entries)


@pytest.mark.parametrize("damage, what", [(lambda data: data[: len(data) // 2], "is cut short"),
                                          (lambda data: b"<!DOCTYPE html><html><title>Think Tank</title></html>", "is not a PDF")])
def test_the_library_refuses_a_damaged_briefing_pdf_and_keeps_what_was_built(settings, tmp_path, damage, what):
    """The briefing's PDF cut in half or an HTML page saved in its place, the manifest updated to its
    checksum: refused naming the file, and the parse cache of the files read before stays as it was."""
    import hashlib

    from assistant.clauses import Library
    from assistant.fetch import fetch
    corpus = Corpus.from_settings(settings)
    source = corpus.by_id["eprs-briefing-ai-act"]
    if not (corpus.dir / source.official[0].file).is_file():
        pytest.skip("no official file")
    fetch(corpus.sources, tmp_path, corpus.dir, progress=False, report=lambda _: None)
    cache = tmp_path / "parsed"
    Library(Corpus(tmp_path, settings.manifest_path, cache))  # everything built once
    built = {p.name: p.read_bytes() for p in cache.glob("*.json")}
    path = tmp_path / source.official[0].file
    data = damage(path.read_bytes())
    path.write_bytes(data)
    manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        if doc["id"] == source.id:
            doc["official"][0]["sha256"] = hashlib.sha256(data).hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"EPRS_BRI\(2021\)698792_EN\.pdf {what}"):
        Library(Corpus(tmp_path, tmp_path / "manifest.json", cache))
    assert {p.name: p.read_bytes() for p in cache.glob("*.json")} == built


def _cell_row(page: int, y: float, cells: list[tuple[float, str]], size: float = 10.0, rule: bool = False) -> Row:
    """A row of table cells, each drawn as its own run at its column's left edge."""
    runs = [_run(text, x) for x, text in cells]
    return Row(page, y, runs, Counter({size: sum(len(t) for _, t in cells)}), rule_above=rule)


def test_a_ruled_table_gives_one_clause_per_row_its_cells_named_by_the_header():
    """The impact assessment's Table 7 runs over six pages of its annexes: each row between the
    table's rules is one paragraph, its cells read column by column (not line by line across the
    columns), over the page break too where the next page's first row leaves the first column
    empty, and each cell named by the header above the first rule."""
    header = [row(42, 540, "HIGH-RISK POTENTIAL", x=80)]
    header[0].runs = [_run("HIGH-RISK", 80), _run("POTENTIAL", 200)]
    first = [_cell_row(42, 500, [(80, "AI systems for"), (200, "Intense")], rule=True),
             _cell_row(42, 488, [(80, "remote identification"), (200, "interference")]),
             _cell_row(42, 440, [(80, "AI systems for"), (200, "Injury or")], rule=True)]
    after_break = [_cell_row(43, 780, [(200, "death")], rule=True),
                   _cell_row(43, 740, [(80, "AI in education"), (200, "Adverse")], rule=True)]
    body = [row(9, 400 - 14 * k, "filler line of the body text that sets the pitch.") for k in range(6)]
    note = [row(42, 100, "93", 6.5), row(42, 96, "A note.", 10.0)]
    pages = [body, _notes_page(42, 200, *(header + first + note)), after_break]
    texts = [text for _, _, text in _records(*pages)]
    assert texts[-4:] == ["HIGH-RISK | POTENTIAL",
                          "HIGH-RISK: AI systems for remote identification | POTENTIAL: Intense interference",
                          "HIGH-RISK: AI systems for | POTENTIAL: Injury or death",
                          "HIGH-RISK: AI in education | POTENTIAL: Adverse"]


def test_a_table_erratum_explains_its_rows_only_where_the_characters_agree():
    """The oracle flattens a ruled table line by line, interleaving its cells' words; the parse's
    rows count as explained when they hold the same characters (labels, separators, list marks
    aside), and the page's later paragraphs are counted again."""
    oracle = _clauses(**{"p._5,_para._1": "USES HARMS", "p._5,_para._2": "AI for Intense • remote id interference",
                         "p._5,_para._3": "After the table."})
    good = _clauses(**{"p._5,_para._1": "USES | HARMS", "p._5,_para._2": "USES: AI for remote id | HARMS: Intense interference",
                       "p._5,_para._3": "USES: - | HARMS: -", "p._5,_para._4": "After the table."})
    table = Erratum("p. 5, para. 1", "flattened line by line", through="p. 5, para. 2",
                    rows=("p. 5, para. 1", "p. 5, para. 2", "p. 5, para. 3"))
    result = compare("d", oracle, good, [table])
    assert (result.identical, len(result.explained), result.differing, result.stale) == (0, 4, {}, [])
    assert "p. 5, para. 4" in result.explained  # counted again on the page, with the table's reason
    bad = dict(good, **_clauses(**{"p._5,_para._2": "USES: AI for remote | HARMS: Intense interference"}))
    result = compare("d", oracle, bad, [table])
    assert set(result.differing) == {"p. 5, para. 1", "p. 5, para. 2", "p. 5, para. 3"}
