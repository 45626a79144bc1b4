"""The Python SDK against a real standalone server: publish, read back, resume from a cursor file, errors as
documented, failover between URLs, and re-allocation after a lost session."""

import base64
import os
import tempfile
import unittest
import uuid

import switchboard
from switchboard import Event, FileCursorStore, Publisher, Subscriber, SwitchboardError, Transport

from . import standalone


def topic() -> str:
    return "py-" + uuid.uuid4().hex[:12]


def read_all(subscriber: Subscriber, count: int, idle_polls: int = 10):
    got = []
    idle = 0
    while len(got) < count and idle < idle_polls:
        batch = subscriber.poll(max_events=count - len(got), max_wait_ms=2000)
        if not batch.events:
            idle += 1
            continue
        got.extend(batch.events)
        subscriber.ack(batch)
    return got


def counting(transport: Transport) -> dict:
    """Counts the calls ``transport`` makes by name (retries of a call count once)."""
    counts: dict = {}
    call = transport.call

    def counted(name, *args, **kwargs):
        counts[name] = counts.get(name, 0) + 1
        return call(name, *args, **kwargs)

    transport.call = counted  # type: ignore[method-assign]
    return counts


class SdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = standalone.shared()

    def transport(self, *urls: str) -> Transport:
        return switchboard.connect(list(urls) or [self.server.url], token=self.server.token, retry_budget_s=30)

    def test_publishes_and_reads_back_300_events_exactly_resuming_from_a_cursor_file(self) -> None:
        name = topic()
        sent = ["event-%d" % i for i in range(300)]
        with Publisher(self.transport(), name, chunk_events=64) as publisher:
            for text in sent:
                publisher.send(Event(text, key="k%d" % (len(text) % 3), headers={"n": text}))
            result = publisher.flush()
        self.assertEqual(300, result.events)
        self.assertEqual(300, publisher.committed_events)

        cursor_file = os.path.join(tempfile.mkdtemp(), "c.cursor")
        with Subscriber(self.transport(), name, cursor_store=FileCursorStore(cursor_file)) as first:
            part = read_all(first, 120)
        with Subscriber(self.transport(), name, cursor_store=FileCursorStore(cursor_file)) as second:
            rest = read_all(second, 180)
        texts = [e.text for e in part + rest]
        self.assertGreaterEqual(len(part), 120)
        self.assertEqual(300, len(texts), "no event lost, none twice")
        self.assertEqual(sorted(sent), sorted(texts))
        first_event = (part + rest)[0]
        self.assertEqual(first_event.text.encode(), first_event.headers["n"])
        self.assertIn("sb-id", first_event.headers)
        with open(cursor_file, encoding="utf-8") as f:
            self.assertTrue(f.read().strip())

    def test_an_exactly_once_writer_continues_across_publishers_and_writes_in_transactions(self) -> None:
        name = topic()
        writer = "py-eos-" + uuid.uuid4().hex[:6]
        with self.assertRaises(ValueError):
            Publisher(self.transport(), name, guarantee="EXACTLY_ONCE")  # no writer id
        for part in range(2):
            with Publisher(self.transport(), name, writer_id=writer, chunk_events=10,
                           guarantee="EXACTLY_ONCE") as publisher:
                for i in range(30):
                    publisher.send(Event("eos-%d-%d" % (part, i), key="one-key"))
        with Subscriber(self.transport(), name) as subscriber:
            got = read_all(subscriber, 60)
        self.assertEqual(sorted("eos-%d-%d" % (p, i) for p in range(2) for i in range(30)),
                         sorted(e.text for e in got))
        ids = [e.headers["sb-id"].decode() for e in got]
        self.assertEqual(60, len(set(ids)), "each sb-id once")
        # the second publisher continued the writer's chunk numbers (6 chunks of 10 in all)
        self.assertEqual({"%s:%d" % (writer, seq) for seq in range(1, 7)}, {i.rsplit(":", 1)[0] for i in ids})
        # every chunk was its own Kafka transaction: its commit marker takes an offset, so one partition's
        # offsets jump between chunks (an at-least-once writer's are contiguous)
        offsets = sorted(e.offset for e in got)
        self.assertGreater(offsets[-1] - offsets[0] + 1, len(offsets))

    def test_binary_payloads_and_headers_round_trip(self) -> None:
        name = topic()
        payload = bytes(range(256))
        with Publisher(self.transport(), name) as publisher:
            publisher.send(Event(payload, key=b"\xff\x00", headers={"bin": b"\xc3", "txt": "v"}, timestamp_ms=1767225600000))
        with Subscriber(self.transport(), name) as subscriber:
            [event] = read_all(subscriber, 1)
        self.assertEqual(payload, event.payload)
        self.assertEqual(b"\xff\x00", event.key)
        self.assertEqual(b"\xc3", event.headers["bin"])
        self.assertEqual(b"v", event.headers["txt"])
        self.assertEqual(1767225600000, event.timestamp_ms)

    def test_errors_come_with_the_documented_codes(self) -> None:
        bad_token = switchboard.connect([self.server.url], token="not-a-jwt", retry_budget_s=5)
        with self.assertRaises(SwitchboardError) as unauthenticated:
            Subscriber(bad_token, topic()).poll()
        self.assertEqual("UNAUTHENTICATED", unauthenticated.exception.code)
        self.assertEqual(401, unauthenticated.exception.status)
        self.assertIn("allocate failed", unauthenticated.exception.message)

        with self.assertRaises(SwitchboardError) as invalid:
            Subscriber(self.transport(), "__internal").poll()
        self.assertEqual("INVALID_REQUEST", invalid.exception.code)
        self.assertFalse(invalid.exception.retriable)

    def test_fails_over_from_a_dead_url_to_a_live_one(self) -> None:
        name = topic()
        dead = "http://127.0.0.1:%d" % standalone.free_port()
        transport = self.transport(dead, self.server.url)
        with Publisher(transport, name) as publisher:
            publisher.send("over the second url")
        with Subscriber(self.transport(dead, self.server.url), name) as subscriber:
            self.assertEqual(["over the second url"], [e.text for e in read_all(subscriber, 1)])

    def test_a_lost_session_is_reallocated_from_the_cursor_and_the_writer_id(self) -> None:
        name = topic()
        transport = self.transport()
        publisher = Publisher(transport, name, writer_id="py-writer-" + uuid.uuid4().hex[:6], chunk_events=10)
        for i in range(20):
            publisher.send("a%d" % i)
        publisher.flush()
        # the session goes away behind the publisher's back (as when its node dies): SESSION_LOST next time
        transport.call("dispose", {"sessionId": publisher._session}, publisher._session, publisher._key)
        for i in range(20):
            publisher.send("b%d" % i)
        self.assertEqual(40, publisher.flush().events)
        publisher.close()

        subscriber = Subscriber(transport, name, ack_on_poll=False)  # each ack answered before the loss
        first = read_all(subscriber, 25)
        transport.call("dispose", {"sessionId": subscriber._session}, subscriber._session, subscriber._key)
        rest = read_all(subscriber, 40 - len(first))
        subscriber.close()
        texts = sorted(e.text for e in first + rest)
        self.assertEqual(sorted(["a%d" % i for i in range(20)] + ["b%d" % i for i in range(20)]), texts)
        ids = [e.headers["sb-id"] for e in first + rest]
        self.assertEqual(len(ids), len(set(ids)))

    def test_acks_ride_on_reads_and_commits_on_writes(self) -> None:
        name = topic()
        transport = self.transport()
        calls = counting(transport)
        with Publisher(transport, name, chunk_events=10) as publisher:
            for i in range(30):
                publisher.send("e%d" % i)
            self.assertEqual(30, publisher.flush().events)
        self.assertEqual(3, calls.get("write"), "one write per chunk")
        self.assertIsNone(calls.get("commit"), "each commit rode on its chunk's write")

        store = switchboard.MemoryCursorStore()
        with Subscriber(transport, name, cursor_store=store) as subscriber:
            got = []
            while len(got) < 30:
                batch = subscriber.poll(max_events=10, max_wait_ms=2000)
                got.extend(e.text for e in batch.events)
                subscriber.ack(batch)
            self.assertEqual(["e%d" % i for i in range(30)], got)
            self.assertEqual(3, calls.get("read"), "one read per batch")
            self.assertIsNone(calls.get("ack"), "the acks rode on the reads")
        self.assertEqual(1, calls.get("ack"), "close sent the last ack")
        with Subscriber(transport, name, cursor_store=store) as again:
            self.assertEqual([], again.poll(max_events=10, max_wait_ms=200).events, "the last ack was saved")

    def test_a_lost_session_delivers_again_only_the_batch_whose_ack_had_not_ridden_yet(self) -> None:
        name = topic()
        transport = self.transport()
        with Publisher(transport, name, chunk_events=10, commit_on_write=False) as publisher:
            for i in range(30):
                publisher.send("e%d" % i)
        subscriber = Subscriber(transport, name)
        first = subscriber.poll(max_events=10, max_wait_ms=2000)
        subscriber.ack(first)
        second = subscriber.poll(max_events=10, max_wait_ms=2000)  # carries the first batch's ack
        subscriber.ack(second)
        # the session goes away before the second batch's ack could ride on a read
        transport.call("dispose", {"sessionId": subscriber._session}, subscriber._session, subscriber._key)
        rest = read_all(subscriber, 20)
        subscriber.close()
        self.assertEqual(["e%d" % i for i in range(10)], [e.text for e in first.events])
        self.assertEqual(["e%d" % i for i in range(10, 30)], [e.text for e in rest],
                         "the second batch again, then the third; never the first")

    def test_macs_sign_the_exact_body(self) -> None:
        # A call whose MAC does not match its body is refused: the server checks what the SDK signs.
        transport = self.transport()
        name = topic()
        with Publisher(transport, name) as publisher:  # a writer creates the topic: readers never do
            publisher.send(Event("x"))
        subscriber = Subscriber(transport, name)
        subscriber.poll(max_wait_ms=0)
        with self.assertRaises(SwitchboardError) as refused:
            transport.call("ack", {"sessionId": subscriber._session, "seq": 1}, subscriber._session,
                           base64.b64decode("AAAA"), retry=False)
        self.assertEqual("UNAUTHENTICATED", refused.exception.code)
        subscriber.close()


if __name__ == "__main__":
    unittest.main()
