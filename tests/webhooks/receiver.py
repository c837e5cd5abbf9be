"""Webhook receivers on loopback: one that records what it gets and fails on demand, and raw-socket
ones that misbehave (drip their answer, or answer with far too many bytes)."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.waiting import wait_for


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
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[dict]:
        wait_for(lambda: len(self.received) >= count, timeout, interval=0.05,
                 what=lambda: f"{count} deliveries arrived ({len(self.received)} so far)")
        return self.received


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        if self.server.delay:
            time.sleep(self.server.delay)
        failing = len(self.server.received) <= self.server.fail_first
        self.send_response(self.server.status if failing else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Misbehaving:
    """A raw TCP receiver: reads the request, then answers with `answer(connection)`, counting bytes sent."""

    def __init__(self, answer):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.answer = answer
        self.bytes_sent = 0
        self.finished = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"

    def _serve(self):
        connection, _ = self.sock.accept()
        connection.recv(65536)
        try:
            self.answer(self, connection)
        except OSError:
            pass  # the platform hung up on us, as it should
        finally:
            connection.close()
            self.finished.set()

    def send(self, connection, data: bytes):
        connection.sendall(data)
        self.bytes_sent += len(data)


def drip(receiver: Misbehaving, connection, seconds: float = 8.0):
    """Headers one byte at a time, 10 a second: each read succeeds, the answer never ends."""
    receiver.send(connection, b"HTTP/1.1 200 OK\r\n")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        receiver.send(connection, b"X")
        time.sleep(0.1)


def flood(receiver: Misbehaving, connection, total: int = 400 * 1024 * 1024):
    """A 2xx whose body claims (and tries to send) 400 MiB."""
    receiver.send(connection, f"HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n".encode())
    chunk = b"x" * (1024 * 1024)
    for _ in range(total // len(chunk)):
        receiver.send(connection, chunk)


class TlsReceiver(Receiver):
    """A Receiver speaking HTTPS with `context` (server side)."""

    def __init__(self, context, **kwargs):
        self.tls = context
        super().__init__(**kwargs)

    def get_request(self):
        connection, address = super().get_request()
        return self.tls.wrap_socket(connection, server_side=True), address


def self_signed_certificate(folder, host_name: str):
    """A certificate for `host_name` and its key, as PEM files in `folder`."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{host_name}.pem", folder / f"{host_name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path
