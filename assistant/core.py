"""``Assistant``: the one core behind the Python API, the CLI, the web UI and the eval runner."""
from __future__ import annotations

import copy
import re
import threading
import unicodedata
from typing import Iterator

from .clauses import FINAL_ACT, PROPOSAL, Library
from .config import Settings
from .answering.base import BackendUnavailable
from .errors import InvalidQuestion
from .records import Answer, Hit
from .tuning import DEFAULT, Tuning

DOCUMENT_GROUPS = {
    "proposal": [PROPOSAL],
    "gdpr": ["gdpr"],
    "final": [FINAL_ACT],
    "commentary": ["edpb-edps-joint-opinion-5-2021", "eprs-briefing-ai-act", "impact-assessment-swd-2021-84-part1",
                   "impact-assessment-swd-2021-84-part2", "aim-news-2021-04-eu-mulls-ban"],
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
WHITESPACE = re.compile(r"\s++")


def normalise_text(text: str) -> str:
    """User text as every later step sees it: NFC, control characters and whitespace runs of
    any kind (tabs, newlines, U+2003 ...) as one space. A lone surrogate (a broken paste, or
    undecodable bytes on the command line) is refused: no tokenizer can read it."""
    if SURROGATE.search(text):
        raise InvalidQuestion("The question contains characters that are not valid text (a lone UTF-16 "
                              "surrogate, e.g. from undecodable bytes). Retype or repaste it as plain text.")
    return WHITESPACE.sub(" ", CONTROL.sub(" ", unicodedata.normalize("NFC", text))).strip()


class Assistant:
    """Answers questions on the corpus with verified clause citations.

    Safe to share between threads: the index opens once under a lock, and retrieval and
    answering keep no per-question state on the instance.
    """

    def __init__(self, settings: Settings | None = None, *, chat_model=None, progress: bool = False,
                 tuning: Tuning = DEFAULT):
        from .answering import base
        from .answering.composer import Composer

        self.settings = settings or Settings.from_env()
        self.library = Library.from_settings(self.settings)
        self.tuning = tuning
        self.progress = progress
        self._lock = threading.Lock()
        self._retriever = None
        self._chain = None
        self._prepare = None
        self._alignment = None
        self.composer = Composer(self.library, tuning, alignment=lambda: self.alignment)
        self.answerer: base.Answerer = self.composer
        if chat_model is not None:
            self.answerer = self._llm(chat_model, self.settings.llm or type(chat_model).__name__)
        elif self.settings.llm:
            from .answering.llm import answerer_or_unavailable  # registers the LLM backends
            # A backend that cannot be set up answers "unavailable": the embedded answer, with a notice.
            self.answerer = answerer_or_unavailable(self.settings.llm, self.settings, self.library)

    def _llm(self, chat_model, name: str):
        from .answering.llm import LLMAnswerer
        return LLMAnswerer(chat_model, name)

    def with_chat_model(self, chat_model, name: str | None = None) -> "Assistant":
        """The same assistant (corpus, index) answering through another chat model."""
        return self.with_answerer(self._llm(chat_model, name or type(chat_model).__name__))

    def with_answerer(self, answerer) -> "Assistant":
        """The same assistant (corpus, index) answering through another answerer."""
        other = copy.copy(self)
        other.answerer = answerer
        other._chain = other._prepare = None
        return other

    # ------------------------------------------------------------ lazily built parts

    @property
    def retriever(self):
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    from .index import ClauseIndex
                    from .retrieval import Retriever
                    index = ClauseIndex(self.library, self.settings).open(progress=self.progress)
                    self._retriever = Retriever(self.library, index, self.tuning, alignment=lambda: self.alignment)
        return self._retriever

    @property
    def chain(self):
        if self._chain is None:
            from .chain import build_chain
            self._chain = build_chain(self)
        return self._chain

    @property
    def prepare(self):
        """plan -> retrieve -> scope, shared by ``ask`` and ``stream``."""
        if self._prepare is None:
            from .chain import build_prepare
            self._prepare = build_prepare(self)
        return self._prepare

    def warm_up(self) -> "Assistant":
        """Open (or build) the index and load the model now rather than on the first question."""
        from .language import detect

        self.retrieve("warm up", k=1)
        detect("Is the language detector loaded before the first question?")  # ~1-2 s once (Lingua's models)
        self.alignment  # read (or computed) once, for comparison answers and the source cards
        warm = getattr(self.answerer, "warm_up", None)
        if warm is not None:
            try:
                warm()
            except BackendUnavailable:
                pass  # said on each answer, which then comes from the embedded answerer
        return self

    def warm_up_languages(self) -> "Assistant":
        """Open (or build: ~2-3 min on an idle 2-core machine, bench/multilingual.md) the
        multilingual vectors that questions in other languages are searched with, which would
        otherwise be built on the first such question, while its asker waits, and the topic
        anchors their scope is read against (100 sentences embedded once, a few seconds)."""
        from .answering.topic import anchor_vectors

        self.retriever.multilingual
        anchor_vectors(self.settings.data_dir)
        return self

    # ------------------------------------------------------------ validation

    def documents_filter(self, documents) -> list[str] | None:
        """Document ids from ids or the group names proposal / gdpr / final / commentary."""
        if documents is None:
            return None
        if isinstance(documents, str):
            documents = [documents]
        if not isinstance(documents, (list, tuple, set)) or not all(isinstance(d, str) for d in documents):
            raise InvalidQuestion("documents must be a list of document ids or groups "
                                  f"({', '.join(DOCUMENT_GROUPS)}).")
        out: list[str] = []
        for name in documents:
            ids = DOCUMENT_GROUPS.get(name.lower()) or ([name] if name in self.library.documents else None)
            if ids is None:
                known = ", ".join(list(DOCUMENT_GROUPS) + list(self.library.documents))
                raise InvalidQuestion(f"Unknown document filter {name!r}. Use one of: {known}.")
            out += [i for i in ids if i not in out]
        return out or None

    def clean_question(self, question) -> str:
        if not isinstance(question, str):
            raise InvalidQuestion(f"The question must be text, not {type(question).__name__}.")
        question = normalise_text(question)
        if not question:
            raise InvalidQuestion("The question is empty. Ask about the AI Act proposal, the GDPR, the final "
                                  "AI Act or the commentary, e.g. 'Is social scoring banned under the draft?'.")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidQuestion(f"The question is {len(question):,} characters long; the limit is {limit:,}. "
                                  "Ask about one point at a time.")
        return question

    def clean_history(self, history) -> list:
        if history is None:
            return []
        if not isinstance(history, (list, tuple)):
            raise InvalidQuestion("history must be a list of (question, Answer) pairs.")
        out = []
        for turn in history:
            if not (isinstance(turn, (list, tuple)) and len(turn) == 2 and isinstance(turn[0], str)):
                raise InvalidQuestion("history must be a list of (question, Answer) pairs.")
            out.append((normalise_text(turn[0])[: self.settings.max_question_chars], turn[1]))
        return out

    # ------------------------------------------------------------ the API

    def retrieve(self, question: str, k: int = 10, documents=None) -> list[Hit]:
        question = self.clean_question(question)
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise InvalidQuestion("k must be a whole number from 1 to 100.")
        return self.retriever.search(question, k, self.documents_filter(documents))

    def _state(self, question, history, documents) -> dict:
        import time

        from .language import detect

        question = self.clean_question(question)
        language = detect(question)
        self.retriever  # the index opens (or builds) outside the question's time budget
        if language != "en":
            self.retriever.multilingual  # and so do the multilingual vectors, on the first such question
        budget = self.tuning.time_budget
        return {"question": question, "language": language, "history": self.clean_history(history),
                "documents": self.documents_filter(documents), "backend": self.answerer.name, "timings": {},
                "budget": budget, "deadline": time.perf_counter() + budget}

    def ask(self, question: str, history=None, documents=None) -> Answer:
        return self.chain.invoke(self._state(question, history, documents))

    @property
    def alignment(self):
        """The proposal <-> final Act alignment (``alignment.Alignment``), read or built once."""
        if self._alignment is None:
            with self._lock:
                if self._alignment is None:
                    from .alignment import Alignment
                    self._alignment = Alignment.load(self.library, self.settings)
        return self._alignment

    def counterpart(self, doc: str, ref: str) -> list:
        """The clauses of the other AI Act version aligned with ``ref`` of ``doc`` (a document id,
        or the group "proposal" / "final"), best first, as ``alignment.Counterpart`` (doc, ref,
        clause, score, evidence, via)."""
        doc = DOCUMENT_GROUPS.get(doc, [doc])[0] if doc in ("proposal", "final") else doc
        return self.alignment.counterpart(doc, ref)

    def stream(self, question: str, history=None, documents=None) -> Iterator[str | Answer]:
        """Text increments as the answerer writes them, then the final ``Answer``. The verifier
        runs on the finished text: when it strikes anything, the final ``Answer.text`` differs
        from the streamed text and its notices say what was removed and why; show the final text."""
        import time

        from .answering.base import BackendUnavailable as Unavailable, Draft
        from .chain import checked, finish, prefix

        state = self.prepare.invoke(self._state(question, history, documents))
        started = time.perf_counter()
        head = prefix(state)
        streamed = [head]
        yield head
        if state["decline"]:
            state["draft"] = Draft(state["decline"].message, [])
            streamed.append(state["decline"].message)
            yield state["decline"].message
        else:
            answerer = self.answerer
            try:
                pieces = answerer.stream(state["plan"], state["hits"])
                while True:
                    try:
                        piece = next(pieces)
                    except StopIteration as done:
                        draft = done.value
                        break
                    streamed.append(piece)
                    yield piece
            except Unavailable as exc:
                draft = self.composer.answer(state["plan"], state["hits"])
                draft.notices.append(str(exc))
                draft.by = self.composer.name
            state["draft"] = draft
        state["timings"]["answer"] = round(time.perf_counter() - started, 4)
        state["verified"] = checked(self, state)
        answer = finish(state, self.tuning.max_answer_chars)
        sent = "".join(streamed)
        if answer.text.startswith(sent):
            yield answer.text[len(sent):]  # the caveats after the verified text
        yield answer  # when the verifier struck something, its text replaces what was streamed
