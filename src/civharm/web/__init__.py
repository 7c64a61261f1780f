"""Server-rendered pages (Django templates + htmx) over the register."""
