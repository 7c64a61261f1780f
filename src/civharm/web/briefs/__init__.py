"""Pages: make an advocacy brief, list past briefs, download them."""
