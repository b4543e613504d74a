"""Login throttling per account and per client address (the `limits` library; in-memory unless configured).

Only failed attempts count. Once either window is full, logins for that account or from that address are refused
(429 with Retry-After) until the window slides, even with the right password, so guessing cannot run on.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, per_account: str, per_address: str, storage: str = "memory://"):
        self.account, self.address = parse(per_account), parse(per_address)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage))

    def _keys(self, email: str, address: str) -> list[tuple[RateLimitItem, str]]:
        return [(self.account, f"account:{email.strip().lower()}"), (self.address, f"address:{address}")]

    def retry_after(self, email: str, address: str) -> int | None:
        """Seconds until a login may be tried again, or None when it may be tried now."""
        waits = []
        for limit, key in self._keys(email, address):
            if not self.limiter.test(limit, "login", key):
                reset = self.limiter.get_window_stats(limit, "login", key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits) if waits else None

    def failed(self, email: str, address: str) -> None:
        for limit, key in self._keys(email, address):
            self.limiter.hit(limit, "login", key)
