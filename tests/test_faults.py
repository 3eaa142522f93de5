"""Faults around the index, each recovered with a clear message and nothing lost: a corrupt
index directory, a build killed mid-way in another process, an unreachable Chroma server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import IndexUnavailable
from assistant.retrieval import Retriever

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_index import free_port, open_index, small_settings  # noqa: E402  (the small two-document corpus)

ROOT = Path(__file__).resolve().parent.parent


def test_corrupt_index_directory_is_moved_aside_and_rebuilt(settings, tmp_path):
    small = small_settings(settings, tmp_path)
    first = open_index(small)
    store = small.data_dir / "chroma"
    for path in store.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 64)  # every file of the store overwritten
    recovered = open_index(small)
    assert recovered.built and recovered.recovered and "moved to" in recovered.recovered
    assert list(small.data_dir.glob("chroma.corrupt-*")), "the unreadable files are kept for inspection"
    assert recovered.name == first.name
    assert Retriever(recovered.library, recovered).search("fines in the leaked draft", k=3)


KILLED_BUILD = """
import sys, json
from pathlib import Path
sys.path.insert(0, {root!r})
from assistant.config import Settings
from assistant.clauses import Library
from assistant.sources import Corpus
from assistant.index import ClauseIndex
settings = Settings(corpus_dir=Path({corpus!r}), data_dir=Path({data!r}), manifest_path=Path({manifest!r}))
print("building", flush=True)
ClauseIndex(Library(Corpus(settings.corpus_dir, settings.manifest_path)), settings).open(rebuild=True, progress=True)
print("finished", flush=True)
"""


def test_build_killed_midway_leaves_the_old_index_answering(settings, tmp_path):
    small = small_settings(settings, tmp_path)
    old = open_index(small)
    script = KILLED_BUILD.format(root=str(ROOT), corpus=str(small.corpus_dir), data=str(small.data_dir),
                                 manifest=str(small.manifest_path))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "building"
    time.sleep(4)  # inside the rebuild: model loaded, staging collection being filled
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    reopened = open_index(small)
    assert not reopened.built and reopened.name == old.name
    assert reopened.collection.count() == len(reopened.embedded)
    assert Retriever(reopened.library, reopened).search("What would the leaked draft ban?", k=3)


def test_unreachable_chroma_server_retries_then_says_so(settings, tmp_path):
    served = small_settings(settings, tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(IndexUnavailable, match="unreachable after 4 attempts"):
        open_index(served)
    assert 3.0 <= time.monotonic() - started < 30  # backed off, did not hang
