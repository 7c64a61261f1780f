"""Errors the research services raise; their messages are shown to users and never hold a name
or narrative."""

from __future__ import annotations


class ResearchError(Exception):
    """A research action that cannot be done (the message says why, for the user)."""


class ConsentWithdrawnError(ResearchError):
    """The interviewee withdrew consent: nothing personal of theirs can be read or used."""


class PublicationNotAllowedError(ResearchError):
    """The interviewee did not agree to the publication of anonymised quotes."""


class ExcerptOutOfRangeError(ResearchError):
    """The excerpt's offsets do not fall within the narrative."""


class NotAllowedError(ResearchError):
    """The user's role does not have the capability this reading needs."""
