"""The web chat: streamed answers, citation chips, source cards, document filters and the
AI-system disclosure, on Gradio.

``build_ui(assistant)`` returns the ``gr.Blocks``; ``launch(host, port)`` opens the index first
(with progress in the terminal) and then serves it. The page also exposes ``/ask`` for
``gradio_client``: ``Client(url).predict(question, api_name="/ask")`` returns
``Assistant.ask(question).to_dict()``.

Everything a user typed is shown as text (character references, never Markdown or HTML), and the
Chatbot's HTML sanitizer stays on. The source cards are HTML built here from escaped text only.
The page offers the conversation as a Markdown file (``assistant.export``), and ``/?q=QUESTION``
opens the page with that question asked (each answer links to its own).
"""
from __future__ import annotations

import html
import logging
import re
import sys
import tempfile
import threading
import time
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import quote

from . import config as _config  # noqa: F401  (analytics and telemetry off before gradio is imported)
from .answering.disclosure import DISCLOSURE, SHORT_LABEL
from .clauses import PROPOSAL
from .errors import AssistantError, InvalidQuestion
from .export import CITATION_MARK, clause_text, conversation_record, filename, to_markdown
from .i18n import catalog, t
from .records import Answer, Citation

if TYPE_CHECKING:
    from .core import Assistant

log = logging.getLogger("assistant.ui")

TITLE = "EU AI Act Draft Assistant"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
CONCURRENCY = 2  # answers computed at once (a 2-core machine); the rest wait in the queue
MAX_QUEUE = 64  # waiting requests beyond this are told the server is busy
MAX_UPLOAD_BYTES = 0  # the page uploads nothing: Gradio's upload route refuses any file (413)
CACHE_PURGE = (3600, 3600)  # Gradio's copies of downloaded conversations: checked hourly, kept an hour

DOCUMENT_CHOICES = [
    ("AI Act proposal (2021)", "proposal"),
    ("GDPR", "gdpr"),
    ("Commentary on the proposal", "commentary"),
    ("Final AI Act (2024)", "final"),
]
ALL_GROUPS = [value for _, value in DOCUMENT_CHOICES]

# Each checked by tests/test_ui.py: answered (not declined) and cited.
EXAMPLES = [
    "Is social scoring banned under the draft?",
    "Which AI systems count as high-risk under the proposal?",
    "What is a deep fake under the draft?",
    "What does GDPR Article 22 say about automated decisions?",
    "What did the EDPB and EDPS say about biometric identification in public spaces?",
    "When does the final AI Act apply?",
]

# The answerer choice, shown only when an LLM answerer is available besides the embedded composer.
EMBEDDED_CHOICE = "Quoted clauses (fast)"
LLM_CHOICE = "Local LLM (slower, written answer)"

OPENING = (
    f"{DISCLOSURE}\n\n"
    "Ask about the European Commission's 2021 AI Act proposal, the GDPR, the final AI Act "
    "(Regulation (EU) 2024/1689) or the commentary on the proposal. Every answer cites the clauses it "
    "rests on: select a citation to read the clause in full, with its link to EUR-Lex."
)
NOT_LEGAL_ADVICE = (
    "Answers are drawn from the cited texts by an AI system and can be incomplete or wrong: "
    "read the clauses themselves. The 2021 text is a proposal, not law in force; the AI Act as adopted is "
    "Regulation (EU) 2024/1689."
)
NO_DOCUMENTS = "Choose at least one group of documents under **Search in** (below the chat on a phone) to answer from."
UNEXPECTED = ("**Something went wrong while answering.** The problem has been logged on the server. "
              "Please try again, or ask the question another way.")
STREAM_STEP = 120  # characters of answer per streamed update
# ... or whatever has arrived after this many seconds: a local model writes 3-15 tokens/s here, and
# its one-sentence answer (~60 characters) stayed invisible until the cited clauses came after it
# (the browser saw nothing for 29 s, then the whole answer at once).
STREAM_SECONDS = 0.5
LONG_DISPLAY = 1200  # characters of an over-long question echoed back in the chat

# ASCII punctuation (Markdown, HTML and autolink syntax) and the spaces that start a line (code blocks).
USER_TEXT_SYNTAX = re.compile(r"[!-/:-@\[-`{-~]|(?:^|(?<=\n))[ \t]+")


@dataclass
class Turn:
    """One question in the conversation and what came of it: an answer or a message."""

    question: str
    answer: Answer | None = None
    error: str | None = None


# ------------------------------------------------------------------ rendering (pure functions)

def anchor(turn: int, number: int) -> str:
    """The id of the source card for citation ``[number]`` of answer ``turn`` (both from 1)."""
    return f"source-{turn}-{number}"


