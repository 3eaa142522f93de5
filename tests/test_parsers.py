"""The official files parsed into clauses, checked against the manual JSON Lines conversion (the
oracle), and the rules that repair what the official markup breaks, each on a small example."""
import json

import pytest

from assistant.agreement import HEADER, compare, load_errata
from assistant.clauses import build_clauses
from assistant.errors import CorpusError
from assistant.parsers import PARSERS, eurlex_html
from assistant.sources import Corpus

TARGET = 0.99  # share of the oracle's clauses that must be identical (issue 12)


def _oracle(corpus: Corpus, source):
    path = corpus.path(source)
    if not path.is_file():
        pytest.skip(f"no oracle {path}")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return build_clauses(source, records[1:])


def _parsed(corpus: Corpus, source):
    files = [(f.file, (corpus.dir / f.file).read_bytes()) for f in source.official]
    (fmt,) = {f.format for f in source.official}
    return build_clauses(source, PARSERS[fmt](files))


@pytest.mark.parametrize("doc, counts", [
    ("gdpr", {"article": 99, "recital": 173, "annex": 0}),
    ("ai-act-final-2024", {"article": 113, "recital": 180, "annex": 13}),
    ("ai-act-proposal-2021", {"article": 85, "recital": 89, "annex": 9, "em_section": 22}),
    ("edpb-edps-joint-opinion-5-2021", {"cover": 1, "commentary_paragraph": 105}),
])
def test_official_files_agree_with_the_oracle(settings, doc, counts):
    corpus = Corpus.from_settings(settings)
    source = corpus.by_id[doc]
    if not corpus.reads_official(source):
        pytest.skip(f"official files of {doc} not in {corpus.dir}")
    oracle, parsed = _oracle(corpus, source), _parsed(corpus, source)
    result = compare(doc, oracle, parsed, load_errata().get(doc, ()))
    print(f"\n{HEADER}\n{result.row()}")
    for ref, (want, got) in list(result.differing.items())[:10]:
        print(f"  {ref}: oracle …{want}… parsed …{got}…")
    assert {k: sum(c.kind == k for c in parsed.values()) for k in counts} == counts
    assert result.ratio >= TARGET, (result.missing[:5], result.extra[:5], list(result.differing)[:5])
    assert not result.stale  # every erratum of the document still accounts for a difference
    # the structure around the text is the same too: headings, titles, links, parents
    same = [r for r in oracle if r in parsed and (oracle[r].heading_path, oracle[r].title, oracle[r].url,
                                                  oracle[r].parent) == (parsed[r].heading_path, parsed[r].title,
                                                                        parsed[r].url, parsed[r].parent)]
    assert len(same) / len(oracle) >= TARGET


def _page(body: str, old_layout: bool = False) -> list[tuple[str, bytes]]:
    html = f"<html><head><title>t</title></head><body>{body}</body></html>"
    if not old_layout:
        html = html.replace('class="', 'class="oj-')
    return [("test.html", html.encode())]


def _article(body: str, title: str = "Scope") -> str:
    """Article 1 with ``body``, then the closing formula that a whole act ends with."""
    return (f'<p class="ti-art">Article 1</p><p class="sti-art">{title}</p>{body}'
            '<div class="final"><p class="normal">Done at Brussels.</p></div>')


def _point(label: str, inner: str) -> str:
    return (f'<table><tbody><tr><td><p class="normal">{label}</p></td>'
            f'<td>{inner}</td></tr></tbody></table>')


def _articles(records):
    return [r for r in records if r["kind"] == "article"]


