"""A LangChain chat model over a GGUF file, run in-process by llama.cpp.

LangChain's own ``ChatLlamaCpp`` needs ``llama-cpp-python``, which PyPI serves only as source
(an 8-minute build here); two prebuilt CPython 3.11 wheels load the model: ``ik-llama-cpp-python``
(the default, gguf_ik.py) and ``cyllama`` (gguf_cyllama.py). Neither's high-level class fits (one
samples in Python over the whole vocabulary, the other re-reads the whole prompt), so the loop
below drives the context itself through a few primitives (``Runtime``): one thread per core, and
the KV cache of the previous prompt's common prefix (the fixed rules at the head of every
prompt) is kept.

Tokens are yielded as they are generated (``_stream``); a load failure, a busy model or a
deadline passed (llama.cpp's abort callback stops a decode mid-way) raise
``BackendUnavailable``; anything else is a bug and propagates.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Iterator, Literal, Protocol, Sequence

from langchain_core.language_models.chat_models import BaseChatModel, generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .base import BackendUnavailable

# Prompt lookup: guess DRAFT tokens ahead when the last NGRAM tokens recur in the prompt. On one
# thread of this machine (load 4), a long quoting answer: 5.1 tokens/s against 4.0 token by token
# (175 of 228 guessed tokens taken); a batch of 7 costs about twice one token, not seven times.
NGRAM = 3
DRAFT = 6

ROLES = {"system": "system", "human": "user", "ai": "assistant"}
RuntimeName = Literal["ik", "cyllama"]


class ContextOverflow(BackendUnavailable):
    """The prompt and the answer would not fit the model's context window."""


class Runtime(Protocol):
    """What the loop below needs of a llama.cpp binding (gguf_ik.py, gguf_cyllama.py): one context,
    sequence 0. ``decode`` raises InterruptedError once ``cancel`` is set (llama.cpp's abort callback)."""

    name: str
    cancel: bool

    def tokens(self, chat: Sequence[tuple[str, str]], reply: bool) -> list[int]: ...
    def decode(self, tokens: list[int], start: int, all_logits: bool = False) -> None: ...
    def forget(self, start: int) -> None: ...
    def sample(self, index: int, temperature: float) -> int: ...
    def is_eog(self, token: int) -> bool: ...
    def detokenize(self, tokens: list[int]) -> str: ...


def load_runtime(name: RuntimeName, path: str, n_ctx: int, n_threads: int, n_batch: int) -> Runtime:
    """The one place a runtime is chosen. ik reads a prompt 1.2-3.3 times as fast as cyllama here and
    generates about as fast (bench/llm.py's docstring); cyllama stays selectable (ChatGGUF.runtime)."""
    if name == "ik":
        from .gguf_ik import IkRuntime
        return IkRuntime(path, n_ctx, n_threads, n_batch)
    from .gguf_cyllama import CyllamaRuntime
    return CyllamaRuntime(path, n_ctx, n_threads, n_batch)


class _Cache:
    """A runtime's context and the tokens whose keys and values it holds."""

    def __init__(self, runtime: Runtime):
        self.rt = runtime
        self.cached: list[int] = []

    def tokens(self, messages: list[BaseMessage], reply: bool = True) -> list[int]:
        """The chat as the model reads it, ending with the start of its reply when ``reply``."""
        return self.rt.tokens([(ROLES.get(m.type, m.type), str(m.content)) for m in messages], reply)

    def read(self, tokens: list[int], n_batch: int) -> int:
        """Put ``tokens`` in the context, keeping the prefix it already holds (at least the last
        token is read anew, for its logits); returns how many tokens were kept."""
        keep = 0
        for old, new in zip(self.cached, tokens[:-1]):
            if old != new:
                break
            keep += 1
        self.rt.forget(keep)
        self.cached = self.cached[:keep]
        for start in range(keep, len(tokens), n_batch):
            batch = tokens[start:start + n_batch]
            self.rt.decode(batch, start)
            self.cached += batch
        return keep

    def step(self, token: int, draft: list[int], temperature: float) -> list[int]:
        """Read ``token``, and the ``draft`` guessed to follow it, in one batch. Returns the
        guessed tokens the model confirms (those it would have written itself), then its own next
        token; the rest of the guess leaves the cache. With greedy sampling the answer is the one
        token-by-token decoding writes, up to the rounding of a batch against single tokens (the
        same words in the one long answer compared, bench/llm.py, till the model's first line break)."""
        start = len(self.cached)
        if not draft:
            self.rt.decode([token], start)
            self.cached.append(token)
            return [self.rt.sample(-1, temperature)]
        self.rt.decode([token] + draft, start, all_logits=True)
        produced = []
        for i, expected in enumerate(draft):
            produced.append(self.rt.sample(i, temperature))
            if produced[-1] != expected:
                break
        else:
            produced.append(self.rt.sample(len(draft), temperature))
        self.rt.forget(start + len(produced))
        self.cached += ([token] + draft)[:len(produced)]
        return produced


