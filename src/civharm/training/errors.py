"""Errors the training services raise; their messages are shown to users and never hold a
service number or a name."""

from __future__ import annotations


class TrainingError(Exception):
    """A training action that cannot be done (the message says why, for the user)."""


class NotAllowedError(TrainingError):
    """The user's role does not have the capability this reading needs."""


class NotRegisteredError(TrainingError):
    """The participant is not registered for the session."""


class UnknownQuestionError(TrainingError):
    """An answer refers to a question that is not in the module's active bank, or to no choice."""


class MissingServiceNumberError(TrainingError):
    """A participant was given without a service number."""


class NameMismatchError(TrainingError):
    """A known service number was typed with a name other than the one recorded for it."""


class AlreadyRegisteredError(TrainingError):
    """The participant is already registered for the session."""
