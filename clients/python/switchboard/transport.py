"""Signed JSON calls over HTTP (docs/protocol.md, "JSON"), with failover between API URLs and retries."""

from __future__ import annotations

import itertools
import json
import random
import ssl
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Sequence

from . import signing
from .errors import SwitchboardError

DEFAULT_URL = "http://127.0.0.1:8080"


class Backoff:
    """Exponential back-off with full jitter: 50 ms doubling up to 2 s (the Java SDK's shape)."""

    def __init__(self, first_ms: int = 50, max_ms: int = 2000) -> None:
        self.first_ms, self.max_ms, self.attempt = first_ms, max_ms, 0

    def next_delay_s(self) -> float:
        ceiling = min(self.max_ms, self.first_ms * (2 ** min(self.attempt, 16)))
        self.attempt += 1
        return random.uniform(ceiling / 2, ceiling) / 1000.0


def new_traceparent() -> str:
    """A W3C trace context for one call (version 00, random ids, sampled): the servers carry it into the written
    records' ``traceparent`` header, so an event read back names the call that wrote it, as with the Java SDK."""
    trace = 0
    while trace == 0:  # all-zero ids are invalid in W3C trace context
        trace = random.getrandbits(128)
    parent = 0
    while parent == 0:
        parent = random.getrandbits(64)
    return "00-%032x-%016x-01" % (trace, parent)


class Route:
    """Which of the transport's API URLs one session's calls go to (an index into them). Each publisher and
    subscriber has its own (:meth:`Transport.route`), starting at the transport's next URL in turn, so the sessions
    of one transport spread over the API nodes as a load balancer would spread them; a session fails over to the next
    URL on its own, without moving the others (the Java SDK does the same)."""

    __slots__ = ("index",)

    def __init__(self, index: int = 0) -> None:
        self.index = index


class Transport:
    """Sends one call as JSON to an API URL; every call is idempotent, so a failed or unanswered one is sent again
    (to the next URL) until ``retry_budget_s`` is spent. A call made for a session goes to that session's
    :class:`Route` (its own URL, in turn); other calls go to the first URL that answers.

    Retried: connection failures, BUSY (after its retryAfterMs), UNAVAILABLE, and HTTP 5xx without a JSON error.
    Not retried: everything else (INTERNAL included: a bug or a node that needs an operator), raised as
    :class:`SwitchboardError`.
    """

    def __init__(self, urls: Sequence[str] = (DEFAULT_URL,), token: Optional[str] = None,
                 ca_file: Optional[str] = None, retry_budget_s: float = 120.0, timeout_s: float = 90.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if not urls:
            raise ValueError("at least one URL")
        self.urls: List[str] = [u.rstrip("/") for u in urls]
        self.token = token
        self.retry_budget_s = retry_budget_s
        self.timeout_s = timeout_s
        self._sleep = sleep
        self._shared = Route()  # calls without a route of their own
        self._routes = itertools.count()  # the start of each new route: the next URL in turn
        self._ssl = ssl.create_default_context(cafile=ca_file) if ca_file else None

    def route(self) -> Route:
        """A route for one session's calls, starting at the next URL in turn (thread-safe)."""
        return Route(next(self._routes) % len(self.urls))

    def call(self, name: str, request: Dict[str, Any], session_id: Optional[str] = None,
             mac_key: Optional[bytes] = None, retry: bool = True,
             also_retry: FrozenSet[str] = frozenset(), route: Optional[Route] = None) -> Dict[str, Any]:
        """Runs call ``name``: bearer token on allocate, signed with ``mac_key`` otherwise. ``also_retry``: codes
        retried here too (allocate retries DRAINING: another node takes the session). ``route``: the URL to use,
        moved on when it fails (default: the transport's own)."""
        body = json.dumps(request, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        traceparent = new_traceparent()  # one trace per call: its retries are the same call
        deadline = time.monotonic() + self.retry_budget_s
        backoff = Backoff()
        last: Optional[SwitchboardError] = None
        while True:
            try:
                return self._once(name, body, session_id, mac_key, traceparent,
                                  route if route is not None else self._shared)
            except SwitchboardError as e:
                if not retry or not (e.retriable or e.code in also_retry):
                    raise
                last = e
            delay = backoff.next_delay_s()
            if last is not None and last.retry_after_ms:
                delay = max(delay, last.retry_after_ms / 1000.0)
            if time.monotonic() + delay > deadline:
                raise last  # type: ignore[misc]
            self._sleep(delay)

    def _once(self, name: str, body: bytes, session_id: Optional[str], mac_key: Optional[bytes],
              traceparent: str, route: Route) -> Dict[str, Any]:
        url = self.urls[route.index % len(self.urls)]
        headers = {"Content-Type": "application/json", "Accept": "application/json", "traceparent": traceparent}
        if name == "allocate":
            if self.token:
                headers["Authorization"] = "Bearer " + self.token
        elif mac_key is not None and session_id is not None:
            ts = int(time.time() * 1000)
            nonce = signing.nonce()
            headers[signing.TIMESTAMP_HEADER] = str(ts)
            headers[signing.NONCE_HEADER] = nonce
            headers[signing.MAC_HEADER] = signing.sign(mac_key, session_id, ts, nonce, body)
        request = urllib.request.Request(url + "/v1/json/" + name, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s, context=self._ssl) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            error = self._error(e)
            if error.retriable:
                route.index += 1  # another API node may do better
            raise error from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            route.index += 1  # fail over to the next URL
            raise SwitchboardError("UNAVAILABLE", "no answer from %s: %s" % (url, _reason(e)), retriable=True) from None

    @staticmethod
    def _error(e: urllib.error.HTTPError) -> SwitchboardError:
        raw = e.read()
        try:
            payload = json.loads(raw.decode("utf-8"))
            return SwitchboardError(payload["code"], payload.get("message", ""), retriable=payload.get("retriable"),
                                    expected_seq=payload.get("expectedSeq"),
                                    retry_after_ms=payload.get("retryAfterMs"), status=e.code)
        except (ValueError, KeyError, TypeError, AttributeError):
            text = raw.decode("utf-8", "replace")[:200]
            return SwitchboardError("UNAVAILABLE" if e.code >= 500 else "INVALID_REQUEST",
                                    "HTTP %d: %s" % (e.code, text), retriable=e.code >= 500, status=e.code)


def _reason(e: BaseException) -> str:
    reason = getattr(e, "reason", None)
    return str(reason if reason is not None else e)
