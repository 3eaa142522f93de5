"""Bringing the official source files into the corpus directory: downloaded from the manifest's
addresses, or copied from a folder (``--from``), every file checked against its sha256.

A download is written to ``NAME.part`` and resumed with an HTTP Range request after a dropped
connection (a server that ignores the range restarts it cleanly); failures are retried with
exponential backoff. A file whose checksum differs from the manifest is kept aside as
``NAME.changed`` and reported, never put in place. With the texts already present nothing touches
the network.
"""
from __future__ import annotations

import http.client
import os
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from .errors import CorpusError
from .sources import Source, sha256_of

Status = Literal["present", "copied", "downloaded", "changed", "failed", "missing"]

USER_AGENT = "eu-ai-draft-assistant corpus fetch (+https://eur-lex.europa.eu)"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Wanted:
    """One file the corpus directory should hold."""

    doc: str
    file: str  # relative to the corpus directory
    sha256: str
    url: str | None  # None: no official address (a JSON Lines conversion)
    needed: bool  # False when the document is read from other files (its official ones)


@dataclass(frozen=True)
class Outcome:
    wanted: Wanted
    status: Status
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("present", "copied", "downloaded") or (self.status == "missing" and not self.wanted.needed)


class Offline(Exception):
    """The host's name cannot be resolved or nothing answers: no point retrying other files."""


def wanted_files(sources: list[Source]) -> list[Wanted]:
    """Every official file, and the JSON Lines conversion of each document (needed only where no
    parser reads the document's official format)."""
    from .parsers import PARSERS
    out: list[Wanted] = []
    for source in sources:
        parsed = bool(source.official) and all(f.format in PARSERS for f in source.official)
        out += [Wanted(source.id, f.file, f.sha256, f.url, True) for f in source.official]
        out.append(Wanted(source.id, source.file, source.sha256, None, not parsed))
    return out


def _candidates(from_dir: Path, rel: str) -> list[Path]:
    """Where a file may sit in a folder given with --from: at its corpus path, without the leading
    folder (``raw/``), or anywhere below under its own name."""
    parts = Path(rel).parts
    found = [from_dir / rel, from_dir.joinpath(*parts[1:]) if len(parts) > 1 else from_dir / rel]
    return [p for p in found if p.is_file()] or sorted(from_dir.rglob(Path(rel).name))


def _copy(want: Wanted, target: Path, from_dir: Path) -> Outcome:
    sources = _candidates(from_dir, want.file)
    if not sources:
        return Outcome(want, "missing", f"not in {from_dir}")
    for src in sources:
        actual = sha256_of(src)
        if actual == want.sha256:
            part = target.with_name(target.name + ".part")
            shutil.copyfile(src, part)
            os.replace(part, target)
            return Outcome(want, "copied", str(src))
    return Outcome(want, "changed", f"{sources[0]} has sha256 {actual}, the manifest says {want.sha256}; not used")


