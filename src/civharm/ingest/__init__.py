"""Readers for incident and victim sources: one normalised record type out.

Pure Python (never imports Django). Bad rows become RowError values, never exceptions;
an unreadable file raises UnreadableFile with one sentence for a person.
"""