def escape_user_text(text: str) -> str:
    """User text for the Markdown chat, shown as typed: every punctuation character (and the spaces
    that start a line) as a numeric character reference, which Markdown and HTML display as that
    character and never read as syntax. (Backslash escapes showed up in links: "evil\\.example".)"""
    return USER_TEXT_SYNTAX.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group()), text)


def _neutralize_html(text: str) -> str:
    """Answer Markdown with any raw HTML shown as text (the sanitizer is the second line)."""
    return text.replace("<", "&lt;")


def link_citations(text: str, turn: int, count: int) -> str:
    """``[1]`` -> a Markdown link to source card 1 of this answer, for 1..count only."""
    def repl(match: re.Match) -> str:
        number = int(match.group(1))
        if not 1 <= number <= count:
            return match.group(0)
        return f"[\\[{number}\\]](#{anchor(turn, number)})"
    return CITATION_MARK.sub(repl, text)


def _chip_text(citation: Citation) -> str:
    return citation.display.replace("[", "(").replace("]", ")")


def citation_chips(citations: list[Citation], turn: int) -> str:
    """One Markdown line of links, one per citation, styled as chips by the page CSS."""
    chips = " ".join(f"[{i} · {_chip_text(c)}](#{anchor(turn, i)})" for i, c in enumerate(citations, 1))
    return f"**Sources:** {chips}"


def deep_link(question: str) -> str:
    """The page address (relative) that opens with ``question`` asked."""
    return "?q=" + quote(question, safe="")


def deep_link_question(params) -> str | None:
    """The question a page address asks with ``?q=``, if any (``params``: the request's query parameters)."""
    question = (params or {}).get("q")
    return question if isinstance(question, str) and question.strip() else None


def render_answer(answer: Answer, turn: int, question: str | None = None) -> str:
    """The answer as chat Markdown: citations linked to their cards, the chips, a link that reopens
    ``question`` (default: the answer's), the notices."""
    parts = [link_citations(_neutralize_html(answer.text), turn, len(answer.citations))]
    link = f"[Link to this question]({deep_link(question or answer.question)})"
    if answer.citations:
        parts.append(f"{citation_chips(answer.citations, turn)} · {link}")
    else:
        parts.append(link)
    parts.append(f"_{answered_by(answer)}_")
    for notice in answer.notices:
        parts.append(f"_{_neutralize_html(notice)}_")
    return "\n\n".join(parts)


def answered_by(answer: Answer) -> str:
    """Which answerer wrote the answer (``Answer.backend``: the embedded composer, or an LLM by name)."""
    language = (answer.plan or {}).get("language", "en")
    if answer.backend == "embedded":
        return t("ui_answered_embedded", language)
    return t("ui_written_by", language, name=_neutralize_html(answer.backend))


def render_user(question: str) -> str:
    if len(question) > LONG_DISPLAY:
        return escape_user_text(question[:LONG_DISPLAY]) + f" … _({len(question):,} characters in all)_"
    return escape_user_text(question)


def chat_messages(turns: list[Turn], pending: str | None = None) -> list[dict]:
    """The Chatbot value: the opening message, then each turn; ``pending`` is the answer being
    streamed for the last turn (None: nothing yet)."""
    messages = [{"role": "assistant", "content": OPENING}]
    for number, turn in enumerate(turns, 1):
        messages.append({"role": "user", "content": render_user(turn.question)})
        if turn.answer is not None:
            messages.append({"role": "assistant", "content": render_answer(turn.answer, number, turn.question)})
        elif turn.error is not None:
            messages.append({"role": "assistant", "content": turn.error})
        elif pending and number == len(turns):
            messages.append({"role": "assistant", "content": _neutralize_html(pending)})
    return messages


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _highlighted(text: str, quote: str) -> str:
    """The clause as escaped HTML, with the quoted span marked when it is only part of it."""
    quote = (quote or "").strip()
    at = text.find(quote) if quote else -1
    if at < 0 or len(quote) >= len(text.strip()):
        return _e(text)
    end = at + len(quote)
    return f"{_e(text[:at])}<mark>{_e(text[at:end])}</mark>{_e(text[end:])}"


def _link_label(url: str) -> str:
    return "Read on EUR-Lex" if "eur-lex.europa.eu" in url else "Read the source"


def compare_with_final(citation: Citation, alignment) -> str:
    """"Compare with the final Act" for a proposal clause: the word-level diff of the clause and
    its counterpart (insertions and deletions marked), or nothing when it has none."""
    if alignment is None or citation.doc != PROPOSAL:
        return ""
    from .textdiff import compare_html, versions

    pairs = versions(alignment, citation.doc, citation.ref)
    if not pairs:
        return ""
    pair = pairs[0]
    return (f'<details class="source-compare"><summary>Compare with the final Act '
            f'({_e(pair.final.label)})</summary>{compare_html(pair.proposal, pair.final, alignment.rename_pairs)}'
            f"</details>")


