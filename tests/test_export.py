"""Keeping a conversation: the Markdown and JSON export, on the real corpus (and once on real answers)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from markdown_it import MarkdownIt

from assistant import export
from assistant.answering.disclosure import DISCLOSURE
from assistant.records import Answer, Citation

WHEN = datetime(2026, 11, 29, 20, 15, 42, tzinfo=timezone.utc)
MD = MarkdownIt("commonmark")


def rendered_text(markdown: str) -> str:
    """The text a Markdown renderer shows (inline text of every block, one line per line)."""
    out = []
    for token in MD.parse(markdown):
        if token.type == "inline":
            out.append("".join("\n" if c.type in ("softbreak", "hardbreak") else c.content
                               for c in token.children if c.type in ("text", "softbreak", "hardbreak", "code_inline")))
    return "\n".join(out)


def blockquotes(markdown: str) -> list[str]:
    """The rendered text of each top-level block quote."""
    tokens, quotes, depth, current = MD.parse(markdown), [], 0, []
    for token in tokens:
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
            if depth == 0:
                quotes.append("\n".join(current))
                current = []
        elif depth and token.type == "inline":
            current.append("".join("\n" if c.type == "softbreak" else c.content for c in token.children))
    return quotes


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def turns(library):
    social = library.get("ai-act-proposal-2021", "Art. 5(1)(c)")
    gdpr = library.get("gdpr", "Art. 22(1)")
    first = Answer("Is social scoring banned under the draft?",
                   f"*{DISCLOSURE}*\n\n**Yes.** Article 5(1)(c) prohibits it [1].\n\n> {social.text[:50]}",
                   [Citation(social.doc, social.ref, social.label, social.text[:50], social.url, 0.9,
                             tuple(social.heading_path))], DISCLOSURE, notices=["From the 2021 proposal."])
    second = Answer("And automated decisions in the GDPR?", "Article 22(1) gives a right not to be subject [1].",
                    [Citation(gdpr.doc, gdpr.ref, gdpr.label, gdpr.text[:40], gdpr.url, 0.8, tuple(gdpr.heading_path))],
                    DISCLOSURE)
    return [(first.question, first), (second.question, second)]


def test_record_carries_everything_needed_to_check_the_answers(turns, library):
    record = export.conversation_record(turns, library, exported_at=WHEN)
    assert record["format"] == export.FORMAT and record["exported_at"] == "2026-11-29T20:15:42+00:00"
    assert record["disclosure"] == DISCLOSURE
    assert {c["id"]: c["sha256"] for c in record["corpus"]} == library.corpus.checksums
    assert [t["question"] for t in record["turns"]] == [q for q, _ in turns]
    assert record["turns"][0]["answer"] == turns[0][1].to_dict()
    clause = record["turns"][1]["clauses"][0]
    assert clause["text"] == library.get("gdpr", "Art. 22(1)").text  # the whole clause, not only the quote
    assert clause["display"] == "GDPR, Art. 22(1)" and clause["url"].startswith("https://eur-lex.europa.eu/")
    assert json.loads(export.to_json(record)) == record


def test_markdown_shows_questions_answers_and_clauses_verbatim(turns, library):
    record = export.conversation_record(turns, library, exported_at=WHEN)
    markdown = export.to_markdown(record)
    assert markdown.startswith(f"# {export.TITLE}\n")
    assert "2026-11-29T20:15:42+00:00" in markdown
    for source in record["corpus"]:
        assert source["sha256"] in markdown
    quotes = blockquotes(markdown)
    for turn in record["turns"]:
        assert turn["question"] in quotes
        for clause in turn["clauses"]:
            assert squash(clause["text"]) in map(squash, quotes)  # rendered, the clause reads verbatim
            assert f"<{clause['url']}>" in markdown and clause["display"] in markdown
    text = rendered_text(markdown)
    assert DISCLOSURE in text and "Note: From the 2021 proposal." in text
    assert markdown.count("## Question ") == 2 and markdown.count("#### Sources") == 2


def test_answer_markdown_for_the_terminal_lists_sources_without_clauses(turns):
    answer = turns[1][1].to_dict()
    markdown = export.answer_markdown(answer)
    assert markdown.startswith(answer["text"]) and "- **[1] GDPR, Art. 22(1)** <https://eur-lex" in markdown
    assert DISCLOSURE in rendered_text(markdown)  # not in the text, so added
    assert not blockquotes(markdown)
    assert export.answer_markdown(turns[0][1].to_dict()).count(DISCLOSURE) == 1  # already in the text


def test_filename_is_sortable_and_shared_by_both_formats():
    record = {"exported_at": WHEN.isoformat(timespec="seconds")}
    assert export.filename(record, "md") == "conversation-20261129-2015.md"
    assert export.filename(record, "json") == "conversation-20261129-2015.json"


def test_without_a_library_the_quotes_stand_in(turns):
    record = export.conversation_record(turns, None, exported_at=WHEN)
    assert record["corpus"] == [] and record["turns"][1]["clauses"][0]["text"] == turns[1][1].citations[0].quote
    assert "Corpus versions" not in export.to_markdown(record)


@hsettings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]), min_size=1, max_size=80)
       .map(str.strip).filter(bool))
def test_escaped_text_renders_as_itself(text):
    assert rendered_text(export.escape_markdown(text)) == text


@pytest.mark.slow
def test_real_answer_exports_its_clauses_verbatim(assistant):
    answer = assistant.ask("Is social scoring banned under the draft?")
    assert answer.citations
    markdown = export.to_markdown(export.conversation_record([(answer.question, answer)], assistant.library))
    quotes = list(map(squash, blockquotes(markdown)))
    for citation in answer.citations:
        assert squash(assistant.library.get(citation.doc, citation.ref).text) in quotes
        assert squash(citation.quote) in " ".join(quotes)