def guess(tokens: list[int], n: int = NGRAM, k: int = DRAFT) -> list[int]:
    """The ``k`` tokens that followed the latest earlier occurrence of the last ``n`` tokens
    (prompt lookup decoding): a model told to quote its sources copies runs of the prompt, and
    checking a guessed run costs one batch instead of one pass per token."""
    tail = tokens[-n:]
    for start in range(len(tokens) - n - 1, -1, -1):
        if tokens[start:start + n] == tail:
            return tokens[start + n:start + n + k]
    return []


class ChatGGUF(BaseChatModel):
    """Chat with a local GGUF model; greedy by default (answers must be reproducible)."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 0           # 0: one per core available to this process (ASSISTANT_LLM_THREADS)
    n_batch: int = 256           # prompt tokens per decode call
    max_tokens: int = 300        # answers of at most 5 sentences took 16-204 tokens (bench/llm.py)
    temperature: float = 0.0
    timeout: float = 120.0       # seconds for load + prompt + answer
    runtime: RuntimeName = "ik"  # the llama.cpp binding (load_runtime)

    _loaded: _Cache | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "runtime": self.runtime}

    @property
    def threads(self) -> int:
        # A core is left to the rest of the machine (the web server, the retriever, other work): a
        # thread that waits for a busy core holds the others at every layer's barrier. bench/llm.py's
        # docstring has the measurements (2 threads against 1 on 2 cores, beside other work).
        return self.n_threads or len(os.sched_getaffinity(0))

    def load(self, head: list[BaseMessage] = ()) -> "ChatGGUF":
        """Load the model now rather than on the first question, and keep only ``head`` (the
        messages every prompt starts with) in its cache: read it if it is not there, forget what
        followed it (with no ``head``, everything)."""
        with self._lock:
            rt = self._runtime()
            rt.rt.cancel = False
            rt.read(rt.tokens(list(head), reply=False) if head else [], self.n_batch)
        return self

    def _runtime(self) -> _Cache:
        if self._loaded is None:
            self._loaded = _Cache(load_runtime(self.runtime, self.model_path, self.n_ctx, self.threads, self.n_batch))
        return self._loaded

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                  **kwargs: Any) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None,
                **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        if stop:
            raise ValueError("ChatGGUF does not support stop sequences; the model's end-of-turn token ends it.")
        deadline = time.monotonic() + self.timeout
        if not self._lock.acquire(timeout=self.timeout):
            raise BackendUnavailable(f"The local model is busy with another question (waited {self.timeout:.0f} s).")
        timer = None
        try:
            rt = self._runtime()
            rt.rt.cancel = False
            # At the deadline llama.cpp's abort callback stops even a long prompt batch mid-way.
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), setattr, (rt.rt, "cancel", True))
            timer.start()
            yield from self._generate_tokens(rt, messages, run_manager, kwargs.get("max_tokens", self.max_tokens))
        except InterruptedError:
            raise BackendUnavailable(f"The local model did not finish within {self.timeout:.0f} s.") from None
        finally:
            if timer is not None:
                timer.cancel()
            self._lock.release()

    def _generate_tokens(self, rt: _Cache, messages, run_manager, max_tokens) -> Iterator[ChatGenerationChunk]:
        tokens = rt.tokens(messages)
        if len(tokens) + max_tokens > self.n_ctx:
            raise ContextOverflow(f"The prompt ({len(tokens)} tokens) and answer ({max_tokens}) exceed the "
                                  f"model's context of {self.n_ctx} tokens.")
        started = time.monotonic()
        keep = rt.read(tokens, self.n_batch)
        prompt_done = time.monotonic()

        generated: list[int] = []
        sent = ""
        guessed = taken = 0
        produced = [rt.rt.sample(-1, self.temperature)]
        while True:
            for token in produced:
                if rt.rt.is_eog(token):
                    break
                generated.append(token)
                # Detokenize the whole answer so far: a character split over two tokens is sent whole.
                text = rt.rt.detokenize(generated)
                if not text.endswith("\ufffd") and text.startswith(sent) and len(text) > len(sent):
                    piece, sent = text[len(sent):], text
                    if run_manager:
                        run_manager.on_llm_new_token(piece)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
                if len(generated) >= max_tokens:
                    break
            else:
                # The tokens are sent before the model reads them back, to get them to the reader sooner.
                draft = guess(tokens + generated)[:max_tokens - len(generated) - 1] if self.temperature == 0 else []
                produced = rt.step(produced[-1], draft, self.temperature)
                guessed, taken = guessed + len(draft), taken + len(produced) - 1
                continue
            break
        text = rt.rt.detokenize(generated)
        finished = time.monotonic()
        yield ChatGenerationChunk(message=AIMessageChunk(
            content=text[len(sent):],
            usage_metadata={"input_tokens": len(tokens), "output_tokens": len(generated),
                            "total_tokens": len(tokens) + len(generated)},
            response_metadata={"prompt_tokens_reused": keep, "prompt_seconds": round(prompt_done - started, 3),
                               "generation_seconds": round(finished - prompt_done, 3),
                               "threads": self.threads, "runtime": rt.rt.name, "guessed": guessed,
                               "guesses_taken": taken}))