def source_card(citation: Citation, turn: int, number: int, library, is_open: bool, compare: str = "") -> str:
    text = clause_text(citation, library)
    path = " › ".join(citation.heading_path)
    link = ""
    if citation.url and citation.url.startswith(("https://", "http://")):
        link = (f'<a class="source-link" href="{_e(citation.url)}" target="_blank" rel="noopener noreferrer">'
                f"{_link_label(citation.url)} ↗</a>")
    return (
        f'<details class="source-card" id="{anchor(turn, number)}"{" open" if is_open else ""}>'
        f'<summary><span class="source-num">{number}</span>'
        f'<span class="source-head"><span class="source-label">{_e(citation.label)}</span>'
        f'<span class="source-path">{_e(path)}</span></span></summary>'
        f'<div class="source-body"><div class="source-text">{_highlighted(text, citation.quote)}</div>'
        f'<div class="source-foot"><span class="source-ref">{_e(citation.display)}</span>{link}</div>{compare}</div>'
        f"</details>"
    )


def render_sources(turns: list[Turn], library=None, alignment=None) -> str:
    """The sources panel: the cited clauses of every answer, the latest answer first and open."""
    answered = [(n, t) for n, t in enumerate(turns, 1) if t.answer is not None and t.answer.citations]
    if not answered:
        return _sources_panel('<p class="sources-empty">The clauses an answer cites appear here: label, place in '
                              "the act, full text and a link to EUR-Lex.</p>")
    sections = []
    latest = answered[-1][0]
    for number, turn in reversed(answered):
        question = turn.question if len(turn.question) <= 90 else turn.question[:87] + "…"
        cards = "".join(source_card(c, number, i, library, is_open=(number == latest and i == 1),
                                    compare=compare_with_final(c, alignment))
                        for i, c in enumerate(turn.answer.citations, 1))
        sections.append(
            f'<details class="sources-turn" id="sources-{number}"{" open" if number == latest else ""}>'
            f'<summary><span class="turn-num">Answer {number}</span>'
            f'<span class="turn-question">{_e(question)}</span></summary>{cards}</details>')
    return _sources_panel("".join(sections))


def _sources_panel(body: str) -> str:
    # A <details>, so that on a phone the panel below the chat folds away; a citation link opens it.
    return (f'<details class="sources-panel" open><summary class="sources-title">Sources</summary>'
            f'<div class="sources-body">{body}</div></details>')


def _header_html() -> str:
    return (
        '<header class="app-header">'
        '<div class="brand"><div class="brand-mark" aria-hidden="true">§</div>'
        f'<div><h1>{_e(TITLE)}</h1>'
        '<p>The 2021 AI Act proposal, the GDPR, the final AI Act and commentary, answered with the exact '
        "clause cited.</p></div></div>"
        f'<div class="ai-label" role="note" aria-label="{_e(SHORT_LABEL)}">'
        f'<span class="ai-dot" aria-hidden="true">AI</span>{_e(SHORT_LABEL)}</div>'
        "</header>"
    )


def _notice_html() -> str:
    return (f'<div class="ai-notice" role="note"><strong>AI system notice.</strong> {_e(DISCLOSURE)}</div>')


def _footer_html() -> str:
    return f'<div class="legal-note" role="note"><strong>Not legal advice.</strong> {_e(NOT_LEGAL_ADVICE)}</div>'


# ------------------------------------------------------------------ the event handlers

def documents_for(groups) -> list[str] | None:
    """The ``documents`` argument for the chosen groups: None when all are chosen (the default search)."""
    groups = [g for g in (groups or []) if g in ALL_GROUPS]
    if not groups:
        return []
    return None if set(groups) == set(ALL_GROUPS) else groups


class Conversation:
    """The per-session state: the turns so far, and an epoch that ``clear`` advances so that an
    answer still streaming stops instead of writing the old conversation back.

    Gradio hands each event of a session this same object, and runs a Clear (in a thread of its
    own) while an answer streams: ``commit`` and ``reset`` take the lock, so that a Clear can never
    fall between an answer's check of the epoch and its storing its turn (which brought the cleared
    turns back into the next question's history and the download)."""

    def __init__(self, turns: list[Turn] | None = None):
        self.turns: list[Turn] = list(turns or [])
        self.epoch = 0
        self._lock = threading.Lock()

    def __deepcopy__(self, memo) -> "Conversation":
        # gr.State deep-copies its initial value for each session; a lock cannot be copied.
        copy = Conversation(deepcopy(self.turns, memo))
        copy.epoch = self.epoch
        return copy

    def commit(self, turns: list[Turn], epoch: int) -> bool:
        """Store ``turns`` unless the conversation was cleared since ``epoch``; says whether it did."""
        with self._lock:
            if self.epoch != epoch:
                return False
            self.turns = turns
            return True

    def reset(self) -> None:
        """Forget every turn and start a new epoch (answers of the old one are dropped)."""
        with self._lock:
            self.turns = []
            self.epoch += 1

    def history(self) -> list[tuple[str, Answer]]:
        """Earlier (question, Answer) pairs for ``Assistant.ask``; failed turns are left out."""
        return [(t.question, t.answer) for t in self.turns if t.answer is not None]


