"""eu-ai-draft-assistant: answers on the 2021 AI Act proposal, the GDPR and the 2024 AI Act,
citing the exact clause for every statement.

The public API is ``Assistant``, ``Answer`` and ``Citation``; they are imported lazily so
that ``import assistant`` stays cheap for the CLI.
"""
from . import config as _config  # noqa: F401  (sets telemetry/offline switches first)

__all__ = ["Assistant", "Answer", "Citation", "Hit"]


def __getattr__(name):
    if name == "Assistant":
        from .core import Assistant
        return Assistant
    if name in ("Answer", "Citation", "Hit"):
        from . import records
        return getattr(records, name)
    raise AttributeError(name)
