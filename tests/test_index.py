"""The clause index: identity, reopen without rebuild, rebuild on a changed corpus, an interrupted
build leaving the previous index usable, and a real Chroma server (``chroma run``).

These tests use a small corpus (two commentary documents, ~90 clauses, a few seconds to embed)
copied into a temporary directory with its own manifest; the whole-corpus index is exercised in
tests/test_retrieval.py."""
from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import index as index_module
from assistant.clauses import Library
from assistant.config import Settings
from assistant.errors import IndexUnavailable
from assistant.index import STAGING_PREFIX, ClauseIndex, tokenize
from assistant.retrieval import Retriever
from assistant.sources import Corpus

SMALL = ["aim-news-2021-04-eu-mulls-ban", "eprs-briefing-ai-act"]
FINE = "Companies that don’t comply could be fined up to €20 million or 4% of their turnover."


def copy_files(files: list[str], source_dir: Path, target_dir: Path) -> None:
    """Corpus files (paths relative to the corpus directory) copied from one corpus directory to another."""
    for name in files:
        (target_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source_dir / name, target_dir / name)


def small_settings(settings: Settings, root: Path, edit: str | None = None, chroma_url: str | None = None) -> Settings:
    """A corpus of the SMALL documents under ``root`` with its own manifest; ``edit`` replaces
    the news report's sentence on fines (and the manifest's checksum with it). A document is
    copied as its JSON Lines conversion where the corpus has one (parsed in no time), else as its
    official files (a corpus directory holding only those, as a user's does)."""
    manifest = json.loads(Path(settings.manifest_path).read_text(encoding="utf-8"))
    corpus_dir = root / "corpus"
    documents = []
    for entry in manifest["documents"]:
        if entry["id"] not in SMALL:
            continue
        source, target = Path(settings.corpus_dir) / entry["file"], corpus_dir / entry["file"]
        if not source.is_file() and entry.get("official"):
            copy_files([official["file"] for official in entry["official"]], Path(settings.corpus_dir), corpus_dir)
            documents.append(entry)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        if edit and entry["id"] == SMALL[0]:
            assert FINE in text
            text = text.replace(FINE, edit)
        target.write_text(text, encoding="utf-8")
        documents.append(dict(entry, sha256=hashlib.sha256(target.read_bytes()).hexdigest()))
    manifest_path = root / "manifest.json"
    manifest_path.write_text(json.dumps({"documents": documents}), encoding="utf-8")
    return Settings(corpus_dir=corpus_dir, data_dir=root / "data", chroma_url=chroma_url, manifest_path=manifest_path)


def collections(index: ClauseIndex) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in index.client.list_collections()}


def open_index(settings: Settings, **kwargs) -> ClauseIndex:
    return ClauseIndex(Library(Corpus(settings.corpus_dir, settings.manifest_path)), settings).open(progress=False, **kwargs)


