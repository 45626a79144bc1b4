"""The Python SDK against a local cluster (separate API, backend and Kafka processes over RabbitMQ): it fails over
when an API node is killed, and re-allocates with its writer id when the backend hosting its session is killed;
nothing committed is lost."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
import uuid

import switchboard
from switchboard import Publisher, Subscriber

from . import standalone


def rabbitmq_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


@unittest.skipUnless(rabbitmq_up(), "local-cluster needs RabbitMQ on 127.0.0.1:5672 (.ci/run starts it)")
class ClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        if not standalone.JAR.exists():
            raise RuntimeError("the server is not packaged at %s" % standalone.JAR)
        cls.work = tempfile.mkdtemp(prefix="sb-python-cluster-")
        cls.data = os.path.join(cls.work, "cluster")
        cls.log = open(os.path.join(cls.work, "local-cluster.log"), "wb")
        cls.process = subprocess.Popen(
            [standalone.java(), "--sun-misc-unsafe-memory-access=allow", "-jar", str(standalone.JAR), "local-cluster",
             "--shards", "1", "--backends", "2", "--apis", "2", "--data-dir", cls.data],
            cwd=cls.work, stdout=cls.log, stderr=subprocess.STDOUT)
        cluster_file = os.path.join(cls.data, "cluster.json")
        deadline = time.monotonic() + 240
        while not os.path.exists(cluster_file):
            if cls.process.poll() is not None or time.monotonic() > deadline:
                cls.tearDownClass()
                raise RuntimeError("local-cluster did not start: see %s" % cls.log.name)
            time.sleep(0.5)  # polling a condition
        with open(cluster_file, encoding="utf-8") as f:
            cls.cluster = json.load(f)
        cls.urls = [u.rstrip("/") for u in cls.cluster["api-urls"]]
        with open(cls.cluster["dev-token"], encoding="utf-8") as f:
            cls.token = f.read().strip()
        for url in cls.urls:
            cls._await_ready(url, deadline)

    @classmethod
    def _await_ready(cls, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("%s not ready" % url)

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.process.poll() is None:
            cls.process.send_signal(signal.SIGTERM)
            try:
                cls.process.wait(90)
            except subprocess.TimeoutExpired:
                cls.process.kill()
                cls.process.wait(10)
        cls.log.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def member(self, **match):
        for process in self.cluster["processes"]:
            if all(str(process.get(k, "")).rstrip("/") == v for k, v in match.items()):
                return process
        raise AssertionError("no process %r in cluster.json" % (match,))

    def test_publisher_survives_a_killed_api_node_and_a_killed_backend(self) -> None:
        topic = "py-cluster-" + uuid.uuid4().hex[:8]
        sent = ["e%d" % i for i in range(300)]
        transport = switchboard.connect(self.urls, token=self.token, retry_budget_s=90)
        publisher = Publisher(transport, topic, writer_id="py-cluster-writer", chunk_events=25)
        for text in sent[:100]:
            publisher.send(text)
        publisher.flush()

        # the API node the publisher uses dies: the next calls go to the other URL
        os.kill(int(self.member(role="api", url=self.urls[0])["pid"]), signal.SIGKILL)
        for text in sent[100:200]:
            publisher.send(text)
        publisher.flush()

        # the backend hosting its session dies: SESSION_LOST, a new session on the shard's other node
        node = publisher._session.split(".")[1]
        os.kill(int(self.member(role="backend", **{"node-id": node})["pid"]), signal.SIGKILL)
        for text in sent[200:]:
            publisher.send(text)
        self.assertEqual(300, publisher.flush().events)
        self.assertNotEqual(node, publisher._session.split(".")[1])
        publisher.close()

        reader = switchboard.connect(self.urls, token=self.token, retry_budget_s=90)
        with Subscriber(reader, topic) as subscriber:
            by_id = {}
            idle = 0
            while len(by_id) < 300 and idle < 15:
                batch = subscriber.poll(max_events=300, max_wait_ms=2000)
                idle = idle + 1 if not batch.events else 0
                for event in batch.events:
                    # at-least-once: a chunk whose commit answer was lost may be stored twice, with the same sb-id
                    by_id.setdefault(event.headers["sb-id"], event.text)
                subscriber.ack(batch)
        self.assertEqual(sorted(sent), sorted(by_id.values()))


if __name__ == "__main__":
    unittest.main()
