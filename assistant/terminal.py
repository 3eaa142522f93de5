"""The assistant in a terminal: answers rendered with ``rich`` when stdout is a terminal, plain
Markdown when it is piped, and ``chat``, an interactive session that keeps one process and the
conversation (follow-ups are asked with the earlier answers as history).

Works on ``Answer.to_dict()`` and the public ``Assistant.ask``; the same Markdown as the export.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Callable, Iterator, TextIO

from .answering.disclosure import DISCLOSURE
from .errors import AssistantError
from .export import CITATION_MARK, answer_markdown, conversation_record, escape_markdown, to_json, to_markdown
from .records import Answer

log = logging.getLogger("assistant.terminal")

PROMPT = "you> "
HELP = """Commands:
  /history      the questions asked so far in this conversation
  /sources      the clauses the last answer cites, in full, with their EUR-Lex links
  /save FILE    keep the conversation (FILE.md: Markdown, FILE.json: JSON), with its citations
  /new          start a new conversation (earlier answers are no longer used for follow-ups)
  /exit         leave (also /quit, Ctrl-D or Ctrl-C)
Anything else is a question; a follow-up ("and the fines for that?") is read with the conversation."""


def console_for(out: TextIO):
    """A rich Console writing to ``out``; ``.is_terminal`` says whether to render for a terminal
    (rich also honours NO_COLOR, FORCE_COLOR and TERM=dumb)."""
    from rich.console import Console
    return Console(file=out, highlight=False, soft_wrap=False)


def _chip(match) -> str:
    return f"`[{match.group(1)}]`"  # a code span stands out from the prose like the web page's chips


def render_answer(answer: dict, console, clauses: list[dict] | None = None) -> None:
    """One answer (``Answer.to_dict()``) for a terminal: the text as Markdown (headings, quotes,
    emphasis) with the citation numbers marked, then the sources with their links, the notices
    and the AI-system disclosure. With ``clauses`` the cited clauses are printed in full."""
    from rich.markdown import Markdown
    from rich.padding import Padding
    from rich.text import Text

    console.print(Markdown(CITATION_MARK.sub(_chip, answer["text"].strip()), hyperlinks=True))
    for notice in answer.get("notices", []):
        console.print(Text("Note: ", style="bold yellow") + Text(notice, style="yellow"))
    shown = clauses if clauses is not None else [
        {"number": i, "display": c["display"], "label": c["label"], "url": c["url"], "heading_path": c["heading_path"],
         "text": None} for i, c in enumerate(answer["citations"], 1)]
    if shown:
        console.print()
        console.print(Text("Sources", style="bold"))
    for clause in shown:
        line = Text(f"[{clause['number']}] ", style="bold cyan") + Text(clause["display"], style="bold")
        if clause["label"] and clause["label"] != clause["display"]:
            line += Text(f"  {clause['label']}", style="dim")
        console.print(line)
        if clause.get("text"):
            path = " › ".join(clause.get("heading_path") or [])
            if path:
                console.print(Padding(Text(path, style="dim italic"), (0, 0, 0, 4)))
            console.print(Padding(Text(clause["text"].strip()), (0, 0, 0, 4)))
        if clause["url"]:
            console.print(Padding(Text(clause["url"], style=f"blue underline link {clause['url']}"), (0, 0, 0, 4)))
    if answer["disclosure"] and answer["disclosure"] not in answer["text"]:
        console.print()
        console.print(Text(answer["disclosure"], style="dim italic"))


def print_answer(answer: Answer, out: TextIO | None = None) -> None:
    """``answer`` rendered for the terminal when ``out`` is one, else as plain Markdown."""
    out = out or sys.stdout
    console = console_for(out)
    if console.is_terminal:
        render_answer(answer.to_dict(), console)
    else:
        out.write(answer_markdown(answer.to_dict()) + "\n")


def print_stream(pieces: Iterator[str | Answer], out: TextIO | None = None) -> Answer:
    """``Assistant.stream`` as it arrives: each text increment written and flushed, then the
    sources, notices and disclosure as plain Markdown. When the verifier struck something, the
    final text differs from what was streamed: it is printed again, after the notices that say
    what was removed and why. Returns the final ``Answer``."""
    out = out or sys.stdout
    streamed = []
    for piece in pieces:
        if isinstance(piece, Answer):
            answer = piece
            break
        streamed.append(piece)
        out.write(piece)
        out.flush()
    else:
        raise AssistantError("The answer stream ended without an answer.")
    tail = answer.to_dict()
    if answer.text != "".join(streamed):
        tail["notices"] = []
        out.write("\n\n" + "\n\n".join(f"_Note: {escape_markdown(n)}_" for n in answer.notices)
                  + "\n\n**Verified answer** (replaces the text above):\n\n" + answer.text.strip())
    out.write("\n\n" + answer_markdown({**tail, "text": ""}).strip() + "\n")
    out.flush()
    return answer


def write_export(turns: list[tuple[str, Answer]], library, path: Path, fmt: str | None = None) -> str:
    """Write the conversation to ``path`` (format from ``fmt``, else from the extension); returns the format."""
    fmt = fmt or ("json" if Path(path).suffix.lower() == ".json" else "md")
    record = conversation_record(turns, library)
    try:
        Path(path).write_text(to_json(record) if fmt == "json" else to_markdown(record), encoding="utf-8")
    except OSError as exc:
        raise AssistantError(f"Could not write {path}: {exc.strerror or exc}.") from None
    return fmt


class ChatSession:
    """One conversation in the terminal: questions, commands and what they print."""

    def __init__(self, assistant, out: TextIO, documents=None):
        self.assistant = assistant
        self.out = out
        self.documents = documents
        self.console = console_for(out)
        self.turns: list[tuple[str, Answer]] = []

    def say(self, text: str, style: str | None = None) -> None:
        if self.console.is_terminal:
            self.console.print(text, style=style, markup=False)
        else:
            self.out.write(text + "\n")

    def ask(self, question: str) -> None:
        try:
            answer = self.assistant.ask(question, history=list(self.turns), documents=self.documents)
        except AssistantError as exc:
            self.say(f"error: {exc}", style="red")
            return
        except Exception:  # noqa: BLE001 - the conversation so far is kept; the details go to the log
            log.exception("answering %r failed", question[:200])
            self.say("error: something went wrong while answering (details in the log); the conversation is "
                     "kept: ask again, another way, or /save it.", style="red")
            return
        self.turns.append((question, answer))
        print_answer(answer, self.out)

    def sources(self) -> None:
        if not self.turns:
            self.say("No answer yet.")
            return
        record = conversation_record(self.turns[-1:], self.assistant.library)
        turn = record["turns"][0]
        if self.console.is_terminal:
            render_answer({**turn["answer"], "text": "", "notices": []}, self.console, turn["clauses"])
        else:
            self.out.write(answer_markdown({**turn["answer"], "text": "", "notices": []}, turn["clauses"],
                                           verbatim=True).strip() + "\n")

    def command(self, line: str) -> bool:
        """Run a /command; False when the session should end."""
        name, _, arg = line.partition(" ")
        name, arg = name.lower(), arg.strip()
        if name in ("/exit", "/quit", "/q"):
            return False
        if name == "/help":
            self.say(HELP)
        elif name == "/history":
            self.say("\n".join(f"{i}. {q}" for i, (q, _) in enumerate(self.turns, 1)) or "No questions yet.")
        elif name == "/sources":
            self.sources()
        elif name == "/new":
            self.turns = []
            self.say("New conversation.")
        elif name == "/save":
            if not arg:
                self.say("Give a file name: /save answers.md or /save answers.json", style="red")
            elif not self.turns:
                self.say("Nothing to save yet.")
            else:
                try:
                    fmt = write_export(self.turns, self.assistant.library, Path(arg).expanduser())
                    self.say(f"Saved {len(self.turns)} question(s) to {arg} ({fmt}).")
                except AssistantError as exc:
                    self.say(f"error: {exc}", style="red")
        else:
            self.say(f"Unknown command {name}. Type /help.", style="red")
        return True

    def handle(self, line: str) -> bool:
        """One line typed; False when the session should end."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self.command(line)
        self.ask(line)
        return True


