"""Parsed official files kept in the data directory, keyed by the files' checksums and the parser
version, so that a warm start reads JSON instead of parsing HTML or PDF again."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable


def cache_key(fmt: str, version: int, checksums: list[str]) -> str:
    payload = json.dumps({"format": fmt, "parser": version, "files": checksums})
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def cached(cache_dir: Path | None, name: str, key: str, build: Callable[[], list[dict]]) -> list[dict]:
    """The records stored under ``name``/``key``, or ``build()`` stored there. An unreadable cache
    file is parsed anew and replaced; without a cache directory nothing is stored."""
    if cache_dir is None:
        return build()
    path = Path(cache_dir) / f"{name}-{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    records = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)  # readers see the old file or the whole new one, never a part
        for stale in path.parent.glob(f"{name}-*.json"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only data directory costs a re-parse next time, nothing else
    return records
