"""A conversation kept as a file: Markdown to read and paste, JSON for tools.

``conversation_record(turns, library)`` gathers, from ``Answer.to_dict()`` and the library, what a
reader needs to check the answers later: each question and answer, every cited clause verbatim
with its reference and EUR-Lex link, the AI-system disclosure, the date, and the corpus versions
(the sha256 of each source file, as the manifest verified them). ``to_markdown`` and ``to_json``
write that one record, so the two formats never disagree.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Sequence

from .answering.disclosure import DISCLOSURE
from .records import Answer, Citation

FORMAT = "eu-ai-draft-assistant/conversation"
VERSION = 1
TITLE = "Conversation with eu-ai-draft-assistant"
NOT_LEGAL_ADVICE = ("Answers are drawn from the cited texts by an AI system and can be incomplete or wrong: "
                    "read the clauses themselves. The 2021 text is a proposal, not law in force; the AI Act as "
                    "adopted is Regulation (EU) 2024/1689.")

# A citation number in an answer's text: "[1]", not a Markdown link "[1](...)" nor an escaped "\\[1]".
CITATION_MARK = re.compile(r"(?<![\\\w])\[(\d{1,3})\](?![(\[])")
# Characters that Markdown (CommonMark + GFM) reads as syntax anywhere in a line.
MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# ... and at the start of a line: headings, quotes, bullets and rules; ordered list items ("1.", "2)").
MD_LINE_START = re.compile(r"^([ \t]*+)([#>+\-=])", re.MULTILINE)  # within a line: linear
MD_ORDERED = re.compile(r"^([ \t]*+\d{1,9})([.)])", re.MULTILINE)


def clause_text(citation: Citation, library) -> str:
    """The whole cited clause from the library (the verified quote when the library cannot give it)."""
    if library is None:
        return citation.quote
    try:
        return library.get(citation.doc, citation.ref).text
    except Exception:  # noqa: BLE001 - an export or a card must come out even if a clause cannot be looked up
        return citation.quote


def corpus_versions(library) -> list[dict]:
    """Each source document with the sha256 the manifest verified (empty without a library)."""
    if library is None:
        return []
    corpus = library.corpus
    sums = corpus.checksums
    return [{"id": s.id, "title": s.title, "date": s.date, "sha256": sums[s.id]} for s in corpus.sources]


def conversation_record(turns: Sequence[tuple[str, Answer]], library=None, *,
                        exported_at: datetime | None = None) -> dict:
    """The conversation as one JSON-ready dict (see the module docstring)."""
    exported_at = exported_at or datetime.now(timezone.utc)
    out_turns = []
    for question, answer in turns:
        data = answer.to_dict()
        clauses = [{"number": i, "display": c.display, "label": c.label, "heading_path": list(c.heading_path),
                    "url": c.url, "quote": c.quote, "text": clause_text(c, library)}
                   for i, c in enumerate(answer.citations, 1)]
        out_turns.append({"question": question, "answer": data, "clauses": clauses})
    disclosures = [t["answer"]["disclosure"] for t in out_turns if t["answer"].get("disclosure")]
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "disclosure": disclosures[0] if disclosures else DISCLOSURE,
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "corpus": corpus_versions(library),
        "turns": out_turns,
    }


def escape_markdown(text: str) -> str:
    """Text that a Markdown renderer shows as it is (backslash escapes: the rendered text is verbatim)."""
    text = MD_INLINE.sub(r"\\\1", text)
    return MD_ORDERED.sub(r"\1\\\2", MD_LINE_START.sub(r"\1\\\2", text))


def quoted(text: str) -> str:
    """A verbatim Markdown block quote, one ``>`` line per line of the text."""
    # Leading spaces would make an indented code block; a renderer collapses them anyway.
    return "\n".join("> " + escape_markdown(line.strip()) if line.strip() else ">" for line in text.strip().split("\n"))


def source_lines(clause: dict, full: bool = True) -> str:
    """``[n] GDPR, Art. 22(1)`` and the EUR-Lex link as Markdown; ``full`` adds the label and heading path."""
    head = f"**[{clause['number']}] {escape_markdown(clause['display'])}**"
    if not full:
        return head + (f" <{clause['url']}>" if clause["url"] else "")
    if clause["label"] and clause["label"] != clause["display"]:
        head += f" - {escape_markdown(clause['label'])}"
    if clause["heading_path"]:
        head += f"  \n_{escape_markdown(' › '.join(clause['heading_path']))}_"
    if clause["url"]:
        head += f"  \n<{clause['url']}>"
    return head


def answer_markdown(answer: dict, clauses: list[dict] | None = None, *, verbatim: bool = False) -> str:
    """One answer as Markdown: its text, its notices, then its sources (with the clause text when
    ``verbatim``). ``answer`` is ``Answer.to_dict()``; ``clauses`` default to its citations."""
    if clauses is None:
        clauses = [{"number": i, "display": c["display"], "label": c["label"], "heading_path": c["heading_path"],
                    "url": c["url"], "quote": c["quote"], "text": c["quote"]}
                   for i, c in enumerate(answer["citations"], 1)]
    parts = [answer["text"].strip()]
    parts += [f"_Note: {escape_markdown(n)}_" for n in answer.get("notices", [])]
    if answer["disclosure"] and answer["disclosure"] not in answer["text"]:
        parts.append(f"_{escape_markdown(answer['disclosure'])}_")
    if clauses:
        if verbatim:
            parts.append("#### Sources")
            parts += [source_lines(clause) + "\n\n" + quoted(clause["text"]) for clause in clauses]
        else:
            parts.append("**Sources**\n\n" + "\n".join(f"- {source_lines(clause, full=False)}" for clause in clauses))
    return "\n\n".join(parts)


def to_markdown(record: dict) -> str:
    lines = [f"# {TITLE}", "",
             f"**AI system.** {escape_markdown(record['disclosure'])}", "",
             f"**Not legal advice.** {escape_markdown(record['not_legal_advice'])}", "",
             f"- Exported: {record['exported_at']}"]
    if record["corpus"]:
        lines += ["- Corpus versions (sha256 of each source file, as verified against the manifest):"]
        lines += [f"  - `{c['id']}` ({escape_markdown(c['title'])}, {c['date']}): `{c['sha256']}`"
                  for c in record["corpus"]]
    for number, turn in enumerate(record["turns"], 1):
        lines += ["", f"## Question {number}", "", quoted(turn["question"]), "",
                  "### Answer", "", answer_markdown(turn["answer"], turn["clauses"], verbatim=True)]
    return "\n".join(lines).rstrip() + "\n"


def to_json(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def filename(record: dict, extension: str) -> str:
    """``conversation-2026-11-29-2015.md``: sortable, and the same for the Markdown and the JSON."""
    stamp = re.sub(r"[^0-9]", "", record["exported_at"][:16])
    return f"conversation-{stamp[:8]}-{stamp[8:12]}.{extension}"
