"""Services: where the register calls the pure packages (ingest, core)."""
