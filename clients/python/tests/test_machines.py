"""The Python ports of the session state machines against the Java tables (docs/vectors/session-machines.json)."""

import json
import pathlib
import re
import unittest

from switchboard import machines as m

TABLES = pathlib.Path(__file__).resolve().parents[3] / "docs" / "vectors" / "session-machines.json"

READ_KINDS = {"Idle": m.Idle, "Delivered": m.Delivered, "Closed": m.ReadClosed, "Read": m.Read, "Ack": m.Ack,
              "AckAndRead": m.AckAndRead,
              "Fetched": m.Fetched, "Dispose": m.ReadDispose, "Fetch": m.Fetch, "Deliver": m.Deliver,
              "Redeliver": m.Redeliver, "Acknowledged": m.Acknowledged, "Release": m.Release}
WRITE_KINDS = {"Open": m.Open, "Closed": m.WriteClosed, "Write": m.Write, "Commit": m.Commit,
               "WriteAndCommit": m.WriteAndCommit,
               "Published": m.Published, "PublishFailed": m.PublishFailed, "Dispose": m.WriteDispose,
               "Stage": m.Stage, "AlreadyStaged": m.AlreadyStaged, "Publish": m.Publish,
               "AwaitCommitted": m.AwaitCommitted, "Committed": m.Committed, "Rewound": m.Rewound,
               "Release": m.Release}
NAMES = {"from": "from_seq", "to": "to_seq"}


def snake(name: str) -> str:
    return NAMES.get(name) or re.sub(r"([A-Z])", lambda c: "_" + c.group(1).lower(), name)


def decode(record: dict, kinds: dict):
    fields = {snake(k): v for k, v in record.items() if k != "kind"}
    if record["kind"] == "Rejection":
        return m.Rejection(fields["code"], "(any message)", fields["expected_seq"], fields["retry_after_ms"])
    return kinds[record["kind"]](**fields)


class MachinesTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tables = json.loads(TABLES.read_text(encoding="utf-8"))

    def check(self, table: str, kinds: dict, apply) -> None:
        rows = self.tables[table]
        self.assertGreater(len(rows), 20)
        for row in rows:
            with self.subTest(row["name"]):
                state, command = decode(row["state"], kinds), decode(row["command"], kinds)
                actual = apply(state, command)
                self.assertEqual(decode(row["next"], kinds), actual.state)
                expected = tuple(decode(e, kinds) for e in row["effects"])
                self.assertEqual(expected, actual.effects)  # a Rejection's message is not compared
                for effect in actual.effects:
                    if isinstance(effect, m.Rejection):
                        self.assertTrue(effect.message.strip())

    def test_read_machine_matches_the_java_table(self) -> None:
        self.check("read", READ_KINDS, m.read_apply)

    def test_write_machine_matches_the_java_table(self) -> None:
        self.check("write", WRITE_KINDS, m.write_apply)

    def test_broken_write_counters_are_refused(self) -> None:
        with self.assertRaises(ValueError):
            m.Open(3, 2, 4, 3)
        with self.assertRaises(ValueError):
            m.Open(0, 0, 5, 3)


if __name__ == "__main__":
    unittest.main()
