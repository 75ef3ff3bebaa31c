"""The emulator served from a background thread on a free port: for the pytest plugin, the
contract kit and benchmarks, which need a real HTTP server in their own process."""

from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from emulator.app import create_app
from emulator.settings import Settings


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass

    def log_error(self, format: str, *args) -> None:  # noqa: A002 (the standard library's name)
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)


class ThreadedServer:
    """``with ThreadedServer(settings) as server: server.url``; port 0 picks a free port."""

    def __init__(self, settings: Settings | None = None, port: int = 0) -> None:
        settings = settings or Settings()
        self.app = create_app(settings)
        # A thread per connection, so a stalled client holds only its own, until the timeout
        # closes it.
        handler = type("Handler", (_Quiet,), {"timeout": settings.stall_timeout})
        self._server = make_server("127.0.0.1", port, self.app, threaded=True, request_handler=handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="cesce-emulator", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> ThreadedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.app.extensions["cesce"].store.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
