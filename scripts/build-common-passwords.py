"""Build storage/data/common-passwords.txt.gz from the zxcvbn package's password list.

Run once when updating the list (not at run time, not in CI):

    pip download --no-deps zxcvbn==4.5.0 -d /tmp/zx && unzip -q /tmp/zx/*.whl -d /tmp/zx
    python scripts/build-common-passwords.py /tmp/zx

The list is zxcvbn's "passwords" frequency list (30,000 most common passwords from leaked
password sets, MIT licence, Copyright (c) 2016 Daniel Wolf and Dropbox); see README.md.
"""

import gzip
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "storage" / "data" / "common-passwords.txt.gz"


def main(unpacked: Path) -> None:
    sys.path.insert(0, str(unpacked))
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = sorted({word.strip().lower() for word in FREQUENCY_LISTS["passwords"] if word.strip()})
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as packed:
        packed.write(("\n".join(words) + "\n").encode())
    sys.stdout.write(f"{len(words)} passwords written to {OUTPUT}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
