"""When to try a request again: on 503 and 429, after the wait the service asks for.

The service's operations are pure functions of their request, so any of them may be sent
again. A 503 or 429 says the service is overloaded; ``Retry-After`` (seconds or an HTTP date)
says when to come back, and is honoured up to ``max_retry_after``; without it the wait grows
exponentially from ``backoff``, with jitter so that clients turned away together do not come
back together. A connection that could not be opened is tried again the same way.
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import httpx

from service.client.errors import error_from

__all__ = ["RetryPolicy", "retry_after"]

RETRIED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    retries: int = 3
    """Attempts after the first."""
    backoff: float = 0.1
    """Seconds before the first retry without Retry-After; doubled at each retry."""
    max_backoff: float = 5.0
    max_retry_after: float = 60.0
    """A longer Retry-After is not waited for: the error is raised at once."""

    def after_response(self, attempt: int, response: httpx.Response) -> float:
        """Seconds to wait before trying again after ``response`` (attempt 0 is the first);
        raises the response's error if it is not to be tried again."""
        asked = retry_after(response)
        if response.status_code not in RETRIED_STATUSES or attempt >= self.retries:
            raise error_from(response, retry_after=asked)
        if asked is None:
            return self._backoff(attempt)
        if asked > self.max_retry_after:
            raise error_from(response, retry_after=asked)
        return asked

    def after_error(self, attempt: int, error: httpx.TransportError) -> float:
        """Seconds to wait before trying again after a connection could not be opened;
        raises ``error`` if the request may have reached the service or retries are spent."""
        if (
            not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
            or attempt >= self.retries
        ):
            raise error
        return self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        wait: float = min(self.max_backoff, self.backoff * 2**attempt)
        return wait * random.uniform(0.5, 1.0)


def retry_after(response: httpx.Response) -> float | None:
    """The wait, in seconds, that ``response``'s Retry-After asks for (RFC 9110 10.2.3)."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    seconds = value.strip()
    if seconds.isascii() and seconds.isdigit():  # str.isdigit() holds for "\u00b2" too
        return float(seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
