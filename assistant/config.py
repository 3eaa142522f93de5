"""Settings from the environment, in one place.

Every variable the assistant reads is listed in ``ENVIRONMENT`` (the README's table is
generated from the same names) and resolved by ``Settings.from_env``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import ConfigError

# Telemetry and analytics must be off before chromadb or gradio are imported anywhere.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = REPO_ROOT / "corpus" / "manifest.json"

ENVIRONMENT = {
    "ASSISTANT_CORPUS_DIR": "Directory holding the source texts (default: ../shared/corpus next to the checkout, else corpus/ in the data directory, filled by `assistant corpus fetch` or the first start).",
    "ASSISTANT_DATA_DIR": "Where the index is kept (default: ~/.cache/eu-ai-draft-assistant).",
    "ASSISTANT_CHROMA_URL": "Use a Chroma server (http://host:port) instead of the embedded store.",
    "ASSISTANT_LLM": "Optional LLM backend: local (the in-process model of the [local] extra), gguf:/path/model.gguf, "
                     "ollama:MODEL or openai:MODEL (the [llm] extra) (default: none, the embedded answerer).",
    "ASSISTANT_LLM_BASE_URL": "Base URL of the Ollama or OpenAI-compatible server.",
    "ASSISTANT_LLM_TIMEOUT": "Seconds to wait for the LLM backend (default 60).",
    "ASSISTANT_LLM_THREADS": "Threads the local model runs (default: one per core; on an idle 2-core machine 2 threads "
                             "gave the first token in 7.0 s against 12.8 s for 1. llama.cpp's threads wait for each "
                             "other at every layer: on a machine whose cores are busy with other work, set 1).",
    "ASSISTANT_LLM_RUNTIME": "The llama.cpp binding that runs the local model: ik (ik-llama-cpp-python, the default: it "
                             "reads a prompt 1.2-3.3 times as fast here) or cyllama.",
    "OPENAI_API_KEY": "API key for an OpenAI-compatible server (read from the environment only, never logged).",
    "ASSISTANT_MAX_QUESTION_CHARS": "Longest question accepted (default 2000).",
}


def _number(env, name: str, default, kind, low, high):
    """A numeric setting, or a ConfigError that names the variable and what it wants."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not valid: it wants {what} from {low} to {high} "
                          f"(default {default}).")
    return value


def _choice(env, name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (the first by default), or a ConfigError that names them."""
    raw = (env.get(name) or "").strip()
    if raw and raw not in choices:
        raise ConfigError(f"{name}={raw!r} is not valid: it wants one of {', '.join(choices)} (default {choices[0]}).")
    return raw or choices[0]


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path | None
    data_dir: Path
    chroma_url: str | None = None
    llm: str | None = None
    llm_base_url: str | None = None
    llm_timeout: float = 60.0
    llm_threads: int = 0  # 0: one per core
    llm_runtime: Literal["ik", "cyllama"] = "ik"
    max_question_chars: int = 2000
    manifest_path: Path = field(default=MANIFEST_PATH)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        corpus = env.get("ASSISTANT_CORPUS_DIR")
        data = env.get("ASSISTANT_DATA_DIR") or str(Path.home() / ".cache" / "eu-ai-draft-assistant")
        if corpus:
            corpus_dir: Path | None = Path(corpus).expanduser()
        else:
            # the team's mirror next to the checkout, else a folder in the data directory that the
            # first start fills from the official addresses (assistant.fetch)
            mirror = REPO_ROOT.parent / "shared" / "corpus"
            corpus_dir = mirror if mirror.is_dir() else Path(data).expanduser() / "corpus"
        return cls(
            corpus_dir=corpus_dir,
            data_dir=Path(data).expanduser(),
            chroma_url=env.get("ASSISTANT_CHROMA_URL") or None,
            llm=env.get("ASSISTANT_LLM") or None,
            llm_base_url=env.get("ASSISTANT_LLM_BASE_URL") or None,
            llm_timeout=_number(env, "ASSISTANT_LLM_TIMEOUT", 60.0, float, 0.1, 3600),
            llm_threads=_number(env, "ASSISTANT_LLM_THREADS", 0, int, 0, 256),
            llm_runtime=_choice(env, "ASSISTANT_LLM_RUNTIME", ("ik", "cyllama")),
            max_question_chars=_number(env, "ASSISTANT_MAX_QUESTION_CHARS", 2000, int, 10, 20000),
        )
