"""A webhook receiver on loopback that records what it gets and fails on demand."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, fail_first: int = 0, status: int = 500, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict] = []
        self.fail_first = fail_first
        self.status = status
        self.delay = delay
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"headers": dict(self.headers), "body": body})
        if self.server.delay:
            time.sleep(self.server.delay)
        failing = len(self.server.received) <= self.server.fail_first
        self.send_response(self.server.status if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()
