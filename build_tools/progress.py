"""Progress display for long commands: a rich bar on a terminal, silence elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def counter(label: str, enabled: bool = True, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield tick(n): n items done. Draws only when stderr is a terminal, so logs and CI stay clean."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.update(task, completed=n)


@contextmanager
def step(label: str) -> Iterator[None]:
    """Announce one build step on stderr and how long it took."""
    import time

    start = time.perf_counter()
    print(f"• {label} …", file=sys.stderr, flush=True)
    yield
    print(f"  {label}: done in {time.perf_counter() - start:.2f} s", file=sys.stderr, flush=True)
