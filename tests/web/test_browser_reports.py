"""Reports, diagram, method and batch pages in real headless Chromium: the result page shows the
decision diagram and downloads the PDF, a JSON report imports back, the batch page takes a small
CSV inventory and draws its chart; axe-core finds no serious violation; screenshots are saved."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airegime.kb import KnowledgeBase

from .helpers import assert_no_csp_violation, check_accessibility, french_tab, shot

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
INVENTORY = [
    ["system_id", "system_name", "deployment_name", "household", "development.personal_data", "development.eu_link",
     "for_client", "development.controller_kind", "use_defined", "foreseen_uses", "deployment.personal_data",
     "deployment.eu_link", "deployment.controller_kind", "deployment.purpose"],
    ["S1", "Détecteur de zone", "Police", "non", "oui", "oui", "non", "entreprise", "non", "various", "oui", "oui",
     "competent_authority", "criminal_law"],
    ["S1", "Détecteur de zone", "Magasin", "", "", "", "", "", "", "", "oui", "oui", "entreprise", "autre"],
    ["S2", "Tri de photos", "Maison", "oui", "", "", "", "", "", "", "", "", "", ""],
    ["S3", "Outil RH", "Siège", "non", "oui", "oui", "non", "entreprise", "non", "various", "oui", "oui", "banane",
     "autre"],
]  # fmt: skip


@pytest.fixture
def tab(browser: Any, live_server: str) -> Iterator[Any]:
    with french_tab(browser, live_server) as page:
        yield page


def image_loaded(page: Any, selector: str) -> bool:
    page.locator(selector).scroll_into_view_if_needed()
    # Functions, not expression strings: Playwright would eval() a string, which the CSP forbids.
    page.wait_for_function("s => document.querySelector(s).complete", arg=selector)
    return bool(page.evaluate("s => document.querySelector(s).naturalWidth > 0", selector))


def test_result_page_diagram_pdf_download_json_report_and_method_page(
    tab: Any, kb: KnowledgeBase, screenshots: Path, tmp_path: Path
) -> None:
    tab.goto("/import")
    tab.fill("#text", EXAMPLE.read_text(encoding="utf-8"))
    tab.click("form button[type=submit]")
    tab.wait_for_selector("table.glance")
    tab.locator("details.diagram-section summary").click()  # folded by default
    assert image_loaded(tab, ".diagram img")
    alt = tab.locator(".diagram img").get_attribute("alt")
    assert kb.outcome_by_id["police_justice"].label.fr in alt
    tab.locator(".diagram-section").screenshot(path=screenshots / "result-diagram-fr.png", caret="initial")
    shot(tab, screenshots / "result-with-reports-fr.png")
    check_accessibility(tab)

    tab.locator(".result-actions .menu summary").click()  # the download menu, at the top
    with tab.expect_download() as pdf_download:
        tab.click("a[href$='/report.pdf']")
    pdf = pdf_download.value
    assert pdf.suggested_filename.startswith("airegime-zone-crossing-detector-")
    assert pdf.suggested_filename.endswith(".pdf")
    assert Path(pdf.path()).read_bytes().startswith(b"%PDF")

    with tab.expect_download() as json_download:
        tab.click("a[href$='/report.json']")
    report = tmp_path / "report.json"
    json_download.value.save_as(report)
    before = {k: v for k, v in glance_rows(tab).items()}
    tab.goto("/import")
    tab.set_input_files("#file", str(report))
    tab.click("form button[type=submit]")
    tab.wait_for_selector("table.glance")
    assert glance_rows(tab) == before  # the report recreates the same assessment

    tab.click("header nav >> text=Méthode")
    tab.wait_for_selector("h1:has-text('La méthode')")
    assert image_loaded(tab, ".diagram img")
    assert tab.locator("a[href='/method/methodology.pdf']").count() == 1
    shot(tab, screenshots / "method-fr.png")
    check_accessibility(tab)
    assert_no_csp_violation(tab)


def glance_rows(page: Any) -> dict[str, str]:
    rows = page.locator("table.glance tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").first.inner_text()
        for i in range(rows.count())
    }


def test_batch_page_uploads_an_inventory_and_draws_the_chart(tab: Any, screenshots: Path, tmp_path: Path) -> None:
    inventory = tmp_path / "inventaire.csv"
    out = io.StringIO()
    csv.writer(out).writerows(INVENTORY)
    inventory.write_text(out.getvalue(), encoding="utf-8")

    tab.click("header nav >> text=Inventaire")
    tab.wait_for_selector("h1:has-text('Évaluer un inventaire')")
    shot(tab, screenshots / "batch-fr.png")
    check_accessibility(tab)
    tab.set_input_files("#file", str(inventory))
    tab.click("form.form button[type=submit]")
    tab.wait_for_selector(".charts")
    bars = tab.locator("svg.bar-svg rect.fill")
    assert bars.count() == 5
    widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
    assert all(w > 10 for w in widths), widths  # drawn, not collapsed
    assert "banane" in tab.locator("table.invalid-cells").inner_text()
    shot(tab, screenshots / "batch-results-fr.png")
    check_accessibility(tab)

    tab.select_option("#f-deployment", "police_justice")
    tab.click("form.filters button[type=submit]")
    tab.wait_for_url("**deployment=police_justice**")
    assert tab.locator("table.batch-results tbody tr").count() == 1
    shot(tab, screenshots / "batch-filtered-fr.png")

    with tab.expect_download() as download:
        tab.click("a[href$='/results.csv']")
    assert download.value.suggested_filename == "airegime-results-inventaire.csv"
    assert "deployment_regime" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    tab.click("#lang-switch a")
    tab.wait_for_selector("html[lang=en]")
    assert "Inventory results" in tab.locator("h1").inner_text()
    shot(tab, screenshots / "batch-results-en.png")
    check_accessibility(tab)
    assert_no_csp_violation(tab)


def test_batch_page_works_without_javascript(browser: Any, live_server: str, screenshots: Path, tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    out = io.StringIO()
    csv.writer(out).writerows(INVENTORY)
    inventory.write_text(out.getvalue(), encoding="utf-8")
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/lang/en?next=/batch")
    page.set_input_files("#file", str(inventory))
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".charts")
    assert page.locator("svg.bar-svg").count() == 5
    page.select_option("#f-status", "undetermined")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=undetermined**")
    assert page.locator("table.batch-results tbody tr").count() == 1
    assert "Tri de photos" in page.locator("table.batch-results").inner_text()
    shot(page, screenshots / "batch-nojs-en.png")
    context.close()
