"""One HTTP POST to a pinned address, with hard limits: the whole exchange (connect, send, the
receiver's headers and body) ends after `total_seconds`, and at most `max_response_bytes` of the
answer are read. A receiver that drips bytes or answers with gigabytes holds a thread for no longer."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from apps.webhooks.safety import Destination


@dataclass
class Answer:
    status: int | None
    body: bytes
    error: str


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, while SNI and the certificate check use the URL's host name."""

    def __init__(self, destination: Destination, **kwargs):
        super().__init__(destination.address, destination.port, context=ssl.create_default_context(), **kwargs)
        self._server_hostname = destination.hostname

    def connect(self):
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_hostname)


def post(destination: Destination, body: bytes, headers: dict[str, str], *, total_seconds: float, max_response_bytes: int) -> Answer:
    if destination.scheme == "https":
        conn = _PinnedHTTPSConnection(destination, timeout=total_seconds)
    else:
        conn = http.client.HTTPConnection(destination.address, destination.port, timeout=total_seconds)
    expired = threading.Event()

    def cut_off():
        expired.set()
        if conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked send or read (close alone does not)
            except OSError:
                pass

    watchdog = threading.Timer(total_seconds, cut_off)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        conn.request("POST", destination.path, body=body, headers={"Host": destination.host_header, **headers})
        response = conn.getresponse()
        data = response.read(max_response_bytes)  # the rest is never read: the connection closes below
        if expired.is_set():
            raise TimeoutError
        return Answer(status=response.status, body=data, error="")
    except Exception as exc:  # any failure of the exchange is the receiver's, recorded on the attempt
        if expired.is_set() or time.monotonic() - started >= total_seconds:
            return Answer(status=None, body=b"", error=f"The receiver did not finish answering within {total_seconds:g} s.")
        return Answer(status=None, body=b"", error=f"{exc.__class__.__name__}: {exc}"[:1000])
    finally:
        watchdog.cancel()
        conn.close()
