"""The proposal/final alignment: build time (what it adds to a cold index build), reopen time,
lookup latency, and how much of the table pairs up. Figures, not assertions.

    python bench/alignment.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import alignment  # noqa: E402
from assistant.alignment import Alignment  # noqa: E402
from assistant.clauses import FINAL_ACT, PROPOSAL, Library  # noqa: E402
from assistant.config import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    library = Library.from_settings(settings)

    builds, cpu = [], []
    for _ in range(args.runs):
        wall, proc = time.perf_counter(), time.process_time()
        alignment.build(library)
        builds.append(time.perf_counter() - wall)
        cpu.append(time.process_time() - proc)
    with tempfile.TemporaryDirectory() as tmp:
        store = replace(settings, data_dir=Path(tmp))
        Alignment.load(library, store)
        started = time.perf_counter()
        aligned = Alignment.load(library, store)
        reopen = time.perf_counter() - started
    refs = [ref for ref, c in library.document(PROPOSAL).clauses.items() if not c.kind.startswith("em_")]
    started = time.perf_counter()
    found = sum(1 for ref in refs if aligned.counterpart(PROPOSAL, ref))
    lookup = (time.perf_counter() - started) / len(refs)

    units = aligned.units
    print(f"build (cold): median {statistics.median(builds):.2f} s wall, {statistics.median(cpu):.2f} s CPU "
          f"over {args.runs} runs (limit: 10 s added to a cold index build)")
    print(f"reopen from the data directory: {reopen * 1000:.0f} ms; lookup: {lookup * 1e6:.0f} us per clause")
    for kind in alignment.KINDS:
        rows = [u for u in units if u.kind == kind]
        paired = sum(1 for u in rows if u.final)
        print(f"{ {'annex': 'annexes'}.get(kind, kind + 's')}: {paired}/{len(rows)} of the proposal's have a counterpart, "
              f"{sum(1 for u in rows if len(u.final) > 1)} several")
    print(f"paragraph/point pairs: {len(aligned.parts)}; proposal clauses with a counterpart (own or an "
          f"ancestor's): {found}/{len(refs)}; final units with no ancestor: {len(aligned.data['unmatched_final'])}")
    print(f"renamed defined terms: {', '.join(f'{r.proposal_term} -> {r.final_term}' for r in aligned.renames)}")
    print(f"documented exceptions applied: {sum(1 for u in units if u.evidence.startswith('documented exception'))}")
    print(f"{FINAL_ACT} units aligned: {sum(len(u.final) for u in units)}")


if __name__ == "__main__":
    main()
