import os

import pytest

from assistant.clauses import Library
from assistant.config import Settings


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def library(settings) -> Library:
    return Library.from_settings(settings)


@pytest.fixture(scope="session")
def assistant(settings):
    """The real assistant on the real corpus and model; the index is built once into
    ASSISTANT_DATA_DIR (CI points it at a fresh directory) and reopened afterwards, with the
    multilingual vectors, which English questions are searched with too once they exist: every
    test sees the same ranking whatever ran before it."""
    from assistant import Assistant
    return Assistant(settings).warm_up().warm_up_languages()


@pytest.fixture(scope="session")
def app(assistant):
    """{"url", "assistant", "demo"}: the web app, launched once per session on a free loopback port."""
    import socket

    from assistant import ui

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    demo = ui.launch("127.0.0.1", port, assistant, prevent_thread_lock=True, quiet=True)
    yield {"url": demo.local_url.rstrip("/") + "/", "assistant": assistant, "demo": demo}
    demo.close()
