"""Progress of a run: a bar on a terminal, plain log lines otherwise.

A bar (tqdm, on stderr) when stderr is a terminal: documents done, failed,
flagged, ETA. In a log (not a TTY), one line per document with its status and
an ETA, so `kehoach extract … 2>run.log` reads well and can be grepped.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

from pipeline.worker import Result


def _eta(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class Progress:
    def __init__(self, total: int, *, skipped: int = 0, quiet: bool = False, stream: TextIO | None = None,
                 bar: bool | None = None):
        self.total, self.skipped, self.quiet = total, skipped, quiet
        self.stream = stream or sys.stderr
        self.done = self.failed = self.flagged = 0
        self.t0 = time.monotonic()
        use_bar = self.stream.isatty() if bar is None else bar
        self.bar = None
        if use_bar and not quiet and total:
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
            self.bar = tqdm(total=total, unit="doc", file=self.stream, dynamic_ncols=True, smoothing=0.05,
                            desc="extract")
        elif not quiet and skipped:
            print(f"{skipped} unchanged document(s) skipped, {total} to do", file=self.stream)

    def update(self, res: Result) -> None:
        self.done += 1
        self.failed += res.status == "failed"
        self.flagged += res.n_flags > 0
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.set_postfix(failed=self.failed, flagged=self.flagged, refresh=False)
            self.bar.update(1)
            return
        elapsed = time.monotonic() - self.t0
        left = (self.total - self.done) * elapsed / self.done if self.done else 0.0
        what = res.failure if res.status == "failed" else f"{res.n_flags} finding(s)"
        print(f"[{self.done}/{self.total}] {res.status:7} {res.source_path}: {what} (ETA {_eta(left)})",
              file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
