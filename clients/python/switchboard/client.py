"""Publisher and Subscriber: the Java SDK's semantics over the JSON mapping (docs/protocol.md).

Both mirror their session with the ported state machines (:mod:`switchboard.machines`), retry retriable errors
with back-off through :class:`~switchboard.transport.Transport` (which also fails over between API URLs), and
re-allocate after SESSION_LOST or DRAINING: a subscriber from its last acknowledged cursor, a publisher with its
writer id, re-sending every chunk it has no commit answer for with the same seq (so duplicates carry the same
``sb-id``).
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import machines as m
from .errors import SwitchboardError
from .transport import Route, Transport

Bytes = Union[bytes, str]

#: How many times in a row a call may lose its session before the SDK gives up.
MAX_REALLOCATIONS = 8


@dataclass(frozen=True)
class Event:
    """An event to publish. ``payload`` and ``key`` may be str (stored as UTF-8) or bytes; ``timestamp_ms`` is
    epoch milliseconds (absent: the time the backend publishes it)."""

    payload: Bytes
    key: Optional[Bytes] = None
    headers: Mapping[str, Bytes] = field(default_factory=dict)
    timestamp_ms: Optional[int] = None


@dataclass(frozen=True)
class ReceivedEvent:
    """An event as read: bytes, with its Kafka partition and offset, and the W3C ``traceparent`` it was
    written under (``None`` when the write carried no trace context), to link a consumer's span to it."""

    payload: bytes
    key: Optional[bytes]
    headers: Dict[str, bytes]
    timestamp_ms: Optional[int]
    partition: int
    offset: int
    traceparent: Optional[str] = None

    @property
    def text(self) -> str:
        """The payload decoded as UTF-8 (replacing invalid bytes)."""
        return self.payload.decode("utf-8", "replace")


@dataclass(frozen=True)
class Batch:
    """One read batch; acknowledge it with :meth:`Subscriber.ack` once it is processed."""

    seq: int
    events: List[ReceivedEvent]
    generation: int

    def __len__(self) -> int:
        return len(self.events)


class CursorStore:
    """Where a subscriber keeps its position between runs."""

    def load(self) -> Optional[str]:
        raise NotImplementedError

    def save(self, cursor: str) -> None:
        raise NotImplementedError


class MemoryCursorStore(CursorStore):
    """A cursor kept in memory (the default): the position survives re-allocations, not the process."""

    def __init__(self, cursor: Optional[str] = None) -> None:
        self.cursor = cursor

    def load(self) -> Optional[str]:
        return self.cursor

    def save(self, cursor: str) -> None:
        self.cursor = cursor


