"""The same work on a Dask cluster (`--scheduler tcp://HOST:8786`), via dask.distributed.

Dask schedules; this module only submits `pipeline.worker.process` over a
bounded window of documents and turns what comes back into Results. Tasks
carry the document's bytes, so workers need kehoach installed but no shared
file system. The time limit is enforced from here: a document seen running
for longer than `timeout` is cancelled, recorded as a timeout, and its worker
restarted through its nanny (a thread cannot be stopped otherwise). Memory
is Dask's to guard: start workers with `--memory-limit`; a document that
kills workers again and again ends as KilledWorker, recorded as a crash.
"""
from __future__ import annotations

import time
from typing import Iterable, Iterator

from pipeline.worker import Result, Task, failed_for, process, warm

POLL_S = 0.5
CONNECT_TIMEOUT = "20s"


class ClusterUnavailable(Exception):
    """No Dask here, or no scheduler at the address."""


def run_dask(tasks: Iterable[Task], scheduler: str, timeout: float | None) -> Iterator[Result]:
    """Yield one Result per task, in completion order."""
    import threading

    try:
        from distributed import Client
    except ImportError as e:
        raise ClusterUnavailable("--scheduler needs dask.distributed: pip install 'kehoach[cluster]'") from e
    try:
        client = Client(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterUnavailable(f"no Dask scheduler at {scheduler}: {e}") from e
    try:
        try:
            client.run(warm)  # imports on every worker now, so no document's time limit pays for them
        except Exception:
            pass
        window = max(4, 2 * sum(client.nthreads().values()))
        pending = iter(tasks)
        inflight: dict[str, tuple[Task, object]] = {}
        started: dict[str, float] = {}
        n = 0
        exhausted = False
        ready = threading.Event()  # set by a done-callback: no default client, no busy polling
        polled = 0.0
        while True:
            while not exhausted and len(inflight) < window:
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                n += 1
                fut = client.submit(process, task, key=f"kehoach-{n}-{task.content_hash[:16] or 'x'}", pure=False)
                fut.add_done_callback(lambda _f: ready.set())
                inflight[fut.key] = (task, fut)
            if not inflight:
                return
            ready.wait(POLL_S)
            ready.clear()
            for fut in [f for _, f in inflight.values() if f.done()]:
                task, _ = inflight.pop(fut.key)
                started.pop(fut.key, None)
                yield _collect(task, fut)
            if timeout is not None and inflight and time.monotonic() - polled >= POLL_S:
                polled = time.monotonic()  # one look at the workers per POLL_S, not per result
                yield from _expire(client, inflight, started, timeout)
    finally:
        client.close()


def _collect(task: Task, fut) -> Result:
    if fut.status == "finished":
        return fut.result()
    try:
        exc = fut.exception()
    except BaseException as e:  # cancelled under us (a worker restart)
        exc = e
    name = type(exc).__name__
    kind = "crash"
    if name == "KilledWorker":
        msg = "the document killed its Dask worker repeatedly (out of memory or a crash)"
    else:
        msg = f"{name}: {exc}"
    return failed_for(task, "worker", kind, msg)


def _executing(dask_worker=None) -> list[str]:
    """Run on each worker (client.run): the keys it is executing now, not those queued behind them."""
    return [str(ts.key) for ts in getattr(dask_worker.state, "executing", ())]


def _running(client) -> dict[str, str]:
    """key -> worker address of every task executing now."""
    try:
        return {k: w for w, keys in client.run(_executing).items() for k in keys}
    except Exception:  # an older or odd worker: fall back on what the scheduler assigned
        try:
            return {str(k): w for w, keys in client.processing().items() for k in keys}
        except Exception:
            return {}


def _expire(client, inflight: dict, started: dict, timeout: float) -> Iterator[Result]:
    """Cancel the documents that have been executing for longer than `timeout`; restart their workers."""
    now = time.monotonic()
    running = _running(client)
    for key in list(inflight):
        if str(key) in running:
            started.setdefault(key, now)
    stuck = [k for k, t0 in started.items() if k in inflight and now - t0 > timeout]
    workers = set()
    for key in stuck:
        task, fut = inflight.pop(key)
        started.pop(key, None)
        fut.cancel()
        if str(key) in running:
            workers.add(running[str(key)])
        yield failed_for(task, "worker", "timeout",
                         f"no result after {timeout:g} s on the Dask cluster; the task was cancelled", seconds=timeout)
    if workers:
        try:
            client.restart_workers(list(workers), raise_for_error=False)
        except Exception:  # no nanny (processes=False) or an older scheduler: the thread stays busy
            pass
