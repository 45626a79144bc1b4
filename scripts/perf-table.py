#!/usr/bin/env python3
"""The markdown table of scripts/perf-figures.sh: one row per measurement, from the rows file it wrote
(kind, name, command, JSON or output file, the bench's ratio= line; tab-separated) and each run's JSON or output.
Standard library only. Usage: perf-table.py ROWS DATE LOADAVG COMMIT SMALL"""

import json
import re
import sys


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def phase(report, system):
    for p in report.get("phases", []):
        if p.get("system") == system:
            return p
    return None


def cpu(p):
    if p is None:
        return "n/a"
    by_process = p.get("cpuMsPerThousandEventsByProcess") or {}
    if len(by_process) > 1:
        return ", ".join(f"{name} {value:.1f}" for name, value in by_process.items())
    return fmt(p.get("cpuMsPerThousandEvents"), 1)


def ratio_of(line):
    match = re.match(r"ratio=(\S+)", line or "")
    return match.group(1) if match else "n/a"


def bench_row(name, command, path, ratio_line):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    sb = phase(report, "switchboard")
    kafka = phase(report, "kafka")
    if report.get("mode") == "tail":
        phases = report.get("phases", [])
        cells = [
            f"CPU {fmt(p.get('cpuMsPerSecond'))} ms/s with {p.get('subscribers')} subscriber(s), "
            f"p99 {fmt((p.get('latencyMs') or {}).get('p99'), 1)} ms"
            for p in phases
        ]
        return [name, command, "; ".join(cells), "", f"**{ratio_of(ratio_line)}**", ""]
    if name == "commit-latency":
        lat = (sb or {}).get("latencyMs") or {}
        klat = (kafka or {}).get("latencyMs") or {}
        return [
            name,
            command,
            f"commit p50 {fmt(lat.get('p50'), 1)} ms, **p99 {fmt(lat.get('p99'), 1)} ms**, "
            f"p99.9 {fmt(lat.get('p99.9'), 1)} ms at {fmt((sb or {}).get('eventsPerSecond'))} events/s",
            f"send to ack p50 {fmt(klat.get('p50'), 1)}, p99 {fmt(klat.get('p99'), 1)} ms",
            "",
            f"{cpu(sb)} / {cpu(kafka)}",
        ]
    return [
        name,
        command,
        f"{fmt((sb or {}).get('eventsPerSecond'))} events/s",
        f"{fmt((kafka or {}).get('eventsPerSecond'))} events/s" if kafka else "",
        f"**{ratio_of(ratio_line)}**",
        f"{cpu(sb)} / {cpu(kafka)}" if kafka else cpu(sb),
    ]


def fanout_row(name, command, path):
    text = open(path, encoding="utf-8").read()
    runs = re.findall(r"tail-cache-bytes=(\d+)\s+sessions=(\d+)\s+cpu=(\d+) ms/s kafka-fetches=(\d+) /s", text)
    ratios = dict(re.findall(r"tail-cache-bytes=(\d+): cpu\(\d+ sessions\) / cpu\(1 session\) = (\d+\.\d+)", text))
    # the warm-up runs come first; the measured ones are the last four
    measured = runs[-4:]
    cells = [f"cache {c}: {s} session(s) {cpu} ms/s, {f} fetches/s" for c, s, cpu, f in measured]
    ratio = " / ".join(f"{ratios.get(c, 'n/a')} ({'sharing' if c != '0' else 'no sharing'})" for c in ratios)
    return [name, command, "; ".join(cells), "", f"**{ratio}**", ""]


def stream_fanout_row(name, command, path):
    text = open(path, encoding="utf-8").read()
    runs = re.findall(r"delivery=(\w+)\s+sessions=(\d+)\s+server-cpu=(\d+) ms/s client-cpu=(\d+) ms/s", text)
    ratios = re.findall(r"delivery=(\w+): server cpu\(\d+ sessions\) / cpu\(1 session\) = (\d+\.\d+)", text)
    # the warm-up runs come first; the measured ones are the last two per delivery
    measured = runs[-2 * len(ratios):] if ratios else []
    cells = [f"{d}: {s} session(s) server {cpu} ms/s, clients {client} ms/s" for d, s, cpu, client in measured]
    ratio = " / ".join(f"{r} ({d})" for d, r in ratios)
    if not ratios:
        raise ValueError("no ratio line")
    return [name, command, "; ".join(cells), "", f"**{ratio}**", ""]


def idle_row(name, command, path):
    text = open(path, encoding="utf-8").read()
    held = re.search(r"held (\d+) idle read sessions", text)
    reports = re.findall(r"sessions=(\d+) heap-after-gc=(\d+) MiB threads=(\d+) open-files=(\d+)", text)
    last = reports[-1] if reports else None
    first = reports[0] if reports else None
    cell = (
        f"{held.group(1) if held else 'NOT'} idle read sessions held; heap after GC {last[1]} MiB "
        f"(none: {first[1]} MiB), {last[2]} threads, {last[3]} open files"
        if last
        else "no figures"
    )
    return [name, command, cell, "", "", ""]


def main():
    rows_file, date, load, commit, small = sys.argv[1:6]
    table = []
    failed = []
    for line in open(rows_file, encoding="utf-8"):
        kind, name, command, path, ratio_line = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
        try:
            if kind == "bench":
                table.append(bench_row(name, command, path, ratio_line))
            elif kind == "script" and name == "fanout":
                table.append(fanout_row(name, command, path))
            elif kind == "script" and name == "streamfanout":
                table.append(stream_fanout_row(name, command, path))
            elif kind == "script" and name == "idle":
                table.append(idle_row(name, command, path))
            else:
                failed.append(name)
                table.append([name, command, f"FAILED (log: {path})", "", "", ""])
        except (OSError, ValueError, KeyError, IndexError) as e:
            failed.append(name)
            table.append([name, command, f"FAILED to read {path}: {e}", "", "", ""])
    size = " (--small: the figures mean nothing)" if small == "true" else ""
    print(f"Figures of {date}, commit {commit}, load average {load} at the end (scripts/perf-figures.sh){size}")
    print()
    print("| figure | command | Switchboard | raw Kafka, same run | ratio | CPU ms / 1,000 events (SB / Kafka) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in table:
        cells = [row[0], f"`{row[1]}`"] + row[2:]
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    if failed:
        print()
        print("failed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
