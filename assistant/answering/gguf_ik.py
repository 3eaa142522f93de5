"""The GGUF runtime ``ik-llama-cpp-python`` (the ik_llama.cpp fork of llama.cpp, a prebuilt cp311 wheel).

It reads a prompt 1.2-3.3 times as fast as ``cyllama`` on this machine (bench/llm.py's docstring), and
reading the prompt is most of the time to the first token. Its ``IkLlama`` class samples by filling a
151,936-entry ctypes array in Python for every token, so this module drives its C API directly
(the package's ctypes bindings, plus the few functions they leave out, declared below from the
wheel's own ``llama.h``) and picks tokens from the logits with numpy.
"""
from __future__ import annotations

import ctypes
from typing import Sequence

import numpy as np

from .base import BackendUnavailable

# llama.cpp's log goes nowhere (it writes the whole model description to stderr on every load). The
# callback is process-wide, so it lives as long as the process, not as long as one runtime.
_QUIET = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)(lambda *_: None)


class _ChatMessage(ctypes.Structure):
    _fields_ = [("role", ctypes.c_char_p), ("content", ctypes.c_char_p)]


def _declare(lib, name: str, argtypes: list, restype):
    function = getattr(lib, name)
    function.argtypes, function.restype = argtypes, restype
    return function


