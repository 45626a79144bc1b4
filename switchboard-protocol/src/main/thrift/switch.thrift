// The switch's envelopes between the API tier and the backend tier: internal, not part of the client protocol.
// A client never sends or receives these; SDKs generate code from switchboard.thrift only.
// Generated Java lives in src/main/thrift-gen; regenerate with scripts/generate-thrift.sh.

include "switchboard.thrift"

namespace java dev.switchboard.protocol.thrift

/** What the switch carries from an API node to a backend node: exactly one call. */
union SwitchRequest {
  1: switchboard.AllocateRequest allocate,
  2: switchboard.ReadRequest read,
  3: switchboard.AckRequest ack,
  4: switchboard.WriteRequest write,
  5: switchboard.CommitRequest commit,
  6: switchboard.DisposeRequest dispose,
}

/** What comes back over the switch: the call's answer or its error. */
union SwitchResponse {
  1: switchboard.AllocateResponse allocate,
  2: switchboard.ReadResponse read,
  3: switchboard.AckResponse ack,
  4: switchboard.WriteResponse write,
  5: switchboard.CommitResponse commit,
  6: switchboard.DisposeResponse dispose,
  7: switchboard.SwitchboardError error,
}
