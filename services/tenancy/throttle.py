"""Throttling repeated authentication failures from one client (per worker process).

Only failures are recorded. After AUTH_FAILURE_LIMIT failures within WINDOW_S, a
client (its address; behind trusted proxies the one they forward) is answered 429 with
Retry-After until its oldest failure leaves the window; other addresses are not
affected. Which credentials a throttled address may still present, and why, is
explained in blueprints.auth.
"""
import threading
import time
from collections import deque

WINDOW_S = 60
MAX_CLIENTS = 10_000


class FailureThrottle:
    def __init__(self, limit: int = 20):
        self.limit = limit
        self._failures: dict[str, deque] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str) -> int:
        """Seconds the client must wait, or 0 when it may try."""
        now = time.monotonic()
        failures = self._failures.get(client)
        if not failures:
            return 0
        while failures and now - failures[0] > WINDOW_S:
            failures.popleft()
        if len(failures) < self.limit:
            return 0
        return max(1, int(WINDOW_S - (now - failures[0])) + 1)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()

    def failed(self, client: str) -> None:
        with self._lock:
            if client not in self._failures and len(self._failures) >= MAX_CLIENTS:
                self._failures.clear()  # bounded memory under a flood of addresses
            self._failures.setdefault(client, deque(maxlen=max(self.limit, 1))).append(time.monotonic())


throttle = FailureThrottle()
