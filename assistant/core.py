"""``Assistant``: the one core behind the Python API, the CLI, the web UI and the eval runner."""
from __future__ import annotations

import copy
import re
import threading
from typing import Iterator

from .clauses import Library
from .config import Settings
from .errors import InvalidQuestion
from .records import Answer, Hit

DOCUMENT_GROUPS = {
    "proposal": ["ai-act-proposal-2021"],
    "gdpr": ["gdpr"],
    "final": ["ai-act-final-2024"],
    "commentary": ["edpb-edps-joint-opinion-5-2021", "eprs-briefing-ai-act", "impact-assessment-swd-2021-84-part1",
                   "impact-assessment-swd-2021-84-part2", "aim-news-2021-04-eu-mulls-ban"],
}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Assistant:
    """Answers questions on the corpus with verified clause citations.

    Safe to share between threads: the index opens once under a lock, and retrieval and
    answering keep no per-question state on the instance.
    """

    def __init__(self, settings: Settings | None = None, *, chat_model=None, progress: bool = False):
        self.settings = settings or Settings.from_env()
        self.library = Library.from_settings(self.settings)
        self.progress = progress
        self._lock = threading.Lock()
        self._retriever = None
        self._chain = None
        self.answerer = None
        if chat_model is not None:
            from .answering.llm import LLMAnswerer
            self.answerer = LLMAnswerer(chat_model, self.settings.llm or type(chat_model).__name__)
        elif self.settings.llm:
            from .answering.llm import answerer_or_unavailable
            self.answerer = answerer_or_unavailable(self.settings.llm, self.settings, self.library)

    def with_chat_model(self, chat_model, name: str | None = None) -> "Assistant":
        """The same assistant (corpus, index) answering through another chat model."""
        from .answering.llm import LLMAnswerer
        return self.with_answerer(LLMAnswerer(chat_model, name or type(chat_model).__name__))

    def with_answerer(self, answerer) -> "Assistant":
        """The same assistant (corpus, index) answering through another answerer."""
        other = copy.copy(self)
        other.answerer = answerer
        other._chain = None
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
                    self._retriever = Retriever(self.library, index)
        return self._retriever

    @property
    def chain(self):
        if self._chain is None:
            from .chain import build_chain
            self._chain = build_chain(self)
        return self._chain

    def warm_up(self) -> "Assistant":
        """Open (or build) the index and load the model now rather than on the first question."""
        self.retrieve("warm up", k=1)
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
        question = CONTROL.sub(" ", question).strip()
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
            out.append((CONTROL.sub(" ", turn[0])[: self.settings.max_question_chars], turn[1]))
        return out

    # ------------------------------------------------------------ the API

    def retrieve(self, question: str, k: int = 10, documents=None) -> list[Hit]:
        question = self.clean_question(question)
        if not isinstance(k, int) or not 1 <= k <= 100:
            raise InvalidQuestion("k must be a whole number from 1 to 100.")
        return self.retriever.search(question, k, self.documents_filter(documents))

    def ask(self, question: str, history=None, documents=None) -> Answer:
        state = {"question": self.clean_question(question), "history": self.clean_history(history),
                 "documents": self.documents_filter(documents),
                 "backend": self.answerer.name if self.answerer else "embedded", "timings": {}}
        return self.chain.invoke(state)

    def stream(self, question: str, history=None, documents=None) -> Iterator[str | Answer]:
        """Text increments of the answer, then the final ``Answer``. The text is verified
        before the first increment is sent, so nothing streamed is later withdrawn."""
        answer = self.ask(question, history=history, documents=documents)
        for piece in re.findall(r"\S+\s*|\s+", answer.text):
            yield piece
        yield answer
