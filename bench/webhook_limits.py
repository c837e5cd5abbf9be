"""What a misbehaving webhook receiver costs a worker, before (requests, as deliveries were sent
until issue 17) and now (apps.webhooks.transport: pinned address, total deadline, capped read).

    .venv/bin/python -m bench.webhook_limits

Two loopback receivers: one drips its answer a byte every 0.1 s for 8 s, one answers 2xx with a
400 MiB body. Prints the wall time each delivery held its thread against a 1 s limit, and the
growth of the process's peak RSS while reading the 400 MiB answer.
"""

from __future__ import annotations

import resource
import socket
import threading
import time

from bench._common import django_setup

TIMEOUT = 1.0
FLOOD_BYTES = 400 * 1024 * 1024


def receiver(answer) -> str:
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            connection, _ = server.accept()
            connection.recv(65536)
            try:
                answer(connection)
            except OSError:
                pass
            finally:
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}/hook"


def drip(connection):
    connection.sendall(b"HTTP/1.1 200 OK\r\n")
    for _ in range(80):
        connection.sendall(b"X")
        time.sleep(0.1)


def flood(connection):
    connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {FLOOD_BYTES}\r\n\r\n".encode())
    chunk = b"x" * (1024 * 1024)
    for _ in range(FLOOD_BYTES // len(chunk)):
        connection.sendall(chunk)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    django_setup()
    from django.conf import settings

    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    import requests

    from apps.webhooks import transport
    from apps.webhooks.safety import destination_for

    drip_url, flood_url = receiver(drip), receiver(flood)

    def ours(url):
        return transport.post(destination_for(url), b"{}", {"Content-Type": "application/json"}, total_seconds=TIMEOUT, max_response_bytes=64 * 1024)

    def before(url):
        try:
            requests.post(url, data=b"{}", timeout=TIMEOUT, allow_redirects=False)
        except requests.RequestException:
            pass

    print(f"limit per delivery: {TIMEOUT:g} s")
    for name, send in (("now", ours), ("before", before)):
        started = time.monotonic()
        send(drip_url)
        print(f"slow drip, {name:6}: thread held {time.monotonic() - started:5.2f} s")
    for name, send in (("now", ours), ("before", before)):
        rss = peak_rss_mib()
        started = time.monotonic()
        send(flood_url)
        print(f"400 MiB answer, {name:6}: {time.monotonic() - started:5.2f} s, peak RSS +{peak_rss_mib() - rss:6.1f} MiB")


if __name__ == "__main__":
    main()