@pytest.fixture(scope="module")
def corpus_root(settings, tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("small")


def test_register_and_registration_share_a_stem():
    # Snowball stems them apart ("regist", "registr"): "do we have to register?" missed Art. 51 "Registration"
    assert tokenize("register registered registration registries") == ["regist"] * 4


def test_tokenizer_normalises_legal_forms():
    assert tokenize("Art. 5(1)(c)") == tokenize("Article 5 (1) (c)") == tokenize("art 5(1)(c)")
    assert tokenize("Arts. 52") == tokenize("articles 52") == ["articl", "52"]
    assert tokenize("para. 3") == tokenize("paragraph 3")
    assert "(a)" in tokenize("point (a) of Article 6(1)")  # the stop-word "a" does not swallow point (a)
    assert "(iv)" in tokenize("Article 5(1)(d)(iv)")
    assert tokenize("Regulation (EU) 2016/679") == ["regul", "eu", "2016", "679"]
    assert tokenize("What's the fine?") == ["fine"]


def test_build_then_reopen_without_rebuild(settings, corpus_root):
    small = small_settings(settings, corpus_root / "a")
    first = open_index(small)
    assert first.built and first.collection.count() == len(first.embedded) > 50
    assert all(u.id == f"{u.doc}::{u.ref}" for u in first.units)
    started = time.perf_counter()
    again = open_index(small)
    assert not again.built and again.name == first.name
    assert time.perf_counter() - started < 5
    assert collections(again) == {first.name}  # no staging collection left behind
    assert open_index(small, rebuild=True).built  # an explicit rebuild still builds


def test_identity_is_corpus_model_and_unit_scheme(settings, corpus_root, monkeypatch):
    small = small_settings(settings, corpus_root / "identity")
    library = Library(Corpus(small.corpus_dir, small.manifest_path))
    name = ClauseIndex(library, small).name
    assert ClauseIndex(library, small).name == name  # deterministic
    monkeypatch.setattr(index_module, "UNIT_SCHEME", index_module.UNIT_SCHEME + "-changed")
    assert ClauseIndex(library, small).name != name
    monkeypatch.undo()
    monkeypatch.setattr(index_module, "MODEL_NAME", "another-model")
    assert ClauseIndex(library, small).name != name
    monkeypatch.undo()
    monkeypatch.setattr(index_module, "MAX_SEQ_LENGTH", 64)
    assert ClauseIndex(library, small).name != name
    monkeypatch.undo()
    # a change to how unit texts are made changes the identity even if UNIT_SCHEME is not updated
    monkeypatch.setattr(index_module, "dense_text", lambda clause, lib: clause.text)
    assert ClauseIndex(library, small).name != name


def test_changed_corpus_rebuilds_and_switches_over(settings, corpus_root):
    before = open_index(small_settings(settings, corpus_root / "b"))
    assert before.built
    edited = "Companies that don’t comply could be fined up to €99 million or 9% of their turnover."
    after = open_index(small_settings(settings, corpus_root / "b", edit=edited))
    assert after.built and after.name != before.name
    # The previous index is kept for processes that opened it before the switch ...
    assert collections(after) == {after.name, before.name}
    hits = Retriever(after.library, after).search("How big would the fines be according to the news report?", k=3)
    assert any("€99 million" in h.text for h in hits)
    assert not any("€20 million" in h.text for h in hits)
    # ... and dropped at the next switch.
    third = open_index(small_settings(settings, corpus_root / "b", edit=edited.replace("99", "77")))
    assert third.built and collections(third) == {third.name, after.name}
    assert open_index(small_settings(settings, corpus_root / "b", edit=edited)).name == after.name


def test_a_changed_corpus_embeds_only_the_units_whose_text_changed(settings, corpus_root):
    before = open_index(small_settings(settings, corpus_root / "r"))
    edited = "Companies that don’t comply could be fined up to €55 million or 5% of their turnover."
    after = open_index(small_settings(settings, corpus_root / "r", edit=edited))
    changed = [u for u in after.embedded if "€55 million" in u.dense_text]
    assert after.built and len(changed) == 1
    assert after.reused == len(after.embedded) - 1
    old = before.collection.get(ids=[changed[0].id], include=["embeddings"])["embeddings"][0]
    new = after.collection.get(ids=[changed[0].id], include=["embeddings"])["embeddings"][0]
    assert sum(a * b for a, b in zip(old, new)) < 0.9999  # embedded again, not copied
    hits = Retriever(after.library, after).search("How big would the fines be according to the news report?", k=3)
    assert any("€55 million" in h.text for h in hits)
    # a rebuild asked for embeds everything again
    assert open_index(small_settings(settings, corpus_root / "r", edit=edited), rebuild=True).reused == 0


def test_interrupted_build_leaves_the_previous_index_usable(settings, corpus_root, monkeypatch):
    old = open_index(small_settings(settings, corpus_root / "c"))
    edit = "Companies could be fined up to €1 billion."
    changed = small_settings(settings, corpus_root / "c", edit=edit)
    real = index_module.embed_documents
    calls = []

    def failing(texts, **kwargs):
        calls.append(len(texts))
        if len(calls) > 1:
            raise KeyboardInterrupt  # the user pressed Ctrl-C during the second batch
        return real(texts, **kwargs)

    monkeypatch.setattr(index_module, "BATCH", 16)
    monkeypatch.setattr(index_module, "embed_documents", failing)
    with pytest.raises(KeyboardInterrupt):
        open_index(changed, rebuild=True)  # every unit embedded (one changed would be one batch)
    monkeypatch.undo()
    # The previous collection is intact and still answers; nothing half-built was left.
    restored = open_index(small_settings(settings, corpus_root / "c"))
    assert not restored.built and restored.name == old.name
    assert restored.collection.count() == len(restored.embedded)
    assert not any(name.startswith(STAGING_PREFIX) for name in collections(restored))
    assert Retriever(restored.library, restored).search("fines in the leaked draft", k=3)
    # A later run on the changed corpus does the whole build and switches over.
    assert open_index(small_settings(settings, corpus_root / "c", edit=edit)).built


# ---------------------------------------------------------------- Chroma server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real ``chroma run`` on 127.0.0.1 with a temporary path; stopped afterwards."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = shutil.which("chroma")
    if not exe:
        pytest.skip("the chroma CLI is not installed")
    port = free_port()
    log = open(tmp_path / "chroma.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        deadline = time.monotonic() + 60
        while True:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=port,
                                    settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chroma run did not start: {(tmp_path / 'chroma.log').read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
def test_chroma_server_builds_and_queries(settings, tmp_path, chroma_server):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.embedding import embed_query

    served = small_settings(settings, tmp_path / "served", chroma_url=chroma_server)
    built = open_index(served)
    assert built.built
    assert not (served.data_dir / "chroma").exists()  # nothing stored locally: the server holds it
    port = int(chroma_server.rsplit(":", 1)[1])
    remote = chromadb.HttpClient(host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False))
    assert built.name in {c if isinstance(c, str) else c.name for c in remote.list_collections()}
    assert remote.get_collection(built.name, embedding_function=None).count() == len(built.embedded)

    hits = Retriever(built.library, built).search("What would the leaked draft ban?", k=5)
    assert hits and all(h.doc in SMALL for h in hits)
    assert hits[0].doc == SMALL[0]
    dense = built.dense(embed_query("mass surveillance and social credit scores"), 3, [SMALL[0]])
    assert dense and all(built.units[row].doc == SMALL[0] for row, _ in dense)

    reopened = open_index(served)
    assert not reopened.built and reopened.name == built.name


def test_unreachable_server_is_reported(settings, tmp_path):
    served = small_settings(settings, tmp_path / "nowhere", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(IndexUnavailable):
        open_index(served)


def test_bad_server_address_is_reported(settings, tmp_path):
    served = small_settings(settings, tmp_path / "bad", chroma_url="not a url")
    with pytest.raises(IndexUnavailable, match="ASSISTANT_CHROMA_URL"):
        open_index(served)
