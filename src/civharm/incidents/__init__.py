"""The civilian harm register: sources, reports, incidents, persons."""
