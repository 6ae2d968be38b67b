"""Reading a file a curator adds as a source: plain text as it is, a web
page by its main text.

For HTML the main text (the article, without navigation, adverts and
scripts) is extracted by trafilatura; that text is what is stored and
cited, and the page itself is kept beside it, with its sha256, as the
evidence the text came from. What the page's metadata says (title, author,
date, site, canonical URL) fills the fields the curator did not give.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb.errors import ImportFailed
from kbtui.kb.limits import current, env_name

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_HTML_START = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


@dataclass
class Captured:
    text: str  # what is stored and cited
    original: bytes  # the file as captured
    html: bool
    # what the page says of itself (HTML only), for fields not given
    found: dict[str, str] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.original).hexdigest()


def capture(path: Path) -> Captured:
    """Read `path`; raise ImportFailed with what to do when it cannot be used."""
    limit = current().source_bytes
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportFailed(
                f"{path}: {size:,} bytes, over the limit of {limit:,} for a source ({env_name('source_bytes')})",
                "split the text or raise the limit",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{path}: no such file", "check the path") from None
    except IsADirectoryError:
        raise ImportFailed(f"{path}: is a folder, not a file", "pass a .txt or .html file") from None
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot be read ({exc.strerror})", "check its permissions") from exc
    if path.suffix.lower() in HTML_SUFFIXES or _HTML_START.match(data[:2048]):
        return _from_html(path, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}: not valid UTF-8 at byte {exc.start}", "convert it to UTF-8 (e.g. iconv -t utf-8)"
        ) from None
    _usable(path, text)
    # stored as the file is, a byte-order mark too: the text is then exactly
    # the captured file, as an import of the bundle reads it
    return Captured(text=text, original=data, html=False)


def _from_html(path: Path, data: bytes) -> Captured:
    try:
        import trafilatura  # lazy: ~0.3 s to import, and only pages need it
    except ImportError as exc:  # a broken install: say what is missing, not a traceback
        raise ImportFailed(
            f"{path}: web pages cannot be read here ({exc.msg.splitlines()[0]})",
            "reinstall kbtui (pip install -e .), or save the article's text as .txt and add that",
        ) from exc

    try:
        doc = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
        )
    except Exception as exc:  # a parser failure in the library: say so, not a traceback
        raise ImportFailed(
            f"{path}: the web page could not be read ({exc})", "save it again, or as plain text"
        ) from exc
    body = getattr(doc, "text", None) if doc is not None else None
    if not body or not body.strip():
        raise ImportFailed(
            f"{path}: no main text found in the web page",
            "save the article's text as a .txt file and add that (the page can go in --archive-url)",
        )
    # one paragraph per block, a blank line between: readable in the viewer
    text = "\n\n".join(line.strip() for line in body.splitlines() if line.strip()) + "\n"
    _usable(path, text)
    found = {
        key: str(value).strip()
        for key, value in (
            ("title", getattr(doc, "title", None)),
            ("author", getattr(doc, "author", None)),
            ("published", getattr(doc, "date", None)),
            ("outlet", getattr(doc, "sitename", None)),
            ("url", getattr(doc, "url", None)),
        )
        if value and str(value).strip()
    }
    return Captured(text=text, original=data, html=True, found=found)


def _usable(path: Path, text: str) -> None:
    if "\x00" in text:
        raise ImportFailed(f"{path}: contains a NUL character", "a source must be plain text")
    if not text.strip():
        raise ImportFailed(f"{path}: is empty", "a source needs text to cite")
