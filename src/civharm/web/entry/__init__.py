"""Pages: entry."""
