"""The (run, seed) jobs of a study for ``tools/run_study.py --jobs N``."""
import threading
from typing import List, Optional, Tuple


class JobQueue:
    """The study's (run, seed) jobs for ``--jobs`` workers, in order: a
    student's job waits until its teacher's job with the same seed is done."""

    def __init__(self, jobs: List[Tuple[dict, int]]) -> None:
        self.pending, self.done, self.started = list(jobs), set(), 0
        self.queued = {(run['name'], seed) for run, seed in jobs}
        self.error: Optional[BaseException] = None
        self.cond = threading.Condition()

    def _ready(self, run: dict, seed: int) -> bool:
        teacher = (run.get('teacher'), seed)
        return not run.get('teacher') or teacher in self.done or teacher not in self.queued

    def take(self) -> Optional[Tuple[int, Tuple[dict, int]]]:
        """``(number, job)`` of the next job whose teacher is done (waits for
        one; numbered from 1 as taken); None when all are taken or a job failed."""
        with self.cond:
            while self.pending and self.error is None:
                job = next((j for j in self.pending if self._ready(*j)), None)
                if job:
                    self.pending.remove(job)
                    self.started += 1
                    return self.started, job
                self.cond.wait()
            return None

    def finish(self, job: Tuple[dict, int], error: Optional[BaseException] = None) -> None:
        with self.cond:
            if error is None:
                self.done.add((job[0]['name'], job[1]))
            elif self.error is None:
                self.error = error
            self.cond.notify_all()