class FileCursorStore(CursorStore):
    """A cursor in one small text file, the same format as the Java SDK's (so both CLIs share cursor files).
    Saving writes a temporary file beside it, fsyncs it and renames it over the old one: a crash leaves the old or
    the new cursor, never a torn one."""

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = os.path.abspath(os.fspath(path))

    def load(self) -> Optional[str]:
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return text or None

    def save(self, cursor: str) -> None:
        directory = os.path.dirname(self.path) or "."
        os.makedirs(directory, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=os.path.basename(self.path) + ".", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(cursor.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)


# ---- JSON forms of events (docs/protocol.md, "JSON") -----------------------------------------------------------


def _as_bytes(value: Bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _encode_event(event: Event) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    _put_bytes(out, _as_bytes(event.payload), "text", "payload")
    if event.key is not None:
        _put_bytes(out, _as_bytes(event.key), "keyText", "key")
    text_headers: Dict[str, str] = {}
    binary_headers: Dict[str, str] = {}
    for name, value in event.headers.items():
        raw = _as_bytes(value)
        try:
            text_headers[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            binary_headers[name] = base64.b64encode(raw).decode("ascii")
    if text_headers:
        out["headers"] = text_headers
    if binary_headers:
        out["headersBase64"] = binary_headers
    if event.timestamp_ms is not None:
        out["timestamp"] = int(event.timestamp_ms)
    return out


def _put_bytes(out: Dict[str, Any], raw: bytes, text_name: str, base64_name: str) -> None:
    try:
        out[text_name] = raw.decode("utf-8")
    except UnicodeDecodeError:
        out[base64_name] = base64.b64encode(raw).decode("ascii")


def _decode_bytes(node: Mapping[str, Any], text_name: str, base64_name: str) -> Optional[bytes]:
    if node.get(text_name) is not None:
        return str(node[text_name]).encode("utf-8")
    if node.get(base64_name) is not None:
        return base64.b64decode(node[base64_name])
    return None


def _decode_event(node: Mapping[str, Any]) -> ReceivedEvent:
    headers = {name: value.encode("utf-8") for name, value in (node.get("headers") or {}).items()}
    headers.update({name: base64.b64decode(v) for name, v in (node.get("headersBase64") or {}).items()})
    return ReceivedEvent(
        payload=_decode_bytes(node, "text", "payload") or b"",
        key=_decode_bytes(node, "keyText", "key"),
        headers=headers,
        timestamp_ms=node.get("timestamp"),
        partition=int(node.get("partition", -1)),
        offset=int(node.get("offset", -1)),
        traceparent=node.get("traceparent"),
    )


def _size(event: Dict[str, Any]) -> int:
    """Bytes of an encoded event as the server's limits count them (key, payload, header names and values)."""
    size = len(_decode_bytes(event, "text", "payload") or b"") + len(_decode_bytes(event, "keyText", "key") or b"")
    for name, value in (event.get("headers") or {}).items():
        size += len(name.encode("utf-8")) + len(value.encode("utf-8"))
    for name, value in (event.get("headersBase64") or {}).items():
        size += len(name.encode("utf-8")) + len(base64.b64decode(value))
    return size


# ---- publisher -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    """What a flush made durable: how many events, and how Kafka holds them (REPLICATED, SPILLED, or None from
    a backend that does not say)."""

    events: int
    durability: Optional[str]


class Publisher:
    """Publishes events to one topic in chunks; :meth:`flush` returns once every sent event is committed.

    Chunks are written and committed one after the other (no pipelining: simpler than the Java SDK, same
    guarantees). The writer id is kept across re-allocations, so a chunk whose commit answer was lost is re-sent
    with the same seq and its events keep the same ``sb-id``. The commit rides on the last write
    (``commit_on_write``, the default): one call per chunk instead of two.
    """

    def __init__(self, transport: Transport, topic: str, *, writer_id: Optional[str] = None,
                 chunk_events: int = 500, affinity: Optional[str] = None,
                 guarantee: str = "AT_LEAST_ONCE", commit_on_write: bool = True,
                 one_chunk_per_publish: bool = False) -> None:
        """``guarantee`` is ``AT_LEAST_ONCE`` (default) or ``EXACTLY_ONCE``; exactly-once needs a stable
        ``writer_id``: the backend keeps the writer's chunks and state in one Kafka transaction, and a re-run
        with the same writer id continues without duplicates. ``commit_on_write`` False: every commit is a call
        of its own (a node older than ``WriteRequest.commit`` gets one anyway).

        ``one_chunk_per_publish`` (the Java SDK's ``oneChunkPerPublish``): every ``chunk_events`` events sent are
        exactly one chunk, numbered in order after :meth:`open`'s answer, so chunk ``n`` of the writer always holds
        the same events of the same input; a chunk the session's limits do not take fails the publisher
        (PAYLOAD_TOO_LARGE) instead of being split, which would shift every later chunk."""
        if chunk_events < 1:
            raise ValueError("chunk_events must be at least 1")
        if guarantee not in ("AT_LEAST_ONCE", "EXACTLY_ONCE"):
            raise ValueError("guarantee must be AT_LEAST_ONCE or EXACTLY_ONCE, got: %r" % (guarantee,))
        if guarantee == "EXACTLY_ONCE" and not writer_id:
            raise ValueError("EXACTLY_ONCE needs a writer_id: it is what a restarted writer continues")
        self.guarantee = guarantee
        self.commit_on_write = commit_on_write
        self.transport = transport
        self._route = transport.route()  # this publisher's API URL: the transport's next in turn
        self.topic = topic
        self.writer_id = writer_id
        self.chunk_events = chunk_events
        self.affinity = affinity
        self.one_chunk_per_publish = one_chunk_per_publish
        self.committed_events = 0
        self._started_after: Optional[int] = None
        self._buffer: List[Dict[str, Any]] = []
        self._pending: List[Tuple[int, List[Dict[str, Any]]]] = []  # chunks sent without a commit answer
        self._last_committed = 0
        self._session: Optional[str] = None
        self._key: Optional[bytes] = None
        self._limits: Dict[str, Any] = {}
        self._mirror: Optional[m.WriteState] = None
        self._durability: Optional[str] = None
        self._closed = False

    def open(self) -> int:
        """Allocates the write session now (else the first chunk does) and returns :attr:`started_after_chunk`."""
        if self._session is None:
            self._allocate()
        return self.started_after_chunk

    @property
    def started_after_chunk(self) -> int:
        """The writer's last committed chunk when its first session was allocated (the durable state the
        allocate answer carries; 0 for a new writer): with ``one_chunk_per_publish`` the first chunk this publisher
        sends is the next one. Allocates when no session was yet."""
        if self._started_after is None:
            self._allocate()
        assert self._started_after is not None
        return self._started_after

    def send(self, event: Union[Event, Bytes]) -> None:
        """Buffers one event (an :class:`Event`, or just its payload); full chunks go out at once."""
        if self._closed:
            raise SwitchboardError("INVALID_REQUEST", "the publisher is closed")
        self._buffer.append(_encode_event(event if isinstance(event, Event) else Event(event)))
        if len(self._buffer) >= self._chunk_limit():
            self._publish_buffer()

    def flush(self) -> PublishResult:
        """Sends what is buffered and returns once every event sent so far is committed."""
        if self._buffer:
            self._publish_buffer()
        return PublishResult(self.committed_events, self._durability)

    def close(self) -> None:
        """Flushes, then disposes the session."""
        if self._closed:
            return
        try:
            self.flush()
        finally:
            self._closed = True
            if self._session is not None:
                try:
                    self.transport.call("dispose", {"sessionId": self._session}, self._session, self._key, retry=False,
                                        route=self._route)
                except SwitchboardError:
                    pass  # the session expires on its own
                self._session = None

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _chunk_limit(self) -> int:
        if self.one_chunk_per_publish:
            return self.chunk_events  # never fewer: a chunk the session cannot take fails instead (_publish_buffer)
        return min(self.chunk_events, int(self._limits.get("maxEventsPerChunk", self.chunk_events)))

    def _publish_buffer(self) -> None:
        if self._session is None:
            self._allocate()
        max_bytes = int(self._limits.get("maxBytesPerChunk", 8 << 20))
        max_event = int(self._limits.get("maxEventBytes", 1 << 20))
        max_events = int(self._limits.get("maxEventsPerChunk", self.chunk_events))
        if self.one_chunk_per_publish and self.chunk_events > max_events:
            raise SwitchboardError("PAYLOAD_TOO_LARGE", "chunks of %d events are over the session's "
                                   "max-events-per-chunk %d, and this publisher sends them as one chunk each: use a "
                                   "smaller chunk_events (--batch)" % (self.chunk_events, max_events))
        while self._buffer:
            chunk: List[Dict[str, Any]] = []
            size = 0
            while self._buffer and len(chunk) < self._chunk_limit():
                event_size = _size(self._buffer[0])
                if event_size > max_event:
                    raise SwitchboardError("PAYLOAD_TOO_LARGE", "an event of %d bytes is over the session's "
                                           "max-event-bytes %d" % (event_size, max_event))
                if chunk and size + event_size > max_bytes:
                    break
                chunk.append(self._buffer.pop(0))
                size += event_size
            if self.one_chunk_per_publish and self._buffer:
                raise SwitchboardError("PAYLOAD_TOO_LARGE", "%d events do not fit one chunk of this session (at most "
                                       "%s events and %d bytes per chunk), and this publisher sends them as one "
                                       "chunk: use a smaller chunk_events (--batch)" % (
                                           len(chunk) + len(self._buffer),
                                           self._limits.get("maxEventsPerChunk", "?"), max_bytes))
            self._publish(chunk)

    def _publish(self, events: List[Dict[str, Any]]) -> None:
        assert isinstance(self._mirror, m.Open)
        seq = self._mirror.next_seq
        self._pending.append((seq, events))
        self._with_session(self._write_and_commit_pending)

    def _write_and_commit_pending(self) -> None:
        """Writes every pending chunk the session has not staged and commits the last, riding on its write when
        ``commit_on_write``; mirrors each step."""
        if not self._pending:
            return
        last = self._pending[-1][0]
        answer: Dict[str, Any] = {}
        for seq, events in list(self._pending):
            rides = self.commit_on_write and seq == last
            step = m.write_apply(self._mirror, m.WriteAndCommit(seq) if rides else m.Write(seq))
            for effect in step.effects:
                if isinstance(effect, m.Rejection):
                    raise SwitchboardError(effect.code, effect.message, expected_seq=effect.expected_seq)
            self._mirror = step.state
            request: Dict[str, Any] = {"sessionId": self._session, "seq": seq, "events": events}
            if rides:
                request["commit"] = True
            answer = self.transport.call("write", request, self._session, self._key, route=self._route)
        commit = answer.get("commit") if self.commit_on_write else None
        if commit is None:  # committing apart (by choice, or a node older than WriteRequest.commit staged only)
            self._mirror = m.write_apply(self._mirror, m.Commit(last)).state
            commit = self.transport.call("commit", {"sessionId": self._session, "seq": last}, self._session, self._key,
                                         route=self._route)
        committed = int(commit["committedSeq"])
        self._durability = commit.get("durability", self._durability)
        self._mirror = m.write_apply(self._mirror, m.Published(committed)).state
        self._acknowledge(committed)

    def _acknowledge(self, committed: int) -> None:
        kept = []
        for seq, events in self._pending:
            if seq <= committed:
                self.committed_events += len(events)
            else:
                kept.append((seq, events))
        self._pending = kept
        self._last_committed = max(self._last_committed, committed)

    def _with_session(self, action) -> None:
        for _ in range(MAX_REALLOCATIONS):
            try:
                action()
                return
            except SwitchboardError as e:
                if not e.needs_reallocation:
                    raise
                self._session = None
                self._allocate()
        raise SwitchboardError("UNAVAILABLE", "the session was lost %d times in a row" % MAX_REALLOCATIONS)

    def _allocate(self) -> None:
        request: Dict[str, Any] = {"topic": self.topic, "mode": "WRITE", "lastCommittedSeq": self._last_committed,
                                   "guarantee": self.guarantee}
        if self.writer_id:
            request["writerId"] = self.writer_id
        if self.affinity:
            request["affinity"] = self.affinity
        answer = _allocate(self.transport, request, self._route)
        last = int(answer.get("lastCommittedSeq", 0))
        if self._started_after is not None:
            self._check_replacement(last)
        self._session = answer["sessionId"]
        self._key = base64.b64decode(answer["macKey"]) if answer.get("macKey") else None
        self._limits = answer.get("limits", {})
        self.writer_id = answer.get("writerId", self.writer_id)
        if self._started_after is None:
            self._started_after = last
            self._last_committed = last
        self._acknowledge(last)  # chunks the backend already has are committed
        self._mirror = m.write_initial(last, int(self._limits.get("writeWindow", 16)))
        # chunks not yet committed keep their numbers: the pending ones follow the last committed chunk
        self._pending = [(last + 1 + i, events) for i, (_, events) in enumerate(self._pending)]

    def _check_replacement(self, last: int) -> None:
        """A new session of this writer: the answer may confirm chunks this publisher sent, never more (as the
        Java SDK's ``WriterState.replace``): below what it saw committed, the durable state lost commits; above
        the newest chunk it numbered, someone else wrote under this writer id (or an earlier run's commits landed
        late); renumbering or confirming would then lose or duplicate events silently."""
        newest = self._pending[-1][0] if self._pending else self._last_committed
        if last < self._last_committed:
            raise SwitchboardError("INTERNAL", "the new session says chunk %d is the last committed, but this writer "
                                   "saw chunk %d committed" % (last, self._last_committed))
        if last > newest:
            raise SwitchboardError("INVALID_REQUEST", "the new session says chunk %d of writer %s is committed, but "
                                   "this publisher numbered chunks only up to %d: is another publisher using the "
                                   "same writer id, or did an earlier run's commits, still in doubt when it ended, "
                                   "land meanwhile? A new publisher with this writer id continues after chunk %d"
                                   % (last, self.writer_id, newest, last))


# ---- subscriber ------------------------------------------------------------------------------------------------


class Subscriber:
    """Reads a topic batch by batch; the position is the cursor of the last acknowledged batch.

    ``start`` is where a subscriber without a saved cursor begins: "earliest", "latest", or an int of epoch
    milliseconds. With a :class:`FileCursorStore` it resumes where the last run acknowledged. With
    ``ack_on_poll`` (the default) an ack rides on the next poll's read, one call per batch, or is sent by
    :meth:`close`; the cursor moves and is saved then.
    """

    def __init__(self, transport: Transport, topic: str, *, start: Union[str, int] = "earliest",
                 cursor_store: Optional[CursorStore] = None, affinity: Optional[str] = None,
                 ack_on_poll: bool = True) -> None:
        if not (start in ("earliest", "latest") or isinstance(start, int)):
            raise ValueError("start must be 'earliest', 'latest' or epoch milliseconds")
        self.transport = transport
        self._route = transport.route()  # this subscriber's API URL: the transport's next in turn
        self.topic = topic
        self.start = start
        self.cursors = cursor_store or MemoryCursorStore()
        self.affinity = affinity
        self.cursor: Optional[str] = self.cursors.load()
        self._session: Optional[str] = None
        self._key: Optional[bytes] = None
        self._limits: Dict[str, Any] = {}
        self._mirror: m.ReadState = m.read_initial()
        self._generation = 0
        self._delivered: Optional[Batch] = None
        self._ack_on_poll = ack_on_poll  # turned off for good when a node does not take an ack on a read
        self._ack_pending = False  # the delivered batch is acknowledged; the ack rides on the next read

    def poll(self, max_events: int = 1000, max_wait_ms: int = 5000) -> Batch:
        """The next batch, waiting up to ``max_wait_ms`` for one (empty when none came). Until it is
        acknowledged, polling again returns the same batch."""
        if (self._delivered is not None and self._delivered.generation == self._generation
                and not self._ack_pending):
            return self._delivered
        for _ in range(MAX_REALLOCATIONS):
            try:
                return self._read(max_events, max_wait_ms)
            except SwitchboardError as e:
                if self._ack_pending and e.code == "OUT_OF_SEQUENCE":
                    # a node older than ReadRequest.ackSeq read past the ack: acknowledge apart from now on
                    self._ack_on_poll = False
                    self._ack_pending = False
                    self._send_ack(self._delivered)  # type: ignore[arg-type]
                    continue
                if not e.needs_reallocation:
                    raise
                if self._ack_pending and e.code == "DRAINING":
                    try:  # a draining node still takes acks: the new session starts after the batch
                        self._ack_pending = False
                        self._send_ack(self._delivered)  # type: ignore[arg-type]
                    except SwitchboardError:
                        pass  # delivered again
                self._reallocate()
        raise SwitchboardError("UNAVAILABLE", "the session was lost %d times in a row" % MAX_REALLOCATIONS)

    def ack(self, batch: Batch) -> Optional[str]:
        """Acknowledges ``batch`` (and every one before it) and saves the new cursor; returns the cursor. With
        ``ack_on_poll`` the ack rides on the next poll (or is sent by :meth:`close`), so the cursor returned and
        saved is still the one before ``batch`` until then. A batch of a session that was since lost is not
        acknowledged: its events are read again (at-least-once)."""
        if batch.generation != self._generation or not batch.events:
            return self.cursor
        if batch is not self._delivered:
            return self.cursor  # already acknowledged
        if self._ack_on_poll:
            self._ack_pending = True
            return self.cursor
        return self._send_ack(batch)

    def _send_ack(self, batch: Batch) -> Optional[str]:
        """Sends the ack of ``batch`` as a call of its own."""
        try:
            answer = self.transport.call("ack", {"sessionId": self._session, "seq": batch.seq}, self._session, self._key,
                                         route=self._route)
        except SwitchboardError as e:
            if not e.needs_reallocation:
                raise
            self._reallocate()
            return self.cursor
        self._mirror = m.read_apply(self._mirror, m.Ack(batch.seq)).state
        return self._acknowledged(answer)

    def _acknowledged(self, answer: Mapping[str, Any]) -> Optional[str]:
        """The backend answered an ack (its own call, or riding on a read): save its cursor."""
        self._delivered = None
        self._ack_pending = False
        self.cursor = answer["cursor"]
        self.cursors.save(self.cursor)
        return self.cursor

    def close(self) -> None:
        """Sends an ack still pending, then disposes the session (the cursor stays where the last ack left it)."""
        if self._session is not None and self._ack_pending and self._delivered is not None:
            self._ack_pending = False
            try:
                self._send_ack(self._delivered)
            except SwitchboardError:
                pass  # the batch is delivered again from the saved cursor
        if self._session is not None:
            try:
                self.transport.call("dispose", {"sessionId": self._session}, self._session, self._key, retry=False,
                                        route=self._route)
            except SwitchboardError:
                pass
            self._session = None

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, max_events: int, max_wait_ms: int) -> Batch:
        if self._session is None:
            self._allocate()
        acking = self._ack_pending and isinstance(self._mirror, m.Delivered)
        if acking:
            acked = self._mirror.seq  # type: ignore[union-attr]
            seq = acked + 1
            command: Any = m.AckAndRead(acked, seq)
        else:
            seq = self._mirror.next_seq if isinstance(self._mirror, m.Idle) else self._mirror.seq  # type: ignore[union-attr]
            command = m.Read(seq)
        step = m.read_apply(self._mirror, command)
        for effect in step.effects:
            if isinstance(effect, m.Rejection):
                raise SwitchboardError(effect.code, effect.message, expected_seq=effect.expected_seq)
        request: Dict[str, Any] = {
            "sessionId": self._session, "seq": seq,
            "maxEvents": max(1, min(max_events, int(self._limits.get("maxEventsPerRead", max_events)))),
            "maxWaitMs": max(0, min(max_wait_ms, int(self._limits.get("maxWaitMs", max_wait_ms))))}
        if acking:
            request["ackSeq"] = seq - 1
        answer = self.transport.call("read", request, self._session, self._key, route=self._route)
        if acking:
            if "ack" not in answer:
                raise SwitchboardError("INTERNAL", "the server read batch %d but did not answer the ack riding on it"
                                       % seq)
            self._mirror = step.state
            self._acknowledged(answer["ack"])
        events = [_decode_event(e) for e in answer.get("events", [])]
        if not events:
            return Batch(seq, [], self._generation)  # a long-poll timeout: seq not used
        if isinstance(self._mirror, m.Idle):
            self._mirror = m.read_apply(self._mirror, m.Fetched(seq)).state
        self._delivered = Batch(seq, events, self._generation)
        return self._delivered

    def _allocate(self) -> None:
        request: Dict[str, Any] = {"topic": self.topic, "mode": "READ"}
        if self.cursor:
            request["cursor"] = self.cursor
        elif isinstance(self.start, int):
            request.update(startFrom="TIMESTAMP", startTimestamp=self.start)
        else:
            request["startFrom"] = self.start.upper()
        if self.affinity:
            request["affinity"] = self.affinity
        answer = _allocate(self.transport, request, self._route)
        self._session = answer["sessionId"]
        self._key = base64.b64decode(answer["macKey"]) if answer.get("macKey") else None
        self._limits = answer.get("limits", {})
        self._mirror = m.read_initial()
        if self.cursor is None and answer.get("cursor"):
            # a fresh start pins its position, so a re-allocation resumes here, not at a moving "latest"
            self.cursor = answer["cursor"]

    def _reallocate(self) -> None:
        self._session = None
        self._generation += 1
        self._delivered = None
        self._ack_pending = False
        self._allocate()


def _allocate(transport: Transport, request: Dict[str, Any], route: Optional[Route] = None) -> Dict[str, Any]:
    try:
        # a draining node takes no new sessions, but the next allocation goes to another node
        return transport.call("allocate", request, also_retry=frozenset({"DRAINING"}), route=route)
    except SwitchboardError as e:
        raise SwitchboardError(e.code, "allocate failed: " + e.message, retriable=e.retriable,
                               expected_seq=e.expected_seq, retry_after_ms=e.retry_after_ms, status=e.status) from None


def connect(urls: Sequence[str] = ("http://127.0.0.1:8080",), token: Optional[str] = None,
            ca_file: Optional[str] = None, retry_budget_s: float = 120.0) -> Transport:
    """A transport to these API URLs, presenting ``token`` on allocate: each publisher and subscriber starts at the
    next URL in turn and fails over to the following ones on its own."""
    return Transport(urls, token=token, ca_file=ca_file, retry_budget_s=retry_budget_s)