class Answerers:
    """The answerers the page offers: the embedded composer always, and an LLM when one is
    configured (ASSISTANT_LLM) or the [local] extra is installed. The local model is checked and
    loaded on the first question that asks for it (a 1.1 GB file) and then shared by every
    session; the default is the LLM only when ASSISTANT_LLM chose it."""

    def __init__(self, assistant):
        self.assistant = assistant
        configured = assistant.answerer is not assistant.composer
        self._llm = assistant if configured else None
        self._embedded = assistant.with_answerer(assistant.composer) if configured else assistant
        self._lock = threading.Lock()
        self.choices = [EMBEDDED_CHOICE]
        if configured or _local_installed():
            self.choices.append(LLM_CHOICE)
        self.default = LLM_CHOICE if configured else EMBEDDED_CHOICE

    def assistant_for(self, choice) -> "Assistant":
        """The assistant answering with ``choice`` (a label of ``choices``; anything else: the default)."""
        choice = choice if choice in self.choices else self.default
        if choice == EMBEDDED_CHOICE:
            return self._embedded
        with self._lock:
            if self._llm is None:
                from .answering.llm import answerer_or_unavailable  # registers the LLM backends
                # A model that cannot be set up answers "unavailable": the embedded answer, with a notice.
                llm = answerer_or_unavailable("local", self.assistant.settings, self.assistant.library)
                # Loaded here, once, rather than inside the first answer's time limit (which a load on
                # a busy machine used up: "did not finish within 60 s"); a load that fails is said on each answer.
                self._llm = self.assistant.with_answerer(llm).warm_up()
        return self._llm


def _local_installed() -> bool:
    from .answering.local_model import installed
    return installed()


def respond(assistant, message: str, groups, conversation: Conversation | None) -> Iterator[tuple]:
    """Answer one chat message; yields (textbox, chat, sources panel, conversation) as the answer
    streams. Outputs that do not change are ``gr.skip()``: a question typed meanwhile stays put.

    The answer is sent as the answerer writes it, in steps of about ``STREAM_STEP`` characters
    (one update per token would flood the browser with a fast answerer) or of ``STREAM_SECONDS``
    (a slow one), with no pause added."""
    import gradio as gr

    conversation = conversation if isinstance(conversation, Conversation) else Conversation()
    epoch = conversation.epoch
    library = assistant.library
    message = message if isinstance(message, str) else ""
    if not message.strip():
        yield gr.skip(), gr.skip(), gr.skip(), conversation
        return

    def cleared() -> tuple:
        return (gr.skip(), chat_messages(conversation.turns),
                render_sources(conversation.turns, library, getattr(assistant, "alignment", None)), conversation)

    turn = Turn(question=message)
    history = conversation.history()
    turns = conversation.turns + [turn]
    yield "", chat_messages(turns), gr.skip(), conversation

    documents = documents_for(groups)
    if documents == []:
        turn.error = NO_DOCUMENTS
    else:
        text, sent, sent_at = "", 0, time.monotonic()
        try:
            for piece in assistant.stream(message, history=history, documents=documents):
                if isinstance(piece, Answer):
                    turn.answer = piece
                    break
                text += piece
                if len(text) - sent >= STREAM_STEP or (len(text) > sent and time.monotonic() - sent_at >= STREAM_SECONDS):
                    sent, sent_at = len(text), time.monotonic()
                    if conversation.epoch != epoch:
                        yield cleared()
                        return
                    yield gr.skip(), chat_messages(turns, pending=text), gr.skip(), conversation
        except InvalidQuestion as exc:
            turn.error = f"**Question not accepted.** {_neutralize_html(str(exc))}"
        except AssistantError as exc:
            turn.error = f"**The assistant could not answer.** {_neutralize_html(str(exc))}"
        except Exception:  # noqa: BLE001 - shown as a friendly message, logged in full on the server
            log.exception("answering %r failed", message[:200])
            turn.error = UNEXPECTED
        if turn.answer is None and turn.error is None:
            log.error("the answer stream ended without an Answer for %r", message[:200])
            turn.error = UNEXPECTED
    if not conversation.commit(turns, epoch):
        yield cleared()
        return
    yield gr.skip(), chat_messages(turns), render_sources(turns, library, getattr(assistant, "alignment", None)), conversation
    # A Clear can run after the check above but before this last update is sent (postprocessing it takes
    # a while on a busy machine): the update then reaches the page after the Clear's response and the old
    # conversation came back. Gradio asks a generator for its next value only once the update before it
    # is on the session's message stream, so the cleared chat sent here arrives after that update.
    if conversation.epoch != epoch:
        yield cleared()


