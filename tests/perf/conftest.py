"""A real Chroma server on a free loopback port, started for the tests and always stopped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    path: Path
    process: subprocess.Popen


def chroma_executable() -> str | None:
    """The ``chroma`` console script of this environment (beside the interpreter), else on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(host: str, port: int, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll the heartbeat until the server answers (or died, or the timeout passed)."""
    import chromadb
    from chromadb.config import Settings

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}")
        try:
            chromadb.HttpClient(host=host, port=port, settings=Settings(anonymized_telemetry=False)).heartbeat()
            return
        except Exception:  # noqa: BLE001 - connection refused while it starts
            time.sleep(0.3)
    raise RuntimeError(f"chroma server on {host}:{port} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """``chroma run`` on 127.0.0.1 only (the server has no auth; CVE-2026-45829), stopped afterwards."""
    executable = chroma_executable()
    if executable is None:
        pytest.skip("the `chroma` console script (shipped by the chromadb package) is not installed")
    base = tmp_path_factory.mktemp("chroma-server")
    host, port = "127.0.0.1", free_port()
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [executable, "run", "--path", str(base / "data"), "--host", host, "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        wait_until_up(host, port, process)
        yield ChromaServer(host, port, base / "data", process)
    finally:
        stop(process)
        log.close()
