"""The web UI: rendering and handlers directly, then the launched app over real HTTP with gradio_client.

The app is launched once per test session (the ``app`` fixture in conftest.py, shared with
tests/test_browser.py) on a free port, with the session's assistant.
"""
from __future__ import annotations

import concurrent.futures
import html
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant import ui
from assistant.answering.disclosure import DISCLOSURE, SHORT_LABEL
from assistant.errors import IndexUnavailable, InvalidQuestion
from assistant.records import Answer, Citation

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def client(app):
    from gradio_client import Client

    return Client(app["url"], verbose=False)


# ------------------------------------------------------------------ fakes for the handlers

def citation(**kw) -> Citation:
    data = dict(doc="ai-act-proposal-2021", ref="Art. 5(1)(c)", label="Article 5(1)(c) of the AI Act proposal",
                quote="the social score leading to", url="https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52021PC0206",
                heading_path=("Title II PROHIBITED ARTIFICIAL INTELLIGENCE PRACTICES", "Article 5"))
    data.update(kw)
    return Citation(**data)


class FakeLibrary:
    def get(self, doc, ref):
        raise KeyError(ref)


class FakeAssistant:
    """Streams a fixed answer, or raises ``error``; records the history it was given."""

    def __init__(self, error: Exception | None = None, answer: Answer | None = None):
        self.error = error
        self.library = FakeLibrary()
        self.answer = answer or Answer("q", "Social scoring is prohibited [1], see also [2]. " * 12,
                                       [citation(), citation(ref="Annex III(5)(b)")], DISCLOSURE)
        self.calls = []

    def stream(self, question, history=None, documents=None):
        self.calls.append({"question": question, "history": history, "documents": documents})
        if self.error:
            raise self.error
        for word in self.answer.text.split(" "):
            yield word + " "
        yield self.answer


SKIP = {"__type__": "update"}  # gr.skip(): the output keeps its value


def shown(steps, start=("typed", ui.chat_messages([]), ui.render_sources([]), None)):
    """What the page shows after each step: (textbox, chat, sources panel, conversation)."""
    current, out = list(start), []
    for step in steps:
        current = [old if new == SKIP else new for old, new in zip(current, step)]
        out.append(tuple(current))
    return out


def run(assistant, message, groups=None, conversation=None):
    conversation = conversation or ui.Conversation()
    steps = shown(ui.respond(assistant, message, ui.ALL_GROUPS if groups is None else groups, conversation))
    return steps, steps[-1]


# ------------------------------------------------------------------ rendering

def test_opening_message_and_page_carry_the_disclosure():
    messages = ui.chat_messages([])
    assert len(messages) == 1 and messages[0]["role"] == "assistant"
    assert DISCLOSURE in messages[0]["content"]
    assert DISCLOSURE in ui._notice_html() and SHORT_LABEL in ui._header_html()
    assert "Not legal advice" in ui._footer_html()


TYPED = ('<img src=x onerror="alert(1)"> **bold** [a](javascript:alert(1)) https://evil.example a\\b `c` '
         "www.evil.example x@evil.example\n    four spaces\n1. one\n# heading\n> quote &amp; &#42;")


