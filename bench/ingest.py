"""Ingest benchmark: CPU time and peak memory of make_derivatives against a pyvips reference.

Run `python bench/ingest.py`. Every figure comes from a child process: CPU time is the median
of 5 runs of time.process_time after one warm-up run, peak memory is ru_maxrss of a fresh
child that processes one photo. pyvips runs with VIPS_CONCURRENCY=1 so that both sides use
one thread.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTO_12MP = ROOT / "tests" / "data" / "photos" / "phone_samsung_galaxy_s7edge_12mp_gps.jpg"
METHODS = {
    "ours-all": "ours, all three renditions",
    "ours-views": "ours, preview + thumbnail",
    "pyvips": "pyvips, preview + thumbnail",
}
RUNS = 5
PEAK_LIMIT_MB = 250


def ours_all(data: bytes) -> None:
    from workers.imaging import make_derivatives

    make_derivatives(data)


def ours_views(data: bytes) -> None:
    from workers import imaging

    kind = imaging.identify_format(data)
    with imaging.open_photo(data, kind, 100_000_000) as image:
        orientation = imaging.read_orientation(image)
        imaging.decode(image)
        imaging.render_views(image, orientation)


def pyvips_views(data: bytes) -> None:
    import pyvips

    pyvips.Image.thumbnail_buffer(data, 2048).jpegsave_buffer(Q=85, strip=True)
    pyvips.Image.thumbnail_buffer(data, 320).jpegsave_buffer(Q=80, strip=True)


def run_child(method: str, path: Path, runs: int) -> None:
    """In the child: time `runs` runs (after a warm-up if runs > 1) and print JSON."""
    sys.path.insert(0, str(ROOT))
    work: Callable[[bytes], None] = {
        "ours-all": ours_all,
        "ours-views": ours_views,
        "pyvips": pyvips_views,
    }[method]
    data = path.read_bytes()
    if runs > 1:
        work(data)
    times = []
    for _ in range(runs):
        start = time.process_time()
        work(data)
        times.append(time.process_time() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cpu_ms": statistics.median(times) * 1000, "peak_mb": peak_kb / 1024}))


def measure(method: str, path: Path, runs: int) -> dict[str, float]:
    env = {**os.environ, "VIPS_CONCURRENCY": "1"}
    command = [sys.executable, __file__, "--child", method, str(path), "--runs", str(runs)]
    output = subprocess.run(  # noqa: S603 (our own interpreter and script)
        command, env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(output.stdout)
    return result


def make_48mp(folder: Path) -> Path:
    """Write the 48 MP photo from a child, so this process stays small: a child's ru_maxrss
    starts from its parent's resident size at fork time."""
    path = folder / "generated_48mp.jpg"
    script = (
        "import sys\n"
        "from PIL import Image\n"
        "with Image.open(sys.argv[1]) as image:\n"
        "    image.resize((8000, 6000), Image.Resampling.LANCZOS).save(sys.argv[2], quality=90)\n"
    )
    command = [sys.executable, "-c", script, str(PHOTO_12MP), str(path)]
    subprocess.run(command, check=True)  # noqa: S603
    return path


def report(label: str, path: Path) -> dict[str, dict[str, float]]:
    figures = {}
    for method, description in METHODS.items():
        cpu_ms = measure(method, path, RUNS)["cpu_ms"]
        peak_mb = measure(method, path, 1)["peak_mb"]
        figures[method] = {"cpu_ms": cpu_ms, "peak_mb": peak_mb}
        print(f"  {label:<6} {description:<30} {cpu_ms:8.0f} ms CPU {peak_mb:8.0f} MB peak")
    for method in ("ours-all", "ours-views"):
        cpu = figures[method]["cpu_ms"] / figures["pyvips"]["cpu_ms"]
        peak = figures[method]["peak_mb"] / figures["pyvips"]["peak_mb"]
        print(f"  {label:<6} ratio {method}/pyvips{'':<13} {cpu:8.2f} x CPU {peak:8.2f} x peak")
    return figures


def check_pyvips() -> bool:
    env = {**os.environ, "VIPS_CONCURRENCY": "1"}
    command = [sys.executable, "-c", "import pyvips; print(pyvips.version(0), pyvips.version(1))"]
    probe = subprocess.run(  # noqa: S603 (our own interpreter and script)
        command, env=env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        print("pyvips cannot be imported (is libvips installed? apt-get install -y libvips42):")
        print(probe.stderr.strip().splitlines()[-1] if probe.stderr else "no error output")
        return False
    print(f"libvips {probe.stdout.strip().replace(' ', '.')}, VIPS_CONCURRENCY=1 (one thread)")
    return True


def verdict(is_met: bool) -> str:
    return "PASS" if is_met else "FAIL"


def main() -> int:
    if not check_pyvips():
        return 1
    print(f"CPU: median of {RUNS} runs after a warm-up, each in a child process; ")
    print("peak: ru_maxrss of a fresh child processing one photo.")
    with tempfile.TemporaryDirectory() as folder:
        print("12 MP: phone_samsung_galaxy_s7edge_12mp_gps.jpg (4032x3024)")
        twelve = report("12 MP", PHOTO_12MP)
        print("48 MP: generated at run time, 8000x6000, quality 90")
        forty_eight = report("48 MP", make_48mp(Path(folder)))
    views_ok = twelve["ours-views"]["cpu_ms"] <= twelve["pyvips"]["cpu_ms"]
    all_ok = twelve["ours-all"]["cpu_ms"] <= twelve["pyvips"]["cpu_ms"]
    peak_ok = forty_eight["ours-all"]["peak_mb"] < PEAK_LIMIT_MB
    print(f"{verdict(views_ok)}: 12 MP CPU, preview+thumbnail, ours <= pyvips")
    print(f"{verdict(all_ok)}: 12 MP CPU, all renditions (ours does more), ours <= pyvips")
    print(f"{verdict(peak_ok)}: 48 MP peak memory, all renditions, under {PEAK_LIMIT_MB} MB")
    return 0 if views_ok and all_ok and peak_ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", choices=METHODS)
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=RUNS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.child, arguments.path, arguments.runs)
    else:
        sys.exit(main())
