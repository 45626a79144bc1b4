import unittest

from switchboard.client import _decode_event

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class DecodeEventTest(unittest.TestCase):
    def test_the_traceparent_an_event_was_written_under_is_read_back(self) -> None:
        event = _decode_event({"text": "hi", "partition": 1, "offset": 5, "traceparent": TRACEPARENT})
        self.assertEqual(event.traceparent, TRACEPARENT)
        self.assertEqual((event.partition, event.offset, event.text), (1, 5, "hi"))

    def test_an_event_written_without_one_has_none(self) -> None:
        self.assertIsNone(_decode_event({"text": "hi", "partition": 0, "offset": 0}).traceparent)


if __name__ == "__main__":
    unittest.main()