def test_user_text_is_shown_as_typed():
    shown = ui.escape_user_text(TYPED)
    assert not set("<>*[]()`\\#&.:") & set(shown.replace("&#", "").replace(";", ""))  # no syntax left
    assert html.unescape(shown) == TYPED  # every character is still there, as a character reference
    # Rendered by a CommonMark parser, it is one paragraph of plain text: the characters typed, no link,
    # no image, no emphasis, no code, and no backslash added.
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(shown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    inline = tokens[1].children
    assert {t.type for t in inline} <= {"text", "softbreak"}
    assert "".join("\n" if t.type == "softbreak" else t.content for t in inline) == TYPED
    long = ui.render_user("x" * 5000)
    assert len(long) < 1400 and "5,000 characters" in long


def test_answers_link_to_their_question_and_the_link_reopens_it():
    from urllib.parse import parse_qs

    question = "What does Art. 5(1)(c) say? & more #1"
    answer = Answer(question, "Banned [1].", [citation()], DISCLOSURE)
    shown = ui.render_answer(answer, 1)
    link = shown[shown.index("[Link to this question](") + len("[Link to this question]("):].split(")")[0]
    assert link == ui.deep_link(question) and link.startswith("?q=")
    assert ui.deep_link_question({k: v[0] for k, v in parse_qs(link[1:]).items()}) == question
    assert ui.deep_link_question({}) is None and ui.deep_link_question({"q": "  "}) is None
    assert ui.deep_link_question(None) is None


def test_filters_label_names_what_is_searched():
    assert ui.filters_label(ui.ALL_GROUPS) == "Search in: all documents"
    assert ui.filters_label(["gdpr", "final"]) == "Search in: GDPR, Final AI Act (2024)"
    assert "choose at least one" in ui.filters_label([])


def test_download_conversation_file(library, tmp_path):
    conversation = ui.Conversation()
    assert ui.conversation_file(conversation, library, tmp_path) is None  # nothing to keep yet
    clause = library.get("ai-act-proposal-2021", "Art. 5(1)(c)")
    answer = Answer("Is social scoring banned?", "Yes [1].", [citation(quote=clause.text[:60])], DISCLOSURE)
    conversation.turns = [ui.Turn("Is social scoring banned?", answer), ui.Turn("broken", error="x")]
    path = Path(ui.conversation_file(conversation, library, tmp_path))
    text = path.read_text(encoding="utf-8")
    assert path.parent.parent == tmp_path and path.name.startswith("conversation-") and path.suffix == ".md"
    assert "Is social scoring banned?" in text and "broken" not in text  # failed turns are not kept
    assert DISCLOSURE in text and clause.url in text
    assert "detrimental or unfavourable treatment" in text  # the whole clause, beyond the quote
    assert library.corpus.checksums["gdpr"] in text
    # two sessions exporting in the same minute do not overwrite each other
    assert Path(ui.conversation_file(conversation, library, tmp_path)) != path


def test_citations_link_to_their_source_cards():
    text = "Banned [1] and listed [2]; [3] is no citation; [EUR-Lex](https://eur-lex.europa.eu) [1](#x)"
    linked = ui.link_citations(text, turn=4, count=2)
    assert "[\\[1\\]](#source-4-1)" in linked and "[\\[2\\]](#source-4-2)" in linked
    assert "[3] is no citation" in linked and "[EUR-Lex](https://eur-lex.europa.eu)" in linked
    assert "[1](#x)" in linked


def test_answer_has_chips_and_answer_html_is_neutralized():
    answer = Answer("q", "Text <script>alert(1)</script> [1]", [citation(), citation(ref="Art. 6")], DISCLOSURE,
                    notices=["The verifier removed 1 unsupported citation(s) or quotation(s)."])
    shown = ui.render_answer(answer, 1)
    assert "<script" not in shown
    assert "(#source-1-1)" in shown and "[2 · AI Act proposal, Art. 6](#source-1-2)" in shown
    assert "_The verifier removed 1 unsupported" in shown
    assert "[Link to this question](?q=q)" in shown


def test_source_cards_escape_everything_and_link_to_eur_lex():
    hostile = citation(label='<img src=x onerror="alert(1)">', quote="<b>quoted</b>")
    turns = [ui.Turn("<script>alert(2)</script>", Answer("q", "x [1]", [hostile], DISCLOSURE))]
    panel = ui.render_sources(turns, FakeLibrary())
    assert "<img" not in panel and "<script" not in panel and "<b>" not in panel
    assert 'id="source-1-1"' in panel and 'href="https://eur-lex.europa.eu/' in panel
    assert "Title II PROHIBITED ARTIFICIAL INTELLIGENCE PRACTICES › Article 5" in panel
    assert "Read on EUR-Lex" in panel
    assert "sources-empty" in ui.render_sources([])


def test_source_card_shows_the_whole_clause_with_the_quote_marked(library):
    clause = library.get("ai-act-proposal-2021", "Art. 5(1)(c)")
    cite = citation(quote="for the evaluation or classification of the trustworthiness of natural persons")
    card = ui.source_card(cite, 1, 1, library, is_open=True)
    assert "(ii) detrimental or unfavourable treatment" in card  # beyond the quote: the whole clause
    assert "<mark>for the evaluation or classification" in card
    assert clause.url and 'href="https://eur-lex.europa.eu/' in card


def test_document_groups():
    assert ui.documents_for(ui.ALL_GROUPS) is None
    assert ui.documents_for(["gdpr"]) == ["gdpr"]
    assert ui.documents_for([]) == []


# ------------------------------------------------------------------ handlers

def test_respond_streams_then_shows_linked_answer_and_sources():
    fake = FakeAssistant()
    steps, (box, chat, panel, conversation) = run(fake, "Is social scoring banned?")
    assert box == ""
    assert len(steps) > 3  # the user's message first, then partial answers, then the final one
    assert steps[0][1][-1] == {"role": "user", "content": ui.render_user("Is social scoring banned?")}
    partial = steps[2][1][-1]["content"]
    assert partial and len(partial) < len(fake.answer.text)
    assert "(#source-1-1)" in chat[-1]["content"] and "**Sources:**" in chat[-1]["content"]
    assert 'id="source-1-2"' in panel
    assert conversation.turns[0].answer is fake.answer


def test_a_slow_answer_is_shown_as_it_arrives(monkeypatch):
    """A local model writes a few tokens a second: each piece is shown once STREAM_SECONDS have
    passed, however short, not held back until STREAM_STEP characters have come."""
    class Slow(FakeAssistant):
        def stream(self, question, history=None, documents=None):
            for word in ("Yes, ", "it is ", "banned [1]."):
                time.sleep(0.1)
                yield word
            yield self.answer

    monkeypatch.setattr(ui, "STREAM_SECONDS", 0.05)
    steps, _ = run(Slow(), "Is social scoring banned?")
    partials = [step[1][-1]["content"] for step in steps[1:-1]]
    assert partials == ["Yes, ", "Yes, it is ", "Yes, it is banned [1]."]


def test_streaming_leaves_a_question_typed_meanwhile_alone():
    steps = list(ui.respond(FakeAssistant(), "Is social scoring banned?", ui.ALL_GROUPS, ui.Conversation()))
    assert steps[0][0] == "" and all(step[0] == SKIP for step in steps[1:])


def test_clear_while_streaming_stops_the_answer():
    conversation = ui.Conversation()
    stream = ui.respond(FakeAssistant(), "Is social scoring banned?", ui.ALL_GROUPS, conversation)
    first = [next(stream), next(stream)]
    cleared = ui.clear(conversation)
    rest = list(stream)
    final = shown(first + [cleared] + rest)[-1]
    assert len(final[1]) == 1 and "sources-empty" in final[2] and conversation.turns == []
    assert len(rest) == 1  # it stopped at the next chunk


def test_clear_after_the_last_update_left_sends_the_cleared_chat_after_it():
    """The answer's last update was made (its check of the epoch passed), then Clear ran before the
    update reached the page, which so saw Clear's empty chat first and the old conversation last. The
    answer, resumed once that update is sent, sends the cleared chat after it."""
    conversation = ui.Conversation()
    steps = list(ui.respond(FakeAssistant(), "Is social scoring banned?", ui.ALL_GROUPS, conversation))
    conversation = ui.Conversation()
    stream = ui.respond(FakeAssistant(), "Is social scoring banned?", ui.ALL_GROUPS, conversation)
    before = [next(stream) for _ in range(len(steps))]  # up to and including the last update
    assert "**Sources:**" in before[-1][1][-1]["content"] and len(conversation.turns) == 1
    cleared = ui.clear(conversation)
    rest = list(stream)
    final = shown(before[:-1] + [cleared, before[-1]] + rest)[-1]  # the order the page saw them in
    assert len(final[1]) == 1 and "sources-empty" in final[2] and conversation.turns == []


def test_an_answer_never_stores_its_turn_after_a_clear():
    conversation = ui.Conversation([ui.Turn("old", error="x")])
    epoch = conversation.epoch
    ui.clear(conversation)
    assert not conversation.commit([ui.Turn("old"), ui.Turn("new")], epoch) and conversation.turns == []
    assert conversation.commit([ui.Turn("next")], conversation.epoch) and len(conversation.turns) == 1


def test_each_session_gets_its_own_conversation():
    """gr.State deep-copies its initial value per session (a lock cannot be copied)."""
    import copy

    first = ui.Conversation([ui.Turn("q", error="x")])
    first.epoch = 3
    second = copy.deepcopy(first)
    assert second is not first and second.epoch == 3 and second.turns[0] is not first.turns[0]
    ui.clear(second)
    assert len(first.turns) == 1 and first.epoch == 3


def test_the_chat_is_shown_again_as_the_server_holds_it():
    """What the queued step after Clear sends, behind any update the old answer had already sent."""
    fake = FakeAssistant()
    *_, (_, chat, panel, conversation) = run(fake, "Is social scoring banned?")
    assert ui.current_chat(conversation) == (chat, ui.render_sources(conversation.turns))
    ui.clear(conversation)
    chat, panel = ui.current_chat(conversation)
    assert len(chat) == 1 and "sources-empty" in panel


def test_follow_up_passes_earlier_answers_as_history():
    fake = FakeAssistant()
    *_, (_, _, _, conversation) = run(fake, "Is social scoring banned?")
    *_, (_, chat, panel, conversation) = run(fake, "What are the fines for that?", conversation=conversation)
    assert fake.calls[1]["history"] == [("Is social scoring banned?", fake.answer)]
    assert "(#source-2-1)" in chat[-1]["content"] and 'id="source-2-1"' in panel and 'id="source-1-1"' in panel
    assert len(conversation.turns) == 2


@pytest.mark.parametrize("error, expected", [
    (InvalidQuestion("The question is 5,000 characters long; the limit is 2,000."), "the limit is 2,000"),
    (IndexUnavailable("The index cannot be read. Run `assistant index --rebuild`."), "could not answer"),
    (RuntimeError("boom at line 12 in core.py"), "Something went wrong"),
])
def test_errors_become_friendly_messages(error, expected, caplog):
    *_, (_, chat, _, conversation) = run(FakeAssistant(error), "question")
    message = chat[-1]["content"]
    assert chat[-1]["role"] == "assistant" and expected in message
    assert "Traceback" not in message and "boom" not in message
    assert conversation.turns[-1].answer is None
    # an error turn is not passed on as history
    fake = FakeAssistant()
    run(fake, "next", conversation=conversation)
    assert fake.calls[0]["history"] == []


def test_no_documents_chosen():
    fake = FakeAssistant()
    *_, (_, chat, _, _) = run(fake, "question", groups=[])
    assert "Choose at least one" in chat[-1]["content"] and not fake.calls


def test_empty_message_is_ignored():
    steps, (box, chat, _, conversation) = run(FakeAssistant(), "   ")
    assert conversation.turns == [] and len(chat) == 1 and box == "typed"


def test_clear_resets_everything():
    conversation = ui.Conversation([ui.Turn("q", error="x")])
    box, chat, panel, same = ui.clear(conversation)
    assert box == "" and same is conversation and conversation.turns == [] and conversation.epoch == 1
    assert len(chat) == 1 and DISCLOSURE in chat[0]["content"] and "sources-empty" in panel


# ------------------------------------------------------------------ with the real assistant

@pytest.mark.slow
def test_over_long_question_is_refused_with_its_limit(app):
    assistant = app["assistant"]
    limit = assistant.settings.max_question_chars
    *_, (_, chat, _, _) = run(assistant, "Is social scoring banned? " + "x" * limit)
    assert f"the limit is {limit:,}" in chat[-1]["content"]


@pytest.mark.slow
def test_document_filter_limits_the_sources(app):
    *_, (_, _, _, conversation) = run(app["assistant"], "What are the rules on automated decisions and profiling?",
                                      groups=["gdpr"])
    answer = conversation.turns[-1].answer
    assert answer is not None and answer.citations
    assert {c.doc for c in answer.citations} == {"gdpr"}


@pytest.mark.slow
@pytest.mark.parametrize("question", ui.EXAMPLES)
def test_example_questions_are_answered_with_citations(app, question):
    *_, (_, chat, panel, conversation) = run(app["assistant"], question)
    answer = conversation.turns[-1].answer
    assert answer is not None and not answer.abstained and answer.citations, chat[-1]["content"]
    assert "(#source-1-1)" in chat[-1]["content"] and 'id="source-1-1"' in panel


@pytest.mark.slow
def test_real_follow_up_uses_the_conversation(app):
    class Spy:
        def __init__(self, assistant):
            self.assistant, self.library, self.histories = assistant, assistant.library, []

        def stream(self, question, history=None, documents=None):
            self.histories.append(history)
            return self.assistant.stream(question, history=history, documents=documents)

    spy = Spy(app["assistant"])
    *_, (_, _, _, conversation) = run(spy, "Is social scoring banned under the draft?")
    first = conversation.turns[-1].answer
    *_, (_, chat, _, conversation) = run(spy, "What are the fines for that?", conversation=conversation)
    assert spy.histories == [[], [("Is social scoring banned under the draft?", first)]]
    assert conversation.turns[-1].answer is not None and conversation.turns[-1].answer.citations
    assert "(#source-2-1)" in chat[-1]["content"]


# ------------------------------------------------------------------ the answerer choice

def component(demo, elem_id):
    return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == elem_id)


