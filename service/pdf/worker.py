"""The app side of one converter process: start, send a job, wait with a timeout, kill."""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).resolve().parent / "uno_worker.py"
_PAGE = os.sysconf("SC_PAGE_SIZE")


class WorkerDied(RuntimeError):
    """The worker or its LibreOffice process ended while we needed it."""


class WorkerTimeout(RuntimeError):
    """The worker did not answer within the deadline."""


class JobFailed(RuntimeError):
    """LibreOffice answered but could not convert this document."""


@dataclass
class Job:
    """One conversion request: paths on disk and export options."""

    input: Path
    output: Path
    pdfa: bool = False
    tagged: bool | None = None
    meta: dict[str, Any] | None = None
    destinations: bool = False

    def to_json(self, job_id: int) -> str:
        """The request line of the protocol."""
        body = {
            "id": job_id,
            "input": str(self.input),
            "output": str(self.output),
            "pdfa": self.pdfa,
            "tagged": self.pdfa if self.tagged is None else self.tagged,
            "meta": self.meta or {},
            "destinations": self.destinations,
        }
        return json.dumps(body, ensure_ascii=False) + "\n"


def process_group_pids(pgid: int) -> list[int]:
    """Every live pid of the process group ``pgid`` (the worker and its soffice)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


def rss_bytes(pid: int) -> int:
    """Resident set size of one process, 0 if it is gone."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class Worker:
    """One ``uno_worker.py`` process with its soffice, in its own process group."""

    def __init__(
        self,
        slot: int,
        generation: int,
        *,
        python: str,
        soffice: str,
        base_dir: Path,
        warm_docx: Path | None,
    ) -> None:
        self.slot = slot
        self.generation = generation
        self.dir = base_dir / f"w{slot}-{generation}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conversions = 0
        self.office_pid: int | None = None
        self._seq = 0
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: IO[bytes] = open(self.dir / "worker.log", "wb")
        cmd = [python, str(WORKER_SCRIPT), "--soffice", soffice, "--profile", str(self.dir / "p")]
        if warm_docx is not None:
            cmd += ["--warm", str(warm_docx)]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
            text=True,
            encoding="utf-8",
        )
        self._reader = threading.Thread(
            target=self._read, name=f"pdf-worker-{slot}-{generation}", daemon=True
        )
        self._reader.start()

    @property
    def name(self) -> str:
        """A label for logs."""
        return f"w{self.slot}.{self.generation}(pid {self.proc.pid})"

    def _read(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                self._lines.put(line)
        except (OSError, ValueError):
            pass  # the pipe was closed under us: the worker is being killed
        finally:
            self._lines.put(None)

    def _next(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        try:
            line = self._lines.get(timeout=max(remaining, 0.001))
        except queue.Empty:
            raise WorkerTimeout(f"{self.name} gave no answer in time") from None
        if line is None:
            raise WorkerDied(f"{self.name} exited: {self.log_tail()}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker has started and warmed soffice."""
        reply = self._next(time.monotonic() + timeout)
        if not reply.get("ready"):
            raise WorkerDied(f"{self.name} sent {reply!r} instead of ready")
        self.office_pid = int(reply["office_pid"])

    def run(self, job: Job, timeout: float) -> float:
        """Send ``job`` and wait for its answer; return LibreOffice's seconds."""
        if not self.alive():
            raise WorkerDied(f"{self.name} is not running")
        self._seq += 1
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(job.to_json(self._seq))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(f"{self.name}: {exc}") from exc
        self.conversions += 1
        deadline = time.monotonic() + timeout
        while True:
            reply = self._next(deadline)
            if reply.get("id") == self._seq:
                break
        if reply.get("ok"):
            return float(reply.get("seconds", 0.0))
        if reply.get("fatal"):
            raise WorkerDied(f"{self.name}: {reply.get('error')}")
        raise JobFailed(str(reply.get("error")))

    def alive(self) -> bool:
        """Whether the worker and its soffice are both running."""
        if self.proc.poll() is not None:
            return False
        if self.office_pid is None:
            return True
        try:
            state = Path(f"/proc/{self.office_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in ("Z", "X")

    def pids(self) -> list[int]:
        """The live processes of this worker's group."""
        return process_group_pids(self.proc.pid)

    def rss(self) -> int:
        """Resident memory of the worker and soffice together, in bytes."""
        return sum(rss_bytes(pid) for pid in self.pids())

    def log_tail(self, size: int = 600) -> str:
        """The end of the worker's stderr, for error messages."""
        try:
            data = (self.dir / "worker.log").read_bytes()[-size:]
        except OSError:
            return ""
        return data.decode("utf-8", "replace").strip()

    def kill(self) -> None:
        """Kill the whole process group at once and remove the profile."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            log.warning("worker %s did not die after SIGKILL", self.name)
        self._close_files()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the worker to finish (stdin closed), then kill what is left."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def _close_files(self) -> None:
        self._reader.join(5)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self._stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
