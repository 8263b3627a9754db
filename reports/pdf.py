"""Render HTML to PDF with WeasyPrint, fetching nothing but our own static files."""

import gc
import logging
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `data:` URIs and files under the static folders; refuses everything else.

    Minutes are typed by users: `<img src="file:///etc/passwd">` or a link to an intranet host must not
    be able to pull anything into the PDF.
    """

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, **kwargs)
        roots = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
        self.roots = [root.resolve() for root in roots if root.exists()]

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
            return path
        return None

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and self._allowed_path(url):
            return super().fetch(url, headers)
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise ValueError(f"Fetching {url[:200]!r} is not allowed while rendering a PDF")


def static_base_url() -> str:
    """Relative links in the template (e.g. `img/seal.png`) resolve inside our own static folder."""
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


@contextmanager
def _cycle_collector_paused():
    """WeasyPrint builds a large tree of small objects, and Python's cycle collector rescans it again
    and again while it grows: about a tenth of the render time (benchmarks/pdf.py). Pause it for the
    render; the next automatic collection frees whatever cycles the render left."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html: str, *, laid_out: Callable[[int], None] | None = None) -> bytes:
    """The PDF of `html`. `laid_out(pages)` is called between layout and writing, for progress bars."""
    with _cycle_collector_paused():
        document = HTML(string=html, base_url=static_base_url(), url_fetcher=StaticOnlyURLFetcher()).render()
        if laid_out is not None:
            laid_out(len(document.pages))
        return document.write_pdf()
