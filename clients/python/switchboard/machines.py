"""The session state machines, ported from switchboard-core's ReadMachine and WriteMachine.

Pure transition functions ``apply(state, command) -> Transition(state, effects)``: the SDK applies a command to its
mirror when it sends it and the server's answers as events, exactly as the Java SDK and the backend do. Both ports
are checked against the same table of cases as the Java ones (docs/vectors/session-machines.json).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, List, Tuple, TypeVar, Union

S = TypeVar("S")
E = TypeVar("E")


@dataclass(frozen=True)
class Transition(Generic[S, E]):
    """The next state and the effects to carry out, in order."""

    state: S
    effects: Tuple[E, ...] = ()


@dataclass(frozen=True)
class Rejection:
    """Why a machine refused a command; the state is unchanged. expected_seq/retry_after_ms: -1 when unset."""

    code: str
    message: str = field(compare=False)
    expected_seq: int = -1
    retry_after_ms: int = -1


def _out_of_sequence(expected: int, message: str) -> Rejection:
    return Rejection("OUT_OF_SEQUENCE", message, expected, -1)


# ---- read session ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idle:
    """Every batch up to acked_seq is acknowledged; the next read is acked_seq + 1."""

    acked_seq: int

    @property
    def next_seq(self) -> int:
        return self.acked_seq + 1


@dataclass(frozen=True)
class Delivered:
    """Batch seq is out and not acknowledged."""

    seq: int

    @property
    def acked_seq(self) -> int:
        return self.seq - 1


@dataclass(frozen=True)
class ReadClosed:
    pass


@dataclass(frozen=True)
class Read:
    seq: int


@dataclass(frozen=True)
class Ack:
    seq: int


@dataclass(frozen=True)
class AckAndRead:
    """The ack riding on a read: Ack(ack_seq) then Read(seq), all or nothing."""

    ack_seq: int
    seq: int


@dataclass(frozen=True)
class Fetched:
    seq: int


@dataclass(frozen=True)
class ReadDispose:
    pass


@dataclass(frozen=True)
class Fetch:
    seq: int


@dataclass(frozen=True)
class Deliver:
    seq: int


@dataclass(frozen=True)
class Redeliver:
    seq: int


@dataclass(frozen=True)
class Acknowledged:
    acked_seq: int


@dataclass(frozen=True)
class Release:
    pass


ReadState = Union[Idle, Delivered, ReadClosed]
ReadCommand = Union[Read, Ack, AckAndRead, Fetched, ReadDispose]
ReadEffect = Union[Fetch, Deliver, Redeliver, Acknowledged, Release, Rejection]


def read_initial() -> ReadState:
    return Idle(0)


def read_apply(state: ReadState, command: ReadCommand) -> Transition:
    """The read machine's transition function (ReadMachine.apply)."""
    if isinstance(command, ReadDispose):
        # Disposing twice (a retried dispose whose answer was lost) must not release twice.
        return Transition(state) if isinstance(state, ReadClosed) else Transition(ReadClosed(), (Release(),))
    if isinstance(command, AckAndRead):
        return _ack_then_read(state, command)
    if isinstance(state, ReadClosed):
        return Transition(state, (Rejection("SESSION_LOST", "session is closed"),))
    if isinstance(state, Idle):
        nxt = state.next_seq
        if isinstance(command, Read):
            if command.seq == nxt:
                return Transition(state, (Fetch(nxt),))
            return Transition(state, (_out_of_sequence(nxt, "read %d out of sequence; next batch is %d" % (command.seq, nxt)),))
        if isinstance(command, Fetched):
            if command.seq == nxt:
                return Transition(Delivered(nxt), (Deliver(nxt),))
            return Transition(state, (Rejection("INTERNAL", "fetched batch %d was not asked for" % command.seq),))
        if isinstance(command, Ack):
            if command.seq <= state.acked_seq:
                return Transition(state, (Acknowledged(state.acked_seq),))
            return Transition(state, (_out_of_sequence(nxt, "ack %d for a batch not delivered" % command.seq),))
    if isinstance(state, Delivered):
        seq = state.seq
        if isinstance(command, Read):
            if command.seq == seq:
                return Transition(state, (Redeliver(seq),))
            return Transition(state, (_out_of_sequence(seq, "read %d while batch %d is not acknowledged" % (command.seq, seq)),))
        if isinstance(command, Ack):
            if command.seq == seq:
                return Transition(Idle(seq), (Acknowledged(seq),))
            if command.seq < seq:
                return Transition(state, (Acknowledged(state.acked_seq),))
            return Transition(state, (_out_of_sequence(seq, "ack %d for a batch not delivered" % command.seq),))
        if isinstance(command, Fetched):
            return Transition(state, (Rejection("INTERNAL", "fetched batch %d while %d is out" % (command.seq, seq)),))
    raise TypeError("unknown read state or command: %r %r" % (state, command))