def filters_label(groups) -> str:
    """The filters' accordion title, naming what is searched so that it tells without opening."""
    chosen = [label for label, value in DOCUMENT_CHOICES if value in (groups or [])]
    if len(chosen) == len(DOCUMENT_CHOICES):
        return "Search in: all documents"
    return "Search in: " + (", ".join(chosen) if chosen else "nothing (choose at least one)")


def conversation_file(conversation: Conversation | None, library, directory: Path) -> str | None:
    """The conversation so far as a Markdown file (``assistant.export``) in a fresh folder under
    ``directory``; None before the first answer."""
    turns = conversation.history() if isinstance(conversation, Conversation) else []
    if not turns:
        return None
    record = conversation_record(turns, library)
    path = Path(tempfile.mkdtemp(dir=directory)) / filename(record, "md")
    path.write_text(to_markdown(record), encoding="utf-8")
    return str(path)


def clear(conversation: Conversation | None = None) -> tuple:
    """Start over: an empty chat (the opening message only) and an empty sources panel."""
    if isinstance(conversation, Conversation):
        conversation.reset()
    else:
        conversation = Conversation()
    return "", chat_messages([]), render_sources([]), conversation


def current_chat(conversation: Conversation | None, library=None, alignment=None) -> tuple:
    """The chat and the sources panel as the server holds the conversation (``resync`` after a Clear)."""
    turns = conversation.turns if isinstance(conversation, Conversation) else []
    return chat_messages(turns), render_sources(turns, library, alignment)


def api_ask(assistant, question: str, documents=None) -> dict:
    """The ``/ask`` endpoint: the structured answer, or a gr.Error with a message fit for users."""
    import gradio as gr

    try:
        return assistant.ask(question, documents=documents or None).to_dict()
    except AssistantError as exc:
        raise gr.Error(str(exc), print_exception=False) from None
    except Exception:  # noqa: BLE001
        log.exception("/ask failed for %r", str(question)[:200])
        raise gr.Error("Something went wrong while answering; the problem has been logged on the server.",
                       print_exception=False) from None


# ------------------------------------------------------------------ page

