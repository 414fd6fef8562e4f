"""The same work on a Dask cluster (`--scheduler tcp://HOST:8786`), via dask.distributed.

Dask schedules; this module only submits `pipeline.worker.process` over a
bounded window of documents and turns what comes back into Results. Tasks
carry the document's bytes, so workers need kehoach installed but no shared
file system. The time limit is enforced from here: a document seen running
for longer than `timeout` is cancelled, recorded as a timeout, and its worker
restarted through its nanny (a thread cannot be stopped otherwise). Memory
is Dask's to guard: start workers with `--memory-limit`; a document that
kills workers again and again ends as KilledWorker, recorded as a crash.

Failures of the cluster itself are not the documents' failures. An address
that does not parse, or where nothing listens, is refused in seconds, before
a Client exists (a Client that fails to connect spends 40 s in `__del__` and
prints a traceback). A scheduler that goes away mid-run ends the run with
ClusterLost once the Client has been without it for LOST_S: the documents in
flight are not stored, so the next run does them; a task the cluster cancels
while the scheduler is up is submitted again.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import Counter
from typing import Iterable, Iterator

from pipeline.worker import Result, Task, failed_for, process, warm

POLL_S = 0.5
PROBE_S = 5.0           # a TCP connect to the scheduler's port, before any Client
CONNECT_TIMEOUT = "10s"  # the Client's handshake, and how long it tries to reconnect after a loss
LOST_S = 10.0           # without a scheduler this long mid-run: ClusterLost
MAX_RESUBMIT = 2        # a task the cluster cancels under us is submitted again this many times
SCHEMES = ("tcp", "tls", "inproc", "ws", "wss", "ucx")
SIMD_ENV = "KEHOACH_OCR_SIMD"  # carried to the Dask workers (see _env_plugin)


class ClusterUnavailable(Exception):
    """No Dask here, or no scheduler at the address."""


class ClusterLost(ClusterUnavailable):
    """The scheduler went away mid-run; `in_flight` documents were not finished (nor stored)."""

    def __init__(self, scheduler: str, in_flight: int):
        super().__init__(f"lost the Dask scheduler at {scheduler} mid-run")
        self.scheduler, self.in_flight = scheduler, in_flight


def check_address(scheduler: str) -> None:
    """Refuse an address Dask cannot use, or where nothing answers, in seconds rather than a Client's 40."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        if scheme not in SCHEMES:
            raise ValueError(f"unknown protocol {scheme!r} (use {', '.join(s + '://' for s in SCHEMES)})")
        if scheme == "inproc":
            return
        host, port = parse_host_port(location)
    except ValueError as e:
        raise ClusterUnavailable(f"{scheduler!r} is not a Dask scheduler address such as tcp://HOST:8786: {e}") from e
    try:
        socket.create_connection((host, port), timeout=PROBE_S).close()
    except OSError as e:
        reason = e.strerror or str(e) or type(e).__name__
        raise ClusterUnavailable(f"nothing answers at {scheduler} ({reason}); is `dask scheduler` running there?") from e
    if scheme in ("tcp", "ws"):  # something listens: is it a scheduler? (a Client would wait for ever)
        try:
            kind = asyncio.run(asyncio.wait_for(_identify(scheduler), PROBE_S)).get("type")
        except Exception as e:
            kind = f"{type(e).__name__} {e}".strip()
        if kind != "Scheduler":
            raise ClusterUnavailable(f"no Dask scheduler answered at {scheduler} within {PROBE_S:g} s ({kind}); "
                                     f"is it the scheduler's address and port?")


async def _identify(address: str) -> dict:
    from distributed.comm import connect

    comm = await connect(address, timeout=PROBE_S)
    try:
        await comm.write({"op": "identity", "reply": True})
        reply = await comm.read()
        return reply if isinstance(reply, dict) else {}
    finally:
        comm.abort()


def _client(scheduler: str):
    """A Client, or ClusterUnavailable; one that fails to connect is shut down here, never by the garbage
    collector (whose `Client.__del__` waits 40 s and prints a traceback)."""
    from distributed import Client

    class _Client(Client):
        def __del__(self) -> None:
            if not getattr(self, "_kehoach_failed", False):
                super().__del__()

    client = _Client.__new__(_Client)
    try:
        client.__init__(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT)
    except Exception as e:
        client._kehoach_failed = True
        try:
            client._loop_runner.stop()
        except Exception:
            pass
        raise ClusterUnavailable(f"no Dask scheduler answered at {scheduler} within {CONNECT_TIMEOUT} "
                                 f"({type(e).__name__}: {e})") from e
    return client


