"""One backoff rule for everything that retries (jobs, webhook deliveries)."""

import random


def backoff_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds before retry number `attempt` (1 = the first retry): doubling from `base`, at most
    `cap`, with ±20 % jitter so retries of many failures spread out."""
    return min(cap, base * (2 ** (attempt - 1))) * random.uniform(0.8, 1.2)
