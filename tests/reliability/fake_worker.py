"""Stand-in for ``python -m ingest.pdf_worker`` that misbehaves on request (catalogue row P11).

The next pypdf CVE is unknown, so the parser's failure modes are injected: a file whose bytes
start with one of the markers below makes this worker hang, segfault, exhaust memory, overflow
the C stack or print garbage; any other file is handed to the real worker unchanged.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import time


def main() -> None:
    with open(sys.argv[1], "rb") as handle:
        head = handle.read(32)
    if head.startswith(b"%PDF-1.4 HANG"):
        time.sleep(3600)
    elif head.startswith(b"%PDF-1.4 SEGV"):
        os.kill(os.getpid(), signal.SIGSEGV)
    elif head.startswith(b"%PDF-1.4 HOG"):
        hog = bytearray(2**30)  # 1 GiB: fails only because of the address-space cap
        hog[-1] = 1
    elif head.startswith(b"%PDF-1.4 SPIN"):
        if "FAKE_WORKER_PIDFILE" in os.environ:
            with open(os.environ["FAKE_WORKER_PIDFILE"], "w") as handle:
                handle.write(str(os.getpid()))
        while True:  # burns CPU: stopped by the wall-clock timeout (or RLIMIT_CPU if orphaned)
            pass
    elif head.startswith(b"%PDF-1.4 GARBAGE"):
        sys.stdout.write("this is not JSON")
    else:
        runpy.run_module("ingest.pdf_worker", run_name="__main__")


if __name__ == "__main__":
    main()
