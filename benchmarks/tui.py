"""TUI timings, each beside a bare Textual app measured the same way in the
same run: first paint, and the time from a keystroke in the search box to
the last byte of the repaint it causes.

Both run in a pseudo-terminal with Textual's real Linux driver (120x40),
so what is measured is what a terminal receives.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# The child that measures first paint. It runs under a pseudo-terminal with
# Textual's real driver; the auto-pilot starts once the app is ready and
# asks for a callback after the next refresh, i.e. once the first frame has
# been written. The timestamp is CLOCK_MONOTONIC, shared with the parent.
_CHILD = r"""
import asyncio, json, os, resource, sys, time
mode, db, query, fd = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "bare":
    from textual.app import App
    from textual.widgets import Input, Static

    class Bare(App):
        def compose(self):
            yield Input(placeholder="search")
            yield Static("bare Textual app")
    app = Bare()
else:
    from kbtui.tui.app import create_app
    app = create_app(db)

async def pilot(p):
    painted = asyncio.Event()
    app.call_after_refresh(painted.set)
    await painted.wait()
    out = {"paint": time.monotonic()}
    if query:
        t = time.monotonic()
        await p.press(*["space" if c == " " else c for c in query])
        await p.pause(0.3)
        await app.workers.wait_for_complete()
        await p.pause()
        out["typed_search_s"] = time.monotonic() - t
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across fork+exec, so it
    # would report the (large) benchmark parent, not this process
    try:
        with open("/proc/self/status") as fh:
            hwm = next(line for line in fh if line.startswith("VmHWM:"))
        out["rss_mb"] = int(hwm.split()[1]) / 1024
    except (OSError, StopIteration):
        out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    os.write(fd, json.dumps(out).encode())
    app.exit()

app.run(auto_pilot=pilot)
"""


# Text each app's first frame shows: the moment the terminal receives it is
# the first paint as a user sees it (the child's own "after refresh"
# callback can come a frame later, once work queued behind the first frame
# has run).
FIRST_FRAME = {"bare": b"bare Textual app", "kbtui": b"earch names"}


def _pty_run(mode: str, db: Path, query: str, timeout: float = 60.0) -> dict:
    import fcntl
    import struct
    import termios
    import threading

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    rfd, wfd = os.pipe()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    for var in ("TEXTUAL", "PYTHONDONTWRITEBYTECODE", "NO_COLOR"):
        env.pop(var, None)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode, str(db), query, str(wfd)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        pass_fds=(wfd,),
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    os.close(wfd)
    screen: list[bytes] = []
    seen: list[float] = []  # when the first frame's text arrived
    marker = FIRST_FRAME[mode]

    def drain() -> None:
        tail = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            if not seen and marker in tail + chunk:
                seen.append(time.monotonic())
            tail = chunk[-len(marker) :]
            screen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    data = b""
    while chunk := os.read(rfd, 65536):
        data += chunk
    os.close(rfd)
    os.close(master)
    if not data:
        tail = b"".join(screen)[-2000:].decode("utf-8", "replace")
        raise RuntimeError(f"{mode} app did not report a first paint (exit {proc.returncode}): {tail}")
    out = json.loads(data)
    out["refreshed_s"] = out.pop("paint") - start
    out["first_paint_s"] = (seen[0] if seen else float("nan")) - start
    return out


def bench_tui(db: Path, query: str, runs: int = 3) -> dict:
    _pty_run("bare", db, "")  # warm-up: .pyc files written, OS caches warm
    _pty_run("kbtui", db, "")
    bare = [_pty_run("bare", db, "")["first_paint_s"] for _ in range(runs)]
    tui = [_pty_run("kbtui", db, "")["first_paint_s"] for _ in range(runs)]
    with_search = _pty_run("kbtui", db, query)
    return {
        "tui_first_paint_s": round(statistics.median(tui), 3),
        "bare_textual_first_paint_s": round(statistics.median(bare), 3),
        "tui_vs_bare": round(statistics.median(tui) / statistics.median(bare), 2),
        "rss_mb": round(with_search["rss_mb"], 1),
        "tui_typed_search_s": round(with_search.get("typed_search_s", 0.0), 3),
    }


# The child for keystroke timings: the app runs on its own, reading keys
# from the terminal; the auto-pilot only stops the cursor blinking (a
# repaint every half second would read as the end of no keystroke) and then
# waits. The bare app filters a 20-row list on every change, synchronously.
_KEYS_CHILD = r"""
import asyncio, sys
mode, db = sys.argv[1], sys.argv[2]
if mode == "bare":
    from textual.app import App
    from textual.widgets import Input, OptionList

    ROWS = [f"row {i} of a bare Textual app" for i in range(20)]

    class Bare(App):
        def compose(self):
            yield Input(placeholder="search")
            yield OptionList(*ROWS)

        def on_input_changed(self, event):
            rows = self.query_one(OptionList)
            rows.clear_options()
            rows.add_options([f"{r} · {event.value}" for r in ROWS])
    app = Bare()
else:
    from kbtui.tui.app import create_app
    app = create_app(db)

async def pilot(p):
    await p.pause(0.5)
    for box in app.screen.query("Input"):
        box.cursor_blink = False
    await asyncio.Event().wait()

app.run(auto_pilot=pilot)
"""
QUIET_S = 0.25  # no output for this long: the repaint is over
SETTLE_S = 1.5  # after start: the start list, the counts, the cursor


def _keys_run(mode: str, db: Path, queries: list[str]) -> list[float]:
    """Milliseconds from writing each key to the last byte the app wrote
    before falling quiet."""
    import fcntl
    import select
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    for var in ("TEXTUAL", "PYTHONDONTWRITEBYTECODE", "NO_COLOR"):
        env.pop(var, None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _KEYS_CHILD, mode, str(db)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(slave)

    def drain(quiet: float, limit: float) -> float | None:
        """Read until `quiet` seconds pass with no output; the time of the
        last byte read (None: nothing came)."""
        last = None
        end = time.monotonic() + limit
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], quiet)
            if not ready:
                return last
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return last
            if not chunk:
                return last
            last = time.monotonic()
        return last

    times: list[float] = []
    try:
        drain(SETTLE_S, 30.0)
        for query in queries:
            for ch in query:
                sent = time.monotonic()
                os.write(master, ch.encode())
                last = drain(QUIET_S, 10.0)
                if last is not None:
                    times.append((last - sent) * 1000)
            for _ in query:  # clear the box for the next query, untimed
                os.write(master, b"\x7f")
            drain(QUIET_S, 10.0)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def bench_keys(db: Path, queries: list[str]) -> dict:
    """Keystroke-to-repaint latency of kbtui's search box and of a bare
    app's, typing the same queries one key at a time."""
    bare = _keys_run("bare", db, queries)
    tui = _keys_run("kbtui", db, queries)
    if not bare or not tui:
        return {"key_repaint_p50_ms": None, "key_repaint_p95_ms": None, "bare_key_repaint_p95_ms": None}
    return {
        "key_repaint_p50_ms": round(statistics.median(tui), 1),
        "key_repaint_p95_ms": round(_p95(tui), 1),
        "bare_key_repaint_p50_ms": round(statistics.median(bare), 1),
        "bare_key_repaint_p95_ms": round(_p95(bare), 1),
        "key_vs_bare": round(_p95(tui) / _p95(bare), 2),
        "keys_typed": len(tui),
    }
