"""Pages: register."""
