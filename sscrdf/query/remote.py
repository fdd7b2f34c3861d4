"""Talking to a SPARQL 1.1 store over HTTP (``sscrdf push``, ``sscrdf analyze --endpoint``): authentication
(HTTP basic or digest, bearer tokens), timeouts, bounded retries with exponential back-off on 5xx answers, lost
connections and timeouts, and one-line errors that carry the server's own words. HTTP goes through ``requests``.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

#: a ``requests.Response`` (requests is imported lazily, see Connection)
Response = Any

#: HTTP statuses retried with back-off (the request is sent again, at most ``retries`` times)
RETRY_STATUSES = (500, 502, 503, 504)
AUTH_SCHEMES = ("basic", "digest")


def server_says(response: Response) -> str:
    """The first line of what the server said in an error answer, trimmed (HTML reduced to its text)."""
    text = response.text or ""
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype or re.match(r"\s*<(!doctype|html)", text, re.I):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
        body = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        parts = [m.group(1) for m in (heading, title) if m] + [re.sub(r"<[^>]+>", "\n", body)]
        text = "\n".join(html.unescape(re.sub(r"<[^>]+>", "", p)) for p in parts)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:300] + ("…" if len(line) > 300 else "")
    return ""


@dataclass
class Connection:
    """HTTP to one store: authentication, timeouts and bounded retries with exponential back-off."""

    user: str | None = None
    password: str | None = None
    auth_scheme: str = "basic"
    token: str | None = None
    retries: int = 3
    backoff: float = 0.5
    timeout: float = 60
    requests_sent: int = 0
    _session: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # requests (and urllib3) are imported when a store is contacted: ~0.15 s that no other command needs
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        if self.token and self.user:
            raise InputError("give either --token or --user/--password, not both")
        if self.password is not None and not self.user:
            raise InputError("--password needs --user")
        if self.auth_scheme not in AUTH_SCHEMES:
            raise InputError(
                f"unknown authentication scheme {self.auth_scheme!r}", hint=f"use one of {', '.join(AUTH_SCHEMES)}"
            )
        s = requests.Session()
        s.trust_env = False  # no proxies or .netrc from the environment: the URL given is the store
        retry = Retry(
            total=self.retries,
            connect=self.retries,
            read=self.retries,
            status=self.retries,
            other=0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,
            backoff_factor=self.backoff,
            backoff_max=30,
            raise_on_status=False,
            respect_retry_after_header=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        if self.user:
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth  # requests: see above

            cls = HTTPDigestAuth if self.auth_scheme == "digest" else HTTPBasicAuth
            s.auth = cls(self.user, self.password or "")
        elif self.token:
            s.headers["Authorization"] = f"Bearer {self.token}"
        self._session = s

    def request(
        self, method: str, url: str, *, what: str, ok: tuple[int, ...] = (200, 201, 204), **kwargs: Any
    ) -> Response:
        """Send one request (retried as configured); returns the answer, or raises a one-line InputError naming
        ``what`` was being done and what the server said. Statuses outside ``ok`` are errors."""
        import requests  # imported when a store is contacted (see __post_init__)

        self.requests_sent += 1
        try:
            resp = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise InputError(f"{what} failed at {url} after {self.retries} retries: {_reason(exc)}") from None
        except requests.exceptions.Timeout:
            raise InputError(
                f"{what}: {url} did not answer within {self.timeout:g} s ({self.retries} retries)"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc):
                raise InputError(
                    f"{what}: {url} did not answer within {self.timeout:g} s ({self.retries} retries)"
                ) from None
            raise InputError(
                f"{what}: cannot reach {url}: {_reason(exc)}", hint="is the store running, and is the URL right?"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise InputError(f"{what} failed at {url}: {_reason(exc)}") from None
        if resp.status_code not in ok:
            raise StoreRefused(what, url, resp)
        return resp


def _reason(exc: Exception) -> str:
    """The innermost reason of a requests/urllib3 exception, in a few words."""
    text = str(exc)
    m = re.search(r"\[Errno[^\]]*\]\s*([^'\")]+)", text) or re.search(r"Caused by \w+\('?(.*?)'?\)\)?$", text)
    return " ".join((m.group(1) if m else text).split())[:200]


class StoreRefused(InputError):
    """The store answered a request with an error status."""

    def __init__(self, what: str, url: str, response: Response) -> None:
        self.status = response.status_code
        said = server_says(response)
        reason = f"HTTP {response.status_code}" + (f" {response.reason}" if response.reason else "")
        hint = None
        if self.status in (401, 403):
            authorised = "Authorization" in response.request.headers
            hint = (
                "the store did not accept the credentials (Virtuoso's -auth URLs want --auth digest)"
                if authorised
                else "give --user/--password (HTTP basic, or digest with --auth digest) or --token for the store"
            )
        super().__init__(f"{what} refused by {url}: {reason}" + (f": {said}" if said else ""), hint=hint)


#: option -> (Oxigraph URL, Virtuoso URL), the examples an error about a bad URL gives
_URL_EXAMPLES = {
    "--store": ("http://127.0.0.1:7878/store", "http://127.0.0.1:8890/sparql-graph-crud-auth"),
    "--endpoint": ("http://127.0.0.1:7878/query", "http://127.0.0.1:8890/sparql"),
    "--update-endpoint": ("http://127.0.0.1:7878/update", "http://127.0.0.1:8890/sparql-auth"),
}


def check_url(url: str, option: str) -> str:
    """``url`` if it is an http(s) URL, else a one-line error naming ``option`` with an example of each store."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        ox_url, virtuoso_url = _URL_EXAMPLES.get(option, _URL_EXAMPLES["--store"])
        raise InputError(
            f"{option} {url!r} is not an http(s) URL",
            hint=f"give the store's URL, e.g. {ox_url} (Oxigraph) or {virtuoso_url} (Virtuoso)",
        )
    return url


def update(conn: Connection, url: str, text: str, *, what: str, using: Sequence[str] = ()) -> Response:
    """Send one SPARQL 1.1 Update request (form-encoded ``update=``, which every store accepts); ``using``: the
    graphs its WHERE clause reads (``using-graph-uri``; stores refuse USING in the text when their default graph
    is the union of all graphs, as with ``oxigraph serve --union-default-graph``, but take the parameter)."""
    form = [("update", text)] + [("using-graph-uri", g) for g in using]
    return conn.request(
        "POST", url, data=form, what=what, headers={"Accept": "text/plain, application/sparql-results+json, */*;q=0.1"}
    )
