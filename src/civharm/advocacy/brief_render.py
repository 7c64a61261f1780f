"""A brief's HTML (one template for the page and the PDF) and its PDF, drawn by WeasyPrint.

WeasyPrint needs Pango from the system; without it `html_to_pdf` raises PdfUnavailable with
one sentence saying how to install it. Never fetches anything over the network: the HTML
holds its styles and SVG inline.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

TEMPLATE = "advocacy/brief.html"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it draws with (Pango) cannot be loaded."""


def render_html(context: dict[str, Any]) -> str:
    return render_to_string(TEMPLATE, context)


def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError):  # OSError: a shared library (Pango) is missing
        raise PdfUnavailable(
            _(
                "The PDF needs the Pango libraries, which are missing: on Debian or Ubuntu run "
                "'apt-get install libpango-1.0-0 libpangoft2-1.0-0' as root; the HTML brief "
                "was written and prints to PDF from a browser."
            )
        ) from None
    # Its warnings about CSS it does not support would bury the command's own message.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The brief's PDF. A URL in the HTML is never fetched (no base URL, no fetcher)."""
    weasyprint = _weasyprint()

    def refuse(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
        raise ValueError(f"a brief loads nothing from outside: {url[:40]}")

    document = weasyprint.HTML(string=html, url_fetcher=refuse)
    return bytes(document.write_pdf())
