"""The JSON API (django-ninja) over the register, with the same permissions as the pages."""
