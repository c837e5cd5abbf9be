"""The one way a test waits for something another thread or process does: poll with a deadline."""

import time
from collections.abc import Callable
from typing import Any


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1,
             what: str | Callable[[], str] = "condition") -> Any:
    """Call `predicate` every `interval` s until it returns something true, and return that; after
    `timeout` s fail, naming `what` (a callable is asked for the message then, say the last state seen).
    Never a fixed sleep: a test waits exactly as long as the platform takes."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what() if callable(what) else what} not met within {timeout} s")
        time.sleep(interval)
