"""The manifest of sources and reading the corpus files, with checksum checks.

A document is read from its official files (EUR-Lex HTML, the publishers' PDFs) when they are in the
corpus directory and their format has a parser (``assistant.parsers.PARSERS``); otherwise from its
JSON Lines conversion. Either way every file read is checked against the manifest's sha256 first.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import parse_cache
from .config import Settings
from .errors import CorpusError


@dataclass(frozen=True)
class OfficialFile:
    """One file as its publisher serves it: where it goes in the corpus directory, its address and
    checksum, and its format (the key of its parser)."""

    file: str
    url: str
    sha256: str
    format: str  # eurlex-html | commission-proposal-pdf | commentary-pdf | pdf (no parser meets the target)


@dataclass(frozen=True)
class Source:
    """One document as our manifest describes it."""

    id: str
    short_name: str
    label_name: str
    kind: str  # law | proposal | commentary
    title: str
    date: str
    url: str | None
    file: str
    sha256: str
    official_identifier: dict | None = None
    official: tuple[OfficialFile, ...] = ()


def load_manifest(path: Path) -> list[Source]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Source(**dict(doc, official=tuple(OfficialFile(**f) for f in doc.get("official", []))))
            for doc in data["documents"]]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Corpus:
    """The configured corpus directory read through our manifest."""

    def __init__(self, corpus_dir: Path | None, manifest_path: Path, cache_dir: Path | None = None):
        if corpus_dir is None:
            raise CorpusError(
                "No corpus found. Set ASSISTANT_CORPUS_DIR to the directory holding the source "
                "texts (see corpus/manifest.json for their official EUR-Lex addresses)."
            )
        self.dir = Path(corpus_dir)
        if not self.dir.is_dir():
            raise CorpusError(
                f"Corpus directory {self.dir} does not exist. Set ASSISTANT_CORPUS_DIR to the "
                "directory holding the source texts."
            )
        manifested = load_manifest(manifest_path)
        # A commentary with neither an official file nor an address (the news report on the leaked
        # draft) can be neither fetched nor parsed from its publisher: where its JSON Lines conversion
        # is not there either, the corpus goes without it rather than refusing to start.
        self.unavailable = [s for s in manifested if s.kind == "commentary" and not s.official and not s.url
                            and not self.path(s).is_file()]
        self.sources = [s for s in manifested if s not in self.unavailable]
        self.by_id = {s.id: s for s in self.sources}
        self.cache_dir = cache_dir

    @classmethod
    def from_settings(cls, settings: Settings) -> "Corpus":
        return cls(settings.corpus_dir, settings.manifest_path, settings.data_dir / "parsed")

    def path(self, source: Source) -> Path:
        return self.dir / source.file

    @staticmethod
    def parses_official(source: Source) -> bool:
        """True when the document's official files have a parser that met the oracle target."""
        from .parsers import PARSERS
        return bool(source.official) and all(f.format in PARSERS for f in source.official)

    def reads_official(self, source: Source) -> bool:
        """True when the document is read from its official files: all of them are present and
        their format has a parser that met the oracle target."""
        return self.parses_official(source) and all((self.dir / f.file).is_file() for f in source.official)

    def _verify(self, path: Path, expected: str, source: Source) -> str:
        if not path.is_file():
            official = any(self.dir / f.file == path for f in source.official)
            fetch = (" (`assistant corpus fetch` downloads it)" if official else
                     " (this JSON Lines conversion has no official address: "
                     "`assistant corpus fetch --from DIR` copies it from a folder that holds it)")
            raise CorpusError(
                f"Source file {path} for '{source.id}' is missing from the corpus directory "
                f"{self.dir} (ASSISTANT_CORPUS_DIR){fetch}."
            )
        actual = sha256_of(path)
        if actual != expected:
            raise CorpusError(
                f"Checksum mismatch for {path}: expected sha256 {expected}, found {actual}. "
                "The file differs from the manifested source; restore the official text "
                "(corpus/manifest.json gives its address) or update the manifest deliberately."
            )
        return actual

    @cached_property
    def checksums(self) -> dict[str, str]:
        """Verified sha256 of every source (of its official files, when it is read from them);
        raises on a missing file or a mismatch."""
        sums = {}
        for source in self.sources:
            if self.reads_official(source):
                files = [self._verify(self.dir / f.file, f.sha256, source) for f in source.official]
                sums[source.id] = files[0] if len(files) == 1 else hashlib.sha256("".join(files).encode()).hexdigest()
            else:
                if not self.path(source).is_file() and self.parses_official(source):
                    # neither conversion nor all official files: name the official file missing
                    # (the one to fetch), not the conversion a user outside has no address for
                    for f in source.official:
                        self._verify(self.dir / f.file, f.sha256, source)
                sums[source.id] = self._verify(self.path(source), source.sha256, source)
        return sums

    def records(self, source: Source) -> list[dict]:
        """The records of one verified source (line 1 is its meta record), parsed from the official
        files when they are present, else read from the JSON Lines file."""
        self.checksums  # verify everything before any parsing
        if self.reads_official(source):
            return [self._meta(source)] + self._parsed(source)
        path = self.path(source)
        try:
            with open(path, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"Source file {path} is not valid JSON Lines: {exc}") from exc

    def _parsed(self, source: Source) -> list[dict]:
        from .parsers import PARSERS, VERSION
        (fmt,) = {f.format for f in source.official}
        key = parse_cache.cache_key(fmt, VERSION, [f.sha256 for f in source.official])
        def parse() -> list[dict]:
            return PARSERS[fmt]([(str(self.dir / f.file), (self.dir / f.file).read_bytes()) for f in source.official])
        return parse_cache.cached(self.cache_dir, source.id, key, parse)

    def _meta(self, source: Source) -> dict:
        return {"doc": source.id, "kind": "meta", "title": source.title, "date": source.date,
                "official_url": source.url, "source": [f.file for f in source.official]}