def _get(url: str, part: Path, timeout: float, progress: bool, label: str) -> None:
    """One attempt: fetch ``url`` into ``part``, resuming what is there. Raises on any failure."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the range is past the end: start again from nothing
            part.unlink()
        raise
    with response:
        resumed = have and response.status == 206
        if not resumed:
            have = 0  # the server sent the whole file: a clean restart
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        from tqdm import tqdm
        with open(part, "ab" if resumed else "wb") as fh, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=label, file=sys.stderr,
                disable=not progress, leave=False) as bar:
            while chunk := response.read(CHUNK):
                fh.write(chunk)
                bar.update(len(chunk))
    if total is not None and part.stat().st_size < total:
        raise http.client.IncompleteRead(b"", total - part.stat().st_size)


def _offline(exc: Exception) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (socket.gaierror, ConnectionRefusedError))


def _download(want: Wanted, target: Path, retries: int, backoff: float, timeout: float, progress: bool,
              sleep: Callable[[float], None]) -> Outcome:
    part = target.with_name(target.name + ".part")
    restarted = False
    attempt = 0
    while True:
        try:
            _get(want.url, part, timeout, progress, Path(want.file).name)
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500 and exc.code not in (408, 416, 429):
                return Outcome(want, "failed", f"{want.url} answered HTTP {exc.code} {exc.reason}")
            error: Exception = exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if _offline(exc):
                raise Offline(f"{want.url}: {getattr(exc, 'reason', exc)}") from None
            error = exc
        else:
            actual = sha256_of(part)
            if actual == want.sha256:
                os.replace(part, target)
                return Outcome(want, "downloaded", want.url)
            if not restarted:  # a resumed file may have joined two versions: fetch it whole once more
                restarted = True
                part.unlink()
                continue
            changed = target.with_name(target.name + ".changed")
            os.replace(part, changed)
            return Outcome(want, "changed", f"{want.url} served a file with sha256 {actual}, the manifest says "
                                            f"{want.sha256}; kept aside as {changed}, not used")
        attempt += 1
        if attempt > retries:
            return Outcome(want, "failed", f"{want.url}: {type(error).__name__}: {error} (after {retries} retries)")
        sleep(backoff * 2 ** (attempt - 1))


def fetch(sources: list[Source], dest: Path, from_dir: Path | None = None, *, retries: int = 4,
          backoff: float = 2.0, timeout: float = 60.0, progress: bool = True,
          sleep: Callable[[float], None] = time.sleep, report: Callable[[str], None] | None = None) -> list[Outcome]:
    """Bring every wanted file into ``dest``: kept if present and intact, else copied from
    ``from_dir`` (when given) or downloaded from its official address."""
    say = report or (lambda line: print(line, file=sys.stderr))
    dest = Path(dest)
    outcomes: list[Outcome] = []
    offline: str | None = None
    for want in wanted_files(sources):
        target = dest / want.file
        if target.is_file() and sha256_of(target) == want.sha256:
            outcomes.append(Outcome(want, "present"))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            outcomes.append(Outcome(want, "failed", f"cannot write to {target.parent}: {exc.strerror}"))
            say(f"{'failed':10} {want.file}  ({outcomes[-1].detail})")
            continue
        if from_dir is not None:
            outcome = _copy(want, target, Path(from_dir))
        elif want.url is None:
            outcome = Outcome(want, "missing", "no official address: it is a conversion, copy it with --from")
        elif offline:
            outcome = Outcome(want, "failed", f"not tried: offline ({offline})")
        else:
            try:
                outcome = _download(want, target, retries, backoff, timeout, progress, sleep)
            except Offline as exc:
                offline = str(exc)
                outcome = Outcome(want, "failed", f"offline: {exc}")
        outcomes.append(outcome)
        if outcome.status != "missing" or want.needed:
            say(f"{outcome.status:10} {want.file}" + (f"  ({outcome.detail})" if outcome.detail else ""))
    if offline:
        say("No network: the official addresses cannot be reached from here. Copy the files from a folder "
            "that holds them with `assistant corpus fetch --from DIR`.")
    return outcomes


def missing_needed(sources: list[Source], corpus_dir: Path) -> list[Wanted]:
    """The needed files not in the corpus directory (by name only: no checksums, no network)."""
    return [w for w in wanted_files(sources) if w.needed and not (Path(corpus_dir) / w.file).is_file()]


def ensure_corpus(settings, progress: bool = True) -> None:
    """Fetch what the corpus directory lacks before the first start, saying so; does nothing (and
    touches no network) when every needed file is there."""
    from .sources import load_manifest
    if settings.corpus_dir is None:
        return
    sources = load_manifest(settings.manifest_path)
    missing = missing_needed(sources, settings.corpus_dir)
    if not missing or not any(w.url for w in missing):
        return  # nothing to fetch, or nothing fetchable: the corpus check names what is missing
    print(f"The corpus directory {settings.corpus_dir} lacks {len(missing)} source file(s); fetching them "
          "from their official addresses (corpus/manifest.json).", file=sys.stderr)
    outcomes = fetch(sources, settings.corpus_dir, progress=progress)
    bad = [o for o in outcomes if not o.ok and o.wanted.url]  # a file without an address is the corpus's to judge
    if bad:
        raise CorpusError("Could not fetch the corpus: " + "; ".join(f"{o.wanted.file}: {o.status} ({o.detail})"
                                                                    for o in bad[:3]))
