"""The search benchmark at a small scale, so that it keeps working (no timings are checked)."""

import pytest

from bench.search import report, run_engine, typical_searches


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_the_search_benchmark_runs_every_typical_search(engine, tmp_path, capsys):
    try:
        figures, _, data, _ = await run_engine(engine, tmp_path, 300, 2000, runs=2)
    except OSError as error:  # PostgreSQL not reachable on this machine
        pytest.skip(str(error))

    report(engine, figures, 0.0, 2000)

    assert [f.name for f in figures] == list(typical_searches(data))
    assert any(f.photos for f in figures)
    assert "worst p95" in capsys.readouterr().out