def _ack_then_read(state: ReadState, command: AckAndRead) -> Transition:
    """Ack then Read as one step: when either part is refused, the whole is, and the state stays."""
    ack = read_apply(state, Ack(command.ack_seq))
    if any(isinstance(e, Rejection) for e in ack.effects):
        return Transition(state, ack.effects)
    read = read_apply(ack.state, Read(command.seq))
    if any(isinstance(e, Rejection) for e in read.effects):
        return Transition(state, read.effects)
    return Transition(read.state, ack.effects + read.effects)


# ---- write session -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """committed <= publishing <= staged <= committed + window."""

    committed: int
    publishing: int
    staged: int
    window: int

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError("window must be at least 1, got %d" % self.window)
        if (self.committed < 0 or self.publishing < self.committed or self.staged < self.publishing
                or self.staged - self.committed > self.window):
            raise ValueError("broken write counters: %r" % (self,))

    @property
    def next_seq(self) -> int:
        return self.staged + 1

    @property
    def window_full(self) -> bool:
        return self.staged - self.committed >= self.window


@dataclass(frozen=True)
class WriteClosed:
    pass


@dataclass(frozen=True)
class Write:
    seq: int


@dataclass(frozen=True)
class Commit:
    seq: int


@dataclass(frozen=True)
class WriteAndCommit:
    """The commit riding on a write: Write(seq) then Commit(seq), all or nothing."""

    seq: int


@dataclass(frozen=True)
class Published:
    """Edge event: every chunk up to seq is in Kafka (the client mirror applies a commit answer as this)."""

    seq: int


@dataclass(frozen=True)
class PublishFailed:
    pass


@dataclass(frozen=True)
class WriteDispose:
    pass


@dataclass(frozen=True)
class Stage:
    seq: int


@dataclass(frozen=True)
class AlreadyStaged:
    seq: int


@dataclass(frozen=True)
class Publish:
    from_seq: int
    to_seq: int


@dataclass(frozen=True)
class AwaitCommitted:
    seq: int


@dataclass(frozen=True)
class Committed:
    seq: int


@dataclass(frozen=True)
class Rewound:
    committed: int


WriteState = Union[Open, WriteClosed]
WriteCommand = Union[Write, Commit, WriteAndCommit, Published, PublishFailed, WriteDispose]
WriteEffect = Union[Stage, AlreadyStaged, Publish, AwaitCommitted, Committed, Rewound, Release, Rejection]

#: How long a writer waits when its window is full before trying again (WriteMachine.RETRY_AFTER_MS).
RETRY_AFTER_MS = 20


def write_initial(last_committed_seq: int, window: int) -> WriteState:
    return Open(last_committed_seq, last_committed_seq, last_committed_seq, window)


def write_apply(state: WriteState, command: WriteCommand) -> Transition:
    """The write machine's transition function (WriteMachine.apply)."""
    if isinstance(command, WriteDispose):
        return Transition(state) if isinstance(state, WriteClosed) else Transition(WriteClosed(), (Release(),))
    if isinstance(state, WriteClosed):
        return Transition(state, (Rejection("SESSION_LOST", "session is closed"),))
    o: Open = state
    if isinstance(command, WriteAndCommit):
        write = write_apply(o, Write(command.seq))
        if any(isinstance(e, Rejection) for e in write.effects):
            return write  # the state stayed
        commit = write_apply(write.state, Commit(command.seq))  # seq is staged now: never refused
        return Transition(commit.state, write.effects + commit.effects)
    if isinstance(command, Write):
        seq = command.seq
        if seq <= o.staged:
            return Transition(o, (AlreadyStaged(seq),))
        if seq != o.next_seq:
            return Transition(o, (_out_of_sequence(o.next_seq, "write %d out of sequence; next chunk is %d" % (seq, o.next_seq)),))
        if o.window_full:
            return Transition(o, (Rejection("BUSY", "write window of %d chunks is full; commit first" % o.window, -1, RETRY_AFTER_MS),))
        return Transition(Open(o.committed, o.publishing, seq, o.window), (Stage(seq),))
    if isinstance(command, Commit):
        seq = command.seq
        if seq <= o.committed:
            return Transition(o, (Committed(o.committed),))
        if seq > o.staged:
            return Transition(o, (_out_of_sequence(o.staged, "commit %d beyond the last staged chunk %d" % (seq, o.staged)),))
        if seq <= o.publishing:
            return Transition(o, (AwaitCommitted(seq),))
        return Transition(Open(o.committed, seq, o.staged, o.window), (Publish(o.publishing + 1, seq), AwaitCommitted(seq)))
    if isinstance(command, Published):
        seq = command.seq
        if seq <= o.committed:
            return Transition(o)  # a late, already covered acknowledgement
        if seq > o.staged:
            return Transition(o, (Rejection("INTERNAL", "published %d beyond staged %d" % (seq, o.staged)),))
        return Transition(Open(seq, max(o.publishing, seq), o.staged, o.window), (Committed(seq),))
    if isinstance(command, PublishFailed):
        return Transition(Open(o.committed, o.committed, o.staged, o.window), (Rewound(o.committed),))
    raise TypeError("unknown write state or command: %r %r" % (state, command))


__all__: List[str] = [name for name in dir() if not name.startswith("_")]
