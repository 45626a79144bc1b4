"""Request MACs and session keys, byte for byte as docs/protocol.md ("Request MACs") specifies them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import threading

TIMESTAMP_HEADER = "sb-timestamp"
NONCE_HEADER = "sb-nonce"
MAC_HEADER = "sb-mac"


def session_key(cluster_secret: bytes, session_id: str) -> bytes:
    """The MAC key of a session: HMAC-SHA256(cluster secret, "sb-session-key-1\\n" + session id).

    Clients never need this (allocate hands out the key); servers and tests do.
    """
    return hmac.new(cluster_secret, ("sb-session-key-1\n" + session_id).encode("utf-8"), hashlib.sha256).digest()


def canonical(session_id: str, timestamp_ms: int, nonce: str, body: bytes) -> str:
    """The canonical request the MAC covers; ``body`` is the HTTP body before any gzip."""
    digest = hashlib.sha256(body).hexdigest()
    return "SB-MAC-1\n%s\n%d\n%s\n%s" % (session_id, timestamp_ms, nonce, digest)


def sign(key: bytes, session_id: str, timestamp_ms: int, nonce: str, body: bytes) -> str:
    """The ``sb-mac`` header value: base64url, unpadded, of HMAC-SHA256(key, canonical request)."""
    mac = hmac.new(key, canonical(session_id, timestamp_ms, nonce, body).encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


_NONCE_PREFIX = base64.urlsafe_b64encode(secrets.token_bytes(12)).rstrip(b"=").decode("ascii")
_NONCE_COUNTER = itertools.count(1)
_NONCE_LOCK = threading.Lock()


def nonce() -> str:
    """A nonce never handed out before by this process: 16 random characters, then a counter."""
    with _NONCE_LOCK:
        n = next(_NONCE_COUNTER)
    return "%s%x" % (_NONCE_PREFIX, n)