def chat(assistant, *, documents=None, stdin: TextIO | None = None, out: TextIO | None = None,
         read: Callable[[str], str] | None = None) -> int:
    """The interactive session: one process, one conversation, until /exit, Ctrl-D or Ctrl-C.
    With stdin a terminal, lines are read with readline (editing, and the up arrow recalls
    earlier questions); piped, each line is one question and no prompt is printed."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    interactive = stdin.isatty()
    if read is None:
        if interactive:
            import readline  # noqa: F401  (input() gains line editing and in-session history)
            read = input
        else:
            def read(_prompt: str) -> str:
                line = stdin.readline()
                if not line:
                    raise EOFError
                return line
    session = ChatSession(assistant, out, documents)
    session.say(DISCLOSURE, style="bold yellow")
    if interactive:
        session.say("Ask about the AI Act proposal, the GDPR, the final AI Act or the commentary. "
                    "Type /help for commands, /exit to leave.", style="dim")
    try:
        while True:
            line = read(PROMPT if interactive else "")
            if not interactive and line.strip() and not line.strip().startswith("/"):
                out.write(f"\n{PROMPT}{line.strip()}\n\n")
            if not session.handle(line):
                break
            if interactive:
                session.say("")
    except (EOFError, KeyboardInterrupt):
        pass
    if interactive:
        session.say("\nBye.", style="dim")
    out.flush()
    return 0
