"""The GGUF runtime ``cyllama`` (upstream llama.cpp, a prebuilt cp311 wheel with no dependencies).

Its high-level ``LLM`` class sets no thread count (llama.cpp then uses 4 threads, 2.5 tok/s on this
2-core machine) and re-reads the whole prompt every time, so ChatGGUF drives the context through
the primitives below.
"""
from __future__ import annotations

from typing import Sequence

from .base import BackendUnavailable


class CyllamaRuntime:
    """The model and one context (sequence 0) of cyllama, with the primitives ChatGGUF's loop uses."""

    name = "cyllama"

    def __init__(self, path: str, n_ctx: int, n_threads: int, n_batch: int):
        try:
            import cyllama.llama.llama_cpp as cy
            from cyllama.utils.validation import validate_gguf_file
        except ImportError as exc:
            raise BackendUnavailable("The GGUF runtime is not installed: run pip install -e '.[local]'.") from exc
        try:
            validate_gguf_file(path)
            cy.disable_logging()
            cy.ggml_backend_load_all()
            params = cy.LlamaModelParams()
            params.n_gpu_layers = 0
            self.model = cy.LlamaModel(path, params)
            ctx_params = cy.LlamaContextParams()
            ctx_params.n_ctx = n_ctx
            ctx_params.n_batch = n_batch
            ctx_params.n_threads = ctx_params.n_threads_batch = n_threads
            ctx_params.no_perf = True
            self.ctx = cy.LlamaContext(self.model, ctx_params)
        except (OSError, ValueError, RuntimeError, MemoryError) as exc:
            raise BackendUnavailable(f"Could not load the model {path} ({type(exc).__name__}: {exc}).") from exc
        self.ctx.install_cancel_callback()
        self.cy = cy
        self.vocab = self.model.get_vocab()
        self.template = self.model.get_default_chat_template()
        self.batch = cy.LlamaBatch(n_tokens=n_batch, embd=0, n_seq_max=1)
        self.samplers: dict[float, object] = {}

    @property
    def cancel(self) -> bool:
        return self.ctx.cancel

    @cancel.setter
    def cancel(self, value: bool) -> None:
        # llama.cpp's abort callback (install_cancel_callback) reads it between a decode's operations.
        self.ctx.cancel = value

    def tokens(self, chat: Sequence[tuple[str, str]], reply: bool) -> list[int]:
        """The (role, content) messages in the model's chat template, tokenized."""
        messages = [self.cy.LlamaChatMessage(role=role, content=content) for role, content in chat]
        prompt = self.model.chat_apply_template(self.template, messages, reply)
        return self.vocab.tokenize(prompt, add_special=True, parse_special=True)

    def decode(self, tokens: list[int], start: int, all_logits: bool = False) -> None:
        """Read ``tokens`` at positions from ``start``; logits for every one, or for the last.
        A decode aborted by ``cancel`` raises InterruptedError."""
        if all_logits:
            self.batch.set_batch(tokens, start, True)
            self.ctx.decode(self.batch)
        else:
            self.ctx.decode(self.cy.llama_batch_get_one(tokens, start))

    def forget(self, start: int) -> None:
        """Drop the keys and values from position ``start`` on."""
        self.ctx.memory_seq_rm(0, start, -1)

    def sample(self, index: int, temperature: float) -> int:
        """The next token after the ``index``-th token of the last batch (-1: its last)."""
        if temperature not in self.samplers:
            sampler = self.cy.LlamaSampler(self.cy.LlamaSamplerChainParams())
            if temperature > 0:
                sampler.add_temp(temperature)
                sampler.add_dist(0xFFFFFFFF)
            else:
                sampler.add_greedy()
            self.samplers[temperature] = sampler
        return self.samplers[temperature].sample(self.ctx, index)

    def is_eog(self, token: int) -> bool:
        return self.vocab.is_eog(token)

    def detokenize(self, tokens: list[int]) -> str:
        return self.vocab.detokenize(tokens, False, False)
