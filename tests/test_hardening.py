"""Hardening (issue 10): no question can freeze the server, every input gets a typed error,
index faults recover, references to other texts and odd references are read as written,
the verifier closes its holes, shared state is thread-safe and output is bounded."""
from __future__ import annotations

import builtins
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant import index as index_module
from assistant.i18n import t
from assistant.answering.disclosure import DISCLOSURE, claims_to_be_human
from assistant.citations import find_references
from assistant.config import Settings
from assistant.errors import ConfigError, IndexUnavailable, InvalidQuestion
from assistant.index import STAGING_PREFIX
from assistant.retrieval import Retriever

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from patterns import adversarial_inputs, public_patterns, worst_case  # noqa: E402
from test_index import collections, open_index, small_settings  # noqa: E402

P, G = "ai-act-proposal-2021", "gdpr"
PATTERN_BOUND = 0.05  # seconds per pattern on its worst input: linear patterns take ~1 ms here


def sound(answer, library, limit=30_000):
    assert answer.disclosure == t("disclosure", answer.plan.get("language", "en"))  # in the question's language
    assert not claims_to_be_human(answer.text)
    assert len(answer.text) <= limit
    for c in answer.citations:
        clause = library.find(c.doc, c.ref)
        assert clause is not None and " ".join(c.quote.split()) in " ".join(clause.text.split())


# ------------------------------------------------------------------ 1. linear-time patterns

def test_every_pattern_that_sees_user_text_is_linear(assistant):
    slow = {}
    inputs = adversarial_inputs()
    for name, pattern in public_patterns().items():
        seconds, which = worst_case(pattern, inputs, repeats=1)
        if seconds > PATTERN_BOUND:  # measured again, best of 3: another process is no slow pattern
            seconds, which = worst_case(pattern, inputs)
        if seconds > PATTERN_BOUND:
            slow[name] = (round(seconds, 3), which)
    assert not slow, slow


@pytest.mark.parametrize("question", ["Annex I" + " " * 1992 + "x", "em" + " " * 1997 + "x",
                                      "Annex I" + "\t\n\u2003" * 600 + "x", "what is" + " " * 1990,
                                      "Art. 5 (1)" + " (1)" * 490])
def test_the_freezing_questions_answer_quickly(assistant, question):
    started = time.perf_counter()
    for _ in range(3):  # as a follow-up too, where the grammar runs more often
        answer = assistant.ask(question, history=[("Is social scoring banned?", assistant.ask("Is social scoring banned?"))])
    assert time.perf_counter() - started < 20  # was 54-103 s: cubic backtracking
    sound(answer, assistant.library)


# ------------------------------------------------------------------ 2. one entrance for text

@pytest.mark.parametrize("call", ["ask", "retrieve", "stream", "history"])
def test_lone_surrogates_are_refused_with_a_typed_error(assistant, call):
    bad = "social scoring \ud800"
    with pytest.raises(InvalidQuestion, match="not valid text"):
        if call == "history":
            assistant.ask("And the fines?", history=[(bad, None)])
        elif call == "stream":
            list(assistant.stream(bad))
        else:
            getattr(assistant, call)(bad)


def test_cli_refuses_undecodable_bytes_without_a_traceback():
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "ask", b"social scoring \xff".decode(
        "utf-8", "surrogateescape")], capture_output=True, text=True, errors="replace", timeout=300)
    assert result.returncode == 2 and "not valid text" in result.stderr and "Traceback" not in result.stderr


def test_whitespace_and_unicode_are_normalised_once(assistant):
    answer = assistant.ask("Is\u2003social\t\tscoring\n\nbanned   under the draft?")
    assert answer.question == "Is social scoring banned under the draft?"
    assert (P, "Art. 5(1)(c)") in [(c.doc, c.ref) for c in answer.citations]


@pytest.mark.parametrize("name,value", [("ASSISTANT_MAX_QUESTION_CHARS", "lots"), ("ASSISTANT_LLM_TIMEOUT", "soon"),
                                        ("ASSISTANT_MAX_QUESTION_CHARS", "-5"), ("ASSISTANT_LLM_TIMEOUT", "nan")])
