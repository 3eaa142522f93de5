"""The CLI: its JSON output, which other tools build on, and answers piped, kept, in a terminal and in chat."""
import json
import re
import subprocess
import sys

import pytest

from assistant.answering.disclosure import DISCLOSURE


def run(*args):
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, timeout=120)


def test_corpus_stats_json():
    out = run("corpus", "stats", "--json")
    assert out.returncode == 0, out.stderr
    docs = {d["id"]: d for d in json.loads(out.stdout)["documents"]}
    assert docs["ai-act-proposal-2021"]["articles"] == 85
    assert docs["gdpr"]["recitals"] == 173
    assert docs["ai-act-final-2024"]["annexes"] == 13
    assert set(docs["gdpr"]) >= {"id", "title", "articles", "recitals", "annexes", "clauses"}


def test_show_json():
    out = run("show", "Art. 5(1)(d)(iii)", "--doc", "ai-act-proposal-2021", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"doc", "ref", "label", "heading_path", "text", "url", "counterpart"}
    assert data["ref"] == "Art. 5(1)(d)(iii)" and "2002/584/JHA" in data["text"]
    assert data["counterpart"]["clauses"][0]["ref"] == "Art. 5(1)(h)(iii)"  # its place in the final Act
    assert json.loads(run("show", "art 22 GDPR", "--json").stdout)["doc"] == "gdpr"


def test_show_unknown_says_what_exists():
    out = run("show", "Art. 5(1)(e)", "--doc", "ai-act-proposal-2021")
    assert out.returncode != 0
    assert "Article 5(1) has points (a) to (d)" in out.stderr
    out = run("show", "Article 130 of the proposal")
    assert out.returncode != 0 and "Article 85" in out.stderr
    out = run("show", "Annex I", "--doc", "nope")
    assert out.returncode != 0 and "Unknown document" in out.stderr


# ------------------------------------------------------------------ answers: piped, kept, in a terminal, chat

QUESTION = "Is social scoring banned under the draft?"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.slow
def test_ask_piped_prints_plain_markdown_and_json_is_unchanged():
    out = run("ask", QUESTION)
    assert out.returncode == 0, out.stderr
    assert not ANSI.search(out.stdout)
    assert "**Sources**" in out.stdout and "- **[1] AI Act proposal, Art. 5(1)(c)** <https://eur-lex" in out.stdout
    assert DISCLOSURE in out.stdout
    data = json.loads(run("ask", QUESTION, "--json").stdout)
    assert set(data) >= {"question", "text", "citations", "disclosure", "abstained", "notices", "timings"}


@pytest.mark.slow
def test_ask_format_json_and_md_keep_the_answer_with_its_clauses(tmp_path):
    out = run("ask", QUESTION, "--format", "json")
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["format"] == "eu-ai-draft-assistant/conversation" and record["disclosure"] == DISCLOSURE
    assert {c["id"] for c in record["corpus"]} >= {"ai-act-proposal-2021", "gdpr"}
    assert all(len(c["sha256"]) == 64 for c in record["corpus"])
    (turn,) = record["turns"]
    assert turn["question"] == QUESTION and turn["clauses"]
    assert "detrimental or unfavourable treatment" in turn["clauses"][0]["text"]  # the whole clause
    kept = tmp_path / "answer.md"
    out = run("ask", QUESTION, "--format", "md", "-o", str(kept))
    assert out.returncode == 0 and f"Saved the answer to {kept}" in out.stderr and out.stdout == ""
    text = kept.read_text(encoding="utf-8")
    assert text.startswith("# Conversation with eu-ai-draft-assistant") and "## Question 1" in text
    assert record["corpus"][0]["sha256"] in text and "> (c) the placing on the market" in text


@pytest.mark.slow
def test_ask_in_a_terminal_is_rendered():
    import os
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "ask", QUESTION], stdout=follower,
                               stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done writing
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=120) == 0
    os.close(leader)
    raw = b"".join(chunks).decode("utf-8", "replace")
    assert ANSI.search(raw)
    plain = ANSI.sub("", raw)
    assert "**" not in plain and "\n> " not in plain  # rendered, not raw Markdown
    assert "Sources" in plain and "AI Act proposal, Art. 5(1)(c)" in plain and "eur-lex.europa.eu" in plain


@pytest.mark.slow
def test_chat_keeps_one_process_and_the_conversation(tmp_path):
    kept = tmp_path / "chat.json"
    script = f"{QUESTION}\nWhat are the fines for that?\n/history\n/save {kept}\n/exit\nnever asked\n"
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "chat"], input=script, capture_output=True,
                         text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(DISCLOSURE)
    assert f"you> {QUESTION}" in out.stdout and "you> What are the fines for that?" in out.stdout
    assert f"1. {QUESTION}\n2. What are the fines for that?" in out.stdout
    record = json.loads(kept.read_text(encoding="utf-8"))
    assert [t["question"] for t in record["turns"]] == [QUESTION, "What are the fines for that?"]
    follow_up = record["turns"][1]
    # Read with the conversation, the follow-up is about the AI Act proposal's penalties.
    assert follow_up["clauses"] and all(c["display"].startswith("AI Act proposal") for c in follow_up["clauses"])
    assert any("fine" in c["text"].lower() for c in follow_up["clauses"])
    assert "never asked" not in out.stdout


@pytest.mark.slow
def test_ask_stream_prints_the_answer_then_its_sources():
    out = run("ask", QUESTION, "--stream")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"*{DISCLOSURE}*") and "Art. 5(1)(c)" in out.stdout
    assert "**Sources**" in out.stdout and "<https://eur-lex" in out.stdout and not ANSI.search(out.stdout)
    refused = run("ask", QUESTION, "--stream", "--json")
    assert refused.returncode == 2 and "--stream" in refused.stderr and "Traceback" not in refused.stderr
