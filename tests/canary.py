"""A local HTTP server that records every request it gets: the canary for "nothing was fetched"."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Canary:
    """Listens on 127.0.0.1 (a free port); ``hits`` lists the paths of the requests that reached it."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                hits.append(self.path)
                html = "html" in self.path  # an endpoint URL that answers a web page instead of results
                body = (
                    b"<html><body>not SPARQL</body></html>"
                    if html
                    else b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html" if html else "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = _any

            def log_message(self, *args):
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        # a short poll interval: shutdown() waits for the serving loop to notice, and every test that uses the
        # canary starts and stops one (the default 0.5 s made the bad-input corpus mostly waiting)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
