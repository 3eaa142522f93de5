"""The local LLM (ASSISTANT_LLM=local): the real model installed by the [local] extra answers
on the real corpus, streamed, its citations checked by the verifier; a model file with the
wrong digest is refused; a runtime that cannot load or does not finish in time is reported
as unavailable, never a hang or a traceback.

Skipped, with the reason, only when the [local] extra is not installed.
"""
import hashlib
import re
from dataclasses import replace

import pytest

from assistant.answering import local_model
from assistant.answering.base import BackendUnavailable, create
from assistant.answering.gguf_chat import ROLES, load_runtime
from assistant.answering.llm import LLMAnswerer, answerer_or_unavailable
from assistant.answering.prompts import messages
from assistant.answering.verify import verify
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.plan import QueryPlan

P = "ai-act-proposal-2021"
needs_local = pytest.mark.skipif(not local_model.installed(),
                                 reason="the [local] extra is not installed (pip install -e '.[local]')")


@pytest.fixture(scope="module")
def local(assistant):
    """The local answerer, its model file assembled and checked, the model loaded. Patient: the
    machine is shared, and at load 5-7 the follow-up's answer overran the default 60 s (answers are
    tested here, speed in bench/llm.py)."""
    answerer = create("local", assistant.settings, assistant.library)
    answerer.model.timeout = 600
    return answerer.warm_up()


def streamed(answerer, plan, hits):
    """(pieces as streamed, the finished Draft)."""
    pieces, stream = [], answerer.stream(plan, hits)
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as stop:
            return pieces, stop.value


# ------------------------------------------------------------------ the real model answers

@needs_local
@pytest.mark.slow
def test_local_model_answers_with_verified_citations(assistant, local):
    question = "Is social scoring by public authorities banned under the draft?"
    hits = assistant.retrieve(question, k=10)
    pieces, draft = streamed(local, QueryPlan(question=question), hits)
    assert len(pieces) > 10, "the answer arrives token by token, not in one piece"
    assert re.sub(r"\[\d+\]", "", "".join(pieces)).split() == re.sub(r"\[\d+\]", "", draft.text).split()
    checked = verify(draft, hits, assistant.library)
    assert checked.draft.citations, (draft.text, checked.reasons)
    assert any(c.doc == P and c.ref.startswith("Art. 5") for c in checked.draft.citations), draft.text
    assert re.search(r"\[\d+\]", checked.draft.text)


@needs_local
@pytest.mark.slow
def test_local_model_follow_up_reads_the_conversation(assistant, local):
    first_q = "Is social scoring banned under the draft?"
    first = assistant.ask(first_q)  # whichever answerer wrote the earlier turn
    follow_q = "And what fines apply for breaking that ban?"
    from assistant import plan as planning
    plan = planning.build(follow_q, assistant.library, history=[(first_q, first)])
    hits = assistant.retriever.search(plan, k=10)
    assert first_q in messages(plan, hits)[1].content  # the model sees the earlier turn
    pieces, draft = streamed(local, plan, hits)
    checked = verify(draft, hits, assistant.library)
    assert checked.draft.citations, (draft.text, checked.reasons)
    assert any(c.doc == P and c.ref.startswith(("Art. 71", "Art. 72")) for c in checked.draft.citations), draft.text


@needs_local
@pytest.mark.slow
def test_both_runtimes_read_a_prompt_alike_and_answer_alike(assistant, local):
    """The two llama.cpp bindings (gguf_ik.py through ctypes, gguf_cyllama.py) put a real prompt
    in the same chat template and tokens, and greedy decoding starts the answer with the same tokens."""
    question = "Who must draw up the technical documentation of a high-risk AI system?"
    plan = QueryPlan(question=question)
    chat = [(ROLES[m.type], str(m.content)) for m in messages(plan, assistant.retrieve(question, k=5))]
    chat.append(("assistant", "Providers must [1]."))  # an earlier reply, as in a conversation
    path = str(local_model.local_model_path(assistant.settings.data_dir))
    ik, cy = (load_runtime(name, path, 4096, 1, 256) for name in ("ik", "cyllama"))
    tokens = ik.tokens(chat, reply=True)
    assert tokens == cy.tokens(chat, reply=True)
    assert ik.detokenize(tokens).endswith("Providers must [1].\nassistant\n")  # the reply opened last
    answers = []
    for rt in (ik, cy):
        for start in range(0, len(tokens), 256):
            rt.decode(tokens[start:start + 256], start)
        answer = [rt.sample(-1, 0.0)]
        for position in range(len(tokens), len(tokens) + 3):
            rt.decode(answer[-1:], position)
            answer.append(rt.sample(-1, 0.0))
        answers.append(answer)
    assert answers[0] == answers[1], [rt.detokenize(a) for rt, a in zip((ik, cy), answers)]