def test_paragraphs_points_and_subparagraphs_nest_as_in_the_act():
    body = _article('<p class="normal">1.&nbsp;&nbsp;&nbsp;Processing is lawful if:</p>'
                    + _point("(a)", '<p class="normal">consent;</p>')
                    + _point("(b)", '<p class="normal">a contract:</p>' + _point("(i)", '<p class="normal">x;</p>'))
                    + '<p class="normal">Point (b) does not apply.</p>'
                    + '<p class="normal">2.   Member States may act.</p>'
                    + '<p class="normal">3 000 persons is not a paragraph number.</p>')
    for old in (True, False):
        (art,) = _articles(eurlex_html.parse(_page(body, old_layout=old)))
        one, two = art["content"]
        assert (one["num"], one["text"]) == ("1.", "Processing is lawful if:")
        assert [c["num"] for c in one["children"]] == ["(a)", "(b)", None]
        assert one["children"][1]["children"] == [{"num": "(i)", "text": "x;"}]
        assert two["num"] == "2." and two["children"] == [{"num": None, "text": "3 000 persons is not a paragraph number."}]


def test_footnote_calls_become_markers_without_a_space():
    body = _article('<p class="normal">the Council<a href="#ntr1-X">&nbsp;(<span class="super">1</span>)</a>, the rest</p>')
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert art["content"][0]["text"] == "the Council[^1], the rest"


def test_an_exponent_keeps_its_caret_and_a_footnote_asterisk_stays_as_printed():
    # Art. 51(2) of the 2024 Act: 10<sup>25</sup> floating point operations, not 1025
    body = _article('<p class="normal">greater than 10<span class="super">25</span>. See (<span class="super">*</span>)</p>')
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert art["content"][0]["text"] == "greater than 10^25. See (*)"


def test_a_line_wrapped_after_a_hyphen_is_joined():
    # The browser that saved the 2024 page wrapped "High-risk" as "High-\nrisk"; a wrap at a space keeps it.
    body = _article('<p class="normal">High-\nrisk AI systems and\n other systems</p>')
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert art["content"][0]["text"] == "High-risk AI systems and other systems"


def test_text_outside_paragraphs_in_a_cell_is_kept():
    body = _article(_point("(2)", '<p class="normal">in Article 19:</p><div><p class="normal">‘4. Text.’</p></div>;'))
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert art["content"][0]["children"] == [{"num": None, "text": "‘4. Text.’"}, {"num": None, "text": ";"}]


def test_annex_points_set_as_inline_paragraphs_and_headings():
    body = (_article('<p class="normal">Text.</p>') + '<p class="doc-ti">ANNEX&nbsp;VI</p><p class="doc-ti">Procedure</p>'
            '<p class="ti-grseq-1">1.   Introduction</p>'
            '<div class="enumeration-spacing"><p>1.&nbsp;&nbsp;&nbsp;</p><p><span>The first point.</span></p></div>'
            '<hr class="separator"><p class="normal">ELI: http://data.europa.eu/eli/reg/2024/1689/oj</p>')
    (annex,) = [r for r in eurlex_html.parse(_page(body)) if r["kind"] == "annex"]
    assert annex["title"] == "Procedure"
    assert annex["content"] == [{"num": None, "text": "1. Introduction", "heading": True},
                                {"num": "1.", "text": "The first point."}]  # the colophon after the rule is not the annex


def test_stray_backtick_after_an_article_title_is_dropped():
    body = _article('<p class="normal">Text.</p>', title="Subject matter`")
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert art["title"] == "Subject matter"


def test_chapters_and_sections_give_the_heading_path():
    body = ('<p class="ti-section-1">CHAPTER II</p><p class="ti-section-2"><span class="bold">Principles</span></p>'
            '<p class="ti-section-1">Section 1</p><p class="ti-section-2">Transparency</p>' + _article('<p class="normal">Text.</p>'))
    (art,) = _articles(eurlex_html.parse(_page(body)))
    assert (art["chapter_num"], art["chapter_heading"], art["section_num"], art["section_heading"]) == \
        ("II", "Principles", "1", "Transparency")