class IkRuntime:
    """The model and one context (sequence 0) of ik_llama.cpp, with the primitives ChatGGUF's loop uses."""

    name = "ik-llama-cpp-python"

    def __init__(self, path: str, n_ctx: int, n_threads: int, n_batch: int):
        try:
            from ik_llama_cpp import _ctypes_api as C
        except ImportError as exc:
            raise BackendUnavailable("The GGUF runtime is not installed: run pip install -e '.[local]'.") from exc
        except OSError as exc:  # the wheel's shared library does not load on this system
            raise BackendUnavailable(f"The GGUF runtime ik-llama-cpp-python does not load ({exc}).") from exc
        self.C, lib = C, C._lib
        self._seq_rm = _declare(lib, "llama_kv_cache_seq_rm",
                                [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32, ctypes.c_int32], ctypes.c_bool)
        self._template = _declare(lib, "llama_model_chat_template", [ctypes.c_void_p, ctypes.c_char_p], ctypes.c_char_p)
        self._apply = _declare(lib, "llama_chat_apply_template",
                               [ctypes.c_char_p, ctypes.POINTER(_ChatMessage), ctypes.c_size_t, ctypes.c_bool,
                                ctypes.c_char_p, ctypes.c_int32], ctypes.c_int32)
        log_set = _declare(lib, "llama_log_set", [ctypes.c_void_p, ctypes.c_void_p], None)
        set_abort = _declare(lib, "llama_set_abort_callback", [ctypes.c_void_p, C.ggml_abort_callback, ctypes.c_void_p],
                             None)
        log_set(ctypes.cast(_QUIET, ctypes.c_void_p), None)
        C.llama_backend_init()
        params = C.llama_model_default_params()
        params.n_gpu_layers = 0
        self.model = C.llama_model_load_from_file(path.encode(), params)
        if not self.model:
            raise BackendUnavailable(f"Could not load the model {path} (ik-llama-cpp-python refused the file).")
        self.chat_template = self._template(self.model, None)
        if not self.chat_template:
            C.llama_free_model(self.model)
            raise BackendUnavailable(f"Could not load the model {path}: it has no chat template.")
        ctx_params = C.llama_context_default_params()
        ctx_params.n_ctx = n_ctx
        ctx_params.n_batch = ctx_params.n_ubatch = n_batch
        ctx_params.n_threads = ctx_params.n_threads_batch = n_threads
        ctx_params.flash_attn = True  # reading 519 tokens, 1 thread: 29 vs 23 tokens/s without (bench/llm.py)
        self.ctx = C.llama_init_from_model(self.model, ctx_params)
        if not self.ctx:
            C.llama_free_model(self.model)
            raise BackendUnavailable(f"Could not load the model {path} (no llama.cpp context of {n_ctx} tokens).")
        self.cancel = False
        # Called by ggml between the operations of a decode: True stops it (the deadline passed).
        self._abort = C.ggml_abort_callback(lambda _: self.cancel)
        set_abort(self.ctx, self._abort, None)
        self.n_vocab = C.llama_vocab_n_tokens(C.llama_model_get_vocab(self.model))
        self.n_batch = n_batch
        self.batch = C.llama_batch_init(n_batch, 0, 1)
        self.rng = np.random.default_rng()
        self.pieces: dict[int, bytes] = {}

    def __del__(self):
        C = getattr(self, "C", None)
        if C is not None and getattr(self, "ctx", None):
            C.llama_batch_free(self.batch)
            C.llama_free(self.ctx)
            C.llama_free_model(self.model)
            self.ctx = None

    def tokens(self, chat: Sequence[tuple[str, str]], reply: bool) -> list[int]:
        """The (role, content) messages in the model's chat template, tokenized."""
        encoded = [(role.encode(), content.encode()) for role, content in chat]
        messages = (_ChatMessage * max(len(encoded), 1))(*(_ChatMessage(r, c) for r, c in encoded))
        size = 2 * sum(len(r) + len(c) for r, c in encoded) + 256
        for _ in range(2):  # the second time with the length the first one asked for
            buf = ctypes.create_string_buffer(size)
            n = self._apply(self.chat_template, messages, len(encoded), reply, buf, size)
            if n < 0:
                raise BackendUnavailable("The model's chat template is not one llama.cpp knows.")
            if n <= size:
                break
            size = n
        text = buf.raw[:n]
        tokens = (self.C.llama_token * (len(text) + 8))()
        count = self.C.llama_tokenize(self.model, text, len(text), tokens, len(tokens), True, True)
        return list(tokens[:count])

    def decode(self, tokens: list[int], start: int, all_logits: bool = False) -> None:
        """Read ``tokens`` at positions from ``start``; logits for every one, or for the last."""
        if not 0 < len(tokens) <= self.n_batch:  # the batch's arrays hold n_batch tokens
            raise ValueError(f"decode takes 1 to {self.n_batch} tokens, not {len(tokens)}")
        batch = self.batch
        batch.n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            batch.token[i], batch.pos[i], batch.n_seq_id[i], batch.logits[i] = token, start + i, 1, all_logits
            batch.seq_id[i][0] = 0
        batch.logits[len(tokens) - 1] = True
        status = self.C.llama_decode(self.ctx, batch)
        if self.cancel:
            raise InterruptedError("llama_decode was aborted")
        if status != 0:
            raise RuntimeError(f"llama_decode returned {status}")

    def forget(self, start: int) -> None:
        """Drop the keys and values from position ``start`` on."""
        self._seq_rm(self.ctx, 0, start, -1)

    def sample(self, index: int, temperature: float) -> int:
        """The next token after the ``index``-th token of the last batch (-1: its last)."""
        logits = np.ctypeslib.as_array(self.C.llama_get_logits_ith(self.ctx, index), shape=(self.n_vocab,))
        if temperature <= 0:
            return int(np.argmax(logits))
        weights = np.exp((logits - logits.max()) / temperature)
        return int(self.rng.choice(self.n_vocab, p=weights / weights.sum()))

    def is_eog(self, token: int) -> bool:
        return bool(self.C.llama_token_is_eog(self.model, token))

    def detokenize(self, tokens: list[int]) -> str:
        return b"".join(map(self._piece, tokens)).decode("utf-8", errors="replace")

    def _piece(self, token: int) -> bytes:
        if token in self.pieces:  # the answer so far is detokenized after every token
            return self.pieces[token]
        buf = ctypes.create_string_buffer(64)
        n = self.C.llama_token_to_piece(self.model, token, buf, len(buf), 0, False)
        if n < 0:  # -n: the length it needs
            buf = ctypes.create_string_buffer(-n)
            n = self.C.llama_token_to_piece(self.model, token, buf, len(buf), 0, False)
        self.pieces[token] = buf.raw[:n]
        return self.pieces[token]
