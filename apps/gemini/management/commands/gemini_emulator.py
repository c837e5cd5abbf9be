from django.core.management.base import BaseCommand

from apps.gemini.emulator import EmulatorServer


class Command(BaseCommand):
    help = "Run the Gemini API emulator; point GOOGLE_GEMINI_BASE_URL at it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
        parser.add_argument("--rpm", type=int, default=0, help="requests per minute before answering 429 (0: no limit)")
        parser.add_argument("--batch-delay", type=float, default=0.0, help="seconds a Batch API batch takes to finish")

    def handle(self, *args, host, port, latency, rpm, batch_delay, **options):
        server = EmulatorServer(host, port, latency=latency, rpm=rpm, batch_delay=batch_delay)
        self.stdout.write(
            f"Gemini API emulator on {server.base_url} (latency {latency}s, rpm {rpm or 'unlimited'}, batch turnaround {batch_delay}s)",
            ending="\n",
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
