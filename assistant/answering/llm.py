"""Optional LLM answerers: any LangChain chat model, behind the same interface as the composer.

``ASSISTANT_LLM`` chooses one: ``ollama:MODEL``, ``openai:MODEL`` (any OpenAI-compatible server
at ``ASSISTANT_LLM_BASE_URL``) or ``gguf:/path/model.gguf`` (llama.cpp through
``langchain_community``'s ChatLlamaCpp when installed). Unset: the embedded composer only.
"""
from __future__ import annotations

import os
import re

from ..records import Citation, Hit
from .base import BackendUnavailable, Draft, register
from .composer import sentences
from .prompts import PROMPT, numbered_sources

SOURCES = 6


def chat_model_from_settings(settings):
    """The configured chat model, or None for the embedded default."""
    spec = settings.llm
    if not spec:
        return None
    kind, _, name = spec.partition(":")
    timeout = settings.llm_timeout
    if kind == "ollama":
        from langchain_ollama import ChatOllama
        return ChatOllama(model=name, base_url=settings.llm_base_url or "http://127.0.0.1:11434",
                          temperature=0, client_kwargs={"timeout": timeout})
    if kind == "openai":
        from langchain_openai import ChatOpenAI
        # The key comes from the environment only; a local server accepts any value.
        return ChatOpenAI(model=name, base_url=settings.llm_base_url, temperature=0, timeout=timeout,
                          max_retries=1, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed")
    if kind == "gguf":
        try:
            from langchain_community.chat_models import ChatLlamaCpp
        except ImportError as exc:
            raise BackendUnavailable("ASSISTANT_LLM=gguf:... needs langchain-community and llama-cpp-python "
                                     "installed.") from exc
        return ChatLlamaCpp(model_path=name, temperature=0, n_ctx=4096, max_tokens=400)
    raise BackendUnavailable(f"ASSISTANT_LLM={spec!r}: use ollama:MODEL, openai:MODEL or gguf:/path/model.gguf.")


def draft_from_reply(reply: str, hits: list[Hit]) -> Draft:
    """Citations from the reply's [n] markers; each quote is the quotation the model wrote next
    to the marker, or else the source's first sentence (both checked by the verifier)."""
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


class LLMAnswerer:
    """Any LangChain chat model behind the answerer protocol."""

    def __init__(self, model, name: str):
        self.model = model
        self.name = name

    def _messages(self, plan, hits: list[Hit]):
        return PROMPT.format_messages(question=plan.question, sources=numbered_sources(hits[:SOURCES]))

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(f"The LLM backend {self.name} is unavailable ({type(exc).__name__}); "
                                  "answered with the embedded composer instead.")

    def answer(self, plan, hits: list[Hit]) -> Draft:
        try:
            reply = self.model.invoke(self._messages(plan, hits))
        except Exception as exc:  # connection refused, timeout, HTTP error: all mean "not available"
            raise self._unavailable(exc) from None
        return draft_from_reply(str(reply.content), hits[:SOURCES])

    def stream(self, plan, hits: list[Hit]):
        pieces = []
        try:
            for chunk in self.model.stream(self._messages(plan, hits)):
                piece = str(chunk.content)
                pieces.append(piece)
                yield piece
        except Exception as exc:
            if pieces:
                raise  # it answered, then broke: not a transport failure to hide
            raise self._unavailable(exc) from None
        return draft_from_reply("".join(pieces), hits[:SOURCES])


def _from_settings(kind: str):
    def factory(argument, settings, library):
        from dataclasses import replace
        return LLMAnswerer(chat_model_from_settings(replace(settings, llm=f"{kind}:{argument}")), f"{kind}:{argument}")
    return factory


for _kind in ("ollama", "openai", "gguf"):
    register(_kind)(_from_settings(_kind))
