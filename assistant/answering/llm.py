"""LLM answerers: any LangChain chat model behind the ``Answerer`` protocol.

``ASSISTANT_LLM`` chooses one: ``local`` (the GGUF model the ``[local]`` extra installs, run
in-process), ``gguf:/path/model.gguf`` (any other GGUF file), ``ollama:MODEL`` or
``openai:MODEL`` (any OpenAI-compatible server at ``ASSISTANT_LLM_BASE_URL``; both need the
``[llm]`` extra). Unset: the embedded composer only.

The model writes markdown that cites its numbered sources as [n]; ``draft_from_reply`` turns
the markers into citations, which the verifier then checks like any other.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Generator, Iterator

from langchain_core.messages import SystemMessage

from ..citations import find_references, format_citation, is_within
from ..records import Citation, Hit
from .base import BackendUnavailable, Draft, create, finished, register
from .composer import quote_of, sentences
from . import prompts
from .prompts import SOURCES, SYSTEM, messages

LOCAL_NAME = "local:Qwen2.5-Coder-1.5B-Instruct-Q4_K_M"


def mark_references(reply: str, hits: list[Hit]) -> str:
    """The reply with a [n] marker after each clause it names in words ("Article 5(1)(c)") that
    is numbered source n or a part of it. Small models often name the clause instead of citing
    its number (Qwen2.5-1.5B, in the first test run, wrote "Article 5(1)(c)(ii)" and no [n]);
    the marker lets the verifier check the claim like any other citation, instead of striking
    the sentence as unsupported."""
    out, last = [], 0
    for reference in find_references(reply):
        n = next((i for i, h in enumerate(hits, 1)
                  if reference.doc in (None, h.doc) and is_within(reference.ref, h.ref)), None)
        rest_of_sentence = re.match(r"[^.!?\n]*[.!?]?", reply[reference.end:]).group()
        if n is None or f"[{n}]" in rest_of_sentence:
            continue
        out.append(f"{reply[last:reference.end]} [{n}]")
        last = reference.end
    return "".join(out) + reply[last:]


def draft_from_reply(reply: str, hits: list[Hit]) -> Draft:
    """Citations from the reply's [n] markers (and the clauses it names, ``mark_references``);
    each quote is the quotation the model wrote next to the marker, or else the source's first
    sentence (both checked by the verifier)."""
    reply = mark_references(reply, hits)
    citations: list[Citation] = []
    numbering: dict[int, int] = {}
    for match in re.finditer(r"\[(\d+)\]", reply):
        n = int(match.group(1))
        if n in numbering:
            continue
        if not 1 <= n <= len(hits):
            citations.append(Citation("unknown", f"source [{n}]", f"source [{n}]", "", None))
            numbering[n] = len(citations)
            continue
        hit = hits[n - 1]
        before = reply[max(0, match.start() - 400):match.start()]
        quoted = re.findall(r"“([^”]+)”|\"([^\"]+)\"", before)
        quote = next((q for pair in reversed(quoted) for q in pair if q), None) or sentences(hit.text)[0]
        citations.append(Citation(hit.doc, hit.ref, hit.label, quote, hit.url, hit.score, hit.heading_path))
        numbering[n] = len(citations)
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{numbering[int(m.group(1))]}]", reply)
    return Draft(text, citations)


def cited_clauses(citations: list[Citation], hits: list[Hit]) -> str:
    """The clauses the answer cites, shown under it verbatim as the model read them, each under
    its numbered header (checked by the verifier like the embedded answer's). A 1.5B model told to
    quote them itself misquoted (bench/llm.py, 5 tune questions: 22 citations struck, 6 kept) and
    spent 100-280 tokens at 4 tokens/s on it; told to answer briefly, it cites, and the words of
    the law that carry the facts reach the reader anyway."""
    read = {(h.doc, h.ref): h for h in hits}
    blocks = []
    for i, citation in enumerate(citations, 1):
        hit = read.get((citation.doc, citation.ref))
        if hit is None:
            continue
        quote, _ = quote_of(hit.text, prompts.SOURCE_CHARS)
        lines = [f"**[{i}] {format_citation(hit.doc, hit.ref)}**"] + [f"> {line}" for line in quote.split("\n")]
        blocks.append("\n".join(lines))
    return "\n\n" + "\n\n".join(blocks) if blocks else ""


class LLMAnswerer:
    """Answers through a LangChain chat model from the first ``sources`` retrieved clauses.

    ``unavailable`` are the exceptions by which the model's client reports that it cannot be
    reached or timed out; they become ``BackendUnavailable``. Any other exception is a bug.
    """

    def __init__(self, model, name: str, unavailable: tuple[type[BaseException], ...] = (), sources: int = SOURCES):
        self.model = model
        self.name = name
        self.unavailable = unavailable
        self.sources = sources

    def stream(self, plan, hits: list[Hit]) -> Generator[str, None, Draft]:
        """The answer's text as the model writes it; the generator returns the ``Draft``
        (``draft = yield from answerer.stream(plan, hits)``)."""
        sources = hits[:self.sources]
        pieces: list[str] = []
        try:
            for chunk in self.model.stream(messages(plan, sources)):
                piece = str(chunk.text)  # a plain str, not LangChain's TextAccessor
                if piece:
                    pieces.append(piece)
                    yield piece
        except self.unavailable as exc:
            raise BackendUnavailable(f"The LLM backend {self.name} is unavailable ({type(exc).__name__}).") from exc
        draft = draft_from_reply("".join(pieces), sources)
        shown = cited_clauses(draft.citations, sources)
        if shown:
            yield shown
            draft.text += shown
        return draft

    def answer(self, plan, hits: list[Hit]) -> Draft:
        return finished(self.stream(plan, hits))

    def warm_up(self) -> "LLMAnswerer":
        """Load an in-process model now rather than on the first question, with the fixed
        head of every prompt already read (~220 tokens: seconds off the first answer)."""
        load = getattr(self.model, "load", None)
        if load is not None:
            load(head=[SystemMessage(SYSTEM)])
        return self


# ------------------------------------------------------------------ the backends

@register("ollama")
def ollama_answerer(model: str, settings, library) -> LLMAnswerer:
    try:
        import httpx
        import ollama
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise BackendUnavailable("ASSISTANT_LLM=ollama:... needs the [llm] extra: pip install -e '.[llm]'.") from exc
    chat = ChatOllama(model=model, base_url=settings.llm_base_url or "http://127.0.0.1:11434", temperature=0,
                      client_kwargs={"timeout": settings.llm_timeout})
    return LLMAnswerer(chat, f"ollama:{model}", (ConnectionError, httpx.HTTPError, ollama.ResponseError))


@register("openai")
def openai_answerer(model: str, settings, library) -> LLMAnswerer:
    try:
        import openai
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise BackendUnavailable("ASSISTANT_LLM=openai:... needs the [llm] extra: pip install -e '.[llm]'.") from exc
    # The key comes from the environment only; a local server accepts any value.
    chat = ChatOpenAI(model=model, base_url=settings.llm_base_url, temperature=0, timeout=settings.llm_timeout,
                      max_retries=1, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
    return LLMAnswerer(chat, f"openai:{model}", (openai.APIConnectionError, openai.APIStatusError))


def _gguf(path: Path, name: str, settings) -> LLMAnswerer:
    from .gguf_chat import ChatGGUF
    chat = ChatGGUF(model_path=str(path), timeout=settings.llm_timeout, n_threads=settings.llm_threads,
                    runtime=settings.llm_runtime)
    return LLMAnswerer(chat, name)


@register("gguf")
def gguf_answerer(path: str, settings, library) -> LLMAnswerer:
    if not path:
        raise BackendUnavailable("ASSISTANT_LLM=gguf: needs the model file: gguf:/path/model.gguf.")
    file = Path(path).expanduser()
    if not file.is_file():
        raise BackendUnavailable(f"ASSISTANT_LLM=gguf:{path}: no such file.")
    return _gguf(file, f"gguf:{file.name}", settings)


@register("local")
def local_answerer(argument: str, settings, library) -> LLMAnswerer:
    """The model the [local] extra installs, assembled and checked on first use."""
    if argument:
        raise BackendUnavailable(f"ASSISTANT_LLM=local:{argument}: 'local' takes no argument; use gguf:/path/model.gguf.")
    from .local_model import local_model_path
    return _gguf(local_model_path(settings.data_dir), LOCAL_NAME, settings)


class UnavailableAnswerer:
    """Stands in for a configured backend that cannot be created (extra not installed, model
    file refused): every answer raises ``BackendUnavailable`` with the reason, so the chain
    answers with the embedded composer and shows why."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason

    def stream(self, plan, hits: list[Hit]) -> Iterator[str]:
        raise BackendUnavailable(self.reason)

    def answer(self, plan, hits: list[Hit]) -> Draft:
        raise BackendUnavailable(self.reason)


def answerer_or_unavailable(spec: str, settings, library):
    """The answerer ``spec`` names, or a stand-in that says why it is unavailable."""
    try:
        return create(spec, settings, library)
    except BackendUnavailable as exc:
        return UnavailableAnswerer(spec, str(exc))
