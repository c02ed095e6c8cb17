"""A private redis-server for the embedded default: a child process on a Unix socket."""

import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)


class EmbeddedRedisError(RuntimeError):
    pass


class EmbeddedRedis:
    """Starts redis-server listening only on a socket inside the data directory."""

    def __init__(self, socket_path: Path) -> None:
        self.socket_path = socket_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self, timeout_s: float = 10.0) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise EmbeddedRedisError(
                "redis-server is not installed: run `make run` (it installs it) or "
                "`apt-get install redis-server`, or set SUTURA_REDIS_URL."
            )
        self.socket_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Only this user may reach the socket, whatever the umask or an older directory said.
        self.socket_path.parent.chmod(0o700)
        self._stop_orphan()
        self.socket_path.unlink(missing_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [*_die_with_parent(), executable, *self._arguments()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_ready(timeout_s)
        logger.info("embedded redis-server started (pid %s)", self._process.pid)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._process = None
        self.socket_path.unlink(missing_ok=True)
        logger.info("embedded redis-server stopped")

    @property
    def _pid_file(self) -> Path:
        return self.socket_path.with_suffix(".pid")

    def _stop_orphan(self) -> None:
        """Stop a redis-server left behind by a server that was killed (the caller holds the
        data directory's lock, so no live server owns it)."""
        try:
            pid = int(self._pid_file.read_text().strip())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if b"redis-server" in command and str(self.socket_path).encode() in command:
            logger.warning("stopping a redis-server (pid %s) left by an earlier run", pid)
            os.kill(pid, signal.SIGTERM)
            for _ in range(100):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)

    def _arguments(self) -> list[str]:
        return [
            "--pidfile",
            str(self._pid_file),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.socket_path.parent),
            # The database is the source of truth; unfinished photos are re-queued at start.
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]

    def _wait_until_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                error = (
                    self._process.stderr.read().decode(errors="replace")
                    if self._process.stderr
                    else ""
                )
                raise EmbeddedRedisError(f"redis-server exited at start: {error.strip()}")
            if self.socket_path.exists():
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError("redis-server did not open its socket in time")


def _die_with_parent() -> list[str]:
    """Have the kernel stop redis-server when this process dies, even by SIGKILL."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []
