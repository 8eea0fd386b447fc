"""The job store on Redis: keys expiring after JOB_TTL, the waiter woken by BLPOP."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import cast

import redis  # installed with celery[redis]

from service.pdf.jobstore import JOB_TTL, Heartbeat, Job, Outcome, outcome_meta


class RedisJobStore:
    """Jobs as Redis keys expiring after JOB_TTL; the waiter blocks on a list (BLPOP)."""

    PREFIX = "vanban:pdf:"

    def __init__(self, url: str):
        self.redis = redis.Redis.from_url(url)

    def _key(self, job_id: str, part: str) -> str:
        return f"{self.PREFIX}job:{job_id}:{part}"

    def create(self, job: Job, docx: bytes | None) -> None:
        """SET the .docx and the job with their TTL, in one transaction."""
        ttl = int(JOB_TTL)
        pipe = self.redis.pipeline()
        if docx is not None:
            pipe.set(self._key(job.id, "docx"), docx, ex=ttl)
        pipe.set(self._key(job.id, "job"), json.dumps(asdict(job)), ex=ttl)
        pipe.execute()

    def load(self, job_id: str) -> tuple[Job, bytes | None] | None:
        """The job and its .docx, or None."""
        raw, docx = self.redis.mget([self._key(job_id, "job"), self._key(job_id, "docx")])
        if raw is None:
            return None
        return Job(**json.loads(raw)), cast(bytes | None, docx)

    def finish(self, job_id: str, outcome: Outcome) -> bool:
        """Push the outcome on the job's list (only while the job still exists)."""
        if not self.redis.exists(self._key(job_id, "job")):
            return False
        ttl = int(JOB_TTL)
        pipe = self.redis.pipeline()
        if outcome.content is not None:
            pipe.set(self._key(job_id, "out"), outcome.content, ex=ttl)
        meta = json.dumps(outcome_meta(outcome))
        pipe.set(self._key(job_id, "outcome"), meta, ex=ttl)
        pipe.rpush(self._key(job_id, "done"), meta)
        pipe.expire(self._key(job_id, "done"), ttl)
        pipe.execute()
        return True

    def finished(self, job_id: str) -> bool:
        """Whether the outcome key exists."""
        return bool(self.redis.exists(self._key(job_id, "outcome")))

    def wait(self, job_id: str, timeout: float) -> Outcome | None:
        """BLPOP the job's list: woken the moment the worker finishes."""
        popped = self.redis.blpop([self._key(job_id, "done")], timeout=max(timeout, 0.01))
        if popped is None:
            return None
        content = cast(bytes | None, self.redis.get(self._key(job_id, "out")))
        return Outcome(content=content, **json.loads(popped[1]))

    def delete(self, job_id: str) -> None:
        """DEL every key of the job."""
        parts = ("job", "docx", "out", "outcome", "done")
        self.redis.delete(*(self._key(job_id, p) for p in parts))

    def beat(self, heartbeat: Heartbeat, ttl: float) -> None:
        """SET the worker's key with a TTL: a dead worker's heartbeat disappears."""
        key = f"{self.PREFIX}worker:{heartbeat.worker}"
        self.redis.set(key, json.dumps(asdict(heartbeat)), px=max(1, int(ttl * 1000)))

    def heartbeats(self, max_age: float) -> list[Heartbeat]:
        """The fresh heartbeats, newest first."""
        keys = list(self.redis.scan_iter(match=f"{self.PREFIX}worker:*", count=100))
        now, beats = time.time(), []
        for raw in self.redis.mget(keys) if keys else []:
            if raw is not None:
                beat = Heartbeat(**json.loads(raw))
                if now - beat.at <= max_age:
                    beats.append(beat)
        return sorted(beats, key=lambda b: -b.at)

    def sweep(self) -> int:
        """Nothing to do: every key expires by itself."""
        return 0
