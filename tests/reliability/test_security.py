"""Security of the running app: loopback by default, optional auth, no file outside the corpus
readable through the server, uploads that cannot escape, corpus text that is never obeyed."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil
import pytest
from gradio_client import Client
from pydantic import SecretStr

from app.settings import Settings
from app.ui import launch_kwargs
from tests.reliability.helpers import serve_ui

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(300)]


def test_loopback_is_the_default_and_the_only_listener(marker_server):
    assert Settings().host == "127.0.0.1"
    assert launch_kwargs(Settings())["server_name"] == "127.0.0.1"
    url, _ = marker_server
    port = int(url.rsplit(":", 1)[1])
    listening = [c for c in psutil.Process().net_connections("inet") if c.status == "LISTEN" and c.laddr.port == port]
    assert listening and {c.laddr.ip for c in listening} == {"127.0.0.1"}


def test_optional_auth_keeps_strangers_out(marker_server):
    from app.wiring import Components

    _, components = marker_server
    settings = components.settings.model_copy(
        update={"auth_user": "reader", "auth_password": SecretStr("correct horse"), "port": _free_port()}
    )
    guarded = Components(settings)
    guarded.__dict__["embeddings"] = components.embeddings  # share the loaded model
    demo, url = serve_ui(guarded)
    try:
        assert httpx.get(f"{url}/gradio_api/info").status_code in (401, 403)
        with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal will do, the API stays closed
            Client(url, verbose=False).predict("When was the zorblat programme founded?", [], api_name="/ask")
        with pytest.raises(Exception):  # noqa: B017, PT011
            Client(url, auth=("reader", "wrong"), verbose=False)
        answer = Client(url, auth=("reader", "correct horse"), verbose=False).predict(
            "When was the zorblat programme founded?", [], api_name="/ask"
        )
        assert "1990" in answer["answer"]
    finally:
        demo.close()


def test_half_configured_auth_is_refused():
    with pytest.raises(ValueError, match="both"):
        launch_kwargs(Settings(auth_user="reader"))


def _free_port() -> int:
    from tests.reliability.helpers import load_bench

    return load_bench().free_port()


def _targets(components) -> dict[str, str]:
    """Files that must never come back from the server, with a string that would prove a leak."""
    settings = components.settings
    store = settings.store_dir / "stores" / (settings.store_dir / "CURRENT").read_text() / "chroma" / "chroma.sqlite3"
    return {
        "/etc/passwd": "root:",
        "/proc/self/environ": "PATH=",
        str(store): "SQLite format",
        str(settings.corpus_dir / "programme-00.md"): "zorblat",
        str(Path.cwd() / "pyproject.toml"): "[project]",
    }


@pytest.mark.parametrize(
    "route",
    [
        "/gradio_api/file={path}",
        "/file={path}",
        "/gradio_api/file=/tmp/gradio/../../..{path}",
        "/gradio_api/file=..%2F..%2F..%2F..{quoted}",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e{path}",
        "/gradio_api/file=/{path}",
        "/static/../../../..{path}",
        "/assets/..%2F..%2F..%2F..{quoted}",
        "/gradio_api/proxy={path}",
        "/gradio_api/file=file://{path}",
    ],
)
def test_no_file_outside_the_app_can_be_read(marker_server, route):
    url, components = marker_server
    for path, proof in _targets(components).items():
        target = route.format(path=path, quoted=quote(path, safe=""))
        response = httpx.get(f"{url}{target}", follow_redirects=False)
        assert proof not in response.text, f"{target} leaked {path}"
        assert response.status_code in (400, 401, 403, 404, 405, 422) or "<html" in response.text[:200].lower()


def test_the_file_route_does_serve_what_it_may(marker_server):
    """Control for the test above: the route syntax is right, so its refusals mean something."""
    url, _ = marker_server
    stored = httpx.post(f"{url}/gradio_api/upload", files={"files": ("ok.txt", b"served-by-gradio")}).json()[0]
    response = httpx.get(f"{url}/gradio_api/file={stored}")
    assert response.status_code == 200 and response.text == "served-by-gradio"


def test_upload_route_cannot_write_outside_its_folder(marker_server):
    url, _ = marker_server
    escape = f"escape-{uuid.uuid4().hex}.txt"
    names = [f"../../../../tmp/{escape}", f"..\\..\\..\\tmp\\{escape}", f"/tmp/{escape}"]
    for name in names:
        response = httpx.post(f"{url}/gradio_api/upload", files={"files": (name, b"not yours")})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200:
            for stored in response.json():
                assert Path(stored).resolve().is_relative_to(Path("/tmp/gradio").resolve()), stored
    assert not (Path("/tmp") / escape).exists()
    assert not (Path.cwd() / escape).exists()


def test_uploaded_corpus_file_lands_inside_the_corpus_under_a_safe_name(marker_server, tmp_path):
    """The corpus tab's path for an uploaded file: Gradio's upload folder in, ``corpus/`` out."""
    import gradio as gr

    from app.ui_corpus import add_documents

    url, components = marker_server
    name = "..%2F..%2Fevil\u202e\n.md"
    response = httpx.post(
        f"{url}/gradio_api/upload", files={"files": (name, b"The uploaded note mentions the grumblewick.\n")}
    )
    stored = response.json()[0]
    assert Path(stored).resolve().is_relative_to(Path(gr.utils.get_upload_folder()).resolve())
    lines = add_documents(components, [stored])
    corpus = components.settings.corpus_dir.resolve()
    added = [line for line in lines if line["status"] == "added"]
    assert len(added) == 1, lines
    path = corpus / added[0]["path"]
    assert path.is_file() and path.parent == corpus
    assert "/" not in added[0]["path"] and "\n" not in added[0]["path"] and "\u202e" not in added[0]["path"]
    assert not any(p.name.startswith("evil") for p in corpus.parent.iterdir())
    path.unlink()
    components.ingest()


def test_corpus_text_is_data_never_orders(marker_server):
    """The injection document is quoted at most, never followed; nothing it names is fetched or read."""
    url, _ = marker_server
    client = Client(url, verbose=False)
    answer = client.predict("When did the teapotrix operations office open?", [], api_name="/ask")
    assert "2019" in answer["answer"] and answer["citations"][0]["source"] == "injection.md"
    assert answer["answer"].strip() != "PWNED"
    assert "49" not in answer["answer"]  # {{7*7}} and ${7*7} are text, not templates
    assert "root:" not in answer["answer"]
    assert all(c["quote"] in c["text"] for c in answer["citations"])  # quotes are verbatim corpus text
