"""The terminal: rich rendering for a terminal, plain Markdown when piped, and the chat session.

The chat loop is driven here with a recording stand-in for the assistant (to see the history it is
given); tests/test_cli.py drives ``assistant chat`` end to end on the real assistant.
"""
from __future__ import annotations

import io
import json
import re

from assistant import export, terminal
from assistant.answering.disclosure import DISCLOSURE
from assistant.errors import InvalidQuestion
from assistant.records import Answer, Citation

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def answer_for(library, question="Is social scoring banned?") -> Answer:
    clause = library.get("ai-act-proposal-2021", "Art. 5(1)(c)")
    return Answer(question, f"## Short answer\n\n**Yes.** Article 5(1)(c) prohibits it [1].\n\n> {clause.text[:60]}",
                  [Citation(clause.doc, clause.ref, clause.label, clause.text[:60], clause.url, 0.9,
                            tuple(clause.heading_path))], DISCLOSURE, notices=["From the 2021 proposal."])


class Recorder:
    """Answers every question with the same answer and records the history it was given."""

    def __init__(self, library):
        self.library = library
        self.calls = []

    def ask(self, question, history=None, documents=None):
        self.calls.append({"question": question, "history": list(history or []), "documents": documents})
        if question == "too long":
            raise InvalidQuestion("The question is 5,000 characters long; the limit is 2,000.")
        if question == "crash":
            raise RuntimeError("boom in retrieval")
        return answer_for(self.library, question)


def test_piped_output_is_plain_markdown(library):
    out = io.StringIO()
    answer = answer_for(library)
    terminal.print_answer(answer, out)
    assert out.getvalue() == export.answer_markdown(answer.to_dict()) + "\n"
    assert not ANSI.search(out.getvalue()) and "- **[1] AI Act proposal, Art. 5(1)(c)** <https://eur-lex" in out.getvalue()


def test_terminal_output_is_rendered(library, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    out = TTY()
    answer = answer_for(library)
    terminal.print_answer(answer, out)
    raw = out.getvalue()
    assert ANSI.search(raw)  # styled
    plain = ANSI.sub("", raw)
    assert "**" not in plain and "## Short answer" not in plain and "\n> " not in plain  # rendered, not raw
    assert "Short answer" in plain and "Yes." in plain and "[1]" in plain
    assert "Sources" in plain and "AI Act proposal, Art. 5(1)(c)" in plain and answer.citations[0].url in plain
    assert "Note: From the 2021 proposal." in plain and DISCLOSURE[:40] in " ".join(plain.split())
    assert "\x1b]8;" in raw  # the EUR-Lex address is a terminal hyperlink as well


def test_chat_keeps_the_conversation_and_its_commands(library, tmp_path):
    recorder = Recorder(library)
    saved = tmp_path / "kept.json"
    lines = ["Is social scoring banned?", "", "What are the fines for that?", "/history", "too long", "crash", "/sources",
             f"/save {saved}", "/bogus", "/new", "A new topic?", "/exit", "never asked"]
    out = io.StringIO()
    assert terminal.chat(recorder, stdin=io.StringIO("\n".join(lines) + "\n"), out=out, documents=["proposal"]) == 0
    asked = [c["question"] for c in recorder.calls]
    assert asked == ["Is social scoring banned?", "What are the fines for that?", "too long", "crash", "A new topic?"]
    assert [q for q, _ in recorder.calls[1]["history"]] == ["Is social scoring banned?"]  # the follow-up's context
    assert [q for q, _ in recorder.calls[3]["history"]] == asked[:2]  # a refused question is not kept
    assert recorder.calls[4]["history"] == []  # after /new
    assert all(c["documents"] == ["proposal"] for c in recorder.calls)
    text = out.getvalue()
    assert text.startswith(DISCLOSURE) and "you> What are the fines for that?" in text
    assert "1. Is social scoring banned?\n2. What are the fines for that?" in text  # /history
    assert "error: The question is 5,000 characters long" in text
    assert "something went wrong while answering" in text and "boom" not in text  # and the session went on
    assert "detrimental or unfavourable treatment" in text  # /sources: the whole clause
    assert "Unknown command /bogus" in text and "never asked" not in text
    kept = json.loads(saved.read_text(encoding="utf-8"))
    assert [t["question"] for t in kept["turns"]] == asked[:2] and kept["corpus"]


def test_chat_ends_cleanly_on_end_of_input_and_interrupt(library):
    out = io.StringIO()
    assert terminal.chat(Recorder(library), stdin=io.StringIO("Is social scoring banned?"), out=out) == 0
    assert "Sources" in out.getvalue()

    def interrupted(_prompt):
        raise KeyboardInterrupt

    tty_in = TTY()
    out = io.StringIO()
    assert terminal.chat(Recorder(library), stdin=tty_in, out=out, read=interrupted) == 0
    assert out.getvalue().rstrip().endswith("Bye.")


def test_save_reports_an_unwritable_file(library, tmp_path):
    session = terminal.ChatSession(Recorder(library), io.StringIO())
    session.handle("Is social scoring banned?")
    session.handle(f"/save {tmp_path}/missing/dir/out.md")
    assert "error: Could not write" in session.out.getvalue()
    session.handle(f"/save {tmp_path}/out.md")
    assert (tmp_path / "out.md").read_text(encoding="utf-8").startswith(f"# {export.TITLE}")


# ------------------------------------------------------------------ assistant ask --stream

class Flushes(io.StringIO):
    """Records what had been written at each flush."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def flush(self):
        self.seen.append(self.getvalue())


def test_stream_prints_the_embedded_parts_as_they_come_then_the_sources(assistant):
    out = Flushes()
    answer = terminal.print_stream(assistant.stream("Is social scoring banned under the draft?"), out)
    printed = out.getvalue()
    assert printed.startswith(answer.text)  # nothing struck: the streamed text is the answer, printed once
    assert printed.count(answer.text.strip()[-80:]) == 1 and "Verified answer" not in printed
    partial = [s for s in out.seen if s and len(s) < len(answer.text)]
    assert len(partial) >= 3, "the composer's parts are flushed as they come, not in one piece"
    assert "**Sources**" in printed and "- **[1] AI Act proposal, Art. 5(1)(c)** <https://eur-lex" in printed
    assert DISCLOSURE in printed


def test_stream_prints_the_verified_text_when_the_verifier_struck_something(assistant):
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    reply = 'Social scoring is banned [1]. Article 130 of the proposal adds a fine of EUR 1 billion [7].'
    llm = assistant.with_chat_model(GenericFakeChatModel(messages=iter([AIMessage(content=reply)])))
    out = Flushes()
    answer = terminal.print_stream(llm.stream("Is social scoring banned under the draft?"), out)
    streamed, _, verified = out.getvalue().partition("**Verified answer** (replaces the text above):")
    assert "Article 130" in streamed and "1 billion" in streamed  # shown as the model wrote it ...
    assert verified and "Article 130" not in verified and "1 billion" not in verified  # ... then struck
    assert answer.removed_citations >= 1 and answer.text.strip() in verified
    assert "_Note: The verifier removed" in streamed  # the notice says what was removed, before the final text
    assert len([s for s in out.seen if "Article 130" not in s]) >= 2  # the model's tokens arrived one by one
