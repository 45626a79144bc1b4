"""``python3 -m switchboard produce|consume``: the Java CLI's contract (DESIGN.md section 8, the README).

Same options, defaults, token lookup (--token-file, else $SWITCHBOARD_TOKEN, else ./switchboard-data/dev-token
when it exists), output (produce: "produced N events to T" on standard error; consume: one payload per line on
standard output) and exit codes (0 done, 1 failed with the reason on standard error, 2 bad usage).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from typing import List, Optional, Sequence

from .client import FileCursorStore, Publisher, Subscriber
from .errors import SwitchboardError
from .transport import DEFAULT_URL, Transport

DEFAULT_TOKEN_FILE = os.path.join("switchboard-data", "dev-token")
READ_SIZE = 1000
LONG_POLL_MS = 5000


class UsageError(Exception):
    """Bad usage: exit 2."""


def token(token_file: Optional[str]) -> Optional[str]:
    """--token-file, else $SWITCHBOARD_TOKEN, else ./switchboard-data/dev-token when it exists."""
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as e:
            raise SwitchboardError("UNAUTHENTICATED", "cannot read token file %s: %s" % (token_file, e.strerror))
    from_environment = os.environ.get("SWITCHBOARD_TOKEN", "")
    if from_environment.strip():
        return from_environment.strip()
    if os.access(DEFAULT_TOKEN_FILE, os.R_OK):
        with open(DEFAULT_TOKEN_FILE, encoding="utf-8") as f:
            return f.read().strip()
    return None


def duration_s(text: str) -> float:
    """30s, 5m, 500ms, or ISO-8601 PT2M, as --retry-budget takes them."""
    value = text.strip().lower()
    m = re.fullmatch(r"(\d+)(ms|s|m)", value)
    if m:
        return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(2)]
    m = re.fullmatch(r"pt(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", value)
    if m and any(m.groups()):
        return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)
    raise UsageError("--retry-budget: expected a duration such as 30s, 5m or PT2M, got: " + text)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="switchboard", description="Switchboard client tools (Python).")
    commands = root.add_subparsers(dest="command", metavar="produce|consume")
    commands.required = True

    def client_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--topic", required=True, metavar="T")
        p.add_argument("--url", action="append", default=[], metavar="URL",
                       help="API URL; repeat to fail over between nodes (default: %s)" % DEFAULT_URL)
        p.add_argument("--token-file", metavar="F",
                       help="file holding the bearer token (default: $SWITCHBOARD_TOKEN, else "
                            "./switchboard-data/dev-token)")
        p.add_argument("--ca-file", metavar="F", help="PEM file of the CA to trust for https URLs")

    produce = commands.add_parser("produce", help="Publish standard input, one event per line (UTF-8), to a topic.")
    client_options(produce)
    produce.add_argument("--batch", type=int, default=500, metavar="N", help="events per chunk (default: 500)")
    produce.add_argument("--writer-id", metavar="ID", help="stable writer id (default: a random one)")
    produce.add_argument("--skip", type=int, default=0, metavar="N",
                         help="skip the first N lines (those a failed run reported committed)")
    produce.add_argument("--exactly-once", action="store_true",
                         help="store each event exactly once, also across backend failures (needs --writer-id)")
    produce.add_argument("--retry-budget", metavar="DURATION",
                         help="how long to ride out an outage before failing, e.g. 30s, 5m (default: 2m)")

    consume = commands.add_parser("consume", help="Print the events of a topic, one payload per line.")
    client_options(consume)
    consume.add_argument("--from", dest="start", default="earliest", metavar="earliest|latest",
                         help="where to start without a saved cursor (default: earliest)")
    consume.add_argument("--cursor-file", metavar="F",
                         help="resume from the cursor in F, and save it there after every acknowledged batch")
    consume.add_argument("--max", type=int, default=None, metavar="N", help="stop after N events")
    consume.add_argument("--idle-exit-ms", type=int, default=-1, metavar="MS",
                         help="stop after MS milliseconds without events")
    return root


def run_produce(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise UsageError("--batch must be at least 1")
    if args.skip < 0:
        raise UsageError("--skip must not be negative")
    if args.exactly_once and not args.writer_id:
        raise UsageError("--exactly-once needs --writer-id: the writer id is what a re-run continues without "
                         "duplicates")
    budget = duration_s(args.retry_budget) if args.retry_budget else 120.0
    transport = Transport(args.url or [DEFAULT_URL], token=token(args.token_file), ca_file=args.ca_file,
                          retry_budget_s=budget)
    publisher = Publisher(transport, args.topic, writer_id=args.writer_id, chunk_events=args.batch,
                          guarantee="EXACTLY_ONCE" if args.exactly_once else "AT_LEAST_ONCE")
    count = 0
    try:
        skipped = 0
        for raw in sys.stdin.buffer:
            line = raw[:-1] if raw.endswith(b"\n") else raw
            if line.endswith(b"\r"):
                line = line[:-1]
            if skipped < args.skip:
                skipped += 1
                continue
            publisher.send(line)
            count += 1
        publisher.close()
    except SwitchboardError as e:
        lines = args.skip + publisher.committed_events
        resume = ("re-run with --skip %d to publish the rest" % lines if args.writer_id is None else
                  "re-run with --writer-id %s --skip %d to publish the rest" % (args.writer_id, lines))
        raise SwitchboardError(e.code, "publishing failed (%s: %s); %d events were committed to %s (writer %s), so "
                               "the first %d lines are in; %s" % (e.code, e.message, publisher.committed_events,
                                                                  args.topic, publisher.writer_id, lines, resume))
    print("produced %d events to %s" % (count, args.topic), file=sys.stderr)
    return 0


def run_consume(args: argparse.Namespace) -> int:
    if args.start not in ("earliest", "latest"):
        raise UsageError("--from must be earliest or latest, got: " + args.start)
    if args.max is not None and args.max < 0:
        raise UsageError("--max must not be negative")
    transport = Transport(args.url or [DEFAULT_URL], token=token(args.token_file), ca_file=args.ca_file)
    store = FileCursorStore(args.cursor_file) if args.cursor_file else None
    remaining = args.max if args.max is not None else float("inf")
    out = sys.stdout.buffer
    with Subscriber(transport, args.topic, start=args.start, cursor_store=store) as subscriber:
        last_event_at = time.monotonic()
        while remaining > 0:
            idle_left_ms = args.idle_exit_ms - (time.monotonic() - last_event_at) * 1000
            wait_ms = int(max(1, min(LONG_POLL_MS, idle_left_ms))) if args.idle_exit_ms >= 0 else LONG_POLL_MS
            batch = subscriber.poll(int(min(READ_SIZE, remaining)), wait_ms)
            if not batch.events:
                if args.idle_exit_ms >= 0 and args.idle_exit_ms - (time.monotonic() - last_event_at) * 1000 <= 0:
                    return 0
                continue
            for event in batch.events:
                out.write(event.payload)
                out.write(b"\n")
            out.flush()  # printed before acknowledged: an ack never covers an event the user did not get
            subscriber.ack(batch)
            remaining -= len(batch.events)
            last_event_at = time.monotonic()
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)  # bad usage: argparse exits 2 with the usage
    try:
        return run_produce(args) if args.command == "produce" else run_consume(args)
    except UsageError as e:
        p.print_usage(sys.stderr)
        print("switchboard %s: %s" % (args.command, e), file=sys.stderr)
        return 2
    except SwitchboardError as e:
        print("switchboard %s: %s" % (args.command, e.message), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as e:
        print("switchboard %s: %s" % (args.command, e), file=sys.stderr)
        return 1


def entry() -> None:
    sys.exit(main())


__all__: List[str] = ["main", "parser"]
