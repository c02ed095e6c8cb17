"""GET /healthz: the state of the database, the queue and the worker, for operators."""

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

logger = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    runtime = request.app.state.runtime
    checks = {
        "database": await _check(runtime.ports.accounts.count_users()),
        "queue": await _check(runtime.redis.ping()),
        "worker": "ok" if await _safe(runtime.queue.is_worker_alive()) else "down",
    }
    healthy = all(state == "ok" for state in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", **checks}, headers={"Cache-Control": "no-store"}
    )


async def _check(probe: "asyncio.Future[object] | object") -> str:
    return "ok" if await _safe(probe) is not None else "down"


async def _safe(probe: object) -> object | None:
    try:
        return await asyncio.wait_for(probe, timeout=2)  # type: ignore[arg-type]
    except Exception:
        logger.warning("health probe failed", exc_info=True)
        return None
