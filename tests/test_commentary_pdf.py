"""The commentary PDFs parsed into commentary records (assistant/parsers/commentary_pdf.py): the rules
that rebuild rows and paragraphs from the characters, each on a small example, and the gate that
reads a commentary document from its PDF only where the parser meets the oracle target."""
import json
from collections import Counter

import pytest

from assistant.agreement import HEADER, compare
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


BODY = [row(9, 400 - 16 * k, "filler line of the body text that sets the pitch") for k in range(6)]


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
    result = compare(doc, oracle, build_clauses(source, commentary_pdf.parse(files)))
    print(f"\n{HEADER}\n{result.row()}")
    (fmt,) = {f.format for f in source.official}
    assert (PARSERS.get(fmt) is commentary_pdf.parse) == (result.ratio >= TARGET)


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
