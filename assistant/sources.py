"""The manifest of sources and reading the corpus files, with checksum checks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .config import Settings
from .errors import CorpusError


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


def load_manifest(path: Path) -> list[Source]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Source(**doc) for doc in data["documents"]]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Corpus:
    """The configured corpus directory read through our manifest."""

    def __init__(self, corpus_dir: Path | None, manifest_path: Path):
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
        self.sources = load_manifest(manifest_path)
        self.by_id = {s.id: s for s in self.sources}

    @classmethod
    def from_settings(cls, settings: Settings) -> "Corpus":
        return cls(settings.corpus_dir, settings.manifest_path)

    def path(self, source: Source) -> Path:
        return self.dir / source.file

    @cached_property
    def checksums(self) -> dict[str, str]:
        """Verified sha256 of every source; raises on a missing file or a mismatch."""
        sums = {}
        for source in self.sources:
            path = self.path(source)
            if not path.is_file():
                raise CorpusError(
                    f"Source file {path} for '{source.id}' is missing from the corpus directory "
                    f"{self.dir} (ASSISTANT_CORPUS_DIR)."
                )
            actual = sha256_of(path)
            if actual != source.sha256:
                raise CorpusError(
                    f"Checksum mismatch for {path}: expected sha256 {source.sha256}, found {actual}. "
                    "The file differs from the manifested source; restore the official text "
                    "(corpus/manifest.json gives its address) or update the manifest deliberately."
                )
            sums[source.id] = actual
        return sums

    def records(self, source: Source) -> list[dict]:
        """The JSON records of one verified source file (line 1 is its meta record)."""
        self.checksums  # verify everything before any parsing
        path = self.path(source)
        try:
            with open(path, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CorpusError(f"Source file {path} is not valid JSON Lines: {exc}") from exc
