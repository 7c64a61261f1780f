"""civharm — civilian harm tracking, analysis and response."""

__version__ = "0.1.0"
