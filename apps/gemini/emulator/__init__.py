"""A local stand-in for the Gemini API's generateContent, speaking the same REST protocol."""

from apps.gemini.emulator.server import EmulatorServer, start_in_thread

__all__ = ["EmulatorServer", "start_in_thread"]
