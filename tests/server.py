"""Runs the real server (`python main.py serve`) as a child process for end-to-end tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without a Redis or database address of its own; `extra` is
    applied last, so a caller may still name a database (the portal benchmark does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.pop("SUTURA_REDIS_URL", None)
    env.pop("SUTURA_DATABASE_URL", None)
    env.update({"SUTURA_DATA_DIR": str(data_dir), **extra})
    return env


def create_admin(data_dir: Path, email: str, password: str, cluster: str) -> None:
    subprocess.run(
        [sys.executable, "main.py", "create-admin", email, "--cluster", cluster],
        input=f"{password}\n",
        text=True,
        cwd=ROOT,
        env=child_environment(data_dir),
        check=True,
        capture_output=True,
        timeout=60,
    )


class Server:
    def __init__(
        self, data_dir: Path, port: int | None = None, root: Path = ROOT, **extra_env: str
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"server-{self.port}.log"
        env = child_environment(data_dir, SUTURA_PORT=str(self.port), **extra_env)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "main.py", "serve"],
                cwd=root,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout_s: float = 40) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).json().get("status") == "ok":
                    return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become healthy: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
