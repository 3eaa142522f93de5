"""Parsing the official source files: agreement with the JSON Lines oracle and time, on this machine.

1. Every document whose official format has a parser (EUR-Lex HTML, the Commission proposal's PDFs,
   the commentary PDFs), then any commentary PDF still read from JSON Lines: the oracle's clauses,
   how many are identical after whitespace normalisation, how many differ only where the oracle is
   wrong or a table's text has no one reading (corpus/oracle_errata.json, each with its reason),
   differing, missing, extra; parse time; then all documents' clauses together.
2. PDFs: the text libraries compared (time for all pages; share of the oracle's text lines of 40+
   characters found verbatim in the extracted text, lines joined by spaces), then the same share
   after the line repair rules of assistant.parsers.pdf_text, per document's PDFs.

Usage::

    python bench/official_sources.py            # ~2-3 min on 2 cores (pdfplumber is the slow one)
    python bench/official_sources.py --no-libraries
"""
from __future__ import annotations

import argparse
import json
import re
import time

from assistant.agreement import HEADER, compare, load_errata, normalise, total
from assistant.clauses import build_clauses
from assistant.config import Settings
from assistant.parsers import PARSERS
from assistant.parsers import commentary_pdf, pdf_text
from assistant.sources import Corpus


def oracle_records(corpus, source):
    lines = corpus.path(source).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()][1:]


def oracle_lines(records) -> list[str]:
    out = []
    for rec in records:
        texts = [rec.get("text") or ""] + [p.get("text", "") for p in rec.get("paragraphs") or []]
        for text in texts:
            for line in text.split("\n"):
                line = re.sub(r"^(\(\w+\)|\d+\.|•)\s", "", normalise(line))
                if len(line) >= 40:
                    out.append(line)
    return out


def found(lines: list[str], text: str) -> float:
    flat = normalise(text)
    return sum(line in flat for line in lines) / len(lines) if lines else 0.0


def libraries(path) -> dict[str, tuple[float, str]]:
    import pdfplumber
    import pypdf
    import pypdfium2
    from pdfminer.high_level import extract_text

    def run(fn):
        start = time.perf_counter()
        text = fn()
        return time.perf_counter() - start, pdf_text.fix_glyphs(text)
    return {
        "pypdfium2": run(lambda: "\n".join(pypdfium2.PdfDocument(str(path))[i].get_textpage().get_text_range()
                                            for i in range(len(pypdfium2.PdfDocument(str(path)))))),
        "pypdf": run(lambda: "\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)),
        "pdfminer.six": run(lambda: extract_text(str(path))),
        "pdfplumber": run(lambda: "\n".join(p.extract_text() or "" for p in pdfplumber.open(str(path)).pages)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-libraries", action="store_true", help="skip the PDF library comparison")
    args = parser.parse_args()
    corpus = Corpus.from_settings(Settings.from_env())
    errata = load_errata()

    def report(result) -> None:
        for ref, (want, got) in result.differing.items():
            print(f"    {ref}: oracle …{want}… parsed …{got}…")
        for ref, why in result.explained.items():
            print(f"    {ref}: the oracle is wrong: {why}")
        for ref in result.stale:
            print(f"    {ref}: erratum no longer applies")

    results, parse_seconds = [], 0.0
    print("Official files against the JSON Lines oracle (identical%: as they are; agree: identical or differing only\n"
          "where an erratum of corpus/oracle_errata.json accounts for it)")
    print(HEADER + f" {'parse s':>8}")
    for source in corpus.sources:
        formats = {f.format for f in source.official}
        if not formats or not formats <= set(PARSERS):
            continue
        files = [(f.file, (corpus.dir / f.file).read_bytes()) for f in source.official]
        start = time.perf_counter()
        records = PARSERS[formats.pop()](files)
        seconds = time.perf_counter() - start
        result = compare(source.id, build_clauses(source, oracle_records(corpus, source)), build_clauses(source, records),
                         errata.get(source.id, []))
        print(result.row() + f" {seconds:>8.2f}")
        report(result)
        results.append(result)
        parse_seconds += seconds
    print(total(results).row() + f" {parse_seconds:>8.2f}")

    still = [s for s in corpus.sources if s.kind == "commentary" and any(f.format == "pdf" for f in s.official)]
    if still:
        print("\nCommentary PDFs still read from JSON Lines, parsed by assistant.parsers.commentary_pdf")
        print(HEADER + f" {'parse s':>8}")
    for source in still:
        pdfs = [f for f in source.official if f.format == "pdf"]
        files = [(f.file, (corpus.dir / f.file).read_bytes()) for f in pdfs]
        start = time.perf_counter()
        records = commentary_pdf.parse(files)
        seconds = time.perf_counter() - start
        result = compare(source.id, build_clauses(source, oracle_records(corpus, source)), build_clauses(source, records),
                         errata.get(source.id, []))
        print(result.row() + f" {seconds:>8.2f}")
        print(f"    first differences: {', '.join(list(result.differing)[:8])}")

    print("\nPDF text: oracle lines (40+ chars) found verbatim")
    print(f"{'file':58} {'library':13} {'seconds':>8} {'found':>7}")
    for source in corpus.sources:
        pdfs = [f for f in source.official if f.file.endswith(".pdf")]
        if not pdfs:
            continue
        lines = oracle_lines(oracle_records(corpus, source))
        name = ", ".join(f.file.rsplit("/", 1)[-1] for f in pdfs)[-58:]
        if not args.no_libraries:
            runs = [libraries(corpus.dir / f.file) for f in pdfs]
            for lib in runs[0]:
                seconds = sum(run[lib][0] for run in runs)
                text = "\n".join(run[lib][1] for run in runs)
                print(f"{name:58} {lib:13} {seconds:>8.2f} {found(lines, text):>7.1%}")
        start = time.perf_counter()
        pages = [p for f in pdfs for p in pdf_text.repaired_pages((corpus.dir / f.file).read_bytes(), f.file)]
        seconds = time.perf_counter() - start
        text = "\n".join(line for page in pages for line in page.lines + list(page.footnotes.values()))
        print(f"{name:58} {'+ repairs':13} {seconds:>8.2f} {found(lines, text):>7.1%}")

if __name__ == "__main__":
    main()
