"""Acks riding on reads and commits riding on writes, against an in-memory node that runs the ported machines:
one call per batch and per chunk, and separate calls with a node older than ReadRequest.ackSeq and
WriteRequest.commit (it ignores them, as an older node skips fields it does not know). No server needed."""

import unittest
from typing import Any, Dict, List, Optional

from switchboard import MemoryCursorStore, Publisher, Subscriber, SwitchboardError
from switchboard import machines as m


class InMemoryNode:
    """One topic, one partition; sessions run the machines of switchboard.machines. ``older``: ignores the
    round-trip fields."""

    def __init__(self, older: bool = False) -> None:
        self.older = older
        self.log: List[Dict[str, Any]] = []
        self.calls: Dict[str, int] = {}
        self.sessions: Dict[str, Dict[str, Any]] = {}

    def route(self) -> None:
        """One node: no URL to choose (the SDK asks its transport for a route per session)."""
        return None

    def call(self, name: str, request: Dict[str, Any], session_id: Optional[str] = None,
             mac_key: Optional[bytes] = None, retry: bool = True, also_retry: Any = frozenset(),
             route: Any = None) -> Dict[str, Any]:
        self.calls[name] = self.calls.get(name, 0) + 1
        request = dict(request)
        if self.older:
            request.pop("ackSeq", None)
            request.pop("commit", None)
        return getattr(self, "_" + name)(request)

    def _allocate(self, request: Dict[str, Any]) -> Dict[str, Any]:
        sid = "s%d" % (len(self.sessions) + 1)
        limits = {"maxEventsPerRead": 10, "writeWindow": 4, "maxEventsPerChunk": 10, "maxWaitMs": 0}
        if request["mode"] == "READ":
            position = int(request.get("cursor", "0"))
            self.sessions[sid] = {"state": m.read_initial(), "position": position, "batch": []}
            return {"sessionId": sid, "limits": limits, "cursor": str(position)}
        self.sessions[sid] = {"state": m.write_initial(0, 4), "staged": {}}
        return {"sessionId": sid, "limits": limits, "writerId": "w", "lastCommittedSeq": 0}

    def _step(self, session: Dict[str, Any], command: Any, apply) -> tuple:
        step = apply(session["state"], command)
        for effect in step.effects:
            if isinstance(effect, m.Rejection):
                raise SwitchboardError(effect.code, effect.message, expected_seq=effect.expected_seq)
        session["state"] = step.state
        return step.effects

    def _read(self, request: Dict[str, Any]) -> Dict[str, Any]:
        session = self.sessions[request["sessionId"]]
        seq = request["seq"]
        command = m.AckAndRead(request["ackSeq"], seq) if "ackSeq" in request else m.Read(seq)
        answer: Dict[str, Any] = {"seq": seq, "events": []}
        for effect in self._step(session, command, m.read_apply):
            if isinstance(effect, m.Acknowledged):
                answer["ack"] = self._acknowledged(session, effect)
            elif isinstance(effect, m.Fetch):
                events = self.log[session["position"]:session["position"] + request["maxEvents"]]
                if events:
                    self._step(session, m.Fetched(seq), m.read_apply)
                    session["batch"] = events
                answer["events"] = events
            elif isinstance(effect, m.Redeliver):
                answer["events"] = session["batch"]
        return answer

    def _ack(self, request: Dict[str, Any]) -> Dict[str, Any]:
        session = self.sessions[request["sessionId"]]
        [effect] = self._step(session, m.Ack(request["seq"]), m.read_apply)
        return self._acknowledged(session, effect)

    @staticmethod
    def _acknowledged(session: Dict[str, Any], effect: m.Acknowledged) -> Dict[str, Any]:
        if isinstance(session["state"], m.Idle) and session["batch"]:
            session["position"] += len(session["batch"])
            session["batch"] = []
        return {"seq": effect.acked_seq, "cursor": str(session["position"])}

    def _write(self, request: Dict[str, Any]) -> Dict[str, Any]:
        session = self.sessions[request["sessionId"]]
        seq = request["seq"]
        command = m.WriteAndCommit(seq) if request.get("commit") else m.Write(seq)
        effects = self._step(session, command, m.write_apply)
        for effect in effects:
            if isinstance(effect, m.Stage):
                session["staged"][seq] = request["events"]
        answer = {"seq": seq, "stagedSeq": session["state"].staged}
        if request.get("commit"):
            answer["commit"] = self._publish(session, effects)
        return answer

    def _commit(self, request: Dict[str, Any]) -> Dict[str, Any]:
        session = self.sessions[request["sessionId"]]
        return self._publish(session, self._step(session, m.Commit(request["seq"]), m.write_apply))

    def _publish(self, session: Dict[str, Any], effects) -> Dict[str, Any]:
        for effect in effects:
            if isinstance(effect, m.Publish):
                for seq in range(effect.from_seq, effect.to_seq + 1):
                    self.log.extend(session["staged"].pop(seq))
                self._step(session, m.Published(effect.to_seq), m.write_apply)
        return {"committedSeq": session["state"].committed, "durability": "REPLICATED"}

    def _dispose(self, request: Dict[str, Any]) -> Dict[str, Any]:
        self.sessions.pop(request["sessionId"], None)
        return {}


def publish(node: InMemoryNode, count: int) -> None:
    with Publisher(node, "t", chunk_events=10) as publisher:  # type: ignore[arg-type]
        for i in range(count):
            publisher.send("e%d" % i)
        assert publisher.flush().events == count


