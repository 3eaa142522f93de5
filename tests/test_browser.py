"""The web UI in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Never ``playwright install``: .ci/run installs the ``chromium`` package; without it these tests skip.
Screenshots of the answered page (1366 x 1000, and 390 x 844 as on a phone) go to tests/artifacts/ (gitignored).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assistant.answering.disclosure import DISCLOSURE, SHORT_LABEL


CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
    "--disable-sync", "--disable-quic",
]
QUESTION = "Is social scoring banned under the draft?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(browser, app, width: int, height: int, **options):
    """A page in a fresh context of that viewport size, recording any request that leaves the app."""
    url = app["url"]
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("data:", "blob:", url)) else None)
    page.outside_requests = outside
    page.app_url = url
    return page


@pytest.fixture
def page(browser, app):
    page = new_page(browser, app, 1366, 1000)
    yield page
    page.context.close()


SIZES = {"phone": dict(width=390, height=844, is_mobile=True, has_touch=True, device_scale_factor=2),
         "desktop": dict(width=1366, height=1000)}


def fits(page, width: int) -> bool:
    """No horizontal scroll. A mobile browser widens its layout viewport (innerWidth) to wide content,
    so the page is measured against the screen's width as well."""
    return page.evaluate(f"document.documentElement.scrollWidth <= Math.min(window.innerWidth, {width})")


def right_edge(locator) -> float:
    box = locator.bounding_box()
    return box["x"] + box["width"]


def ask(page, question: str):
    page.locator("#question textarea").fill(question)
    page.locator("#question button.submit-button").click()


def test_disclosure_question_answer_and_source_card(page):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1366, "height": 1240})  # the whole page: no resize for the screenshot
    started = time.perf_counter()
    page.goto(page.app_url)
    # The disclosure before any question: the notice, the opening message and the permanent label.
    expect(page.locator(".ai-notice")).to_contain_text(DISCLOSURE)
    expect(page.locator("[data-testid='bot']").first).to_contain_text(DISCLOSURE)
    expect(page.locator(".ai-label")).to_contain_text(SHORT_LABEL)
    expect(page.locator(".legal-note")).to_contain_text("Not legal advice")
    loaded = time.perf_counter()

    ask(page, QUESTION)
    expect(page.locator("[data-testid='user']").last).to_have_text(QUESTION)
    answer = page.locator("[data-testid='bot']").last
    chips = answer.locator("a[href^='#source-1-']")
    expect(chips.first).to_be_visible()
    answered = time.perf_counter()
    expect(answer).to_contain_text("Art. 5")  # social scoring: the prohibited practices
    expect(answer).to_contain_text("Sources:")

    # Open the last cited clause's card from its chip.
    last = chips.last
    target = last.get_attribute("href")[1:]
    card = page.locator(f"details.source-card#{target}")
    count = page.locator("#sources details.source-card").count()
    if count > 1:
        assert card.get_attribute("open") is None  # only the first card starts open
    last.click()
    expect(card).to_have_attribute("open", "")
    expect(card).to_be_in_viewport()
    expect(card.locator(".source-label")).to_contain_text("AI Act proposal")
    expect(card.locator(".source-path")).not_to_be_empty()
    expect(card.locator(".source-text")).to_be_visible()
    link = card.locator("a.source-link")
    assert link.get_attribute("href").startswith("https://eur-lex.europa.eu/")
    assert link.get_attribute("target") == "_blank"
    expect(page.locator(".ai-label")).to_be_in_viewport()  # the label stays on screen

    ARTIFACTS.mkdir(exist_ok=True)
    # Show the answer from its start in the chat's own scroll area (it autoscrolls to the end).
    answer.evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollTo(0, 0); }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)  # the page fits: no resize
    timing = {"page_load_s": round(loaded - started, 2), "load_to_answer_s": round(answered - started, 2),
              "question_to_answer_s": round(answered - loaded, 2)}
    (ARTIFACTS / "ui-timing.json").write_text(json.dumps(timing, indent=1))
    print("\nbrowser timings:", timing)
    assert not page.outside_requests, page.outside_requests


