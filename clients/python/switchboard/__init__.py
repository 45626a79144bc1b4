"""Switchboard client for Python: publish and consume events over the JSON mapping (see README.md).

    import switchboard
    transport = switchboard.connect(["http://127.0.0.1:8080"], token=open("switchboard-data/dev-token").read().strip())
    with switchboard.Publisher(transport, "demo") as publisher:
        publisher.send("hello")
    with switchboard.Subscriber(transport, "demo", cursor_store=switchboard.FileCursorStore("demo.cursor")) as s:
        batch = s.poll()
        ...
        s.ack(batch)
"""

from .client import (Batch, CursorStore, Event, FileCursorStore, MemoryCursorStore, PublishResult, Publisher,
                     ReceivedEvent, Subscriber, connect)
from .errors import SwitchboardError
from .transport import Transport

__all__ = ["Batch", "CursorStore", "Event", "FileCursorStore", "MemoryCursorStore", "PublishResult", "Publisher",
           "ReceivedEvent", "Subscriber", "SwitchboardError", "Transport", "connect"]