def read(node: InMemoryNode, count: int) -> List[str]:
    got: List[str] = []
    with Subscriber(node, "t") as subscriber:  # type: ignore[arg-type]
        while len(got) < count:
            batch = subscriber.poll(max_events=10, max_wait_ms=0)
            got.extend(e.text for e in batch.events)
            subscriber.ack(batch)
        assert subscriber.poll(max_events=10, max_wait_ms=0).events == []
    return got


class RoundTripsTest(unittest.TestCase):
    def test_one_call_per_chunk_and_per_batch(self) -> None:
        node = InMemoryNode()
        publish(node, 30)
        got = read(node, 30)
        self.assertEqual(["e%d" % i for i in range(30)], got)
        self.assertEqual(3, node.calls["write"])
        self.assertNotIn("commit", node.calls)
        self.assertEqual(4, node.calls["read"], "three batches and the empty poll, each carrying the ack before")
        self.assertNotIn("ack", node.calls, "even the last ack rode, on the empty poll")

    def test_close_sends_the_ack_still_pending_and_saves_its_cursor(self) -> None:
        node = InMemoryNode()
        publish(node, 10)
        store = MemoryCursorStore()
        subscriber = Subscriber(node, "t", cursor_store=store)  # type: ignore[arg-type]
        batch = subscriber.poll(max_events=10, max_wait_ms=0)
        subscriber.ack(batch)
        self.assertNotIn("ack", node.calls)
        self.assertIsNone(store.load(), "nothing saved before the ack is sent")
        subscriber.close()
        self.assertEqual(1, node.calls["ack"])
        self.assertEqual("10", store.load())

    def test_an_older_node_gets_the_commits_and_acks_apart(self) -> None:
        node = InMemoryNode(older=True)
        publish(node, 30)
        got = read(node, 30)
        self.assertEqual(["e%d" % i for i in range(30)], got, "nothing lost, nothing twice")
        self.assertEqual(3, node.calls["write"])
        self.assertEqual(3, node.calls["commit"], "each chunk committed apart after its write's answer had none")
        self.assertEqual(3, node.calls["ack"], "each batch acknowledged apart once a ride was refused")


class DurableWriterNode(InMemoryNode):
    """A node whose writer state survives sessions: an allocation answers the writer's last committed chunk,
    ``committed``, which a test may move as a late commit of an earlier run would; ``lose_next_write`` ends the
    session on its next write (SESSION_LOST), as a node going away does."""

    def __init__(self, committed: int) -> None:
        super().__init__()
        self.committed = committed
        self.lose_next_write = False
        self.chunks: Dict[int, List[str]] = {}

    def _allocate(self, request: Dict[str, Any]) -> Dict[str, Any]:
        answer = super()._allocate(request)
        if request["mode"] != "WRITE":
            return answer
        self.sessions[answer["sessionId"]]["state"] = m.write_initial(self.committed, 4)
        return dict(answer, lastCommittedSeq=self.committed)

    def _write(self, request: Dict[str, Any]) -> Dict[str, Any]:
        if self.lose_next_write:
            self.lose_next_write = False
            self.sessions.pop(request["sessionId"], None)
            raise SwitchboardError("SESSION_LOST", "the node went away")
        self.chunks[request["seq"]] = [e.get("text") for e in request["events"]]
        answer = super()._write(request)
        self.committed = max(self.committed, answer.get("commit", {}).get("committedSeq", 0))
        return answer


class OneChunkPerPublishTest(unittest.TestCase):
    def test_chunks_of_exactly_chunk_events_numbered_after_the_writers_durable_state(self) -> None:
        node = DurableWriterNode(committed=3)
        publisher = Publisher(node, "t", writer_id="w", chunk_events=5,  # type: ignore[arg-type]
                              one_chunk_per_publish=True)
        self.assertEqual(3, publisher.open(), "the allocate answer's last committed chunk")
        for i in range(12):
            publisher.send("e%d" % i)
        publisher.close()
        self.assertEqual({4: ["e0", "e1", "e2", "e3", "e4"], 5: ["e5", "e6", "e7", "e8", "e9"], 6: ["e10", "e11"]},
                         node.chunks)

    def test_a_chunk_the_session_cannot_take_fails_instead_of_being_split(self) -> None:
        publisher = Publisher(DurableWriterNode(committed=0), "t", writer_id="w",  # type: ignore[arg-type]
                              chunk_events=11, one_chunk_per_publish=True)
        with self.assertRaises(SwitchboardError) as raised:
            for i in range(11):
                publisher.send("e%d" % i)
        self.assertEqual("PAYLOAD_TOO_LARGE", raised.exception.code)

    def test_a_new_session_ahead_of_what_this_publisher_numbered_fails_it_instead_of_renumbering(self) -> None:
        node = DurableWriterNode(committed=0)
        publisher = Publisher(node, "t", writer_id="w", chunk_events=5,  # type: ignore[arg-type]
                              one_chunk_per_publish=True)
        for i in range(5):
            publisher.send("e%d" % i)  # chunk 1, committed
        # an earlier run's commits of chunks 2..4 land, and this publisher's session ends on its next write
        node.committed = 4
        node.lose_next_write = True
        with self.assertRaises(SwitchboardError) as raised:
            for i in range(5, 10):
                publisher.send("e%d" % i)  # chunk 2
        self.assertEqual("INVALID_REQUEST", raised.exception.code)
        self.assertIn("chunk 4 of writer w is committed", raised.exception.message)
        self.assertIn("numbered chunks only up to 2", raised.exception.message)
        self.assertEqual([1], sorted(node.chunks), "chunk 2 was not renumbered to 5 and sent")


if __name__ == "__main__":
    unittest.main()
