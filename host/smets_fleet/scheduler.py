"""One scheduler per process: every due event of every premises in one heap of plain tuples
``(time, kind, premises index)``, so 20,000 premises cost 20,000-odd heap entries and no tasks.

Ties run in (kind, index) order, so a run is reproducible. An event is not cancelled: the fleet keeps,
per premises, the time it wants an event of a kind to run and skips any other popped time (a stale
entry). ``push`` of an event earlier than the one the clock is sleeping towards calls ``on_earlier``
(the clock's interrupt), so a command that makes something due sooner is not kept waiting.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

Event = tuple[int, int, int]


class Scheduler:
    def __init__(self) -> None:
        self.heap: list[Event] = []
        self.waiting_until: int | None = None  # the time the run loop sleeps towards
        self.on_earlier: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self.heap)

    def push(self, t: int, kind: int, index: int) -> None:
        heapq.heappush(self.heap, (t, kind, index))
        w = self.waiting_until
        if w is not None and t < w and self.on_earlier is not None:
            self.waiting_until = t
            self.on_earlier()

    def next_time(self) -> int | None:
        return self.heap[0][0] if self.heap else None

    def pop(self) -> Event:
        return heapq.heappop(self.heap)

    def pop_due(self, now: int, before: int, limit: int) -> list[Event]:
        """Up to `limit` events due at or before `now` and strictly before `before`, oldest first."""
        heap = self.heap
        out: list[Event] = []
        while heap and len(out) < limit:
            t = heap[0][0]
            if t > now or t >= before:
                break
            out.append(heapq.heappop(heap))
        return out

    # -- checkpoints ---------------------------------------------------------------------------------
    def state(self) -> list[Event]:
        return list(self.heap)

    def load(self, events: list[Event]) -> None:
        self.heap = [(int(t), int(k), int(i)) for t, k, i in events]
        heapq.heapify(self.heap)
