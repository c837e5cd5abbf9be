"""The per-person job allowance: every way of making jobs draws on it by the number of jobs it
makes (a generation: 1; a campaign stage: its jobs), not by requests. A token bucket per user
holds up to the rate's number of jobs and refills at that rate (settings REST_FRAMEWORK
DEFAULT_THROTTLE_RATES["job_creation"], e.g. 120/min): a request for N jobs needs N in the
bucket, or a full bucket when N is more than it holds, and then leaves it N lower, below zero
if need be, so a 1,000-job stage is followed by the wait its size costs. Kept in the cache
(Redis at scale: shared by every process), changed under a short cache lock."""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.core.exceptions import Throttled

LOCK_SECONDS = 5
logger = logging.getLogger(__name__)

try:  # the cache at scale is Redis: while it restarts, the allowance is not enforced (fails open)
    from redis.exceptions import RedisError as _CacheDown
except ImportError:  # pragma: no cover
    _CacheDown = OSError


def _rate(scope: str = "job_creation") -> tuple[int, int] | None:
    rate = JobCreationThrottle.THROTTLE_RATES.get(scope)
    return SimpleRateThrottle.parse_rate(None, rate) if rate else None


def job_allowance_take(user, jobs: int) -> float | None:
    """Draw `jobs` from the user's allowance: None when drawn, else the seconds to wait (nothing drawn)."""
    return _bucket_take("job-allowance", _rate(), user, jobs)


def _bucket_take(name: str, rate: tuple[int, int] | None, user, jobs: int) -> float | None:
    """With the cache away (Redis restarting), the draw is allowed: an allowance is a brake, not a
    rule a request must fail for (budgets, the rule, are kept in the database)."""
    if rate is None or jobs <= 0 or not getattr(user, "pk", None):
        return None
    try:
        return _bucket_draw(name, rate, user, jobs)
    except (_CacheDown, ConnectionError) as error:
        logger.warning("%s not enforced: the cache is unavailable (%s: %s)", name, error.__class__.__name__, error)
        return None


def _bucket_draw(name: str, rate: tuple[int, int], user, jobs: int) -> float | None:
    capacity, period = rate
    per_second = capacity / period
    key, lock = f"{name}:{user.pk}", f"{name}-lock:{user.pk}"
    deadline = time.monotonic() + 2
    while not cache.add(lock, 1, LOCK_SECONDS) and time.monotonic() < deadline:
        time.sleep(0.005)
    try:
        now = time.time()
        tokens, at = cache.get(key) or (capacity, now)
        tokens = min(capacity, tokens + (now - at) * per_second)
        need = min(jobs, capacity)
        if tokens < need:
            return max(1.0, (need - tokens) / per_second)
        left = tokens - jobs
        cache.set(key, (left, now), math.ceil((capacity - left) / per_second) + 1)
        return None
    finally:
        cache.delete(lock)


def job_allowance_check(user, jobs: int, *, what: str = "jobs") -> None:
    """job_allowance_take(), or a 429 saying how many jobs, the allowance and when to try again."""
    wait = job_allowance_take(user, jobs)
    if wait is not None:
        capacity, period = _rate()
        seconds = math.ceil(wait)
        raise Throttled(
            f"You are creating jobs too fast: this would create {jobs} {what}; your allowance is {capacity} jobs per "
            f"{period} s. Try again in {seconds} s.",
            retry_after=seconds, details={"jobs": jobs, "limit": capacity, "period_seconds": period, "retry_after_seconds": seconds},
        )


def signing_allowance_check(user) -> None:
    """Draw one from the person's allowance of new Content Credentials signings (THROTTLE_RATES
    ["signing"], settings SIGNING_RATE), taken only when a copy is actually signed (about a second
    of CPU for a 4K image), never for one already made; else a 429 with Retry-After."""
    rate = _rate("signing")
    wait = _bucket_take("signing-allowance", rate, user, 1)
    if wait is not None:
        capacity, period = rate
        seconds = math.ceil(wait)
        raise Throttled(
            f"Too many new Content Credentials signings: each first credentialed download of an image signs it; your "
            f"allowance is {capacity} signings per {period} s. Try again in {seconds} s.",
            retry_after=seconds, details={"limit": capacity, "period_seconds": period, "retry_after_seconds": seconds},
        )


class JobCreationThrottle(BaseThrottle):
    """The allowance as a DRF throttle for endpoints that make one job per POST (GET is never
    throttled); a refusal is a 429 with Retry-After. Rates: THROTTLE_RATES[scope]."""

    scope = "job_creation"
    THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view):
        self._wait = None
        if request.method != "POST":
            return True
        self._wait = job_allowance_take(request.user, 1)
        return self._wait is None

    def wait(self):
        return self._wait
