"""The naive chunked-RAG baseline (evals/baseline.py) that the eval report compares against."""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # evals/ is not an installed package

from evals.baseline import CHUNK_SIZE, NaiveRAG, flatten  # noqa: E402

QUESTION = "What are the penalties for non-compliance with the prohibited practices in the AI Act proposal?"


def _shares_text(clause_text: str, chunk: str) -> bool:
    """Some non-trivial line of the clause (or the chunk's edge of it) appears in the chunk."""
    chunk_norm = " ".join(chunk.split())
    clause_norm = " ".join(clause_text.split())
    lines = [" ".join(line.split()) for line in clause_text.split("\n") if line.strip()]
    if any(len(line) >= 20 and line in chunk_norm for line in lines):
        return True
    # The chunk starts or ends inside a long line: compare the overlapping edge.
    head, tail = chunk_norm[:40], chunk_norm[-40:]
    return head in clause_norm or tail in clause_norm or clause_norm in chunk_norm


@pytest.mark.slow
def test_naive_rag_on_real_corpus(library, settings):
    # Where the eval gate keeps it (tests/test_eval_gate.py): built once per corpus on a machine, as
    # the index is; a build of its own in a temporary folder took 80-140 s of every CI run.
    started = time.perf_counter()
    rag = NaiveRAG(library, path=str(settings.data_dir / "naive-baseline"))
    rag.build()
    took = time.perf_counter() - started
    print(f"naive baseline: {len(rag.chunks)} chunks built or reopened in {took:.1f} s")
    assert len(rag.chunks) > 1000
    assert rag.collection.count() == len(rag.chunks)
    assert all(len(c.text) <= CHUNK_SIZE for c in rag.chunks)
    assert all(c.refs for c in rag.chunks)

    # Span bookkeeping: a chunk is exactly the flattened text at its offsets.
    flat = {doc.id: flatten(doc)[0] for doc in library}
    for c in rag.chunks[::50]:
        assert flat[c.doc][c.start:c.end] == c.text

    hits = rag.retrieve(QUESTION, k=10)
    assert len(hits) == 10
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert hit.doc in library.documents
        assert hit.refs, hit
        assert len(hit.text) <= CHUNK_SIZE
        document = library.document(hit.doc)
        # top-level refs are exactly the top-level entries of clause_refs, in order
        assert hit.refs == tuple(r for r in hit.clause_refs if document.clauses[r].parent is None)
        for ref in hit.clause_refs:
            clause = document.get(ref)
            assert clause.article in hit.refs
            assert _shares_text(clause.text, hit.text), (hit.doc, ref)
    # The question is about penalties: Article 71 of the proposal should be among the hits.
    assert any(h.doc == "ai-act-proposal-2021" and "Art. 71" in h.refs for h in hits) or \
        any("penalt" in h.text.lower() for h in hits)

    # A rebuilt baseline on the same directory reuses the stored vectors.
    again = NaiveRAG(library, path=str(settings.data_dir / "naive-baseline"))
    again.build()
    assert again.collection.count() == len(rag.chunks)
    assert [h.text for h in again.retrieve(QUESTION, k=3)] == [h.text for h in hits[:3]]
