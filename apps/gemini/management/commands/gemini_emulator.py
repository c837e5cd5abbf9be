import argparse

from django.core.management.base import BaseCommand

from apps.gemini.emulator import EmulatorServer
from apps.gemini.emulator.generation import parse_latency


def latency_argument(value: str) -> dict[str, float]:
    try:
        return parse_latency(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Run the Gemini API emulator; point GOOGLE_GEMINI_BASE_URL at it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--latency", type=latency_argument, default={},
            help="seconds added to every answer: one number, or per size like 512=4,1K=6,2K=8,4K=12 (a size not named: its default= or 0)",
        )
        parser.add_argument("--rpm", type=int, default=0, help="requests per minute before answering 429 (0: no limit)")
        parser.add_argument("--batch-delay", type=float, default=0.0, help="seconds a Batch API batch takes to finish")
        parser.add_argument(
            "--prerendered", action="store_true",
            help="render one photo-like PNG per pixel size and reuse it for every answer (benchmarks: the emulator's CPU stays out of the figures)",
        )

    def handle(self, *args, host, port, latency, rpm, batch_delay, prerendered, **options):
        server = EmulatorServer(host, port, latency=latency, rpm=rpm, batch_delay=batch_delay, prerendered=prerendered)
        latencies = ", ".join(f"{size} {seconds:g}s" for size, seconds in latency.items()) or "0s"
        self.stdout.write(
            f"Gemini API emulator on {server.base_url} (latency {latencies}, rpm {rpm or 'unlimited'}, "
            f"batch turnaround {batch_delay}s, {'pre-rendered' if prerendered else 'drawn'} images)",
            ending="\n",
        )
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
