"""Per-teacher rate limit: a token bucket per caller, in this process, bounded in memory."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sheets_backend.errors import HiveError


class RateLimited(HiveError):
    """429: this teacher made too many calls; `retry_after` says when the next one will go."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Hive is getting many requests from your account. Wait {retry_after} seconds "
            "and try again."
        )
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class RateLimiter:
    """`burst` calls at once, then `per_minute` a minute, for each key (a hashed caller id).

    Buckets that have refilled are indistinguishable from new ones, so dropping the least recently
    used bucket when `max_keys` is reached loses nothing but a partly drained bucket.
    """

    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(burst, 1))
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Take one call from `key`'s bucket, or raise `RateLimited` with the wait in seconds."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
                raise RateLimited(max(1, math.ceil(wait)))
            self._buckets[key] = (tokens - 1.0, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
