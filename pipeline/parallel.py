"""A small supervised process pool: one task at a time per worker, each with a deadline.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot stop one hung
task (only the whole pool), and when a worker dies every pending future
fails with `BrokenProcessPool`, so the culprit is unknown. Here each worker
has its own pipe and the parent knows which document each worker holds: a
worker past its deadline, over its memory limit or dead is killed and
replaced, that one document becomes a `worker` error row, and the others go
on. On Linux the main process warms the extractors once (pipeline.preload)
and workers are plain forks of it, so a replacement starts in milliseconds,
and each worker asks the kernel for SIGKILL when the main process dies
(PR_SET_PDEATHSIG): a `kill -9` of the run leaves no worker behind, even one
stuck in C code. Elsewhere a forkserver preloads the extractors and a
watchdog thread ends a worker whose parent is gone.

Memory guard, two layers: RLIMIT_AS caps each worker's address space at what
it had at start plus `max_memory_mb` (a sudden huge allocation fails at once
with MemoryError), and the parent polls each busy worker's resident size and
kills it past `max_memory_mb` (a slow climb). A C library that meets a failed
allocation under the cap often dies of SIGSEGV or SIGABRT instead of raising,
which looks like any crash: such a document is run once more in a worker
without the cap (the resident-size guard still on). If it then dies the same
way it is a crash; if it gets through, or past the resident limit, the cap
was the cause and it is a `memory` failure, which a larger limit retries.

Each worker's temporary files (archive members, links under a corrected
suffix, converters' scratch) live in `scratch/w<pid>`, removed whenever that
worker stops, killed or not, so a timeout or kill leaves no bytes in /tmp.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import select
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.worker import Result, Task, failed_for, process

POLL_S = 0.2
TASKS_PER_WORKER = 2000  # recycle now and then, against slow leaks in libraries
CAP_SIGNALS = (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS)  # how C code under RLIMIT_AS dies of a failed malloc


def _vm_kb(field_name: str, pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 ** 2
    except (OSError, ValueError, IndexError):
        return 0.0


def _die_with_parent(parent_pid: int, forked: bool) -> None:
    """End this worker when the main process goes away, however it went."""
    if forked:
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent_pid:  # it died before the prctl
                os._exit(1)
            return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True, name="kehoach-watchdog").start()


def _watch(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
        select.select([fd], [], [])
    except (AttributeError, OSError):
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
    os._exit(1)


def _context() -> tuple[mp.context.BaseContext, bool]:
    """(context, forked): fork from a warmed main process on Linux, else a preloading forkserver."""
    methods = mp.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux"):
        import pipeline.preload  # noqa: F401  (warms the extractors here, once; only when there is work)

        return mp.get_context("fork"), True
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["pipeline.preload"])
        return ctx, False
    return mp.get_context("spawn"), False


def _limit_memory(max_memory_mb: int | None) -> None:
    if not max_memory_mb:
        return
    try:
        import resource

        base = _vm_kb("VmSize") * 1024
        limit = base + max_memory_mb * 1024 ** 2
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _scratch_of(scratch: str | None, pid: int) -> str | None:
    return os.path.join(scratch, f"w{pid}") if scratch else None


def _use_scratch(scratch: str | None) -> None:
    """Point this worker's temporary files (and its converters', through TMPDIR) into its own folder."""
    folder = _scratch_of(scratch, os.getpid())
    if not folder:
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return
    import tempfile

    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder


def _worker_main(conn: Connection, max_memory_mb: int | None, parent_pid: int, forked: bool,
                 ocr_threads: int = 1, scratch: str | None = None) -> None:
    # The cores are shared out between the workers: a scan's pages are read by this worker's share only.
    os.environ.setdefault("KEHOACH_OCR_WORKERS", str(ocr_threads))
    _use_scratch(scratch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent_pid, forked)
    _limit_memory(max_memory_mb)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        res = process(task)
        try:
            conn.send(res)
        except (BrokenPipeError, OSError):
            return
        if res.recycle:
            return


@dataclass
class _Slot:
    proc: mp.process.BaseProcess
    conn: Connection
    task: Task | None = None
    started: float = 0.0
    done: int = 0
    killed_for: str = ""
    probe: str = ""  # run without the address-space cap after the signal named here (see the module doc)


class LocalPool:
    """`run(tasks)` yields one Result per task, in completion order; never raises for a bad document."""

    def __init__(self, workers: int, timeout: float | None, max_memory_mb: int | None,
                 scratch: Path | None = None):
        self.workers = max(1, workers)
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self.scratch = str(scratch) if scratch else None
        self.ctx, self.forked = _context()
        self.slots: list[_Slot] = []
        self.replaced = 0
        self.retry: list[tuple[Task, str]] = []  # (task, signal name): to run again without the cap

    def _spawn(self, cap: bool = True) -> _Slot:
        parent, child = self.ctx.Pipe(duplex=True)
        sys.stdout.flush()  # a fork must not inherit unflushed output and print it twice
        sys.stderr.flush()
        ocr_threads = max(1, (os.cpu_count() or 1) // self.workers)
        proc = self.ctx.Process(target=_worker_main,
                                args=(child, self.max_memory_mb if cap else None, os.getpid(), self.forked,
                                      ocr_threads, self.scratch),
                                daemon=True, name="kehoach-worker")
        proc.start()
        child.close()
        slot = _Slot(proc, parent)
        self.slots.append(slot)
        return slot

    def _retire(self, slot: _Slot, kill: bool) -> None:
        if kill and slot.proc.is_alive():
            slot.proc.kill()
        else:
            try:
                slot.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        slot.proc.join(5)
        if slot.proc.is_alive():
            slot.proc.kill()
            slot.proc.join(5)
        slot.conn.close()
        self.slots.remove(slot)
        folder = _scratch_of(self.scratch, slot.proc.pid)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def _lost(self, slot: _Slot) -> Result | None:
        """The worker is gone without answering: say why, from what we did to it or how it ended.
        None when the document is to be run once more without the address-space cap to tell."""
        task = slot.task
        assert task is not None
        elapsed = time.monotonic() - slot.started
        slot.proc.join(5)
        code = slot.proc.exitcode
        if slot.killed_for == "timeout":
            kind, msg = "timeout", f"no result after {self.timeout:g} s; the worker was stopped"
        elif slot.killed_for == "memory":
            kind, msg = "memory", f"over the {self.max_memory_mb} MB memory limit; the worker was stopped"
        elif code == -signal.SIGKILL:
            kind, msg = "memory", "the worker was killed by the system (SIGKILL), most likely out of memory"
        elif code is not None and code < 0 and -code in CAP_SIGNALS and self.max_memory_mb and not slot.probe:
            self.replaced += 1
            self.retry.append((task, signal.Signals(-code).name))
            return None
        elif code is not None and code < 0:
            kind, msg = "crash", f"the worker died of signal {signal.Signals(-code).name}"
            if slot.probe:
                msg += f", also when run again without the {self.max_memory_mb} MB address-space cap"
        else:
            kind, msg = "crash", f"the worker exited with code {code}"
        self.replaced += 1
        return failed_for(task, "worker", kind, msg, seconds=elapsed)

    def _probed(self, slot: _Slot, res: Result) -> Result:
        """A document that crashed under the cap and came through without it: the cap was the cause."""
        task = slot.task
        assert task is not None
        if res.worker_error:
            return res
        mb = self.max_memory_mb
        return failed_for(task, "worker", "memory",
                          f"the worker died of {slot.probe} under the {mb} MB address-space limit (a failed "
                          f"allocation in a library) and ran without that limit: the document needs more than "
                          f"--max-memory-mb {mb}", seconds=res.seconds)

    def run(self, tasks: Iterable[Task]) -> Iterator[Result]:
        """Results are handed out only after the freed workers have their next task, so a worker
        never idles while the caller stores a result."""
        pending = iter(tasks)
        try:
            while True:
                done = self._fill(pending)
                busy = [s for s in self.slots if s.task is not None]
                if not busy:
                    yield from done
                    return
                if not done:
                    wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=self._wait_s(busy))
                for slot in busy:
                    done.extend(self._check(slot))
                done.extend(self._fill(pending))
                yield from done
        finally:
            self.close()

    def _fill(self, pending: Iterator[Task]) -> list[Result]:
        """Give every idle worker (and every worker not yet started) a task; results of tasks lost on the way."""
        lost: list[Result] = []
        while sum(s.task is None for s in self.slots) + (self.workers - len(self.slots)) > 0:
            probe = ""
            if self.retry:
                task, probe = self.retry.pop(0)
            else:
                task = next(pending, None)
            if task is None:
                break
            for dead in [s for s in self.slots if s.task is None and not s.proc.is_alive()]:
                self._retire(dead, kill=True)  # died while idle: not this task's fault
            if probe:  # a worker of its own, without the cap, for this one document
                idle = next((s for s in self.slots if s.task is None), None)
                if idle is not None and len(self.slots) >= self.workers:
                    self._retire(idle, kill=False)
                slot = self._spawn(cap=False)
            else:
                slot = next((s for s in self.slots if s.task is None and not s.probe), None) or self._spawn()
            slot.task, slot.started, slot.killed_for, slot.probe = task, time.monotonic(), "", probe
            try:
                slot.conn.send(task)
            except (BrokenPipeError, OSError):
                res = self._lost(slot)
                self._retire(slot, kill=True)
                if res is not None:
                    lost.append(res)
        return lost

    def _wait_s(self, busy: list[_Slot]) -> float:
        if self.timeout is None:
            return POLL_S if self.max_memory_mb else 5.0
        now = time.monotonic()
        nearest = min(s.started + self.timeout for s in busy) - now
        return max(0.0, min(nearest, POLL_S if self.max_memory_mb else nearest))

    def _check(self, slot: _Slot) -> list[Result]:
        """The slot's result if it has one; else stop it if it died, ran past its deadline or its memory."""
        if slot.conn.poll():
            try:
                res: Result | None = slot.conn.recv()
            except (EOFError, OSError):
                res = None
            if res is not None:
                if slot.probe:
                    res = self._probed(slot, res)
                slot.task = None
                slot.done += 1
                if res.recycle or slot.done >= TASKS_PER_WORKER or slot.probe:
                    self._retire(slot, kill=False)
                return [res]
        if not slot.proc.is_alive():
            res = self._lost(slot)
            self._retire(slot, kill=True)
            return [res] if res is not None else []
        now = time.monotonic()
        if self.timeout is not None and now - slot.started > self.timeout:
            slot.killed_for = "timeout"
        elif self.max_memory_mb and _rss_mb(slot.proc.pid) > self.max_memory_mb:
            slot.killed_for = "memory"
        if not slot.killed_for:
            return []
        slot.proc.kill()
        res = self._lost(slot)
        self._retire(slot, kill=True)
        return [res] if res is not None else []

    def close(self) -> None:
        for slot in list(self.slots):
            self._retire(slot, kill=slot.task is not None)


def run_serial(tasks: Iterable[Task]) -> Iterator[Result]:
    """In this process, one by one: no time limit, no memory guard (for debugging, `--workers 0`)."""
    for task in tasks:
        yield process(task)
