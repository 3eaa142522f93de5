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
    ASSISTANT_DATA_DIR (CI points it at a fresh directory) and reopened afterwards."""
    from assistant import Assistant
    return Assistant(settings).warm_up()
