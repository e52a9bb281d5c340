"""Chroma clients: an embedded ``PersistentClient`` (default) or an ``HttpClient`` to a server."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

logger = logging.getLogger(__name__)


def _chroma_settings() -> ChromaSettings:
    # No telemetry: the machine is offline and a report QA tool has no business phoning home.
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def persistent_client(store_dir: Path) -> ClientAPI:
    """Embedded Chroma in ``store_dir/chroma`` (single process writes; see ``location``)."""
    return chromadb.PersistentClient(path=str(store_dir / "chroma"), settings=_chroma_settings())


def http_client(host: str, port: int) -> ClientAPI:
    """A client for ``chroma run --host HOST --port PORT``: many processes can share it."""
    if not is_loopback(host):
        logger.warning(
            "Chroma server %s is not on loopback: the server has no authentication and released chromadb "
            "(<= 1.5.9) is open to CVE-2026-45829; run it with --host 127.0.0.1",
            host,
        )
    return chromadb.HttpClient(host=host, port=port, settings=_chroma_settings())


def forget_cached_clients() -> None:
    """Drop Chroma's per-path client cache so a reopen sees another process's writes (chroma#3792)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 / ::1 addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