CSS = """
:root { --eu-blue: #1f3f8f; --eu-blue-soft: #eef2fb; --ink: #1b2433; --muted: #5b6677; --line: #dde3ec; }
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; overflow: clip !important; }  /* clip, not hidden: lets the header stick */
#header { position: sticky; top: 0; z-index: 50; background: var(--body-background-fill); }
#header .html-container, #notice .html-container, #sources .html-container, #legal .html-container { padding: 0 !important; }
.app-header { display: flex; align-items: center; justify-content: space-between;
  gap: 16px; padding: 12px 2px 10px; background: var(--body-background-fill); border-bottom: 1px solid var(--line); }
.brand { display: flex; align-items: center; gap: 12px; }
.brand-mark { width: 40px; height: 40px; border-radius: 10px; background: var(--eu-blue); color: #ffd617;
  display: flex; align-items: center; justify-content: center; font: 700 22px/1 Georgia, serif; flex: none; }
.app-header h1 { margin: 0; font-size: 1.3rem; font-weight: 700; color: var(--ink); letter-spacing: -0.01em; }
.app-header p { margin: 2px 0 0; font-size: 0.88rem; color: var(--muted); }
.ai-label { display: inline-flex; align-items: center; gap: 8px; padding: 6px 12px 6px 6px; border-radius: 999px;
  background: #fff7e0; border: 1px solid #f0d27a; color: #6b4e00; font-size: 0.85rem; font-weight: 600; white-space: nowrap; }
.ai-dot { display: inline-flex; align-items: center; justify-content: center; width: 24px; height: 24px; border-radius: 50%;
  background: #b7860b; color: #fff; font-size: 0.68rem; font-weight: 800; }
.ai-notice { margin: 0; padding: 10px 14px; border-left: 4px solid var(--eu-blue); border-radius: 6px;
  background: var(--eu-blue-soft); color: var(--ink); font-size: 0.92rem; line-height: 1.45; }
.legal-note { margin: 0; padding: 10px 14px; border-radius: 6px; background: #f6f7f9; border: 1px solid var(--line);
  color: var(--muted); font-size: 0.84rem; line-height: 1.45; }
.legal-note strong { color: var(--ink); }
#chat a[href^="#source-"] { display: inline-block; padding: 0 7px; margin: 1px 1px; border-radius: 999px;
  background: var(--eu-blue-soft); border: 1px solid #c9d5f0; color: var(--eu-blue) !important;
  text-decoration: none !important; font-size: 0.82em; font-weight: 600; line-height: 1.6; white-space: nowrap; }
#chat a[href^="#source-"]:hover { background: var(--eu-blue); color: #fff !important; }
#chat .message-content .prose.chatbot { font-size: 15px !important; line-height: 1.55; }
#chat blockquote { border-left: 3px solid #c9d5f0; margin-left: 0; padding-left: 10px; color: #374151; }
#question textarea { font-size: 0.98rem; }
#filters { padding: 4px 2px; }
#examples button { text-align: left; }
.sources-panel { border: 1px solid var(--line); border-radius: 10px; background: var(--block-background-fill);
  padding: 10px 12px 12px; }
.sources-body { max-height: 540px; overflow-y: auto; }
.sources-title { font-weight: 700; font-size: 0.95rem; color: var(--ink); margin: 2px 0 8px; cursor: pointer; }
.sources-empty { color: var(--muted); font-size: 0.88rem; margin: 0; }
.sources-turn { margin-bottom: 8px; }
.sources-turn > summary { cursor: pointer; list-style: none; display: flex; gap: 8px; align-items: baseline;
  padding: 4px 0; color: var(--muted); font-size: 0.84rem; }
.sources-turn > summary::-webkit-details-marker { display: none; }
.turn-num { font-weight: 700; color: var(--eu-blue); white-space: nowrap; }
.turn-question { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
#chat .message-content, #chat .message .prose { overflow-wrap: anywhere; }
#chat a[href^="?q="] { font-size: 0.82em; color: var(--muted) !important; }
#download { flex: none; }
.source-card { border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; background: #fff; scroll-margin-top: 90px;
  transition: box-shadow .3s, border-color .3s; }
.source-card > summary { cursor: pointer; list-style: none; display: flex; gap: 10px; padding: 9px 10px; align-items: flex-start; }
.source-card > summary::-webkit-details-marker { display: none; }
.source-num { flex: none; width: 22px; height: 22px; border-radius: 50%; background: var(--eu-blue); color: #fff;
  font-size: 0.75rem; font-weight: 700; display: flex; align-items: center; justify-content: center; margin-top: 1px; }
.source-head { display: flex; flex-direction: column; gap: 2px; min-width: 0; }
.source-label { font-weight: 650; color: var(--ink); font-size: 0.9rem; }
.source-path { color: var(--muted); font-size: 0.78rem; }
.source-body { padding: 0 12px 10px 42px; }
.source-text { white-space: pre-wrap; font-size: 0.86rem; line-height: 1.5; color: #283242; max-height: 320px; overflow-y: auto;
  font-family: Georgia, "Times New Roman", serif; }
.source-text mark { background: #fff1b8; padding: 0 1px; }
.source-foot { display: flex; justify-content: space-between; align-items: center; margin-top: 8px; gap: 8px; font-size: 0.8rem; }
.source-ref { color: var(--muted); }
.source-link { color: var(--eu-blue) !important; font-weight: 600; text-decoration: none !important; }
.source-link:hover { text-decoration: underline !important; }
.source-card.flash, .source-card:target { border-color: var(--eu-blue); box-shadow: 0 0 0 3px rgba(31, 63, 143, .18); }
@media (max-width: 760px) {
  .app-header { flex-direction: column; align-items: flex-start; gap: 6px; padding: 8px 2px 8px; }
  .app-header p { display: none; }
  .app-header h1 { font-size: 1.05rem; }
  .brand-mark { width: 30px; height: 30px; font-size: 17px; border-radius: 8px; }
  .ai-label { font-size: 0.76rem; padding: 3px 10px 3px 3px; white-space: normal; }
  .ai-dot { width: 20px; height: 20px; font-size: 0.6rem; }
  .source-card { scroll-margin-top: 110px; }
  #main-row { flex-direction: column; flex-wrap: nowrap; }
  #main-row > .column { min-width: 0 !important; width: 100%; }
  .ai-notice { font-size: 0.8rem; padding: 6px 10px; }
  #chat { height: 62vh !important; }
  #chat a[href^="#source-"] { white-space: normal; }
  .sources-body { max-height: none; }
  .source-body { padding: 0 10px 10px 12px; }
}
"""

# The page frame around Gradio's ``.contain``: Gradio rewrites the CSS above so that rules inside
# @media match only within ``.contain``, hence these in a <style> of their own. Gradio pads the page
# by 32 px and, as flex items of min-width auto, its frames grow to their content's min-content width:
# measured at 390 px, an answer made the page 443 px wide. A phone gets 8 px and a frame no content can push wider than the screen.
FRAME_CSS = """<style>
gradio-app > .gradio-container, .gradio-container .main, .gradio-container .main > .wrap,
.gradio-container main.contain { min-width: 0 !important; max-width: 100% !important; }
@media (max-width: 760px) {
  .gradio-container .main.app { padding-left: 8px !important; padding-right: 8px !important; }
}
</style>"""

