// Switchboard wire protocol: the source of truth for the API tier and every SDK (docs/protocol.md explains it).
// Generated Java lives in src/main/thrift-gen; regenerate with scripts/generate-thrift.sh.
// Field ids never change meaning; new fields are optional.
//
// Units: every *Ms field and every timestamp is in milliseconds (timestamps: since the Unix epoch, UTC);
// every *Bytes field in bytes; every seq is a 64-bit count starting at 1. A client that sends seconds where
// milliseconds are meant asks for 1970.
//
// The switch's internal envelopes (SwitchRequest, SwitchResponse) are in switch.thrift, not here: clients need
// only this file.

namespace java dev.switchboard.protocol.thrift
namespace py switchboard_thrift
namespace go switchboard
namespace js Switchboard
namespace netstd Switchboard.Protocol
namespace rb Switchboard
namespace php Switchboard
namespace cpp switchboard

// The version of this protocol. Within a version, changes are compatible both ways (new optional fields, new
// enum values that old readers treat as unknown); a change old nodes or SDKs cannot read gets a new version and
// a new endpoint (/v2/thrift) served beside the old one for at least one release (docs/operations.md).
const i32 PROTOCOL_VERSION = 1

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

/** The one error shape every call throws. */
exception SwitchboardError {
  1: required ErrorCode code,
  /** human-readable and safe to log; never a contract: branch on code */
  2: required string message,
  /** set with OUT_OF_SEQUENCE: the seq the session expected (read: the next batch, or the delivered one not
      yet acknowledged; ack: the next batch; write: the next chunk, staged + 1; commit: the last staged chunk) */
  3: optional i64 expectedSeq,
  /** set with BUSY: milliseconds to wait before sending the same request again */
  4: optional i64 retryAfterMs,
}

enum SessionMode {
  READ = 1,
  WRITE = 2,
}

/** Where a reader without a cursor starts. */
enum StartFrom {
  EARLIEST = 1,
  LATEST = 2,
  /** the first event at or after AllocateRequest.startTimestamp, per partition */
  TIMESTAMP = 3,
}

enum Guarantee {
  AT_LEAST_ONCE = 1,
  /** a transactional producer per writer: each chunk and the writer state in one Kafka transaction (docs/protocol.md) */
  EXACTLY_ONCE = 2,
}

/** One event. partition and offset are set on events returned by read and ignored on write. */
struct Event {
  /** the Kafka record key (partitioning, compaction); absent = no key, spread over the partitions */
  1: optional binary key,
  /** the event's bytes, sealed at rest; may be empty, never absent */
  2: required binary payload,
  /** header name -> value. Reserved: "sb-id" is set by Switchboard on every written event
      (<writerId>:<chunkSeq>:<index>); a client's own "sb-id" is replaced, never stored.
      Names starting with "sb-" are reserved for Switchboard. */
  3: optional map<string, binary> headers,
  /** epoch milliseconds (UTC); on write, absent = the time the backend publishes it; never negative */
  4: optional i64 timestamp,
  /** read only: the Kafka partition */
  5: optional i32 partition,
  /** read only: the Kafka offset within the partition */
  6: optional i64 offset,
  /**
   * read only: the W3C trace context the event was written under (its record's clear "traceparent" header,
   * kept outside the sealed envelope), so a consumer can link its span to the producer's; absent when the
   * write carried none. Ignored on write: the write call's own trace context is what is recorded.
   */
  7: optional string traceparent,
}

/** What the backend allows a session; the client sizes its requests by these. */
struct Limits {
  /** the most events one read returns (server default 1000) */
  1: required i32 maxEventsPerRead,
  /** the most bytes one read returns, though always at least one event (default 4 MiB) */
  2: required i32 maxBytesPerRead,
  /** how many chunks a writer may stage beyond the last committed one before it must commit (default 16) */
  3: required i32 writeWindow,
  /** the most events in one written chunk (default 10000) */
  4: required i32 maxEventsPerChunk,
  /** the most bytes in one written chunk, counted as key + payload + header names and values (default 8 MiB) */
  5: required i32 maxBytesPerChunk,
  /** the most bytes of one event: key + payload + header names and values (default 1 MiB) */
  6: required i32 maxEventBytes,
  /** milliseconds a session may stay idle before the backend disposes it (default 300000) */
  7: required i64 sessionTtlMs,
  /** the longest a read long-polls, in milliseconds; larger ReadRequest.maxWaitMs are cut to it (default 30000) */
  8: required i32 maxWaitMs,
}

struct AllocateRequest {
  /** the Kafka topic; names starting with "__" are internal and refused */
  1: required string topic,
  2: required SessionMode mode,
  /** readers: resume from this cursor (an AckResponse or AllocateResponse cursor; wins over startFrom) */
  3: optional string cursor,
  /** readers without a cursor: where to start; absent = EARLIEST */
  4: optional StartFrom startFrom,
  /** readers with startFrom TIMESTAMP: epoch milliseconds (UTC), not negative; seconds here mean 1970 */
  5: optional i64 startTimestamp,
  /** route cookie for the shard choice; absent or blank = the topic */
  6: optional string affinity,
  /** writers: stable id across re-allocations, 1-128 of [A-Za-z0-9._:-]; absent = the backend makes one */
  7: optional string writerId,
  /** writers: absent = AT_LEAST_ONCE */
  8: optional Guarantee guarantee,
  /**
   * writers: the last chunk seq this client knows committed (absent = 0). Never trusted above the writer's
   * durable state: a hint beyond it is refused (INVALID_REQUEST); the answer's lastCommittedSeq is the durable state.
   */
  9: optional i64 lastCommittedSeq,
  /**
   * Set by the API tier to the authenticated subject of the allocate's token (absent without tokens); whatever
   * a client sends here is replaced. Writer state is kept per (principal, topic, writerId).
   */
  10: optional string principal,
}