def test_answerer_choice_is_shown_only_when_there_is_a_second_answerer(assistant, monkeypatch):
    monkeypatch.setattr(ui, "_local_installed", lambda: False)  # as without the [local] extra
    alone = ui.Answerers(assistant)
    assert alone.choices == [ui.EMBEDDED_CHOICE] and alone.assistant_for(ui.LLM_CHOICE) is assistant
    assert not component(ui.build_ui(assistant), "answerer").visible

    monkeypatch.setattr(ui, "_local_installed", lambda: True)
    demo = ui.build_ui(assistant)
    choice = component(demo, "answerer")
    assert choice.visible and [label for label, _ in choice.choices] == [
        "Quoted clauses (fast)", "Local LLM (slower, written answer)"]
    assert choice.value == "Quoted clauses (fast)"  # the default stays embedded unless ASSISTANT_LLM is set
    asking = [fn for fn in demo.fns.values() if fn.name in ("on_submit", "on_example", "on_load")]
    assert len(asking) == 3 and all(choice in fn.inputs for fn in asking)  # every way of asking reads the choice


def test_a_configured_llm_is_the_default_and_each_choice_answers(assistant):
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    # ASSISTANT_LLM=ollama:... with no server here: a fake chat model stands in for it.
    reply = ('The proposal prohibits "the placing on the market, putting into service or use of AI systems by '
             'public authorities or on their behalf for the evaluation or classification of the trustworthiness '
             'of natural persons" [1].')
    configured = assistant.with_chat_model(GenericFakeChatModel(messages=iter([AIMessage(content=reply)])),
                                           "ollama:some-model")
    answerers = ui.Answerers(configured)
    assert answerers.choices == [ui.EMBEDDED_CHOICE, ui.LLM_CHOICE] and answerers.default == ui.LLM_CHOICE
    question = "Article 5(1)(c) of the proposal: is social scoring banned?"
    *_, (_, chat, _, conversation) = run(answerers.assistant_for(ui.LLM_CHOICE), question)
    answer = conversation.turns[-1].answer
    assert answer.backend == "ollama:some-model" and answer.citations
    assert "Written by the LLM ollama:some-model" in chat[-1]["content"] and DISCLOSURE in chat[-1]["content"]
    *_, (_, chat, _, conversation) = run(answerers.assistant_for(ui.EMBEDDED_CHOICE), question)
    answer = conversation.turns[-1].answer
    assert answer.backend == "embedded" and answer.citations
    assert "Answered with quoted clauses" in chat[-1]["content"] and DISCLOSURE in chat[-1]["content"]


