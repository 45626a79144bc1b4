"""The transport's retry rules over real HTTP, against a scripted local server (which answers like an API node
would): retriable codes are retried with back-off, BUSY after its retryAfterMs, DRAINING only where asked
(allocate), everything else raised at once with its code."""

import http.server
import json
import threading
import unittest
from typing import List, Tuple

from switchboard import Publisher, Subscriber, SwitchboardError, Transport
from switchboard.client import _allocate


class Scripted(http.server.BaseHTTPRequestHandler):
    answers: List[Tuple[int, dict]] = []
    seen: List[str] = []
    traceparents: List[str] = []
    ports: List[int] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Scripted.seen.append(self.path)
        Scripted.ports.append(self.server.server_address[1])
        Scripted.traceparents.append(self.headers.get("traceparent", ""))
        status, body = Scripted.answers.pop(0)
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args) -> None:
        pass


def error(code: str, retriable: bool, **extra) -> dict:
    return dict(code=code, message=code.lower(), retriable=retriable, **extra)


class TransportTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.sleeps: List[float] = []
        Scripted.seen = []
        Scripted.traceparents = []
        Scripted.ports = []

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def transport(self) -> Transport:
        return Transport([self.url], token="t", retry_budget_s=30, sleep=self.sleeps.append)

    def test_every_call_has_a_traceparent_of_its_own_shared_by_its_retries(self) -> None:
        Scripted.answers = [(503, error("UNAVAILABLE", True)), (200, {"ok": 1}), (200, {"ok": 2})]
        t = self.transport()
        t.call("write", {"sessionId": "s"})
        t.call("write", {"sessionId": "s"})
        self.assertEqual(len(Scripted.traceparents), 3)
        for value in Scripted.traceparents:
            self.assertRegex(value, r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
        self.assertEqual(Scripted.traceparents[0], Scripted.traceparents[1])  # a retry: the same call
        self.assertNotEqual(Scripted.traceparents[1], Scripted.traceparents[2])

    def test_busy_and_unavailable_are_retried_busy_after_its_retry_after(self) -> None:
        Scripted.answers = [(429, error("BUSY", True, retryAfterMs=700)), (503, error("UNAVAILABLE", True)),
                            (200, {"seq": 1, "stagedSeq": 1})]
        answer = self.transport().call("write", {"sessionId": "s.n.r", "seq": 1, "events": []}, "s.n.r", b"k" * 32)
        self.assertEqual({"seq": 1, "stagedSeq": 1}, answer)
        self.assertEqual(3, len(Scripted.seen))
        self.assertGreaterEqual(self.sleeps[0], 0.7)

    def test_allocate_retries_draining_other_calls_raise_it(self) -> None:
        Scripted.answers = [(503, error("DRAINING", False)), (200, {"sessionId": "s.n.r"})]
        self.assertEqual({"sessionId": "s.n.r"}, _allocate(self.transport(), {"topic": "t", "mode": "READ"}))

        Scripted.answers = [(503, error("DRAINING", False))]
        with self.assertRaises(SwitchboardError) as draining:
            self.transport().call("read", {"sessionId": "s.n.r", "seq": 1}, "s.n.r", b"k" * 32)
        self.assertEqual("DRAINING", draining.exception.code)
        self.assertTrue(draining.exception.needs_reallocation)

    def test_other_codes_are_raised_at_once_with_their_fields(self) -> None:
        Scripted.answers = [(409, error("OUT_OF_SEQUENCE", False, expectedSeq=3))]
        with self.assertRaises(SwitchboardError) as out_of_sequence:
            self.transport().call("ack", {"sessionId": "s.n.r", "seq": 9}, "s.n.r", b"k" * 32)
        self.assertEqual(("OUT_OF_SEQUENCE", 3, 409), (out_of_sequence.exception.code,
                                                       out_of_sequence.exception.expected_seq,
                                                       out_of_sequence.exception.status))
        self.assertEqual(1, len(Scripted.seen))
        self.assertEqual([], self.sleeps)

    def test_internal_is_raised_at_once_whatever_the_answer_says(self) -> None:
        for answer in (error("INTERNAL", False), dict(code="INTERNAL", message="no retriable flag")):
            Scripted.seen = []
            Scripted.answers = [(500, answer), (200, {"seq": 1})]
            with self.assertRaises(SwitchboardError) as internal:
                self.transport().call("ack", {"sessionId": "s.n.r", "seq": 1}, "s.n.r", b"k" * 32)
            self.assertEqual("INTERNAL", internal.exception.code)
            self.assertFalse(internal.exception.retriable)
            self.assertEqual(1, len(Scripted.seen))

    def test_each_route_starts_at_the_next_url_and_fails_over_on_its_own(self) -> None:
        other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
        threading.Thread(target=other.serve_forever, daemon=True).start()
        try:
            first_port, second_port = self.server.server_address[1], other.server_address[1]
            t = Transport([self.url, "http://127.0.0.1:%d" % second_port], retry_budget_s=30,
                          sleep=self.sleeps.append)
            first, second = t.route(), t.route()
            Scripted.answers = [(200, {"n": 1}), (200, {"n": 2}), (503, error("UNAVAILABLE", True)), (200, {"n": 3}),
                                (200, {"n": 4})]
            read = {"sessionId": "s.n.r", "seq": 1}
            t.call("read", read, "s.n.r", b"k" * 32, route=first)
            t.call("read", read, "s.n.r", b"k" * 32, route=second)
            t.call("read", read, "s.n.r", b"k" * 32, route=first)  # the first URL fails: this route moves on
            t.call("read", read, "s.n.r", b"k" * 32, route=second)  # the other route was not moved
            self.assertEqual([first_port, second_port, first_port, second_port, second_port], Scripted.ports)
        finally:
            other.shutdown()
            other.server_close()

    def test_publishers_and_subscribers_start_at_the_next_url_in_turn(self) -> None:
        t = Transport(["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"])
        starts = [Publisher(t, "a")._route.index, Subscriber(t, "b")._route.index, Publisher(t, "c")._route.index,
                  Subscriber(t, "d")._route.index]
        self.assertEqual([0, 1, 2, 0], starts)

    def test_the_budget_ends_retries(self) -> None:
        Scripted.answers = [(503, error("UNAVAILABLE", True))] * 50
        transport = Transport([self.url], retry_budget_s=0.5, sleep=self.sleeps.append)
        with self.assertRaises(SwitchboardError) as unavailable:
            transport.call("read", {"sessionId": "s.n.r", "seq": 1}, "s.n.r", b"k" * 32)
        self.assertEqual("UNAVAILABLE", unavailable.exception.code)


if __name__ == "__main__":
    unittest.main()
