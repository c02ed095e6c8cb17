"""Runs make_derivatives in child processes bounded in memory and time.

The children come from a forkserver, never from fork(): the parent is an asyncio web server
with threads. Each child caps its address space with RLIMIT_AS. A child that dies (out of
memory, killed) breaks the executor, and a child that overruns the time bound is killed; in
both cases the executor is replaced so the next photo is processed normally.
"""

import asyncio
import logging
import multiprocessing
import resource
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from domain.errors import InvalidImage
from workers import imaging
from workers.imaging import Derivatives

logger = logging.getLogger(__name__)

OUT_OF_MEMORY = "The photo needs more memory to process than this server allows."
UNREADABLE = "The photo file could not be read; it may be damaged or in an unusual format."
TOO_SLOW = "The photo took too long to process."
STARTUP_TIMEOUT_S = 60.0


def limit_memory(memory_limit_bytes: int) -> None:
    """Cap the child's address space (soft and hard, so it cannot raise it again)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit_bytes, memory_limit_bytes))


def prepare_worker() -> None:
    """Runs once in a fresh child so that startup and imports are not charged to a photo."""


class ImagingPool:
    def __init__(
        self,
        *,
        max_workers: int = 1,
        memory_limit_bytes: int = 1_500_000_000,
        timeout_s: float = 60.0,
    ) -> None:
        self._max_workers = max_workers
        self._memory_limit_bytes = memory_limit_bytes
        self._timeout_s = timeout_s
        # Photos wait here for a free child, so that waiting does not count against their time
        # bound (a queued photo timing out would kill the child working on another one).
        self._free_workers = asyncio.Semaphore(max_workers)
        self._executor, self._ready = self._start_executor()

    async def make_derivatives(self, data: bytes, *, max_pixels: int) -> Derivatives:
        """Raise InvalidImage when the photo is refused, runs out of memory or time."""
        async with self._free_workers:
            return await self._run(data, max_pixels)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    async def _run(self, data: bytes, max_pixels: int) -> Derivatives:
        executor = await self._ready_executor()
        future = executor.submit(imaging.make_derivatives, data, max_pixels=max_pixels)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self._timeout_s)
        except MemoryError:
            logger.warning("Photo processing ran out of memory")
            raise InvalidImage(OUT_OF_MEMORY) from None
        except BrokenProcessPool:
            logger.warning("Photo processing child died; replacing the pool")
            self._replace(executor)
            raise InvalidImage(OUT_OF_MEMORY) from None
        except TimeoutError:
            logger.warning("Photo processing exceeded %.1f s; killing the child", self._timeout_s)
            self._replace(executor, kill=True)
            raise InvalidImage(TOO_SLOW) from None
        except InvalidImage:
            raise
        except Exception:
            logger.exception("Photo processing failed unexpectedly")
            raise InvalidImage(UNREADABLE) from None

    def _start_executor(self) -> tuple[ProcessPoolExecutor, Future[None]]:
        executor = ProcessPoolExecutor(
            max_workers=self._max_workers,
            mp_context=multiprocessing.get_context("forkserver"),
            initializer=limit_memory,
            initargs=(self._memory_limit_bytes,),
        )
        return executor, executor.submit(prepare_worker)

    async def _ready_executor(self) -> ProcessPoolExecutor:
        """Wait until a child has started, outside the time bound of the photo."""
        executor, ready = self._executor, self._ready
        try:
            await asyncio.wait_for(asyncio.wrap_future(ready), STARTUP_TIMEOUT_S)
        except (BrokenProcessPool, MemoryError, TimeoutError):
            self._replace(executor, kill=True)
            raise InvalidImage(OUT_OF_MEMORY) from None
        return executor

    def _replace(self, broken: ProcessPoolExecutor, *, kill: bool = False) -> None:
        if broken is not self._executor:
            return  # another call has replaced it already
        if kill:
            # ProcessPoolExecutor has no public way to stop a running task before Python 3.14.
            for process in list(broken._processes.values()):
                process.kill()
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor, self._ready = self._start_executor()
