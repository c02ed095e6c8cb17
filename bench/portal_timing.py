"""Times the portal's first search results page, served by the real server over HTTP."""

import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.search_data import Dataset
from tests.server import Server, child_environment

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "bench-admin@example.org"
PASSWORD = "a bench password 123"  # noqa: S105 (a throwaway benchmark account)
QUERY = "diagnosis=C43&age_min=20&age_max=70"


def time_search_page(data_dir: Path, data: Dataset, runs: int) -> str:
    """Median and p95 of GET /search with results, on the benchmark's SQLite data."""
    database_url = f"sqlite://{data_dir / 'bench.sqlite3'}"
    cluster_name = f"Bench 0 {data.clusters[0].hex[:6]}"
    env = child_environment(data_dir, SUTURA_DATABASE_URL=database_url)
    subprocess.run(  # noqa: S603 (our own main.py)
        [sys.executable, "main.py", "create-admin", EMAIL, "--cluster", cluster_name],
        input=f"{PASSWORD}\n",
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    server = Server(data_dir, SUTURA_DATABASE_URL=database_url, SUTURA_LOG_LEVEL="WARNING")
    try:
        return _measure(server.url, data, runs)
    finally:
        server.stop()


def _measure(base: str, data: Dataset, runs: int) -> str:
    with httpx.Client(base_url=base, timeout=60) as client:
        signed_in = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        signed_in.raise_for_status()
        address = f"/search?cluster={data.clusters[0]}&{QUERY}"
        timings = []
        complete = 0
        for _ in range(runs + 1):  # the first run warms the caches and is not counted
            started = time.perf_counter()
            answer = client.get(address)
            timings.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
            # NiceGUI sends a page early when something waits for the browser's connection;
            # such an answer holds no results and its time says nothing about the search.
            complete += "search-hit" in answer.text
    timings = sorted(timings[1:])
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return (
        f"portal /search first results page ({QUERY}): p50 {statistics.median(timings):.0f} ms,"
        f" p95 {p95:.0f} ms (target 300 ms); {complete} of {runs + 1} answers held the results"
    )
