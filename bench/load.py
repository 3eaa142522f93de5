"""Load and memory check of the running web app, on loopback only, bounded in count and time.

    python bench/load.py                       # 16 clients x 10 questions, then 500 sequential asks
    python bench/load.py --clients 4 --per-client 2 --sequential 50
    python bench/load.py --hostile --sequential 0   # one of the 16 clients sends the worst inputs

With ``--hostile``, client 0 sends the inputs that froze the server before issue 10 was fixed
(whitespace runs after "Annex I" and "em", surrogates, 2,000-character reference lists); the
report then gives the other clients' latency on their own, which must not suffer.

Starts `app.py` on a free 127.0.0.1 port, drives it with `gradio_client` from concurrent
clients through the `/ask` endpoint, and reports errors and latency p50/p95; then asks
questions one after another in this process through the Python API and reports RSS at the
start and the end. It stops the app it started, whatever happens.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Is social scoring banned under the draft?",
    "What is a provider under the proposal?",
    "What are the fines in the AI Act proposal?",
    "Does my chatbot have to say it is an AI?",
    "When is a data protection impact assessment required?",
    "Which areas does Annex III list as high-risk?",
    "What did the EDPB and EDPS say about remote biometric identification?",
    "How did the definition of AI system change in the final act?",
    "What does Article 130 of the proposal say?",
    "How do I bake bread?",
]
HOSTILE = [
    "Annex I" + " " * 1992 + "x",
    "em" + " " * 1997 + "x",
    "Annex I" + "\t\n\u2003" * 660 + "x",
    "what is" + " " * 1990,
    " ".join(["Art. 200-215"] * 170)[:1990],
    ("Art. 86 " * 285)[:1990],
    "social scoring \ud800",
    "Art. 5 (1)" + " (1)" * 490,
]
DEADLINE_S = 900  # the whole run stops by itself after this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int | None = None) -> float:
    with open(f"/proc/{pid or 'self'}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_app(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    started = time.time()
    import urllib.request
    while time.time() - started < 600:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError("app.py did not start within 600 s")


def load(url: str, clients: int, per_client: int, hostile: bool = False) -> dict:
    from gradio_client import Client

    def one_client(n: int) -> list[tuple[float, str | None]]:
        client = Client(url, verbose=False)
        out = []
        attacker = hostile and n == 0
        for i in range(per_client if not attacker else per_client * 2):
            question = HOSTILE[i % len(HOSTILE)] if attacker else QUESTIONS[(n + i) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                result = client.predict(question, api_name="/ask")
                error = None if isinstance(result, dict) and (result.get("disclosure") or result.get("error")) \
                    else f"bad result {result!r:.80}"
            except Exception as exc:  # counted, reported
                error = None if attacker else f"{type(exc).__name__}: {exc}"  # the attacker may be refused
            if not attacker:
                out.append((time.perf_counter() - t, error))
        return out

    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for rs in pool.map(one_client, range(clients)) for r in rs]
    latencies = sorted(r[0] for r in results)
    errors = [r[1] for r in results if r[1]]
    return {"requests": len(results), "errors": len(errors), "first_errors": errors[:3], "hostile_client": hostile,
            "p50_s": round(statistics.median(latencies), 3),
            "p95_s": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 3),
            "wall_s": round(time.perf_counter() - t0, 1)}


def memory(sequential: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from assistant import Assistant

    assistant = Assistant().warm_up()
    assistant.ask(QUESTIONS[0])
    start = rss_mb()
    for i in range(sequential):
        assistant.ask(QUESTIONS[i % len(QUESTIONS)] + ("" if i < len(QUESTIONS) else f" ({i})"))
    end = rss_mb()
    return {"questions": sequential, "rss_start_mb": round(start, 1), "rss_end_mb": round(end, 1),
            "growth_mb": round(end - start, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--sequential", type=int, default=500)
    parser.add_argument("--hostile", action="store_true", help="client 0 sends the worst inputs (not counted)")
    args = parser.parse_args(argv)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    port = free_port()
    app = start_app(port)
    try:
        report = load(f"http://127.0.0.1:{port}/", args.clients, args.per_client, args.hostile)
        report["app_rss_mb"] = round(rss_mb(app.pid), 1)
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
    print(f"load: {args.clients} clients x {args.per_client} questions: {report}")
    if args.sequential:
        print(f"memory: {memory(args.sequential)}")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    import signal
    signal.alarm(DEADLINE_S)
    sys.exit(main())
