"""The UI in a real browser: ask, follow a citation marker, ask a follow-up, stay inert to hostile text."""

from __future__ import annotations

import json
import re

import pytest

from tests.ui.browser import CHROMIUM, MISSING, ask, launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_ui):
    url, _ = live_ui
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url)
    page.wait_for_selector("#isecg-question textarea")
    yield page
    page.close()


def test_chat_with_citations_and_a_follow_up(page, tmp_path):
    from playwright.sync_api import expect

    bot = page.locator("#isecg-chat .bot")
    ask(page, "When was the Widget Programme founded?")
    first_marker = page.locator('#isecg-chat a[href="#isecg-src-1-1"]')
    expect(first_marker).to_be_visible(timeout=60_000)
    expect(bot.last).to_contain_text("2011")

    first_marker.click()
    cited = page.locator("#isecg-src-1-1")
    expect(cited).to_be_in_viewport()
    expect(cited.locator("mark")).to_contain_text("2011")
    expect(cited).to_contain_text("widgets.md")

    ask(page, "Who founded it?")
    expect(page.locator('#isecg-chat a[href="#isecg-src-2-1"]')).to_be_visible(timeout=60_000)
    expect(bot.last).to_contain_text("Zanzibar Space Office")
    expect(bot.last).to_contain_text("searched for")
    expect(page.locator('#isecg-sources section[data-turn="2"] .isecg-searched')).to_contain_text("idget")

    first_marker.click()  # an older answer's marker brings back that answer's sources
    expect(page.locator('#isecg-sources section[data-turn="1"]')).to_be_visible()
    expect(page.locator('#isecg-sources section[data-turn="2"]')).to_be_hidden()
    assert len(page.context.pages) == 1  # the marker did not open a new tab

    page.screenshot(path=str(tmp_path / "chat.png"))
    assert (tmp_path / "chat.png").read_bytes().startswith(b"\x89PNG")

    page.locator("#isecg-new").click()
    expect(bot).to_have_count(0)
    expect(page.locator("#isecg-sources")).to_contain_text("Ask a question")


def test_bad_question_shows_a_short_error(page):
    from playwright.sync_api import expect

    ask(page, "   ")
    expect(page.locator('[data-testid="toast-body"]')).to_contain_text("question is empty", timeout=30_000)
    expect(page.locator("#isecg-chat .bot")).to_have_count(0)


def test_hostile_corpus_text_renders_inert(page):
    from playwright.sync_api import expect

    title = page.title()
    ask(page, "How many armoured tortoises did the hostile survey count?")
    expect(page.locator('#isecg-chat a[href="#isecg-src-1-1"]')).to_be_visible(timeout=60_000)
    page.locator("#isecg-show-all input").check()
    expect(page.locator("#isecg-src-1-1")).to_contain_text("onerror")  # shown as text...
    page.wait_for_timeout(500)
    assert page.locator("#isecg-chat img[src='x'], #isecg-sources img, #isecg-chat script").count() == 0
    assert page.title() == title  # ...and never run
    assert not [u for u in page.requests if "127.0.0.1:9/" in u]


def test_eval_tab_runs_an_uploaded_dataset(page, tmp_path):
    from playwright.sync_api import expect

    dataset = tmp_path / "tiny.jsonl"
    items = [
        {
            "id": "q1",
            "question": "How many distinct gadgets did the survey count?",
            "answers": ["412"],
            "evidence": ["counted 412 distinct gadgets"],
            "type": "numeric",
        },
        {
            "id": "q2",
            "question": "When was the Widget Programme founded?",
            "answers": ["2011"],
            "evidence": ["founded in 2011"],
            "type": "date",
        },
    ]
    dataset.write_text("\n".join(json.dumps(i) for i in items) + "\n")
    page.get_by_role("tab", name="Evaluate").click()
    page.locator("input[type=file][accept='.jsonl']").set_input_files(str(dataset))
    page.locator("#isecg-run-eval").click()
    expect(page.locator("#isecg-eval-summary")).to_contain_text(re.compile(r"2 questions with"), timeout=60_000)
    expect(page.get_by_text("answer accuracy (answerable)")).to_be_visible()
    expect(page.locator("img[alt]").last).to_be_visible()
    page.screenshot(path=str(tmp_path / "eval.png"), full_page=True)


def test_corpus_tab_adds_and_removes_a_document(page, tmp_path):
    from playwright.sync_api import expect

    upload = tmp_path / "--zebra notes.md"
    upload.write_text("# Zebra\n\nThe zebracorn survey found 9 zebracorns near the pole.\n")
    page.get_by_role("tab", name="Corpus").click()
    expect(page.locator("#isecg-documents")).to_contain_text("gadgets.txt")
    page.locator("input[type=file][multiple]").set_input_files(str(upload))
    page.get_by_role("button", name="Add to corpus").click()
    report = page.locator("#isecg-ingest-report")
    expect(report).to_contain_text("zebra notes.md", timeout=60_000)  # leading dashes stripped
    expect(report).to_contain_text("added")
    expect(page.locator("#isecg-documents")).to_contain_text("zebra notes.md")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "How many zebracorns did the survey find?")
    expect(page.locator("#isecg-src-1-1")).to_contain_text("zebra notes.md", timeout=60_000)

    page.get_by_role("tab", name="Corpus").click()
    page.get_by_role("combobox", name="Document").click()
    page.get_by_role("option", name="zebra notes.md").click()
    page.get_by_role("button", name="Remove…").click()
    page.get_by_role("button", name="Delete it").click()
    expect(report).to_contain_text("removed", timeout=60_000)
    expect(page.locator("#isecg-documents")).not_to_contain_text("zebra notes.md")