def test_follow_up_clear_and_typed_html_is_not_run(page):
    from playwright.sync_api import expect

    page.goto(page.app_url)
    ask(page, QUESTION)
    expect(page.locator("[data-testid='bot']").last.locator("a[href^='#source-1-']").first).to_be_visible()
    ask(page, "What are the fines for that?")
    expect(page.locator("[data-testid='bot']").last.locator("a[href^='#source-2-']").first).to_be_visible()
    expect(page.locator("#sources-2")).to_have_attribute("open", "")

    hostile = ('<img src=x onerror="window.__typed_html_ran = 1"> <b>bold?</b> https://evil.example *not em* '
               "a\\b [x](https://evil.example) `code`")
    ask(page, hostile)
    expect(page.locator("[data-testid='user']").last).to_have_text(hostile)  # as typed: no added backslash
    assert page.locator("#chat [data-testid='user'] a, #chat [data-testid='user'] em, "
                        "#chat [data-testid='user'] code").count() == 0
    expect(page.locator("[data-testid='bot']")).to_have_count(4)
    # the answer finished, not still streaming (Clear while its last update is on the way: the test below)
    expect(page.locator("[data-testid='bot']").last).to_contain_text("Link to this question")
    assert page.evaluate("window.__typed_html_ran") is None
    assert page.locator("#chat [data-testid='user'] img, #chat [data-testid='user'] b").count() == 0

    page.locator("#clear").click()
    expect(page.locator("[data-testid='bot']")).to_have_count(1)
    expect(page.locator("[data-testid='user']")).to_have_count(0)
    expect(page.locator("#sources .sources-empty")).to_be_visible()


FINAL_MARK = "Link to this question"  # only the answer's last update carries it (not a partial one)


def _hold_final_update(monkeypatch, where: str):
    """Hold the first answer's last update on the server until ``release`` is set, as a busy machine
    does: in its postprocessing ("postprocess": not yet on the session's message stream) or in the
    stream to the browser ("delivery": on it, not yet sent). Returns (held, release) events."""
    import asyncio
    import threading

    import gradio as gr
    import gradio.queueing

    held, release = threading.Event(), threading.Event()
    if where == "postprocess":
        original = gr.Chatbot.postprocess

        def postprocess(self, value):
            if not held.is_set() and FINAL_MARK in repr(value):
                held.set()
                release.wait(20)
            return original(self, value)

        monkeypatch.setattr(gr.Chatbot, "postprocess", postprocess)
    else:
        class SlowStream(asyncio.Queue):  # each session's message stream (created when the page first asks)
            async def get(self):
                message = await super().get()
                if not held.is_set() and getattr(message, "msg", None) == "process_generating" \
                        and FINAL_MARK in repr(message):
                    held.set()
                    for _ in range(1000):
                        if release.is_set():
                            break
                        await asyncio.sleep(0.02)
                return message

        monkeypatch.setattr(gradio.queueing, "AsyncQueue", SlowStream)
    return held, release


@pytest.mark.parametrize("where", ["postprocess", "delivery"])
def test_clear_while_the_last_update_is_in_flight_keeps_the_chat_empty(page, monkeypatch, where):
    """"Clear" pressed while the answer's last update is still on its way: the chat stays empty.
    The update left the answer before the Clear (so the answer's own check of the conversation passed);
    it reaches the browser after the Clear's response."""
    from playwright.sync_api import expect

    held, release = _hold_final_update(monkeypatch, where)
    try:
        page.goto(page.app_url)
        ask(page, QUESTION)
        expect(page.locator("[data-testid='user']")).to_have_count(1)
        assert held.wait(60), "the answer's last update never came"
        page.locator("#clear").click()
        expect(page.locator("[data-testid='user']")).to_have_count(0)  # the Clear's own response
        page.wait_for_timeout(1500)  # held a while longer: anything the Clear set off has run by now
    finally:
        release.set()
    # The held update arrives now; whatever the page shows a few seconds later must be the cleared chat.
    page.wait_for_timeout(3000)
    assert page.locator("[data-testid='user']").count() == 0, "the cleared conversation came back"
    expect(page.locator("[data-testid='bot']")).to_have_count(1)
    expect(page.locator("#sources .sources-empty")).to_be_visible()
    expect(page.locator("#download")).to_be_disabled()