@pytest.mark.parametrize("data, what", [
    (b"<html><head><title>EUR-Lex - Page not found</title></head><body><h1>404</h1></body></html>", "no articles"),
    (b"", "not readable HTML"),
    (b"%PDF-1.7 \xe2\xe3\xcf\xd3 binary", "not UTF-8"),
])
def test_a_wrong_file_is_refused_naming_it(data, what):
    with pytest.raises(CorpusError, match=f"wrong.html.*{what}|{what}.*wrong.html"):
        eurlex_html.parse([("wrong.html", data)])


def test_a_truncated_act_is_refused(settings):
    corpus = Corpus.from_settings(settings)
    source = corpus.by_id["ai-act-final-2024"]
    if not corpus.reads_official(source):
        pytest.skip("no official file")
    data = (corpus.dir / source.official[0].file).read_bytes()
    with pytest.raises(CorpusError, match="cut.html.*ends at Article"):
        eurlex_html.parse([("cut.html", data[: len(data) // 2])])


def test_parsing_is_cached_by_the_checksums(settings, tmp_path, monkeypatch):
    from assistant import parsers
    from assistant.clauses import Library
    corpus = Corpus(settings.corpus_dir, settings.manifest_path, tmp_path)
    if not corpus.reads_official(corpus.by_id["gdpr"]):
        pytest.skip("no official files")
    cold = Library(corpus)
    cached = sorted(p.name for p in tmp_path.glob("*.json"))
    assert [n.rsplit("-", 1)[0] for n in cached] == ["ai-act-final-2024", "ai-act-proposal-2021",
                                                     "edpb-edps-joint-opinion-5-2021", "eprs-briefing-ai-act", "gdpr",
                                                     "impact-assessment-swd-2021-84-part1", "impact-assessment-swd-2021-84-part2"]
    # a warm start reads the cache: the parser is not called
    monkeypatch.setitem(parsers.PARSERS, "eurlex-html", lambda files: pytest.fail("parsed again"))
    warm = Library(Corpus(settings.corpus_dir, settings.manifest_path, tmp_path))
    assert [c.text for c in warm.all_clauses] == [c.text for c in cold.all_clauses]
    # a damaged cache file is parsed anew and replaced
    monkeypatch.undo()
    victim = tmp_path / cached[2]
    victim.write_text(victim.read_text()[:1000], encoding="utf-8")
    again = Library(Corpus(settings.corpus_dir, settings.manifest_path, tmp_path))
    assert again.get("gdpr", "Art. 6(1)(f)").text == cold.get("gdpr", "Art. 6(1)(f)").text
    assert len(victim.read_text()) > 1000


def test_the_library_refuses_a_wrong_official_file_naming_it(settings, tmp_path):
    """An error page saved in place of the Act, even with the manifest updated to its checksum."""
    import hashlib

    from assistant.clauses import Library
    from assistant.fetch import fetch
    corpus = Corpus.from_settings(settings)
    fetch(corpus.sources, tmp_path, corpus.dir, progress=False, report=lambda _: None)
    gdpr = corpus.by_id["gdpr"]
    page = b"<html><head><title>EUR-Lex - Service unavailable</title></head><body><p>Try later</p></body></html>"
    (tmp_path / gdpr.official[0].file).write_bytes(page)
    manifest = json.loads(settings.manifest_path.read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        if doc["id"] == "gdpr":
            doc["official"][0]["sha256"] = hashlib.sha256(page).hexdigest()
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"GDPR_en_OJ_L_119_2016\.html holds no articles.*Service unavailable"):
        Library(Corpus(tmp_path, path, tmp_path / "parsed"))


# ---------------------------------------------------------------- PDF text repairs

from assistant.parsers import pdf_text  # noqa: E402


def test_pdf_glyphs_ligatures_hyphen_mark_and_bullets():
    assert pdf_text.fix_glyphs("\ufb01ne high\uffferisk \uf0b7 item") == "fine high-risk • item"


def test_pdf_running_headers_and_page_numbers_are_dropped():
    pages = [["EN 1 EN", "Text one.", "1"], ["EN 2 EN", "Text two.", "2"], ["EN 3 EN", "Text three.", "3"]]
    assert pdf_text.drop_running_lines(pages) == [["Text one."], ["Text two."], ["Text three."]]


def test_pdf_footnotes_leave_the_body_and_calls_become_markers():
    lines = ["within the meaning of Recommendation 2003/361/EC61", ";", "Article 61 applies.", " ",
             "61 Commission Recommendation of 6 May 2003 concerning", "the definition of SMEs."]
    body, notes = pdf_text.split_footnotes(lines)
    assert notes == {"61": "Commission Recommendation of 6 May 2003 concerning the definition of SMEs."}
    marked = pdf_text.attach_punctuation(pdf_text.mark_footnote_calls(body, set(notes)))
    # "Article 61" is a reference, not a call: the digits are not glued to a word
    assert marked == ["within the meaning of Recommendation 2003/361/EC[^61];", "Article 61 applies."]


def test_pdf_words_hyphenated_at_a_line_end_are_joined_and_dashes_kept():
    assert pdf_text.join_hyphenated(["an un-", "expected result", "a gap -", "and a dash"]) == \
        ["an unexpected result", "a gap - and a dash"]


def test_pdf_paragraphs_follow_the_wrap_space_across_pages():
    pages = [pdf_text.Page(1, ["(a) the first point runs ", "onto a second line;", "(b) the second point is split ", "over "]),
             pdf_text.Page(2, ["the page break; ", "(i) a label opens a new one."])]
    assert pdf_text.paragraphs(pages) == [
        (1, "(a) the first point runs onto a second line;"),
        (1, "(b) the second point is split over the page break;"),
        (2, "(i) a label opens a new one.")]


@pytest.mark.parametrize("cut, what", [(0.5, "cut short"), (None, "not a PDF")])
def test_a_cut_or_wrong_pdf_is_refused_naming_it(settings, cut, what):
    corpus = Corpus.from_settings(settings)
    (f,) = corpus.by_id["edpb-edps-joint-opinion-5-2021"].official
    path = corpus.dir / f.file
    if not path.is_file():
        pytest.skip("no official PDF")
    data = path.read_bytes()
    data = data[: int(len(data) * cut)] if cut else b"<html><title>404</title></html>"
    with pytest.raises(CorpusError, match=f"opinion.pdf.*{what}|opinion.pdf is {what}"):
        pdf_text.read_pages(data, "opinion.pdf")



def test_pdf_footnote_number_alone_on_its_line_and_a_call_before_punctuation():
    lines = ["for more”1", ", that the Commission", "1. CONTEXT OF THE PROPOSAL", " ",
             "1", "https://ec.europa.eu/guidelines.pdf", "2", "European Commission, White Paper."]
    body, notes = pdf_text.split_footnotes(lines)
    assert notes == {"1": "https://ec.europa.eu/guidelines.pdf", "2": "European Commission, White Paper."}
    marked = pdf_text.mark_footnote_calls(body, set(notes))
    assert marked == ["for more”[^1]", ", that the Commission", "1. CONTEXT OF THE PROPOSAL"]  # a heading is no call
    assert pdf_text.paragraphs([pdf_text.Page(1, marked)]) == [
        (1, "for more”[^1], that the Commission"), (1, "1. CONTEXT OF THE PROPOSAL")]


def test_the_agreement_over_all_documents_counts_their_clauses_together():
    """The note's table ends with all documents' clauses counted together: identical as they are,
    and identical or explained by an erratum."""
    from assistant.agreement import Agreement, total
    a = Agreement("a", 100, 100, 99, differing={"Art. 1": ("x", "y")})
    b = Agreement("b", 300, 300, 280, explained={"p. 1, para. 1": "why"})
    both = total([a, b])
    assert (both.oracle, both.identical, len(both.differing), len(both.explained)) == (400, 379, 1, 1)
    assert both.identical_ratio == pytest.approx(379 / 400) and both.ratio == pytest.approx(380 / 400)
    assert "all documents" in both.row() and "94.75%" in both.row()
