"""Errors the assistant raises on purpose, each with a message fit for a user."""


class AssistantError(Exception):
    """Base class: the message is meant to be shown as it is."""


class CorpusError(AssistantError):
    """The corpus directory or a source file is missing or not the manifested text."""


class UnknownReference(AssistantError):
    """A reference that names no clause of the document."""


class IndexUnavailable(AssistantError):
    """The search index is missing, corrupt or unreachable."""


class InvalidQuestion(AssistantError):
    """A question that cannot be answered as given (empty, too long, wrong type)."""


class ConfigError(AssistantError):
    """An environment variable holds a value the assistant cannot use."""