def test_over_long_question_and_example_button(page, app):
    from playwright.sync_api import expect

    limit = app["assistant"].settings.max_question_chars
    page.goto(page.app_url)
    ask(page, "x" * (limit + 10))
    expect(page.locator("[data-testid='bot']").last).to_contain_text(f"the limit is {limit:,}")

    page.locator("#examples button").filter(has_text="GDPR Article 22").click()
    answer = page.locator("[data-testid='bot']").last
    expect(answer.locator("a[href^='#source-2-']").first).to_be_visible()
    expect(answer).to_contain_text("GDPR, Art. 22")


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_layout_fits_the_screen_with_answer_and_source_card_reachable(browser, app, size):
    """Phone (390 x 844) and desktop (1366 x 1000): no horizontal scroll, the AI label on screen, the chat
    first (beside the sources on a desktop, above them on a phone), the filters folded in an accordion,
    and an answer's source card reachable from its chip. Screenshots go to tests/artifacts/."""
    from playwright.sync_api import expect

    options = dict(SIZES[size])
    width, height = options.pop("width"), options.pop("height")
    page = new_page(browser, app, width, height, **options)
    try:
        page.goto(page.app_url)
        expect(page.locator(".ai-label")).to_be_in_viewport()
        assert fits(page, width)
        filters = page.locator("#filters")
        expect(filters).to_be_hidden()  # folded: the accordion names what is searched
        expect(page.locator("#filters-box")).to_contain_text("Search in: all documents")

        ask(page, QUESTION)
        answer = page.locator("[data-testid='bot']").last
        chips = answer.locator("a[href^='#source-1-']")
        expect(chips.first).to_be_visible()
        assert fits(page, width)
        chat, panel = page.locator("#chat").bounding_box(), page.locator("#sources").bounding_box()
        if width < 760:
            assert panel["y"] >= chat["y"] + chat["height"] - 1  # the sources below the chat
        else:
            assert panel["x"] >= chat["x"] + chat["width"] - 1 and panel["y"] < chat["y"] + chat["height"]

        target = chips.first.get_attribute("href")[1:]
        chips.first.click()
        card = page.locator(f"details.source-card#{target}")
        expect(card).to_have_attribute("open", "")
        expect(card).to_be_in_viewport()
        expect(card.locator(".source-text")).to_be_visible()
        expect(card.locator("a.source-link")).to_be_visible()
        expect(page.locator(".ai-label")).to_be_in_viewport()  # still on screen after scrolling to the card
        for element in (page.locator(".ai-label"), answer, card, card.locator("a.source-link")):
            assert right_edge(element) <= width + 0.5  # nothing cut off on the right

        page.locator("#filters-box button").first.click()  # the accordion opens in place
        expect(filters).to_be_visible()
        expect(filters.locator("input[type=checkbox]")).to_have_count(4)
        assert fits(page, width)

        ARTIFACTS.mkdir(exist_ok=True)
        name = f"ui-{width}x{height}"
        card.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"{name}-source.png"))  # what the screen shows at the card
        # The whole page from the top, the answer shown from its start in the chat's own scroll area.
        answer.evaluate("el => { el.scrollIntoView({block: 'start'}); window.scrollTo(0, 0); }")
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert fits(page, width)
        assert not page.outside_requests, page.outside_requests
    finally:
        page.context.close()


def test_deep_link_reopens_the_question_and_the_conversation_downloads(browser, app):
    from urllib.parse import quote

    from playwright.sync_api import expect

    page = new_page(browser, app, 390, 844, is_mobile=True, has_touch=True)
    try:
        page.goto(page.app_url + "?q=" + quote(QUESTION))
        expect(page.locator("[data-testid='user']").last).to_have_text(QUESTION)
        answer = page.locator("[data-testid='bot']").last
        expect(answer.locator("a[href^='#source-1-']").first).to_be_visible()
        expect(page.locator("#sources details.source-card").first).to_be_attached()
        link = answer.locator("a", has_text="Link to this question")
        assert link.get_attribute("href") == "?q=" + quote(QUESTION, safe="")

        button = page.locator("#download")
        expect(button).to_be_enabled()
        with page.expect_download() as info:
            button.click()
        download = info.value
        assert download.suggested_filename.startswith("conversation-") and download.suggested_filename.endswith(".md")
        text = open(download.path(), encoding="utf-8").read()
        assert QUESTION in text and DISCLOSURE in text and "eur-lex.europa.eu" in text and "Corpus versions" in text
        assert not page.outside_requests, page.outside_requests
    finally:
        page.context.close()


@pytest.mark.parametrize("locale, lang", [("fr-FR", "fr"), ("pl-PL", "pl")])
def test_the_page_labels_follow_the_browsers_language(browser, app, locale, lang):
    from playwright.sync_api import expect

    from assistant.i18n import t

    page = new_page(browser, app, 1366, 1000, locale=locale)
    try:
        page.goto(page.app_url)
        expect(page.locator("#question textarea")).to_have_attribute("placeholder", t("ui_placeholder", lang))
        expect(page.locator("#clear")).to_have_text(t("ui_clear", lang))
        expect(page.locator("#download")).to_contain_text(t("ui_download", lang))
        expect(page.locator("#examples")).to_contain_text(t("ui_examples", lang))
        page.locator("#filters-box").get_by_role("button").first.click()  # the filters are folded
        expect(page.locator("#filters")).to_contain_text(t("ui_search_in_info", lang))
    finally:
        page.context.close()
