"""Pages: audit_trail."""
