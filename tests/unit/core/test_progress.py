"""core.progress: periodic lines with rate and time left, a rewriting line on a terminal,
silence under -q."""

from __future__ import annotations

import io
import logging
import re

from varrank.core.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _logger(level: int) -> logging.Logger:
    logger = logging.getLogger(f"test.progress.{level}")
    logger.setLevel(level)
    return logger


def test_log_lines_every_interval_with_rate_and_time_left(caplog):
    clock, logger = Clock(), _logger(logging.INFO)
    progress = Progress("score: SpliceAI", total=1000, unit="alleles", every_s=30,
                        stream=io.StringIO(), clock=clock, logger=logger)
    with caplog.at_level(logging.INFO, logger=logger.name):
        for _ in range(1000):
            clock.now += 0.1  # 10 alleles/s: 100 s in all
            progress.update()
        progress.finish()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4  # at 30, 60, 90 s and the final line
    # the clock is read about ten times per interval, so the first line comes at ~30 s
    assert re.fullmatch(r"score: SpliceAI: 3\d\d/1,000 alleles \(10\.0/s, 1m\d\ds left\)",
                        lines[0]), lines[0]
    assert lines[-1] == "score: SpliceAI: 1,000/1,000 alleles (10.0/s), done in 1m40s"


def test_terminal_line_rewrites_itself_and_quiet_shows_nothing(caplog):
    clock, tty = Clock(), Tty()
    progress = Progress("ingest: extracting", unit="rows", stream=tty, clock=clock,
                        logger=_logger(logging.INFO))
    for _ in range(50):
        clock.now += 0.1
        progress.update(1000)
    progress.finish()
    text = tty.getvalue()
    assert text.count("\r") >= 5 and text.endswith("rows (10,000.0/s)\n")
    assert "left" not in text  # no total, no time left
    quiet = Progress("x", total=10, stream=Tty(), clock=clock, logger=_logger(logging.WARNING))
    for _ in range(10):
        clock.now += 10
        quiet.update()
    quiet.finish()
    assert quiet.lines == 0 and quiet.stream.getvalue() == ""


def test_a_short_step_shows_nothing(caplog):
    clock = Clock()
    progress = Progress("annotate", total=3, stream=io.StringIO(), clock=clock,
                        logger=_logger(logging.INFO))
    with caplog.at_level(logging.INFO):
        progress.update(3)
        progress.finish()
    assert progress.lines == 0 and not caplog.records


def test_an_external_tools_output_lines_are_counted_while_it_runs(tmp_path, caplog):
    """snpEff/VEP print no progress: the lines they have written are the progress, shown while
    the tool still runs; a chatty stderr is returned whole, never blocks."""
    import sys

    from varrank.core.progress import run_counting_lines

    script = ("import sys, time\n"
              "for i in range(3000):\n"
              "    print(f'line {i}', flush=True)\n"
              "    if i % 1000 == 999: time.sleep(0.3)\n"
              "sys.stderr.write('w' * 200000 + '\\nlast words\\n')\n"
              "sys.exit(3)\n")
    logger = _logger(logging.INFO)
    progress = Progress("tool", total=3000, unit="lines", every_s=0.0, stream=io.StringIO(),
                        logger=logger)
    with caplog.at_level(logging.INFO, logger=logger.name):
        status, stderr = run_counting_lines([sys.executable, "-c", script], tmp_path / "out.txt",
                                            progress, poll_s=0.1)
    assert status == 3 and stderr.endswith("last words\n") and len(stderr) > 200000
    assert progress.done_n == 3000
    assert (tmp_path / "out.txt").read_text().count("\n") == 3000
    shown = [r.getMessage() for r in caplog.records]
    assert any(re.search(r"tool: [\d,]+/3,000 lines", m) for m in shown[:-1]), shown
    assert shown[-1].startswith("tool: 3,000/3,000 lines"), shown