# ------------------------------------------------------------------ refusals and failures

def test_model_file_with_the_wrong_digest_is_refused(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / local_model.MODEL_FILE).write_bytes(b"GGUF" + b"\0" * 1000)
    with pytest.raises(local_model.ModelFileRejected) as refused:
        local_model.local_model_path(tmp_path)
    message = str(refused.value)
    assert str(models / local_model.MODEL_FILE) in message and local_model.SHA256 in message
    assert isinstance(refused.value, BackendUnavailable)


def test_a_checked_file_that_changes_is_checked_again(tmp_path):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF first")
    digest = hashlib.sha256(b"GGUF first").hexdigest()
    assert local_model.verified(model, digest) == model
    model.write_bytes(b"GGUF other")
    with pytest.raises(local_model.ModelFileRejected, match=digest):
        local_model.verified(model, digest)


def test_parts_that_do_not_assemble_to_the_digest_are_refused(tmp_path):
    parts = []
    for i in (1, 2):
        (tmp_path / f"p{i}" / "data").mkdir(parents=True)
        parts.append(tmp_path / f"p{i}" / "data" / f"part0{i}.bin")
        parts[-1].write_bytes(b"x" * 10)
    target = tmp_path / local_model.MODEL_FILE
    with pytest.raises(local_model.ModelFileRejected, match=local_model.SHA256):
        local_model.assemble(parts, target, local_model.SHA256)
    assert not target.exists() and not list(tmp_path.glob("*.partial"))


@needs_local
@pytest.mark.parametrize("runtime", ["ik", "cyllama"])
def test_a_runtime_that_cannot_load_is_unavailable(tmp_path, settings, library, runtime):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\3\0\0\0" + b"\0" * 4096)
    answerer = create(f"gguf:{broken}", replace(settings, llm_runtime=runtime), library)
    with pytest.raises(BackendUnavailable, match="Could not load the model"):
        answerer.answer(QueryPlan(question="What is a provider?"), [])


@needs_local
@pytest.mark.slow
def test_a_model_that_does_not_finish_in_time_is_unavailable(assistant, local):
    hasty = LLMAnswerer(local.model.model_copy(update={"timeout": 0.5}), local.name)  # same loaded model
    question = "What is a provider?"
    with pytest.raises(BackendUnavailable, match="did not finish within"):
        hasty.answer(QueryPlan(question=question), assistant.retrieve(question, k=5))
    # The aborted prompt leaves the model's cache consistent: the next question is answered.
    assert local.answer(QueryPlan(question=question), assistant.retrieve(question, k=5)).text


def test_the_runtime_setting_names_its_choices():
    assert Settings.from_env({}).llm_runtime == "ik"
    assert Settings.from_env({"ASSISTANT_LLM_RUNTIME": "cyllama"}).llm_runtime == "cyllama"
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_RUNTIME='llamafile'.*ik, cyllama"):
        Settings.from_env({"ASSISTANT_LLM_RUNTIME": "llamafile"})


def test_a_misconfigured_backend_answers_with_the_embedded_composer(assistant, tmp_path):
    settings = replace(assistant.settings, llm=f"gguf:{tmp_path / 'missing.gguf'}")
    misconfigured = assistant.with_answerer(answerer_or_unavailable(settings.llm, settings, assistant.library))
    answer = misconfigured.ask("Is social scoring banned under the draft?")
    assert answer.citations and any("no such file" in n for n in answer.notices)
    assert answer.backend == "embedded"  # who wrote it, not who was asked
    streamed = list(misconfigured.stream("Is social scoring banned under the draft?"))
    assert streamed[-1].backend == "embedded" and any("no such file" in n for n in streamed[-1].notices)
