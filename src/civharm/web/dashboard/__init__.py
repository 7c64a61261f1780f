"""The dashboard and the training patterns pages (aggregates only, disclosure-controlled for
partners)."""
