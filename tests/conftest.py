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
