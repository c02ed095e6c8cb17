"""The data directory: private to the service account, and owned by one server at a time."""

import fcntl
import os
from pathlib import Path

PRIVATE = 0o700
PRIVATE_PARTS = ("keys", "keys/master", "blobs", "blobs/tmp", "run")


class DataDirectoryInUse(RuntimeError):
    pass


def secure_data_directory(data_dir: Path) -> None:
    """Create the data directory and its parts readable by this account only."""
    data_dir.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
    data_dir.chmod(PRIVATE)
    for part in PRIVATE_PARTS:
        path = data_dir / part
        path.mkdir(mode=PRIVATE, exist_ok=True)
        path.chmod(PRIVATE)


class DataDirectoryLock:
    """An exclusive lock file; the kernel releases it when the process dies, however it dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(mode=PRIVATE, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirectoryInUse(
                f"another Sutura server is running on {self.path.parent.parent}; stop it first "
                "(command-line tools such as create-admin can run beside it)"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
