"""Where the corpus comes from: the configured directory, checksums, clear errors."""
import shutil
from pathlib import Path

import pytest

from assistant.clauses import Library
from assistant.config import Settings
from assistant.errors import CorpusError
from assistant.sources import Corpus


def test_default_is_the_mirror_next_to_the_checkout(tmp_path):
    s = Settings.from_env({"ASSISTANT_DATA_DIR": str(tmp_path)})
    assert s.corpus_dir is None or s.corpus_dir.name == "corpus"


def test_missing_corpus_names_the_variable(tmp_path, settings):
    with pytest.raises(CorpusError, match="ASSISTANT_CORPUS_DIR"):
        Corpus(tmp_path / "nowhere", settings.manifest_path)
    with pytest.raises(CorpusError, match="ASSISTANT_CORPUS_DIR"):
        Corpus(None, settings.manifest_path)


def _copy_corpus(settings, dest):
    """The files each document is read from (official files, else its JSON Lines) copied to ``dest``."""
    from assistant.fetch import fetch
    corpus = Corpus.from_settings(settings)
    fetch(corpus.sources, dest, corpus.dir, progress=False, report=lambda _: None)
    return corpus


def test_checksum_mismatch_names_the_file(tmp_path, settings):
    corpus = _copy_corpus(settings, tmp_path)
    victim = tmp_path / corpus.by_id["aim-news-2021-04-eu-mulls-ban"].file  # read from JSON Lines always
    victim.write_text(victim.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"Checksum mismatch for .*AIM_news_2021_EU_mulls_ban_on_AI_mass_surveillance\.jsonl"):
        Library(Corpus(tmp_path, settings.manifest_path))


def test_missing_source_file_is_named(tmp_path, settings):
    """The file named is one the user can get: an official file that `fetch` downloads, when the
    document's official format is parsed and its JSON Lines conversion is not there either."""
    corpus = _copy_corpus(settings, tmp_path)
    proposal = corpus.by_id["ai-act-proposal-2021"]
    (tmp_path / proposal.file).unlink(missing_ok=True)
    if corpus.parses_official(proposal):
        (tmp_path / proposal.official[1].file).unlink()
        expected = r"DOC_2\.pdf.*missing.*assistant corpus fetch"
    else:
        expected = "COM_2021_206_AI_Act_proposal.jsonl.*missing"
    with pytest.raises(CorpusError, match=expected):
        Library(Corpus(tmp_path, settings.manifest_path))


def test_a_document_nobody_can_fetch_is_left_out_saying_so(tmp_path, settings, capsys):
    """The news report on the leaked draft has no official file and no address: a user outside this
    workplace cannot get it, so its absence leaves it out instead of stopping the start."""
    from test_index import copy_files, small_settings

    small = small_settings(settings, tmp_path)
    news = "aim-news-2021-04-eu-mulls-ban"
    corpus = Corpus(small.corpus_dir, small.manifest_path)
    # all else there, so that nothing is fetched
    copy_files([f.file for f in corpus.by_id["eprs-briefing-ai-act"].official], Path(settings.corpus_dir),
               small.corpus_dir)
    (small.corpus_dir / corpus.by_id[news].file).unlink()
    library = Library.from_settings(small)
    assert news not in library.documents and library.documents
    assert [s.id for s in library.corpus.unavailable] == [news]
    assert "answering without it" in capsys.readouterr().err


def test_manifest_has_official_addresses(settings):
    corpus = Corpus.from_settings(settings)
    by_id = corpus.by_id
    assert by_id["ai-act-proposal-2021"].url.startswith("https://eur-lex.europa.eu/")
    assert by_id["gdpr"].kind == "law" and by_id["ai-act-proposal-2021"].kind == "proposal"
    assert all(len(s.sha256) == 64 for s in corpus.sources)


def test_an_error_page_in_place_of_an_official_file_is_refused_by_its_checksum_and_nothing_built_is_lost(
        settings, tmp_path):
    """What a user gets who saves EUR-Lex's error page as the Act: the manifest's sha256 refuses it,
    naming the file, before any parsing; the parses cached before stay as they were."""
    from assistant.fetch import fetch
    corpus = Corpus.from_settings(settings)
    act = corpus.by_id["ai-act-final-2024"]
    if not corpus.reads_official(act):
        pytest.skip("no official files")
    fetch(corpus.sources, tmp_path, corpus.dir, progress=False, report=lambda _: None)
    cache = tmp_path / "parsed"
    Library(Corpus(tmp_path, settings.manifest_path, cache))  # everything built once (or read from cache)
    built = {p.name: p.read_bytes() for p in cache.glob("*.json")}
    assert built
    (tmp_path / act.official[0].file).write_bytes(
        b"<html><head><title>EUR-Lex - Page not found</title></head><body><h1>404</h1></body></html>")
    with pytest.raises(CorpusError, match=r"Checksum mismatch for .*OJ_L_202401689_EN_TXT\.html"):
        Library(Corpus(tmp_path, settings.manifest_path, cache))
    assert {p.name: p.read_bytes() for p in cache.glob("*.json")} == built