# A citation link opens its card (and the answer's section) and scrolls it into view. The scroll is
# instant and repeated on the next frame, once the opened <details> have their height: a smooth scroll
# started before that was seen to stop short on a loaded phone-sized page (card open, not on screen).
HEAD = FRAME_CSS + """<script>
(() => {
  function openSource(id) {
    const card = document.getElementById(id);
    if (!card) return false;
    for (let el = card; el; el = el.parentElement) { if (el.tagName === "DETAILS") el.open = true; }
    const show = () => card.scrollIntoView({ block: "nearest" });
    show(); requestAnimationFrame(show);
    card.classList.remove("flash"); void card.offsetWidth; card.classList.add("flash");
    return true;
  }
  document.addEventListener("click", (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a[href^="#source-"]') : null;
    if (!link) return;
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (openSource(id)) { event.preventDefault(); event.stopPropagation(); history.replaceState(null, "", "#" + id); }
  }, true);
})();
</script>"""


def theme():
    import gradio as gr

    # System fonts only: the page must not reach out to a font CDN.
    return gr.themes.Default(
        primary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.slate, radius_size=gr.themes.sizes.radius_md,
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
    ).set(body_background_fill="#f7f8fa", block_background_fill="#ffffff", button_primary_background_fill="#1f3f8f",
          button_primary_background_fill_hover="#19357a", button_primary_text_color="#ffffff")


def page_assets() -> dict:
    """``launch`` arguments for the page's look (Gradio 6 takes these at launch, not in Blocks)."""
    return {"theme": theme(), "css": CSS, "head": HEAD}


def page_labels() -> "gr.I18n":
    """The page's fixed labels in every language with a locale (``ui_*`` strings of
    assistant/locales): ``launch(i18n=...)`` hands them to the browser, which shows its own
    language's and English for any other."""
    import gradio as gr

    return gr.I18n(**catalog())


