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
from typing import Iterator, List, Optional, Sequence

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
    produce.add_argument("--writer-id", metavar="ID",
                         help="stable writer id naming this input: a re-run with the same input, id and --batch "
                              "publishes only the lines Kafka does not hold yet, each line exactly once (implies "
                              "--exactly-once; default: a random id, at-least-once)")
    produce.add_argument("--skip", type=int, default=0, metavar="N",
                         help="skip the first N lines (without --writer-id: those a failed run reported committed)")
    produce.add_argument("--exactly-once", action="store_true",
                         help="store each event exactly once, also across backend failures and re-runs (needs "
                              "--writer-id, which implies it)")
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
    """As the Java ``produce``: with ``--writer-id`` the input is cut into chunks of exactly ``--batch`` lines, one
    chunk each, so chunk n of the writer always holds lines (n-1)*batch+1 .. n*batch (after ``--skip``); a re-run of
    the same input learns the writer's last committed chunk from the allocate answer (its durable state) and
    publishes only the lines after it. ``--writer-id`` implies exactly-once: the re-run's allocation fences the
    failed run, so a chunk whose commit was in doubt is stored once."""
    if args.batch < 1:
        raise UsageError("--batch must be at least 1")
    if args.skip < 0:
        raise UsageError("--skip must not be negative")
    if args.exactly_once and not args.writer_id:
        raise UsageError("--exactly-once needs --writer-id: the writer id is what a re-run continues without "
                         "duplicates")
    exactly_once = args.exactly_once or args.writer_id is not None
    budget = duration_s(args.retry_budget) if args.retry_budget else 120.0
    transport = Transport(args.url or [DEFAULT_URL], token=token(args.token_file), ca_file=args.ca_file,
                          retry_budget_s=budget)
    publisher = Publisher(transport, args.topic, writer_id=args.writer_id, chunk_events=args.batch,
                          guarantee="EXACTLY_ONCE" if exactly_once else "AT_LEAST_ONCE",
                          one_chunk_per_publish=args.writer_id is not None)

    def failed(e: SwitchboardError, committed: int) -> SwitchboardError:
        """The cause, what is in (with a writer id, its earlier runs' lines too), and how to publish the rest."""
        lines_in = args.skip + committed
        if args.writer_id is None:
            resume = "re-run with --skip %d to publish the rest" % lines_in
        else:
            resume = ("re-run the same command (same input, --writer-id %s, --batch %d%s): it publishes only what "
                      "Kafka does not hold, each line exactly once (a commit still in doubt is either in Kafka or "
                      "aborted when the re-run starts)" % (args.writer_id, args.batch,
                                                           ", --skip %d" % args.skip if args.skip else ""))
        return SwitchboardError(e.code, "publishing failed (%s: %s); %d events were committed to %s%s (writer %s), so "
                                "the first %d lines are in; %s" % (
                                    e.code, e.message, committed, args.topic,
                                    " after the %d skipped lines" % args.skip if args.skip else "",
                                    publisher.writer_id, lines_in, resume))

    try:
        chunks = publisher.open() if args.writer_id else 0
    except SwitchboardError as e:
        raise failed(e, 0)
    leave_out = args.skip + chunks * args.batch
    skipped = 0
    lines = _lines(sys.stdin.buffer)
    line = next(lines, None)
    while line is not None and skipped < leave_out:
        skipped += 1
        line = next(lines, None)
    resumed = max(0, skipped - args.skip) if chunks > 0 else 0  # fewer when the input ended among them
    if chunks > 0:
        if line is None and resumed <= (chunks - 1) * args.batch:
            # not the input this writer id published (or another --batch): going on would lose or repeat lines
            raise SwitchboardError("INVALID_REQUEST", "writer %s has committed %d chunks of --batch %d (%d lines) to "
                                   "%s, but the input%s has only %d lines: is this the input that writer id "
                                   "published, with the same --batch?" % (
                                       args.writer_id, chunks, args.batch, chunks * args.batch, args.topic,
                                       " after the %d skipped lines" % args.skip if args.skip else "", resumed))
        print("writer %s has committed %d chunks of %d lines before: leaving out the first %d lines%s%s" % (
            args.writer_id, chunks, args.batch, resumed, " after the %d skipped ones" % args.skip if args.skip else "",
            "; the input has no more" if line is None else ""), file=sys.stderr)
    count = 0
    try:
        while line is not None:
            publisher.send(line)
            count += 1
            line = next(lines, None)
        publisher.close()
    except SwitchboardError as e:
        raise failed(e, resumed + publisher.committed_events)
    print("produced %d events to %s%s" % (count, args.topic, " (after the %d lines the writer had committed before)"
                                          % resumed if resumed > 0 else ""), file=sys.stderr)
    return 0


def _lines(stream) -> Iterator[bytes]:
    """The lines of ``stream`` without their line ends (LF or CRLF)."""
    for raw in stream:
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r"):
            line = line[:-1]
        yield line


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