struct AllocateResponse {
  /** <shard>.<node>.<random>; every later call names it */
  1: required string sessionId,
  2: required Limits limits,
  /** readers: the cursor of the session's starting position */
  3: optional string cursor,
  /** writers: the writer id (the asked one, or the one the backend made) */
  4: optional string writerId,
  /** writers: the last committed chunk seq; the next write is lastCommittedSeq + 1 */
  5: optional i64 lastCommittedSeq,
  /** the session's request MAC key, 32 bytes, set when the server checks request MACs (always, outside tests);
      every later call is signed with it (docs/protocol.md, "Request MACs") */
  6: optional binary macKey,
}

struct ReadRequest {
  1: required string sessionId,
  /** the batch: acknowledged seq + 1 for a new batch, or the delivered unacknowledged seq to get it again */
  2: required i64 seq,
  /** at least 1; absent or above Limits.maxEventsPerRead = that limit */
  3: optional i32 maxEvents,
  /** at least 1; absent or above Limits.maxBytesPerRead = that limit (one event is always returned whole) */
  4: optional i32 maxBytes,
  /** milliseconds to long-poll when nothing is there, not negative; absent or 0 = answer at once;
      above Limits.maxWaitMs = that limit */
  5: optional i32 maxWaitMs,
  /**
   * The ack riding on this read: acknowledges every batch <= ackSeq first, exactly as an ack call of ackSeq
   * would, then reads (usually ackSeq = the delivered batch and seq = ackSeq + 1, one call per batch). Refused
   * as a whole (nothing acknowledged, nothing read) when either part would be refused. Absent = a plain read.
   */
  6: optional i64 ackSeq,
}

/** An empty events list is a long-poll timeout and did not consume seq (an ack riding on it still counts). */
struct ReadResponse {
  /** the batch's seq, as asked */
  1: required i64 seq,
  2: required list<Event> events,
  /** set when the request carried ackSeq: what the ack call would have answered (the new cursor). Absent
      from a node older than this field, which ignored the ack: send it as an ack call */
  3: optional AckResponse ack,
}

struct AckRequest {
  1: required string sessionId,
  /** cumulative: acknowledges every batch <= seq; the delivered batch, or an older one to get the cursor again */
  2: required i64 seq,
}

struct AckResponse {
  /** the acknowledged seq (the last one, when an older one was asked) */
  1: required i64 seq,
  /** the position after every acknowledged batch: resume from it with AllocateRequest.cursor */
  2: required string cursor,
}

struct WriteRequest {
  1: required string sessionId,
  /** the chunk: the last staged seq + 1 for a new chunk (the first is lastCommittedSeq + 1); a seq already
      staged is answered again and not staged twice */
  2: required i64 seq,
  /** at least one; at most Limits.maxEventsPerChunk events and Limits.maxBytesPerChunk bytes */
  3: required list<Event> events,
  /**
   * The commit riding on this write: true = once the chunk is staged, commit seq exactly as a commit call of
   * seq would, and answer when that commit answers (a commit failure is the call's error; the chunk stays
   * staged, and sending the same write again is a retry of both). Absent or false = stage only.
   */
  4: optional bool commit,
}

struct WriteResponse {
  /** the chunk's seq, as asked */
  1: required i64 seq,
  /** the highest staged chunk seq after this write */
  2: required i64 stagedSeq,
  /** set when the request had commit = true: what the commit call would have answered. Absent from a node
      older than this field, which only staged the chunk: commit it with a commit call */
  3: optional CommitResponse commit,
}

struct CommitRequest {
  1: required string sessionId,
  /** cumulative: publish every staged chunk <= seq; at most the last staged chunk */
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
  /** every chunk <= committedSeq is durable (see durability); at least the asked seq */
  1: required i64 committedSeq,
  /** how the chunks up to committedSeq are held; absent only from a backend older than this field */
  2: optional Durability durability,
}

struct DisposeRequest {
  1: required string sessionId,
}

struct DisposeResponse {
}

/**
 * The session protocol. Every call is idempotent; see docs/protocol.md. Transport: POST /v1/thrift, the Thrift
 * compact protocol; allocate carries "Authorization: Bearer <token>", every other call the request MAC headers
 * sb-timestamp, sb-nonce and sb-mac.
 */
service Switchboard {
  AllocateResponse allocate(1: AllocateRequest request) throws (1: SwitchboardError error),
  ReadResponse read(1: ReadRequest request) throws (1: SwitchboardError error),
  AckResponse ack(1: AckRequest request) throws (1: SwitchboardError error),
  WriteResponse write(1: WriteRequest request) throws (1: SwitchboardError error),
  CommitResponse commit(1: CommitRequest request) throws (1: SwitchboardError error),
  DisposeResponse dispose(1: DisposeRequest request) throws (1: SwitchboardError error),
}
