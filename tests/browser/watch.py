"""What a page did in the browser: console messages, uncaught errors, CSP violations, bytes.

Reads only what Chromium reports; it never looks at the page's data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import ConsoleMessage, Error, Page, Response

KB = 1024
PAGE_BUDGET = 300 * KB
# Browsers ask for /favicon.ico on their own; the app ships none (reported, not a page error).
IGNORED_URL_ENDINGS = ("/favicon.ico",)


@dataclass
class ConsoleWatch:
    """Console messages and uncaught exceptions of every page opened in one browser context."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        where = message.location or {}
        url = where.get("url", "")
        if url.endswith(IGNORED_URL_ENDINGS):
            return
        line = f"{url}:{where.get('lineNumber')}:{where.get('columnNumber')}"
        on_page = message.page.url if message.page else ""
        self.messages.append(f"{message.type}: {message.text} ({line} on {on_page})")

    def _on_page_error(self, error: Error) -> None:
        self.errors.append(f"{error.name}: {error.message}")

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]

    def javascript_errors(self) -> list[str]:
        console_errors = [m for m in self.messages if m.startswith("error:")]
        return self.errors + console_errors

    def assert_clean(self) -> None:
        assert not self.csp_violations(), self.csp_violations()
        assert not self.javascript_errors(), self.javascript_errors()


@dataclass
class PageWeight:
    """What one page load cost: the bodies of all its responses (as decoded, an upper bound of
    what crossed the wire) and, as Chromium counts it, the encoded bytes with headers (0 for a
    file it revalidated from its memory cache)."""

    url: str
    body_bytes: int = 0
    wire_bytes: int = 0
    by_url: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        biggest = sorted(self.by_url.items(), key=lambda item: -item[1])[:4]
        parts = ", ".join(f"{url.rsplit('/', 1)[-1] or 'page'} {n // KB}" for url, n in biggest)
        path = "/" + self.url.split("/", 3)[-1]
        return (
            f"{path}: {self.body_bytes // KB} KB of bodies, {self.wire_bytes // KB} KB on the "
            f"wire; largest (KB): {parts}"
        )


def weigh_page_load(page: Page, url: str) -> PageWeight:
    """Open `url` in `page` with the browser cache off (a first visit) and add up what every
    response of that load transferred."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: list[Response] = []

    def keep(response: Response) -> None:
        responses.append(response)

    page.on("response", keep)
    try:
        page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("response", keep)
        devtools.send("Network.setCacheDisabled", {"cacheDisabled": False})
        devtools.detach()
    weight = PageWeight(url)
    for response in responses:
        if 300 <= response.status < 400:
            continue  # a redirect has no body; its target is counted
        sizes = response.request.sizes()
        body = len(response.body())
        weight.wire_bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        weight.body_bytes += body
        weight.by_url[response.url] = body
    return weight
