"""`assistant corpus fetch`: downloads against a real HTTP server on 127.0.0.1 (the official hosts
cannot be reached from here) serving copies of the official files, and copies with --from."""
import dataclasses
import http.server
import socket
import threading
from pathlib import Path

import pytest

from assistant import cli
from assistant.clauses import Library
from assistant.fetch import fetch
from assistant.sources import Corpus, sha256_of


class Server:
    """Serves the official files under /<mode>/<name>; ``mode`` says how it misbehaves."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.failures: dict[str, int] = {}  # path -> how many more times to answer 503
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Range")))
                mode, name = self.path.strip("/").split("/", 1)
                data = server.files.get(name)
                if data is None:
                    self.send_error(404, "Not Found")
                    return
                if server.failures.get(self.path, 0) > 0:
                    server.failures[self.path] -= 1
                    self.send_error(503, "Busy")
                    return
                if mode == "wrong":
                    data = b"<html><title>Maintenance</title></html>"
                first = sum(1 for p, _ in server.requests if p == self.path) == 1
                start = 0
                ranged = self.headers.get("Range")
                if ranged and mode != "norange":
                    start = int(ranged.split("=")[1].rstrip("-"))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                if mode in ("drop", "norange") and first:
                    self.wfile.write(data[: len(data) // 2])  # then the connection drops
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(data[start:])

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def corpus(settings):
    return Corpus.from_settings(settings)


@pytest.fixture()
def server(corpus):
    files = {}
    for source in corpus.sources:
        for f in source.official:
            if f.format == "eurlex-html":
                files[Path(f.file).name] = (corpus.dir / f.file).read_bytes()
    srv = Server(files)
    yield srv
    srv.close()


def _served(corpus, server, mode):
    """The two EUR-Lex acts with their official addresses pointed at the local server."""
    out = []
    for doc in ("gdpr", "ai-act-final-2024"):
        source = corpus.by_id[doc]
        official = tuple(dataclasses.replace(f, url=f"{server.url}/{mode}/{Path(f.file).name}") for f in source.official)
        out.append(dataclasses.replace(source, official=official))
    return out


def _status(outcomes):
    return {o.wanted.file: o.status for o in outcomes if o.wanted.url}


def test_download_checks_the_sum_and_never_refetches_what_is_present(corpus, server, tmp_path):
    sources = _served(corpus, server, "ok")
    first = fetch(sources, tmp_path, progress=False, report=lambda _: None)
    assert set(_status(first).values()) == {"downloaded"}
    for source in sources:
        assert sha256_of(tmp_path / source.official[0].file) == source.official[0].sha256
        assert not list((tmp_path / source.official[0].file).parent.glob("*.part"))
    seen = len(server.requests)
    again = fetch(sources, tmp_path, progress=False, report=lambda _: None)
    assert set(_status(again).values()) == {"present"} and len(server.requests) == seen  # no network
    # the fetched files are enough for these two documents: the library reads them, not the JSON Lines
    library_corpus = Corpus(tmp_path, corpus_manifest(tmp_path, sources))
    assert library_corpus.reads_official(library_corpus.by_id["gdpr"])


def corpus_manifest(tmp_path, sources):
    """A manifest listing only ``sources`` (written next to the fetched files)."""
    import json
    docs = []
    for s in sources:
        d = dataclasses.asdict(s)
        d["official"] = [dataclasses.asdict(f) for f in s.official]
        docs.append(d)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"documents": docs}), encoding="utf-8")
    return path


def test_a_dropped_connection_is_resumed_with_a_range_request(corpus, server, tmp_path):
    sources = _served(corpus, server, "drop")[:1]
    outcomes = fetch(sources, tmp_path, progress=False, sleep=lambda s: None, report=lambda _: None)
    assert list(_status(outcomes).values()) == ["downloaded"]
    ranges = [r for _, r in server.requests]
    half = len(server.files["GDPR_en_OJ_L_119_2016.html"]) // 2
    assert ranges == [None, f"bytes={half}-"]
    assert sha256_of(tmp_path / sources[0].official[0].file) == sources[0].official[0].sha256


def test_a_server_that_ignores_the_range_gives_a_clean_restart(corpus, server, tmp_path):
    sources = _served(corpus, server, "norange")[:1]
    outcomes = fetch(sources, tmp_path, progress=False, sleep=lambda s: None, report=lambda _: None)
    assert list(_status(outcomes).values()) == ["downloaded"]
    assert sha256_of(tmp_path / sources[0].official[0].file) == sources[0].official[0].sha256


def test_transient_errors_are_retried_with_exponential_backoff(corpus, server, tmp_path):
    sources = _served(corpus, server, "ok")[:1]
    server.failures[f"/ok/{Path(sources[0].official[0].file).name}"] = 2
    sleeps = []
    outcomes = fetch(sources, tmp_path, progress=False, backoff=0.5, sleep=sleeps.append, report=lambda _: None)
    assert list(_status(outcomes).values()) == ["downloaded"] and sleeps == [0.5, 1.0]


def test_a_changed_file_is_reported_and_never_used(corpus, server, tmp_path):
    sources = _served(corpus, server, "wrong")[:1]
    lines = []
    outcomes = fetch(sources, tmp_path, progress=False, sleep=lambda s: None, report=lines.append)
    target = tmp_path / sources[0].official[0].file
    assert list(_status(outcomes).values()) == ["changed"]
    assert not target.exists() and target.with_name(target.name + ".changed").exists()
    assert any("changed" in line and "sha256" in line and "not used" in line for line in lines)


def test_a_missing_address_fails_without_retrying(corpus, server, tmp_path):
    source = _served(corpus, server, "ok")[0]
    gone = dataclasses.replace(source.official[0], url=f"{server.url}/ok/nothing-here.html")
    sleeps = []
    outcomes = fetch([dataclasses.replace(source, official=(gone,))], tmp_path, progress=False,
                     sleep=sleeps.append, report=lambda _: None)
    assert list(_status(outcomes).values()) == ["failed"] and sleeps == []
    assert "HTTP 404" in outcomes[0].detail


def test_offline_says_so_and_points_to_from(corpus, tmp_path):
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sources = [dataclasses.replace(s, official=tuple(dataclasses.replace(f, url=f"http://127.0.0.1:{port}/x")
                                                      for f in s.official))
               for s in (corpus.by_id["gdpr"], corpus.by_id["ai-act-final-2024"])]
    lines = []
    outcomes = fetch(sources, tmp_path, progress=False, sleep=lambda s: pytest.fail("retried offline"),
                     report=lines.append)
    official = [o for o in outcomes if o.wanted.url]
    assert {o.status for o in official} == {"failed"}
    assert "offline" in official[0].detail and "not tried: offline" in official[1].detail
    assert "--from DIR" in lines[-1]


def test_from_a_folder_copies_the_official_files_and_the_library_reads_them(corpus, settings, tmp_path):
    raw = corpus.dir / "raw"
    if not raw.is_dir():
        pytest.skip("no raw folder beside the corpus")
    outcomes = fetch(corpus.sources, tmp_path, raw, progress=False, report=lambda _: None)
    official = [o for o in outcomes if o.wanted.url]
    assert official and {o.status for o in official} == {"copied"}
    # the conversions are not in raw/: needed only for documents whose official format has no parser
    jsonl = {o.wanted.doc: o for o in outcomes if not o.wanted.url}
    assert jsonl["gdpr"].ok and jsonl["edpb-edps-joint-opinion-5-2021"].ok and jsonl["eprs-briefing-ai-act"].ok \
        and jsonl["impact-assessment-swd-2021-84-part2"].ok and not jsonl["aim-news-2021-04-eu-mulls-ban"].ok
    # the rest from the mirror: then the whole library loads, the acts from their official HTML
    rest = fetch(corpus.sources, tmp_path, corpus.dir, progress=False, report=lambda _: None)
    assert all(o.ok for o in rest)
    for doc in ("gdpr", "ai-act-final-2024", "ai-act-proposal-2021"):
        (tmp_path / corpus.by_id[doc].file).unlink(missing_ok=True)  # the official files alone must do
    library = Library(Corpus(tmp_path, settings.manifest_path, tmp_path / "parsed"))
    assert library.corpus.reads_official(library.corpus.by_id["gdpr"])
    assert library.document("ai-act-final-2024").count("article") == 113
    assert library.get("gdpr", "Art. 6(1)(f)").text.startswith("(f) processing is necessary")
    assert library.get("ai-act-proposal-2021", "Art. 52(1)").text.startswith("1. Providers shall ensure")


def test_a_changed_file_in_the_from_folder_is_not_copied(corpus, tmp_path):
    source = corpus.by_id["gdpr"]
    src = tmp_path / "from" / Path(source.official[0].file).name
    src.parent.mkdir()
    src.write_bytes((corpus.dir / source.official[0].file).read_bytes() + b"\n<!-- edited -->")
    outcomes = fetch([source], tmp_path / "dest", tmp_path / "from", progress=False, report=lambda _: None)
    assert _status(outcomes) == {source.official[0].file: "changed"}
    assert not (tmp_path / "dest" / source.official[0].file).exists()


def test_cli_fetch_from_folder(corpus, tmp_path, capsys):
    code = cli.main(["corpus", "fetch", "--dest", str(tmp_path), "--from", str(corpus.dir), "--quiet"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "copied" in out.err and f"{tmp_path}:" in out.out and "files in place." in out.out


def test_the_first_start_fetches_what_is_missing_and_says_so(corpus, server, tmp_path, capsys):
    from assistant.config import Settings
    sources = _served(corpus, server, "ok")
    settings = Settings(corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data",
                        manifest_path=corpus_manifest(tmp_path, sources))
    library = Library.from_settings(settings)
    assert "lacks 2 source file(s); fetching them" in capsys.readouterr().err
    assert library.get("ai-act-final-2024", "Art. 50(1)").text.startswith("1. Providers shall ensure")
    seen = len(server.requests)
    Library.from_settings(settings)  # everything present: no network, nothing said
    assert len(server.requests) == seen and "fetching" not in capsys.readouterr().err