def test_a_bad_numeric_setting_names_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
    result = subprocess.run([sys.executable, "-m", "assistant.cli", "corpus", "stats"], capture_output=True, text=True,
                            env={**__import__("os").environ, name: value}, timeout=120)
    assert result.returncode == 2 and name in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------ 3. index faults

def _segment_files(settings, name):
    return [p / name for p in (settings.data_dir / "chroma").iterdir() if (p / name).exists()]


@pytest.mark.parametrize("damage", ["truncate", "garble", "delete"])
def test_damaged_vector_files_are_detected_and_quarantined(assistant, tmp_path, monkeypatch, damage):
    """On a copy of the whole-corpus index (a small collection lives in Chroma's log, not in HNSW
    files): the damage is found when the index opens, the files are moved aside, and a rebuild
    starts (stopped here: it is the same build the other fault tests run)."""
    import os
    import shutil
    from dataclasses import replace

    from assistant.index import ClauseIndex

    copy = replace(assistant.settings, data_dir=tmp_path / "data")
    shutil.copytree(assistant.settings.data_dir / "chroma", copy.data_dir / "chroma")
    name = assistant.retriever.index.name
    target = next(p / "data_level0.bin" for p in (copy.data_dir / "chroma").iterdir()
                  if (p / "data_level0.bin").exists() and p.name in _segments_of(copy, name))
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 3])
    elif damage == "garble":
        data = bytearray(target.read_bytes())
        data[64:] = os.urandom(len(data) - 64)
        target.write_bytes(bytes(data))
    else:
        shutil.rmtree(target.parent)

    class Rebuilding(Exception):
        pass

    def stop(self, *args, **kwargs):
        raise Rebuilding
    monkeypatch.setattr(ClauseIndex, "_build", stop)
    with pytest.raises(Rebuilding):
        ClauseIndex(assistant.library, copy).open(progress=False)
    assert len(list(copy.data_dir.glob("chroma.corrupt-*"))) == 1


def _segments_of(settings, collection: str) -> set[str]:
    import sqlite3
    with sqlite3.connect(settings.data_dir / "chroma" / "chroma.sqlite3") as db:
        return {row[0] for row in db.execute(
            "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id WHERE c.name = ?", (collection,))}


def test_only_the_newest_quarantined_folder_is_kept(settings, tmp_path):
    small = small_settings(settings, tmp_path)
    for _ in range(3):
        open_index(small)
        for path in (small.data_dir / "chroma").rglob("*"):
            if path.is_file():
                path.write_bytes(b"\x00garbage" * 64)
    open_index(small)
    assert len(list(small.data_dir.glob("chroma.corrupt-*"))) == 1


def test_a_full_disk_during_a_build_is_a_typed_error_and_keeps_the_old_index(settings, tmp_path, monkeypatch):
    small = small_settings(settings, tmp_path)
    old = open_index(small)
    from chromadb.api.models.Collection import Collection

    def full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Collection, "add", full)
    with pytest.raises(IndexUnavailable, match="free disk space"):
        open_index(small, rebuild=True)
    monkeypatch.undo()
    reopened = open_index(small)
    assert not reopened.built and reopened.name == old.name
    assert not any(n.startswith(STAGING_PREFIX) for n in collections(reopened))


