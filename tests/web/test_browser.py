"""The web app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, installed
by .ci/run) against the app served by uvicorn on 127.0.0.1. An analyst signs in, uploads an SBOM,
sees the matrix change, opens a prohibited decision and its ownership path, confirms a supplier
link and downloads the PDF report. Screenshots of the main pages go to tests/web/screenshots/.
Skipped when Chromium or the playwright package is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import MERIDIAN_DECISION, PASSWORD, SCREENSHOTS, ServerThread, fresh_sbom, make_app

CHROMIUM = os.environ.get("CVRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture
def browser_page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_analyst_uploads_reviews_and_downloads(browser_page, workspace, run_templates, tmp_path):
    page = browser_page
    sbom = tmp_path / "meridian-mt200-tcu.cdx.json"
    sbom.write_bytes(fresh_sbom(tag="browser"))
    with ServerThread(make_app(workspace, run_templates)) as server:
        # sign in
        page.goto(server.url + "/")
        assert "/login" in page.url
        page.fill("#name", "ana")
        page.fill("#password", PASSWORD)
        shot(page, "01-sign-in")
        page.click("button[type=submit]")
        page.wait_for_selector("table.matrix")
        assert page.locator('a.cell[href*="/lines/daehan-kestrel/"]').count() == 0
        shot(page, "02-matrix-before")

        # upload an SBOM: read, kept, assessed again
        page.click("nav >> text=Uploads")
        page.set_input_files("input[name=files]", str(sbom))
        page.fill("input[name=folder]", "boms")
        page.click("form >> text=Upload")
        done = page.wait_for_selector('.job[data-state="succeeded"]', timeout=60_000)
        assert "cyclonedx-json" in done.inner_text() and "loaded" in done.inner_text()
        shot(page, "03-upload-done")

        # the matrix changed: the Daehan Kestrel line is there now
        page.click("text=see the fleet verdict matrix")
        page.wait_for_selector("table.matrix")
        cell = page.locator('a.cell[href*="/lines/daehan-kestrel/2030"]')
        assert cell.get_attribute("data-outcome") == "prohibited"
        shot(page, "04-matrix-after")

        # a prohibited decision and its ownership path
        cell.click()
        page.click(f"text={MERIDIAN_DECISION}")
        path = page.wait_for_selector("#ownership-path ~ .ownership-path")
        assert "Harbourline Holdings Limited" in path.inner_text()
        assert page.locator(".badge.o-prohibited").first.is_visible()
        shot(page, "05-decision")
        page.click("#ownership-path ~ .ownership-path >> text=Meridian Telematics Manufacturing (Ireland) Limited")
        page.wait_for_selector("svg.graph")
        assert page.locator('svg.graph g.node[data-node="lei:CVRL00HARBOURLINE146"]').count() == 1
        shot(page, "06-party-graph")

        # confirm a supplier link (htmx swaps the candidate for the result)
        page.click("nav >> text=Review")
        candidate = page.locator('.candidate[data-purpose="link"]').first
        ident = candidate.get_attribute("id")
        candidate.locator("input[name=reason]").fill("same company: TSMC's annual report names this address")
        shot(page, "07-review")
        candidate.locator("button[value=confirm]").click()
        page.wait_for_selector(f"#{ident} >> text=Confirmed")
        assert "judgement" in page.locator(f"#{ident}").inner_text()

        # deadlines and audit log
        page.click("nav >> text=Deadlines")
        page.wait_for_selector("tr.deadline")
        shot(page, "08-deadlines")
        page.click("nav >> text=Audit log")
        page.wait_for_selector('tr[data-action="review.confirm"]')
        shot(page, "09-audit")

        # download the PDF report
        page.click("nav >> text=Downloads")
        shot(page, "10-downloads")
        with page.expect_download() as download:
            page.click("a.download[href$='reports/report.pdf']")
        saved = tmp_path / "report.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF") and saved.stat().st_size > 10_000


def test_a_viewer_sees_no_buttons_that_change_things(browser_page, workspace, run_templates):
    page = browser_page
    with ServerThread(make_app(workspace, run_templates)) as server:
        page.goto(server.url + "/login")
        page.fill("#name", "vera")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table.matrix")
        page.goto(server.url + "/review")
        assert page.locator("button[value=confirm]").count() == 0
        page.goto(server.url + "/uploads")
        assert page.locator("input[type=file]").count() == 0
        response = page.goto(server.url + "/audit")
        assert response.status == 403
