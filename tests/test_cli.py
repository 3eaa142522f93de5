"""The CLI's JSON output, which other tools build on."""
import json
import subprocess
import sys


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
