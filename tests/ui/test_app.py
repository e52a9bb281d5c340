"""The assembled Blocks, without launching: endpoints, safety settings, error translation."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import pytest
from pydantic import SecretStr

from app.settings import Settings
from app.ui import build_ui, launch_kwargs, user_errors
from app.ui_errors import GENERIC_MESSAGE
from retriever.service import QuestionError


def test_only_ask_is_a_public_endpoint(fake_components):
    demo = build_ui(fake_components)
    visibility = {d["api_name"]: d["api_visibility"] for d in demo.config["dependencies"]}
    assert visibility.pop("ask") == "public"
    assert visibility.pop("load_example", "undocumented") == "undocumented"  # gr.Examples filling the box
    assert set(visibility.values()) == {"private"}
    params = demo.get_api_info()["named_endpoints"]["/ask"]["parameters"]
    assert [(p["parameter_name"], p["python_type"]["type"]) for p in params] == [
        ("question", "str"),
        ("history", "list[list[str]]"),
    ]


def test_queue_is_bounded(fake_components):
    demo = build_ui(fake_components)
    settings = fake_components.settings
    assert demo._queue.max_size == settings.queue_size
    assert demo._queue.default_concurrency_limit == settings.concurrency


def test_launch_defaults_are_the_safe_ones():
    kwargs = launch_kwargs(Settings())
    assert kwargs["server_name"] == "127.0.0.1"
    assert kwargs["show_error"] is False and kwargs["share"] is False
    assert kwargs["allowed_paths"] == [] and kwargs["auth"] is None
    assert kwargs["enable_monitoring"] is False and kwargs["strict_cors"] is True
    assert kwargs["max_file_size"] == int(Settings().max_upload_mb * 2**20)


def test_basic_auth_needs_both_halves():
    settings = Settings(auth_user="ana", auth_password=SecretStr("s3cret"))
    assert launch_kwargs(settings)["auth"] == ("ana", "s3cret")
    with pytest.raises(ValueError, match="both"):
        launch_kwargs(Settings(auth_user="ana"))
    with pytest.raises(ValueError, match="both"):
        launch_kwargs(Settings(auth_password=SecretStr("s3cret")))


def test_user_errors_are_short_and_escaped():
    with pytest.raises(gr.Error) as caught, user_errors():
        raise QuestionError("question <b>too</b> long")
    assert caught.value.message == "question &lt;b&gt;too&lt;/b&gt; long"


def test_bugs_are_logged_not_shown(caplog):
    with pytest.raises(gr.Error) as caught, user_errors():
        raise KeyError("/home/someone/.secret")
    assert caught.value.message == GENERIC_MESSAGE
    assert "UI callback failed" in caplog.text


def test_only_files_from_the_upload_folder_are_accepted(tmp_path):
    from gradio.utils import get_upload_folder

    from app.ui import uploaded
    from app.ui_errors import UIError

    inside = str(Path(get_upload_folder()) / "abc" / "doc.md")
    assert uploaded([inside]) == [inside]
    for outside in ("/etc/passwd", str(Path(get_upload_folder()) / ".." / "x.md"), str(tmp_path / "x.md")):
        with pytest.raises(UIError, match="upload button"):
            uploaded([inside, outside])


def test_warm_up_runs_a_search_and_survives_failures(fake_components, monkeypatch):
    from app.ui import warm_up

    searched = []
    monkeypatch.setattr(fake_components.service, "search", lambda q, **_: searched.append(q))
    warm_up(fake_components)
    assert searched == ["warm up"]
    monkeypatch.setattr(fake_components.service, "search", lambda q, **_: 1 / 0)
    warm_up(fake_components)  # no exception
