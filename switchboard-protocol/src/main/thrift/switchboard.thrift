// Switchboard wire protocol: the source of truth for the API tier, the switch and every SDK.
// Generated Java lives in src/main/thrift-gen; regenerate with scripts/generate-thrift.sh.
// Field ids never change meaning; new fields are optional.

namespace java dev.switchboard.protocol.thrift

/** Stable error codes; the numbers never change. See docs/errors.md. */
enum ErrorCode {
  UNAUTHENTICATED = 1,
  FORBIDDEN = 2,
  INVALID_REQUEST = 3,
  OUT_OF_SEQUENCE = 4,
  SESSION_LOST = 5,
  BUSY = 6,
  DRAINING = 7,
  TOPIC_NOT_FOUND = 8,
  PAYLOAD_TOO_LARGE = 9,
  UNAVAILABLE = 10,
  INTERNAL = 11,
}

/** The one error shape. expectedSeq is set for OUT_OF_SEQUENCE, retryAfterMs for BUSY. */
exception SwitchboardError {
  1: required ErrorCode code,
  2: required string message,
  3: optional i64 expectedSeq,
  4: optional i64 retryAfterMs,
}

enum SessionMode {
  READ = 1,
  WRITE = 2,
}

enum StartFrom {
  EARLIEST = 1,
  LATEST = 2,
  TIMESTAMP = 3,
}

enum Guarantee {
  AT_LEAST_ONCE = 1,
  EXACTLY_ONCE = 2,
}

/** One event. partition and offset are set on events returned by read. */
struct Event {
  1: optional binary key,
  2: required binary payload,
  3: optional map<string, binary> headers,
  4: optional i64 timestamp,
  5: optional i32 partition,
  6: optional i64 offset,
}

/** What the backend allows a session; the client sizes its requests by these. */
struct Limits {
  1: required i32 maxEventsPerRead,
  2: required i32 maxBytesPerRead,
  3: required i32 writeWindow,
  4: required i32 maxEventsPerChunk,
  5: required i32 maxBytesPerChunk,
  6: required i32 maxEventBytes,
  7: required i64 sessionTtlMs,
  8: required i32 maxWaitMs,
}

struct AllocateRequest {
  1: required string topic,
  2: required SessionMode mode,
  /** readers: resume from this cursor (wins over startFrom) */
  3: optional string cursor,
  4: optional StartFrom startFrom,
  5: optional i64 startTimestamp,
  /** route cookie for shard choice; default principal + topic */
  6: optional string affinity,
  /** writers: stable id across re-allocations; generated when absent */
  7: optional string writerId,
  8: optional Guarantee guarantee,
  /**
   * writers: the last chunk seq this client knows committed. Never trusted above the writer's durable state:
   * a hint beyond it is refused (INVALID_REQUEST); the answer's lastCommittedSeq is the durable state.
   */
  9: optional i64 lastCommittedSeq,
  /**
   * Set by the API tier to the authenticated subject of the allocate's token (absent without tokens); whatever
   * a client sends here is replaced. Writer state is kept per (principal, topic, writerId).
   */
  10: optional string principal,
}

struct AllocateResponse {
  1: required string sessionId,
  2: required Limits limits,
  /** readers: the cursor of the session's starting position */
  3: optional string cursor,
  /** writers: the writer id and its last committed chunk seq; the next write is lastCommittedSeq + 1 */
  4: optional string writerId,
  5: optional i64 lastCommittedSeq,
  /** per-session request MAC key (security) */
  6: optional binary macKey,
}

struct ReadRequest {
  1: required string sessionId,
  2: required i64 seq,
  3: optional i32 maxEvents,
  4: optional i32 maxBytes,
  5: optional i32 maxWaitMs,
}

/** An empty events list is a long-poll timeout and did not consume seq. */
struct ReadResponse {
  1: required i64 seq,
  2: required list<Event> events,
}

struct AckRequest {
  1: required string sessionId,
  2: required i64 seq,
}

struct AckResponse {
  1: required i64 seq,
  2: required string cursor,
}

struct WriteRequest {
  1: required string sessionId,
  2: required i64 seq,
  3: required list<Event> events,
}

struct WriteResponse {
  1: required i64 seq,
  /** the highest staged chunk seq after this write */
  2: required i64 stagedSeq,
}

struct CommitRequest {
  1: required string sessionId,
  2: required i64 seq,
}

/** How a commit answer's chunks are held. See docs/protocol.md. */
enum Durability {
  /** Kafka acknowledged every chunk up to committedSeq with acks=all */
  REPLICATED = 1,
  /** some chunks are in a node's spill journal (fsynced), to be re-injected into Kafka when it restarts */
  SPILLED = 2,
}

struct CommitResponse {
  1: required i64 committedSeq,
  /** how the chunks up to committedSeq are held; absent only from a backend older than this field */
  2: optional Durability durability,
}

struct DisposeRequest {
  1: required string sessionId,
}

struct DisposeResponse {
}

/** The session protocol. Every call is idempotent; see docs/protocol.md. */
service Switchboard {
  AllocateResponse allocate(1: AllocateRequest request) throws (1: SwitchboardError error),
  ReadResponse read(1: ReadRequest request) throws (1: SwitchboardError error),
  AckResponse ack(1: AckRequest request) throws (1: SwitchboardError error),
  WriteResponse write(1: WriteRequest request) throws (1: SwitchboardError error),
  CommitResponse commit(1: CommitRequest request) throws (1: SwitchboardError error),
  DisposeResponse dispose(1: DisposeRequest request) throws (1: SwitchboardError error),
}

/** What the switch carries from an API node to a backend node: exactly one call. */
union SwitchRequest {
  1: AllocateRequest allocate,
  2: ReadRequest read,
  3: AckRequest ack,
  4: WriteRequest write,
  5: CommitRequest commit,
  6: DisposeRequest dispose,
}

/** What comes back over the switch: the call's answer or its error. */
union SwitchResponse {
  1: AllocateResponse allocate,
  2: ReadResponse read,
  3: AckResponse ack,
  4: WriteResponse write,
  5: CommitResponse commit,
  6: DisposeResponse dispose,
  7: SwitchboardError error,
}