def build_ui(assistant) -> "gr.Blocks":
    import gradio as gr

    labels = page_labels()
    answerers = Answerers(assistant)

    def on_submit(message, groups, conversation, choice):
        yield from respond(answerers.assistant_for(choice), message, groups, conversation)

    def on_example(sample, groups, conversation, choice):
        question = sample[0] if isinstance(sample, (list, tuple)) else sample
        yield from respond(answerers.assistant_for(choice), question, groups, conversation)

    def ask(question: str, documents: list[str] | None = None) -> dict:
        """Answer a question on the AI Act proposal, the GDPR, the final AI Act or the commentary.

        Returns the structured answer: text (Markdown, citing [1], [2] ...), citations (label, quote,
        heading path, EUR-Lex url), the AI-system disclosure, abstained/reason, notices and timings.
        documents optionally limits the search to groups: proposal, gdpr, commentary, final."""
        return api_ask(assistant, question, documents)

    exports = tempfile.TemporaryDirectory(prefix="assistant-exports-")  # removed with the app

    def on_load(groups, conversation, choice, request: gr.Request):
        question = deep_link_question(request.query_params if request else None)
        if question is None:
            yield gr.skip(), gr.skip(), gr.skip(), conversation
            return
        yield from respond(answerers.assistant_for(choice), question, groups, conversation)

    # Gradio finds the request parameter by its annotation, which must be the class itself
    # (with postponed annotations it is a string, and the request would be None).
    on_load.__annotations__["request"] = gr.Request

    def on_conversation(conversation):
        path = conversation_file(conversation, assistant.library, Path(exports.name))
        return gr.DownloadButton(value=path, interactive=path is not None)

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=CACHE_PURGE) as demo:
        conversation = gr.State(Conversation())
        gr.HTML(_header_html(), padding=False, elem_id="header")
        gr.HTML(_notice_html(), padding=False, elem_id="notice")
        # Columns wrap below their min_width (the sum is wider than a laptop half-screen, narrower than a
        # desktop): on a phone the chat comes first and the filters and sources follow it.
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=7, min_width=360):
                chatbot = gr.Chatbot(
                    value=chat_messages([]), elem_id="chat", show_label=False, height=600,
                    latex_delimiters=[], feedback_options=None, buttons=["copy"], sanitize_html=True,
                    allow_tags=False, placeholder=None,
                )
                question = gr.Textbox(
                    elem_id="question", show_label=False, lines=1, max_lines=6, autofocus=True,
                    placeholder=labels("ui_placeholder"), submit_btn=labels("ui_send"), container=False,
                )
                # Shown only when there is a choice; each answer says which answerer wrote it.
                answerer = gr.Radio(answerers.choices, value=answerers.default, label=labels("ui_answer_with"),
                                    elem_id="answerer", visible=len(answerers.choices) > 1)
                with gr.Row():
                    examples = gr.Dataset(
                        components=[gr.Textbox(render=False)], samples=[[q] for q in EXAMPLES],
                        label=labels("ui_examples"), elem_id="examples", type="values", layout="gallery",
                    )
                with gr.Row():
                    clear_button = gr.Button(labels("ui_clear"), variant="secondary", size="sm",
                                             elem_id="clear", scale=0, min_width=160)
                    download = gr.DownloadButton(labels("ui_download"), value=None, interactive=False,
                                                 variant="secondary", size="sm", elem_id="download", scale=0,
                                                 min_width=180)
            with gr.Column(scale=5, min_width=300):
                with gr.Accordion(filters_label(ALL_GROUPS), open=False, elem_id="filters-box") as filters_box:
                    groups = gr.CheckboxGroup(
                        DOCUMENT_CHOICES, value=list(ALL_GROUPS), label=labels("ui_search_in"), show_label=False,
                        elem_id="filters", info=labels("ui_search_in_info"),
                    )
                sources = gr.HTML(render_sources([]), elem_id="sources", padding=False)
        gr.HTML(_footer_html(), padding=False, elem_id="legal")

        outputs = [question, chatbot, sources, conversation]
        question.submit(on_submit, [question, groups, conversation, answerer], outputs, api_visibility="private",
                        show_progress="minimal").then(on_conversation, conversation, download,
                                                      api_visibility="private", queue=False)
        examples.click(on_example, [examples, groups, conversation, answerer], outputs, api_visibility="private",
                       show_progress="minimal").then(on_conversation, conversation, download,
                                                     api_visibility="private", queue=False)
        demo.load(on_load, [groups, conversation, answerer], outputs, api_visibility="private",
                  show_progress="minimal").then(on_conversation, conversation, download,
                                                api_visibility="private", queue=False)
        groups.change(lambda chosen: gr.Accordion(label=filters_label(chosen)), groups, filters_box,
                      api_visibility="private", queue=False)
        # Clear is not queued, so it takes effect at once; an answer still streaming sees the new epoch and
        # stops. But an update that answer sent before the Clear ran can still be on its way: streamed updates
        # come on the session's message stream, the Clear's response on a request of its own, and the later
        # arrival wins (the old conversation came back). So a queued step then shows the chat again: its
        # update goes on that same stream, behind anything the old answer had sent. (Gradio's ``cancels=``
        # is not enough, tried: the browser still applies an update already sent; the answer's own epoch
        # check covers one not yet sent.)
        def resync(conversation):
            return current_chat(conversation, assistant.library, getattr(assistant, "alignment", None))

        for cleared_by in (clear_button.click, chatbot.clear):  # the button, and the chat's bin icon
            clearing = cleared_by(clear, conversation, outputs, api_visibility="private", queue=False)
            clearing.then(resync, conversation, [chatbot, sources], api_visibility="private", show_progress="hidden")
            clearing.then(on_conversation, conversation, download, api_visibility="private", queue=False)
        gr.api(ask, api_name="ask")
    return demo


def warm_up_languages(assistant) -> None:
    """The multilingual vectors, opened or built while the page already serves English questions
    (a question in another language asked meanwhile waits for them, as it would have anyway)."""
    started = time.perf_counter()
    try:
        assistant.warm_up_languages()
    except AssistantError as exc:  # said again, in the user's language, on such a question
        print(f"warning: questions in other languages are not available: {exc}", file=sys.stderr, flush=True)
        return
    print(f"Questions in other languages ready in {time.perf_counter() - started:.1f} s.", flush=True)


def launch(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, assistant=None, *,
           prevent_thread_lock: bool = False, quiet: bool = False, concurrency: int = CONCURRENCY):
    """Open (or build) the index, then serve the page. Never shared publicly; analytics off."""
    if assistant is None:
        from .core import Assistant

        print("Opening the search index (building it the first time takes a few minutes) ...", flush=True)
        started = time.perf_counter()
        assistant = Assistant(progress=True).warm_up()
        print(f"Index ready in {time.perf_counter() - started:.1f} s.", flush=True)
        threading.Thread(target=warm_up_languages, args=(assistant,), daemon=True).start()
    demo = build_ui(assistant)
    demo.queue(default_concurrency_limit=concurrency, max_size=MAX_QUEUE)
    demo.launch(server_name=host, server_port=port, share=False, prevent_thread_lock=prevent_thread_lock,
                quiet=quiet, show_error=False, ssr_mode=False, mcp_server=False, pwa=False,
                max_file_size=MAX_UPLOAD_BYTES,
                footer_links=["api"], i18n=page_labels(), **page_assets())
    return demo
