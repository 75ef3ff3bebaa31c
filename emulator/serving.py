"""The HTTP server behind `cesce-emulator serve`: cheroot, in this process.

One process, so that an in-memory state is one state and a kill of the process is a crash of
the whole emulator; a pool of request threads, so that a request waiting out an injected latency
or a long seeding holds one thread, not the server. cheroot hands a connection to a thread only
once it has sent something, and closes one that then sends nothing for the settings'
``stall_timeout``: a slow or stalled client holds a thread for that long at most. The TLS
handshake, too, happens in the request thread (cheroot's own adapter makes it where connections
are accepted, where one silent client would hold up every new connection).
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from emulator.settings import Settings
from emulator.tls import Credentials

#: Seconds that requests in progress get to finish after SIGTERM or Ctrl-C.
GRACE = 5

access = logging.getLogger("cesce_emulator.access")
#: Query parameters whose values the access log does not keep (a client may send them there).
SECRET = re.compile(r"((?:^|&)(?:client_secret|password|access_token|refresh_token)=)[^&]*", re.IGNORECASE)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def serve(app: WsgiApp, settings: Settings, credentials: Credentials | None = None) -> None:
    """Serve ``app`` on the settings' host, port and threads until SIGTERM or Ctrl-C, with
    one access-log line per request on standard output."""
    from cheroot import wsgi

    _log_to_stdout()
    server = wsgi.Server((settings.host, settings.port), AccessLog(app), numthreads=settings.threads,
                         server_name="cesce-emulator", timeout=settings.stall_timeout, shutdown_timeout=GRACE,
                         request_queue_size=1024)
    server.error_log = _quiet_on_timeouts(server.error_log)
    if credentials is not None:
        server.ssl_adapter = _adapter(credentials)
    # SIGTERM (docker stop, a CI runner) ends the server as Ctrl-C does: cheroot's safe_start
    # then stops taking connections and lets the requests in progress finish.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.safe_start()
    except KeyboardInterrupt:
        pass  # a requested stop, done: exit 0


class AccessLog:
    """WSGI middleware: a line per request, ``ADDR "METHOD PATH?QUERY PROTOCOL" STATUS BYTES SECONDS``."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        start = time.perf_counter()
        seen: dict[str, Any] = {}

        def started(status: str, headers: list[tuple[str, str]], exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, exc_info)

        try:
            # Called now, not when the body is first read: an app that drops the connection
            # (an injected fault) must raise before cheroot sends the status line.
            body = self.app(environ, started)
        except ConnectionResetError:
            self._line(environ, {"status": "dropped"}, start)
            raise
        return self._logged(body, environ, seen, start)

    def _logged(self, body: Iterable[bytes], environ: dict, seen: dict[str, Any], start: float) -> Iterable[bytes]:
        try:
            yield from body
        finally:
            if hasattr(body, "close"):
                body.close()
            self._line(environ, seen, start)

    @staticmethod
    def _line(environ: dict, seen: dict[str, Any], start: float) -> None:
        query = SECRET.sub(r"\1***", environ.get("QUERY_STRING", ""))
        target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        access.info('%s "%s %s %s" %s %s %.4f', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD"),
                    target, environ.get("SERVER_PROTOCOL"), seen.get("status", "-"), seen.get("length", "-"),
                    time.perf_counter() - start)


def _adapter(credentials: Credentials):
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    class HandshakeInThread(BuiltinSSLAdapter):
        def wrap(self, sock):
            # The handshake then happens on the first read, in the request thread.
            wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            return wrapped, {"wsgi.url_scheme": "https", "HTTPS": "on"}

    return HandshakeInThread(str(credentials.cert), str(credentials.key))


def _quiet_on_timeouts(error_log: Callable) -> Callable:
    """cheroot logs a traceback when it answers a client that stalled mid-body and then finds
    the connection timed out; that is the stall timeout doing its work, not a server error."""

    def log(msg: str = "", level: int = logging.INFO, traceback: bool = False) -> None:
        if "timed out" not in msg:
            error_log(msg, level, traceback)

    return log


def _log_to_stdout() -> None:
    if not access.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