def test_a_local_model_that_cannot_load_answers_with_quoted_clauses_and_says_why(assistant, tmp_path, monkeypatch):
    from dataclasses import replace

    from assistant.answering import local_model

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / local_model.MODEL_FILE).write_bytes(b"GGUF" + b"\0" * 1000)  # not the known digest
    monkeypatch.setattr(ui, "_local_installed", lambda: True)
    elsewhere = assistant.with_answerer(assistant.composer)
    elsewhere.settings = replace(assistant.settings, data_dir=tmp_path)
    chosen = ui.Answerers(elsewhere).assistant_for(ui.LLM_CHOICE)
    *_, (_, chat, _, conversation) = run(chosen, "Is social scoring banned under the draft?")
    answer = conversation.turns[-1].answer
    assert answer.backend == "embedded" and answer.citations
    shown = chat[-1]["content"]
    assert "Answered with quoted clauses" in shown and "Refusing model file" in shown and DISCLOSURE in shown


@pytest.mark.slow
@pytest.mark.skipif(not ui._local_installed(), reason="the [local] extra is not installed")
def test_choosing_the_local_llm_streams_its_written_answer(assistant):
    from assistant.answering.llm import LOCAL_NAME

    from dataclasses import replace

    patient = assistant.with_answerer(assistant.composer)  # the machine is shared: routing is tested, not speed
    patient.settings = replace(assistant.settings, llm_timeout=600)
    answerers = ui.Answerers(patient)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # sessions asking at once share one model
        chosen = set(pool.map(lambda _: id(answerers.assistant_for(ui.LLM_CHOICE)), range(4)))
    llm = answerers.assistant_for(ui.LLM_CHOICE)
    assert chosen == {id(llm)} and llm.answerer.name == LOCAL_NAME and patient.answerer is patient.composer
    steps, (_, chat, panel, conversation) = run(llm, "Is social scoring by public authorities banned under the draft?")
    answer = conversation.turns[-1].answer
    assert answer.backend == LOCAL_NAME and answer.citations, chat[-1]["content"]
    assert len(steps) > 3  # streamed: the question, partial answers, the final answer
    shown = chat[-1]["content"]
    assert f"Written by the LLM {LOCAL_NAME}" in shown and DISCLOSURE in shown and 'id="source-1-1"' in panel