def test_a_read_only_data_directory_still_reads_its_index(settings, tmp_path, monkeypatch):
    small = small_settings(settings, tmp_path)
    open_index(small)
    lock = small.data_dir / "index.lock"
    real_open = builtins.open

    def read_only(path, mode="r", *args, **kwargs):  # root ignores permissions: the refusal is simulated
        if Path(path) == lock and any(m in mode for m in "wa+"):
            raise PermissionError(13, "Read-only file system", str(path))
        return real_open(path, mode, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", read_only)
    index = open_index(small)
    assert not index.writable and not index.built
    assert Retriever(index.library, index).search("fines in the leaked draft", k=3)


def test_a_killed_builds_staging_collection_and_old_segments_are_cleaned_up(settings, tmp_path):
    small = small_settings(settings, tmp_path)
    index = open_index(small)
    index.client.create_collection(f"{STAGING_PREFIX}dead-build", embedding_function=None,
                                   metadata={"started": time.time()})
    reopened = open_index(small)
    assert not any(n.startswith(STAGING_PREFIX) for n in collections(reopened))
    rebuilt = open_index(small, rebuild=True)
    assert index_module.unused_segment_folders(small.data_dir / "chroma") == []
    assert rebuilt.collection.count() == len(rebuilt.embedded)


# ------------------------------------------------------------------ 4. references as written

@pytest.mark.parametrize("question,says", [
    # articles of other instruments are not answered from ours
    ("What does Article 16 TFEU say?", "TFEU"), ("What does Article 8 ECHR protect?", "ECHR"),
    ("Explain Article 7 of the Charter", "Charter"), ("What is in Article 5 of Directive 2016/680?", "Directive"),
    # odd references are "no such provision"
    ("What does Article 52a of the draft say?", "no Article 52a"), ("Article 5 bis of the proposal", "no Article 5 bis"),
    ("What does Article 1000 of the proposal say?", "no Article 1000"), ("Art. 99999999999999999999", "no Article 9999"),
    ("What does Recital -1 say?", "no Recital -1"), ("Show me Annex IIIIIII", "no Annex IIIIIII"),
])
def test_references_we_do_not_hold_are_declined_saying_so(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.abstained and says in answer.reason and not answer.citations


@pytest.mark.parametrize("question,expected", [
    ("What do Articles 5 and 6 say?", [(P, "Art. 5"), (P, "Art. 6")]),
    ("Recitals 1 to 3 of the proposal", [(P, "Recital 1"), (P, "Recital 2"), (P, "Recital 3")]),
    ("What is in Annexes I and III?", [(P, "Annex I"), (P, "Annex III")]),
    ("GDPR Articles 15, 16 and 17", [(G, "Art. 15"), (G, "Art. 16"), (G, "Art. 17")]),
])
def test_plural_references_are_answered(assistant, question, expected):
    answer = assistant.ask(question)
    assert not answer.abstained and [(c.doc, c.ref) for c in answer.citations][: len(expected)] == expected


def test_spelled_out_and_lettered_references_are_read():
    assert [r.ref for r in find_references("Article fifty-two")] == ["Art. 52"]
    assert [r.ref for r in find_references("Article 5a and Art 5 bis")] == ["Art. 5a", "Art. 5 bis"]
    assert [r.external for r in find_references("Article 16 TFEU")] == ["TFEU"]


# ------------------------------------------------------------------ 5. verifier holes

def scripted(assistant, reply):
    model = GenericFakeChatModel(messages=iter([AIMessage(content=reply)] * 2))
    return assistant.with_chat_model(model, "scripted")


QUOTE = ("the placing on the market, putting into service or use of AI systems by public authorities or on their "
         "behalf for the evaluation or classification of the trustworthiness of natural persons")


@pytest.mark.parametrize("reply,gone", [
    (f"I’m a human lawyer. Social scoring is banned: “{QUOTE}” [1].", "I’m a human lawyer"),
    (f"I am a qualified attorney. Social scoring is banned: “{QUOTE}” [1].", "qualified attorney"),
    (f"This answer was written and checked by a human legal expert. It is banned: “{QUOTE}” [1].", "legal expert"),
    (f"It is banned: “{QUOTE}” [1].\n\n> Social scoring is allowed for private companies without limits.", "allowed for private"),
    (f"**[1] AI Act proposal, Art. 5(1)(c)**\n> Scoring is permitted whenever the Commission agrees to it.\n\n“{QUOTE}” [1]",
     "permitted whenever"),
    (f"It is banned: “{QUOTE}” [1]. The text adds ‘private scoring is always allowed in the Union’.", "always allowed"),
    (f"It is banned: “{QUOTE}” [1]. Article 5a of the proposal adds more.", "Article 5a"),
    (f"It is banned: “{QUOTE}” [1]. See Art 5 bis for more.", "5 bis"),
    (f"It is banned: “{QUOTE}” [1]. Article fifty-two adds more.", "fifty-two"),
    (f"It is banned: “{QUOTE}” [1]. Read more at [this site](https://evil.example/scoring).", "evil.example"),
])
def test_the_verifier_strikes_what_it_used_to_miss(assistant, reply, gone):
    answer = scripted(assistant, reply).ask("Article 5(1)(c) of the proposal: is social scoring banned?")
    assert gone not in answer.text, answer.text
    assert answer.removed_citations >= 1 and any("removed" in n for n in answer.notices)
    sound(answer, assistant.library)


# ------------------------------------------------------------------ 6. thread safety

def test_stemming_is_thread_safe():
    from assistant.index import _stem, tokenize

    words = [f"{w}{s}" for w in ("regulat", "process", "assess", "notif", "transfer", "monitor", "provid")
             for s in ("ion", "ions", "ing", "ed", "es", "ment", "ability")]
    expected = {w: tokenize(w) for w in words}
    _stem.cache_clear()
    errors, wrong = [], []

    def work(seed):
        for i in range(400):
            w = words[(seed * 7 + i) % len(words)]
            try:
                if tokenize(w) != expected[w]:
                    wrong.append(w)
            except Exception as exc:  # noqa: BLE001  (any error is the finding)
                errors.append(exc)
            if i % 50 == 0:
                _stem.cache_clear()
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(work, range(8)))
    finally:
        sys.setswitchinterval(old)
    assert not errors and not wrong


# ------------------------------------------------------------------ 7. bounded output

def test_repeated_references_give_one_bounded_message(assistant):
    answer = assistant.ask(" ".join(["Art. 200-215"] * 170)[:1990])
    assert answer.abstained and len(answer.text) < 3000
    answer = assistant.ask(("Art. 86 " * 285)[:1990])
    assert answer.abstained and answer.text.count("no Article 86") == 1


# ------------------------------------------------------------------ fuzz: structured questions

INSTRUMENTS = ["", " of the draft", " GDPR", " of the final act", " TFEU", " of the Charter", " ECHR",
               " of Directive 2016/680", " of the EDPB opinion"]
reference = st.builds(
    lambda head, number, tail, instrument: f"{head} {number}{tail}{instrument}",
    st.sampled_from(["Article", "Art.", "Articles", "Recital", "Recitals", "Annex", "Annexes", "paragraph", "EM"]),
    st.one_of(st.integers(-3, 130).map(str), st.sampled_from(["I", "III", "IX", "XIV", "IIIIIII", "52a", "5 bis",
                                                              "99999999999999999999", "fifty-two"])),
    st.sampled_from(["", "(1)", "(1)(c)", " and 6", " to 9", ", 7 and 8", "-12", " point (a)"]),
    st.sampled_from(INSTRUMENTS))
filler = st.text(st.characters(categories=["L", "N", "P", "Zs", "So", "Mn"]), max_size=60)
spaces = st.sampled_from([" ", "\t", "\n", "\u2003", "\u200b"]).map(lambda c: c * 300)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(reference, filler, spaces), min_size=1, max_size=5))
def test_fuzzed_questions_get_a_sound_answer_or_a_typed_error(assistant, parts):
    question = " ".join(parts)[:2000]
    try:
        answer = assistant.ask(question)
    except InvalidQuestion:
        return
    sound(answer, assistant.library)


def test_concurrent_questions_do_not_cross(assistant):
    questions = ["Is social scoring banned under the draft?", "What is a data controller under the GDPR?",
                 "What does Article 52 of the draft say?", "When does the final AI Act apply?"] * 4
    expected = {q: [(c.doc, c.ref) for c in assistant.ask(q).citations] for q in set(questions)}
    results = []
    lock = threading.Lock()

    def ask(q):
        got = [(c.doc, c.ref) for c in assistant.ask(q).citations]
        with lock:
            results.append((q, got))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ask, questions))
    assert all(expected[q] == got for q, got in results)
