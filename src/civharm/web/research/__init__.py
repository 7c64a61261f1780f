"""Pages: interviews, consent, coding, quotes, consultations, the codebook and findings."""