# ------------------------------------------------------------------ the launched app over HTTP

def _comparable(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings"}


@pytest.mark.slow
def test_api_ask_returns_the_structured_answer(app, client):
    question = "Is social scoring banned under the draft?"
    result = client.predict(question, api_name="/ask")
    assert result["text"] and result["citations"] and result["disclosure"] == DISCLOSURE
    assert DISCLOSURE in result["text"]
    first = result["citations"][0]
    assert {"doc", "ref", "label", "quote", "url", "heading_path", "display"} <= set(first)
    assert _comparable(result) == _comparable(app["assistant"].ask(question).to_dict())


@pytest.mark.slow
def test_api_ask_with_document_filter(client):
    result = client.predict("What are the rules on automated decisions and profiling?", ["gdpr"], api_name="/ask")
    assert result["citations"] and {c["doc"] for c in result["citations"]} == {"gdpr"}


@pytest.mark.slow
def test_api_errors_are_messages_not_tracebacks(app, client):
    limit = app["assistant"].settings.max_question_chars
    with pytest.raises(Exception) as info:
        client.predict("x" * (limit + 1), api_name="/ask")
    assert f"the limit is {limit:,}" in str(info.value) and "Traceback" not in str(info.value)
    with pytest.raises(Exception) as info:
        client.predict("fines?", ["nope"], api_name="/ask")
    assert "Unknown document filter" in str(info.value)


@pytest.mark.slow
def test_only_ask_is_offered_as_api(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask"}


@pytest.mark.slow
def test_page_is_served_without_analytics(app):
    with urllib.request.urlopen(app["url"], timeout=10) as response:
        page = response.read().decode()
    assert response.status == 200 and ui.TITLE in page
    assert os.environ.get("GRADIO_ANALYTICS_ENABLED") == "False"
    with urllib.request.urlopen(app["url"] + "config", timeout=10) as response:
        config = json.loads(response.read())
    assert config["analytics_enabled"] is False and config["title"] == ui.TITLE


@pytest.mark.slow
def test_uploads_refused_system_files_unreachable_loopback_only(app):
    """The page uploads nothing, so Gradio's upload route takes no file; its file route serves no
    system file; the server listens on the loopback interface only."""
    import uuid

    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"x" * 100_000 + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(app["url"] + "gradio_api/upload", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 413 and "maximum allowed size" in info.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(app["url"] + "gradio_api/file=/etc/passwd", timeout=10)
    assert info.value.code == 403
    assert app["demo"].server_name == "127.0.0.1"


@pytest.mark.slow
def test_queue_keeps_the_server_responsive(app, client):
    assert app["demo"]._queue.default_concurrency_limit == ui.CONCURRENCY
    questions = [ui.EXAMPLES[i % len(ui.EXAMPLES)] for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(client.predict, q, api_name="/ask") for q in questions]
        started = time.perf_counter()
        with urllib.request.urlopen(app["url"] + "config", timeout=10) as response:
            assert response.status == 200
        page_seconds = time.perf_counter() - started
        results = [f.result(timeout=120) for f in futures]
    assert all(r["citations"] for r in results)
    assert page_seconds < 5


# ------------------------------------------------------------------ python app.py

REPO = Path(__file__).resolve().parent.parent


def test_app_help_is_quick():
    out = subprocess.run([sys.executable, str(REPO / "app.py"), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "--host" in out.stdout and "--port" in out.stdout
    out = subprocess.run([sys.executable, str(REPO / "app.py"), "--port", "0"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "--port must be from 1 to 65535" in out.stderr


@pytest.mark.slow
def test_python_app_py_opens_the_index_then_serves(tmp_path):
    port = free_port()
    log_path = tmp_path / "app.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 900  # reopening takes seconds; a first build, minutes
        while "Running on" not in log_path.read_text() and time.monotonic() < deadline:
            assert process.poll() is None, log_path.read_text()
            time.sleep(0.5)
        output = log_path.read_text()
        assert "Opening the search index" in output and "Index ready" in output
        assert output.index("Index ready") < output.index("Running on")  # ready before it serves
        assert "Traceback" not in output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200 and ui.TITLE in response.read().decode()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