def _quiet_dask() -> None:
    """Dask logs a lost connection with tracebacks; the run reports it in one line instead."""
    for name in ("distributed", "distributed.client", "distributed.comm", "distributed.core", "distributed.batched"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _env_plugin(names: tuple[str, ...]):
    """A worker plugin that sets this process's values of `names` on every Dask worker, also those that
    join or are restarted later, so that e.g. --ocr-simd reaches the OCR on each machine."""
    from distributed.diagnostics.plugin import WorkerPlugin

    values = {n: os.environ[n] for n in names if n in os.environ}

    class KehoachEnv(WorkerPlugin):
        name = "kehoach-env"

        def setup(self, worker) -> None:
            os.environ.update(values)

    return KehoachEnv() if values else None


def run_dask(tasks: Iterable[Task], scheduler: str, timeout: float | None) -> Iterator[Result]:
    """Yield one Result per task, in completion order."""
    import threading

    try:
        import distributed  # noqa: F401
    except ImportError as e:
        raise ClusterUnavailable("--scheduler needs dask.distributed: pip install 'kehoach[cluster]'") from e
    _quiet_dask()
    check_address(scheduler)
    client = _client(scheduler)
    try:
        try:
            client.run(warm)  # imports on every worker now, so no document's time limit pays for them
            plugin = _env_plugin((SIMD_ENV,))
            if plugin is not None:
                client.register_plugin(plugin)
        except Exception:
            pass
        window = max(4, 2 * sum(client.nthreads().values()))
        pending = iter(tasks)
        inflight: dict[str, tuple[Task, object]] = {}
        started: dict[str, float] = {}
        resubmitted: Counter = Counter()
        n = 0
        exhausted = False
        ready = threading.Event()  # set by a done-callback: no default client, no busy polling
        polled = 0.0
        lost_since: float | None = None

        def submit(task: Task) -> None:
            nonlocal n
            n += 1
            fut = client.submit(process, task, key=f"kehoach-{n}-{task.content_hash[:16] or 'x'}", pure=False)
            fut.add_done_callback(lambda _f: ready.set())
            inflight[fut.key] = (task, fut)

        while True:
            while not exhausted and len(inflight) < window and client.status == "running":
                task = next(pending, None)
                if task is None:
                    exhausted = True
                    break
                submit(task)
            if not inflight:
                return
            ready.wait(POLL_S)
            ready.clear()
            if client.status != "running":  # the scheduler is gone (the Client retries for CONNECT_TIMEOUT)
                lost_since = lost_since or time.monotonic()
                if time.monotonic() - lost_since > LOST_S or client.status in ("closing", "closed", "failed"):
                    raise ClusterLost(scheduler, len(inflight))
                continue
            lost_since = None
            for fut in [f for _, f in inflight.values() if f.done()]:
                task, _ = inflight.pop(fut.key)
                started.pop(fut.key, None)
                if fut.status in ("finished", "error"):
                    try:
                        res = _collect(task, fut)
                    except Exception as e:  # the result could not be fetched
                        if client.status != "running":
                            inflight[fut.key] = (task, fut)
                            lost_since = lost_since or time.monotonic()
                            continue
                        res = failed_for(task, "worker", "crash", f"its result could not be fetched from the "
                                                                  f"Dask cluster ({type(e).__name__}: {e})")
                    yield res
                elif _connection_lost(fut) or client.status != "running":
                    inflight[fut.key] = (task, fut)  # counted as in flight when ClusterLost is raised
                    lost_since = lost_since or time.monotonic()
                elif resubmitted[task.source_path] < MAX_RESUBMIT:
                    resubmitted[task.source_path] += 1
                    submit(task)
                else:
                    yield failed_for(task, "worker", "crash", f"the Dask cluster cancelled the task "
                                                              f"{MAX_RESUBMIT + 1} times ({_reason(fut)})")
            if lost_since is not None:
                continue
            if timeout is not None and inflight and time.monotonic() - polled >= POLL_S:
                polled = time.monotonic()  # one look at the workers per POLL_S, not per result
                yield from _expire(client, inflight, started, timeout)
    finally:
        try:
            client.close(timeout=2)
        except Exception:  # a scheduler gone for good: nothing left to close cleanly
            pass


def _reason(fut) -> str:
    """Why a future ended without a result ("scheduler-connection-lost", …), from its cancellation error."""
    try:
        exc = fut.exception(timeout=1)
    except BaseException as e:
        exc = e
    return str(getattr(exc, "reason", "") or type(exc).__name__)


def _connection_lost(fut) -> bool:
    return "connection-lost" in _reason(fut)


def _collect(task: Task, fut) -> Result:
    if fut.status == "finished":
        return fut.result()
    try:
        exc = fut.exception()
    except BaseException as e:
        exc = e
    name = type(exc).__name__
    if name == "KilledWorker":
        msg = "the document killed its Dask worker repeatedly (out of memory or a crash)"
    else:
        msg = f"{name}: {exc}"
    return failed_for(task, "worker", "crash", msg)


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
