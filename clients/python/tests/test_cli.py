"""The Python CLI's contract against the Java CLI's (DESIGN.md section 8): events piped from one into the other and
back, a cursor file shared between them, the token lookup, and the exit codes."""

import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

import switchboard
from switchboard import Subscriber

from . import standalone

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def python_cli(*args: str, cwd: str, stdin: bytes = b"", env_extra=None, timeout: float = 120):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    env.pop("SWITCHBOARD_TOKEN", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "switchboard", *args], cwd=cwd, input=stdin, env=env,
                          capture_output=True, timeout=timeout)


def lines(n: int, prefix: str):
    return ["%s-%d" % (prefix, i) for i in range(n)]


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.server = standalone.shared()
        cls.cwd = cls.server.work_dir  # both CLIs find ./switchboard-data/dev-token here

    def test_java_produce_into_python_consume_and_python_produce_into_java_consume(self) -> None:
        topic = "cli-" + uuid.uuid4().hex[:10]
        sent = lines(300, "java")
        produced = standalone.java_cli("produce", "--topic", topic, "--url", self.server.url, cwd=self.cwd,
                                       stdin=("\n".join(sent) + "\n").encode())
        self.assertEqual(0, produced.returncode, produced.stderr.decode())

        consumed = python_cli("consume", "--topic", topic, "--url", self.server.url, "--max", "300", cwd=self.cwd)
        self.assertEqual(0, consumed.returncode, consumed.stderr.decode())
        self.assertEqual(sorted(sent), sorted(consumed.stdout.decode().splitlines()))

        back = "back-" + topic
        echoed = python_cli("produce", "--topic", back, "--url", self.server.url, "--batch", "64", cwd=self.cwd,
                            stdin=consumed.stdout)
        self.assertEqual(0, echoed.returncode, echoed.stderr.decode())
        self.assertEqual("produced 300 events to %s" % back, echoed.stderr.decode().strip())

        again = standalone.java_cli("consume", "--topic", back, "--url", self.server.url, "--max", "300", cwd=self.cwd)
        self.assertEqual(0, again.returncode, again.stderr.decode())
        self.assertEqual(sorted(sent), sorted(again.stdout.decode().splitlines()))

    def test_a_cursor_file_is_shared_by_both_clis_and_each_event_printed_once(self) -> None:
        topic = "cur-" + uuid.uuid4().hex[:10]
        sent = lines(200, "c")
        produced = python_cli("produce", "--topic", topic, "--url", self.server.url, cwd=self.cwd,
                              stdin=("\n".join(sent) + "\n").encode())
        self.assertEqual(0, produced.returncode, produced.stderr.decode())
        cursor = os.path.join(tempfile.mkdtemp(), "shared.cursor")

        first = python_cli("consume", "--topic", topic, "--url", self.server.url, "--cursor-file", cursor,
                           "--max", "80", cwd=self.cwd)
        second = standalone.java_cli("consume", "--topic", topic, "--url", self.server.url, "--cursor-file", cursor,
                                     "--idle-exit-ms", "3000", cwd=self.cwd)
        third = python_cli("consume", "--topic", topic, "--url", self.server.url, "--cursor-file", cursor,
                           "--idle-exit-ms", "1000", cwd=self.cwd)

        for run in (first, second, third):
            self.assertEqual(0, run.returncode, run.stderr.decode())
        printed = first.stdout.decode().splitlines() + second.stdout.decode().splitlines()
        self.assertEqual(80, len(first.stdout.decode().splitlines()))
        self.assertEqual(sorted(sent), sorted(printed))
        self.assertEqual("", third.stdout.decode(), "nothing left after the shared cursor")

    def test_token_from_the_environment_and_failures_exit_1_with_the_reason(self) -> None:
        elsewhere = tempfile.mkdtemp()  # no ./switchboard-data/dev-token here
        topic = "tok-" + uuid.uuid4().hex[:10]
        ok = python_cli("produce", "--topic", topic, "--url", self.server.url, cwd=elsewhere, stdin=b"one\n",
                        env_extra={"SWITCHBOARD_TOKEN": self.server.token})
        self.assertEqual(0, ok.returncode, ok.stderr.decode())

        refused = python_cli("consume", "--topic", topic, "--url", self.server.url, cwd=elsewhere)
        self.assertEqual(1, refused.returncode)
        self.assertTrue(refused.stderr.decode().startswith("switchboard consume: allocate failed: "),
                        refused.stderr.decode())

        dead = "http://127.0.0.1:%d" % standalone.free_port()
        unreachable = python_cli("produce", "--topic", topic, "--url", dead, "--retry-budget", "1s", cwd=self.cwd,
                                 stdin=b"x\n")
        self.assertEqual(1, unreachable.returncode)
        self.assertIn("switchboard produce: publishing failed (UNAVAILABLE", unreachable.stderr.decode())
        self.assertIn("0 events were committed", unreachable.stderr.decode())

    def test_a_rerun_with_a_writer_id_after_a_kill_mid_produce_stores_every_line_once(self) -> None:
        # --writer-id: chunks of exactly --batch lines, a re-run resumes from the writer's durable state (the allocate
        # answer's last committed chunk), and it is exactly-once, so a chunk in doubt at the kill is stored once too
        topic = "resume-" + uuid.uuid4().hex[:10]
        sent = lines(3000, "r")
        args = ("produce", "--topic", topic, "--url", self.server.url, "--writer-id", topic + "-w", "--batch", "100")
        env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
        env.pop("SWITCHBOARD_TOKEN", None)
        first = subprocess.Popen([sys.executable, "-m", "switchboard", *args], cwd=self.cwd, env=env,
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(self._close_quietly, first)

        def feed() -> None:
            # 1,500 lines a few at a time, as a slow source would (commits go on when the kill comes; nothing is
            # timed); then the input stays open and the run waits for more until it is killed
            try:
                for start in range(0, 1500, 5):
                    first.stdin.write(("\n".join(sent[start:start + 5]) + "\n").encode())
                    first.stdin.flush()
                    time.sleep(0.01)
            except (BrokenPipeError, ValueError, OSError):
                pass  # killed

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        transport = switchboard.connect([self.server.url], token=self.server.token, retry_budget_s=30)
        self._read_until(transport, topic, at_least=1000)

        # When it is killed mid-run (SIGKILL), and the same command runs again on the whole input
        self.assertIsNone(first.poll(), "the first run is still producing")
        first.kill()
        first.wait(30)
        again = python_cli(*args, cwd=self.cwd, stdin=("\n".join(sent) + "\n").encode())

        # Then the re-run left out what the first run committed, and every line is in the topic once, under one sb-id
        self.assertEqual(0, again.returncode, again.stderr.decode())
        self.assertIn("leaving out the first", again.stderr.decode())
        copies = self._read_until(transport, topic, lines_wanted=set(sent))
        self.assertEqual(len(sent), len(copies))
        self.assertEqual({1}, set(n for n, _ in copies.values()), "copies per sb-id")
        self.assertEqual(set(sent), set(payload for _, payload in copies.values()))

    @staticmethod
    def _close_quietly(process: subprocess.Popen) -> None:
        process.kill()
        process.wait(30)
        try:
            process.stdin.close()
        except OSError:
            pass

    @staticmethod
    def _read_until(transport, topic: str, at_least: int = 0, lines_wanted=None):
        """Reads the topic from the start: until ``at_least`` events came, or every line of ``lines_wanted`` and then
        an empty poll; returns {sb-id: (copies, payload)}."""
        copies = collections.OrderedDict()
        seen = set()
        deadline = time.monotonic() + 120
        subscriber = None
        while time.monotonic() < deadline:
            try:
                subscriber = subscriber or Subscriber(transport, topic)
                batch = subscriber.poll(1000, 2000)
            except switchboard.SwitchboardError:
                subscriber = None  # the run under test has not created the topic yet
                time.sleep(0.2)
                continue
            for event in batch.events:
                sb_id = event.headers["sb-id"].decode()
                count, _ = copies.get(sb_id, (0, None))
                copies[sb_id] = (count + 1, event.text)
                seen.add(event.text)
            subscriber.ack(batch)
            if lines_wanted is None and sum(n for n, _ in copies.values()) >= at_least:
                break
            if lines_wanted is not None and seen >= lines_wanted and not batch.events:
                break
        else:
            raise AssertionError("read %d events of %s in 120 s" % (len(copies), topic))
        subscriber.close()
        return copies

    def test_bad_usage_exits_2(self) -> None:
        for args in (["consume"], ["consume", "--topic", "t", "--from", "sideways"], ["produce", "--topic", "t",
                     "--batch", "0"], ["produce", "--topic", "t", "--nope"], ["rewind"],
                     ["produce", "--topic", "t", "--exactly-once"]):
            with self.subTest(args):
                run = python_cli(*args, cwd=self.cwd)
                self.assertEqual(2, run.returncode, run.stderr.decode())
                self.assertIn("usage:", run.stderr.decode())


if __name__ == "__main__":
    unittest.main()
