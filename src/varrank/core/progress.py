"""Progress of a long step: done, rate and time left, where the user can see it.

On a terminal the line rewrites itself on stderr (at most twice a second); anywhere else (a
Nextflow task log, a batch job's output) an INFO log line is written every ``every_s``
seconds, so a task's ``.command.log`` shows how far a 5-million-record INGEST or a SCORE of
10,000 candidates has come. Nothing is shown when logging is quieter than INFO (``-q``).
Progress never touches a stage's outputs.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

log = logging.getLogger("varrank.progress")


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class Progress:
    """Count work done towards ``total`` (None: unknown, then no ETA)."""

    def __init__(self, label: str, total: int | None = None, unit: str = "records",
                 every_s: float = 30.0, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 logger: logging.Logger = log) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.every_s, self.clock, self.logger = every_s, clock, logger
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = logger.isEnabledFor(logging.INFO)
        self.tty = self.enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.done_n = 0
        self.started = self.last_shown = clock()
        self._next_check = 1
        self.lines = 0  # shown so far (tests)

    def update(self, n: int = 1) -> None:
        """Add ``n`` done; cheap enough to call per record (the clock is read rarely)."""
        self.done_n += n
        if not self.enabled or self.done_n < self._next_check:
            return
        now = self.clock()
        interval = 0.5 if self.tty else self.every_s
        # read the clock again after about a tenth of the interval's worth of updates (the
        # rate is only trusted after half a second)
        elapsed = now - self.started
        skip = int(self.done_n / elapsed * interval / 10) if elapsed >= 0.5 else 100
        self._next_check = self.done_n + max(1, min(skip, 1_000_000))
        if now - self.last_shown >= interval:
            self._show(now)

    def text(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        rate = self.done_n / elapsed
        done = f"{self.done_n:,}" + (f"/{self.total:,}" if self.total else "")
        eta = ""
        if self.total and rate > 0 and self.done_n < self.total:
            eta = f", {_duration((self.total - self.done_n) / rate)} left"
        return f"{self.label}: {done} {self.unit} ({rate:,.1f}/s{eta})"

    def finish(self) -> None:
        """End the terminal line; log the totals once when the step was long enough to show."""
        if not self.enabled:
            return
        now = self.clock()
        if self.tty and self.lines:
            self.stream.write("\r" + self.text(now) + "\n")
            self.stream.flush()
        elif not self.tty and self.lines:
            self.logger.info("%s, done in %s", self.text(now), _duration(now - self.started))

    def _show(self, now: float) -> None:
        self.last_shown = now
        self.lines += 1
        if self.tty:
            self.stream.write("\r" + self.text(now) + "\x1b[K")
            self.stream.flush()
        else:
            self.logger.info("%s", self.text(now))


def run_counting_lines(cmd: list[str], stdout_path: Path, progress: Progress,
                       poll_s: float = 1.0) -> tuple[int, str]:
    """Run an external tool that writes one line per record to ``stdout_path`` (snpEff, VEP),
    counting the lines it has written so far as progress; return (exit status, stderr).

    The tools print no progress of their own that a task log could show, and on a genome they
    run for minutes. stderr goes to a file, not a pipe, so a chatty tool never blocks."""
    with open(stdout_path, "wb") as out, tempfile.TemporaryFile("w+") as err, \
            open(stdout_path, "rb") as seen:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        while True:
            try:
                proc.wait(timeout=poll_s)
                finished = True
            except subprocess.TimeoutExpired:
                finished = False
            while block := seen.read(1 << 20):
                progress.update(block.count(b"\n"))
            if finished:
                break
        progress.finish()
        err.seek(0)
        return proc.returncode, err.read()
