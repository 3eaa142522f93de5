"""Parsers of the official source formats into records of the corpus' JSON Lines layout.

A format is listed in ``PARSERS`` only when its parser reproduces the manually converted JSON Lines
(the test oracle, ``tests/test_parsers.py``) for at least 99 % of clauses; documents in any other
format keep being read from their JSON Lines file. ``VERSION`` is part of the parse cache's key:
raise it whenever a parser's output changes.
"""
from __future__ import annotations

from typing import Callable

from . import commentary_pdf, commission_pdf, eurlex_html

Parser = Callable[[list[tuple[str, bytes]]], list[dict]]

VERSION = 9

# Measured agreement with the oracle (tests/test_parsers.py, tests/test_commentary_pdf.py,
# bench/official_sources.py): GDPR 1058/1058 clauses, Regulation (EU) 2024/1689 1626/1628 (Art. 51 and
# 51(2): the oracle lost the exponent of 10^25), COM(2021) 206
# 1012/1012; "commentary-pdf": the EDPB-EDPS Joint Opinion 5/2021 106/106; the EPRS briefing 76/80
# identical, the impact assessment's part 1 388/589 and part 2 286/396, the rest explained by the
# oracle's errata (corpus/oracle_errata.json: its faults, where a figure's text has no one reading,
# and its ruled tables, which it flattens line by line and the parser reads row by row, cell by cell).
PARSERS: dict[str, Parser] = {
    "eurlex-html": eurlex_html.parse,
    "commission-proposal-pdf": commission_pdf.parse,
    "commentary-pdf": commentary_pdf.parse,
}
