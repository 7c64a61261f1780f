"""Advocacy: the recommendations tracker and the briefs shared with government, UN, partners.

Nothing here ever names a person: evidence is incidents by code, stored estimates and figures.
"""
