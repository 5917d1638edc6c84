"""The batch page through HTTP: an inventory in every format gives the results table, the chart,
the invalid cells with row, column and what was expected, filters by GET parameters, and
downloads; a bad upload gets a clear page and nothing is kept."""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from batch.hostile import far_cell_xlsx, zip_bomb_xlsx
from ods_writer import write_ods
from sqlalchemy import func, select, update

from airegime.errors import QuotaExceeded
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import LOCAL
from airegime.storage.audit import AuditLog
from airegime.storage.batch_uploads import TABLE_MARK, BatchUploads
from airegime.storage.models import DEFAULT_ORGANISATION_ID, BatchUploadRow
from airegime.upgrade import format1_questions
from airegime.web import batch_runs
from airegime.web.app import create_app
from airegime.web.batch_runs import BatchRuns, assess_upload

from .helpers import Client

HEADER = [
    "system_id", "system_name", "deployment_name", "household", "development.personal_data",
    "development.eu_link", "for_client", "development.controller_kind", "use_defined", "foreseen_uses",
    "deployment.personal_data", "deployment.eu_link", "deployment.controller_kind", "deployment.purpose",
]  # fmt: skip
ROWS = [
    ["S1", "<script>alert(1)</script>", "Police", "non", "oui", "oui", "non", "private_body", "non", "various",
     "oui", "oui", "competent_authority", "criminal_law"],
    ["S1", "<script>alert(1)</script>", "Magasin", "", "", "", "", "", "", "", "oui", "oui", "entreprise", "other"],
    ["S2", "Tri de photos", "Maison", "oui", "", "", "", "", "", "", "", "", "", ""],
    ["S3", "=HYPERLINK(\"http://x\")", "X", "non", "oui", "oui", "non", "private_body", "non", "various",
     "oui", "oui", "banana", "other"],
]  # fmt: skip


def _page_of(table: pl.DataFrame, page: int) -> tuple[list[dict[str, str]], int, int]:
    """The oracle for paging: one page of the whole table (cells as text), the page shown, the page count."""
    from airegime.web.batch_views import PAGE_ROWS

    pages = max(1, -(-table.height // PAGE_ROWS))
    page = min(max(page, 1), pages)
    rows = table.slice((page - 1) * PAGE_ROWS, PAGE_ROWS).cast(pl.String).fill_null("").to_dicts()
    return rows, page, pages


def inventory_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    return out.getvalue().encode("utf-8")


def inventory_bytes(fmt: str, tmp_path: Path) -> bytes:
    """The same inventory in each format the batch library reads."""
    path = tmp_path / f"inventory.{fmt}"
    if fmt == "csv":
        return inventory_csv()
    if fmt == "ods":
        write_ods(path, [[value or None for value in row] for row in (HEADER, *ROWS)])  # "" = a blank cell
        return path.read_bytes()
    frame = pl.DataFrame([dict(zip(HEADER, row, strict=True)) for row in ROWS])
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [HEADER, *ROWS]:
            sheet.append([f"'{v}" if v.startswith("=") else v for v in row])  # typed text, not a formula
        book.save(path)
    elif fmt == "jsonl":
        frame.write_ndjson(path)
    else:
        frame.write_parquet(path)
    return path.read_bytes()


def upload(client: Client, name: str, data: bytes) -> object:
    return client.post("/batch", data={"csrf_token": client.token()}, files={"file": (name, data)})


def results_page(client: Client, data: bytes | None = None, name: str = "inventaire.csv") -> str:
    response = upload(client, name, data if data is not None else inventory_csv())
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    location: str = response.headers["location"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"/batch/[A-Za-z0-9_-]{16,64}", location)
    return location


def kept(client: Client) -> int:
    """Uploads stored in the database."""
    with client.app.state.repo.engine.connect() as connection:  # type: ignore[attr-defined]
        return int(connection.scalar(select(func.count()).select_from(BatchUploadRow)) or 0)


def kept_rows(repo: Repository) -> int:
    with repo.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(BatchUploadRow)) or 0)


def test_the_batch_page_offers_the_upload_and_the_template(client: Client) -> None:
    page = client.get("/batch")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'href="/batch/template.xlsx"' in page.text
    assert "5 Mo au plus" in page.text


@pytest.mark.parametrize(("lang", "sheet"), [("fr", "inventaire"), ("en", "inventory")])
def test_the_template_is_a_workbook_in_the_current_language(client: Client, lang: str, sheet: str) -> None:
    client.get(f"/lang/{lang}")
    response = client.get("/batch/template.xlsx")
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="airegime-[a-z]+\.xlsx"', response.headers["content-disposition"])
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == sheet
    assert "system_id" in [cell.value for cell in book[sheet][1]]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods", "jsonl", "parquet"])
def test_an_inventory_in_each_format_gives_the_results_the_chart_and_the_invalid_cells(
    client: Client, kb: KnowledgeBase, tmp_path: Path, fmt: str
) -> None:
    page = client.get(results_page(client, inventory_bytes(fmt, tmp_path), f"inventaire.{fmt}")).text
    assert "4 lignes, 3 systèmes" in page
    assert page.count('<svg class="bar-svg"') == 5  # development: gdpr, undetermined; deployment: 3 regimes
    assert kb.outcome_by_id["police_justice"].label.fr in page
    invalid = re.search(r'<table class="invalid-cells">.*?</table>', page, re.S)
    assert invalid, "no invalid cells listed"
    row = 5 if fmt in ("csv", "xlsx", "ods") else 4  # spreadsheets count the header as row 1
    assert re.search(
        rf'<td class="num">{row}</td><td>deployment.controller_kind</td><td>banana</td><td>[^<]*</td><td>déploiement</td>',
        invalid.group(0),
    )  # the column as headed in the file, the value as typed, the answers allowed, the phase not assessed
    controller = format1_questions()["controller_kind"]
    assert f"«\u00a0{controller.option('competent_authority').label.fr}\u00a0»" in invalid.group(0)  # allowed, in words
    assert "competent_authority" not in invalid.group(0)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_filters_work_with_plain_get_parameters(client: Client) -> None:
    location = results_page(client)
    police = client.get(location, params={"deployment": "police_justice"}).text
    assert "1 ligne sur 4." in police and "Police" in police and "Magasin" not in police
    invalid = client.get(location, params={"status": "invalid"}).text
    assert "1 ligne sur 4." in invalid and "banana" in invalid and "Maison" not in invalid
    undetermined = client.get(location, params={"status": "undetermined"}).text
    assert "1 ligne sur 4." in undetermined and "Maison" in undetermined
    both = client.get(location, params={"development": "gdpr", "status": "determined"}).text
    assert "3 lignes sur 4." in both  # S3's bad cell is a deployment answer: its development is assessed
    not_assessed = client.get(location, params={"deployment": "invalid"}).text
    assert "1 ligne sur 4." in not_assessed and "banana" in not_assessed
    ignored = client.get(location, params={"development": "<nonsense>", "status": "x"})
    assert ignored.status_code == 200 and "4 lignes sur 4." in ignored.text


def test_results_download_as_csv_and_xlsx_with_formulas_neutralised(client: Client) -> None:
    location = results_page(client, name="Inventaire été <2026>.csv")
    as_csv = client.get(f"{location}/results.csv")
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == 'attachment; filename="airegime-results-Inventaire-ete-2026.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert rows[0]["deployment_outcome"] == "police_justice"
    assert rows[3]["system_name"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    as_xlsx = client.get(f"{location}/results.xlsx")
    assert zipfile.ZipFile(io.BytesIO(as_xlsx.content)).testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row == 5


def test_the_results_page_names_columns_that_look_like_answer_columns(client: Client) -> None:
    location = results_page(client, b"system_id,deployment.purpose,developement_uses\ns1,other,single_use\n")
    page = client.get(location).text
    assert "La colonne «\u00a0developement_uses\u00a0» n’est pas une colonne de réponse" in page
    assert "Vouliez-vous dire «\u00a0development.development_uses\u00a0»\u00a0?" in page
    assert "n’est pas une colonne de réponse" not in client.get(results_page(client)).text


def test_the_results_page_says_an_old_inventory_was_read_in_the_current_format(client: Client) -> None:
    """A format-1 inventory: the page says so and lists each guess, as the command line does."""
    old = (
        b"system_id,deployment_name,system.household,development.personal_data,development.eu_link,"
        b"development.controller_kind,development.use_defined,development.same_purpose_only,development.purpose\n"
        b"s1,investigation,no,yes,yes,competent_authority,yes,no,criminal_law\n"
    )
    client.get("/lang/en")
    page = client.get(results_page(client, old)).text
    assert "This inventory has the old column names (format 1)" in page
    assert "development.development_uses (1 row)" in page  # the guess, with the column it concerns
    assert 'href="/batch/template.xlsx"' in page and "copy the answers into it" in page
    assert "format 1" not in client.get(results_page(client, b"system_id,deployment.purpose\ns1,other\n")).text


def test_results_follow_the_language(client: Client, kb: KnowledgeBase) -> None:
    location = results_page(client)
    client.get("/lang/en")
    page = client.get(location).text
    assert "4 rows, 3 systems" in page and "determined" in page
    assert kb.outcome_by_id["police_justice"].label.en in page
    english = client.get(f"{location}/results.csv").content.decode("utf-8-sig")
    assert "determined" in english and "déterminé" not in english


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("inventory.exe", b"MZ\x90\x00", "Ce type de fichier n’est pas lu"),
        ("inventory.xlsx", b"\x00garbage\xff" * 50, "ne peut pas être lu comme un inventaire"),
        ("inventory.parquet", b"PAR1 not really", "ne peut pas être lu comme un inventaire"),
        ("inventory.csv", b"name,colour\nx,blue\n", "ne peut pas être lu comme un inventaire"),
        ("inventory.csv", b"system_id,household\n", "aucune ligne"),
        ("inventory.csv", b"   ", "Ce fichier est vide."),
        ("", b"", "Choisissez un fichier"),
    ],
)
def test_a_bad_upload_gets_a_clear_page_and_nothing_is_kept(
    client: Client, repo: Repository, name: str, data: bytes, message: str
) -> None:
    response = upload(client, name, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert "Rien n’a été évalué ni conservé." in response.text  # type: ignore[attr-defined]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    assert kept(client) == 0 and repo.count() == 0


@pytest.fixture
def small_limit_client(repo: Repository) -> Iterator[Client]:
    app = create_app(repository=repo, batch_max_body=20_000)
    with Client(app, raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def test_an_oversized_inventory_gets_a_clear_page_and_nothing_is_kept(small_limit_client: Client) -> None:
    big = inventory_csv() + b"S9,x,y\n" * 5_000
    response = upload(small_limit_client, "big.csv", big)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "dépasse la limite de 0,02 Mo" in response.text  # type: ignore[attr-defined]
    assert "airegime batch" in response.text  # type: ignore[attr-defined]
    assert kept(small_limit_client) == 0


def test_the_batch_limit_is_larger_than_the_forms_and_only_for_the_batch_page(client: Client) -> None:
    two_megabytes = inventory_csv() + b"\n".join([b"S1,,,,,,,,,,oui,oui,private_body,other"] * 50_000)
    assert 1_000_000 < len(two_megabytes) < 5_000_000
    assert upload(client, "big.csv", two_megabytes).status_code == 303  # type: ignore[attr-defined]
    assert client.submit("/import", {"text": "x" * 1_100_000}).status_code == 413


def test_an_upload_without_the_form_token_is_refused(client: Client) -> None:
    response = client.post("/batch", files={"file": ("inventory.csv", inventory_csv())})
    assert response.status_code == 403
    assert kept(client) == 0


def test_results_are_shown_in_another_browser_of_the_organisation(client: Client, repo: Repository) -> None:
    """Without accounts everyone on loopback is the one local person: another browser is a
    colleague's (tests/accounts/test_sharing_web.py has organisations and roles)."""
    location = results_page(client)
    with Client(client.app, raise_server_exceptions=False, follow_redirects=False) as colleague:
        for url in (location, f"{location}/results.csv"):
            assert colleague.get(url).status_code == 200
        gone = colleague.get(location[:-3] + "xyz")
        assert gone.status_code == 404 and "Résultats introuvables" in gone.text
    assert client.get("/batch/not-a-token").status_code == 404
    assert client.get(f"{location}/results.pdf").status_code == 404


def test_results_cached_in_memory_are_bounded_and_an_evicted_run_is_read_back(
    repo: Repository, kb: KnowledgeBase
) -> None:
    table, result = assess_upload(kb, inventory_csv(), "inventory.csv", "fr")
    runs = BatchRuns(BatchUploads(repo.engine), keep=3, budget=10**9)
    add = functools.partial(runs.add, by=LOCAL, address="", filename="i.csv", table=table, result=result)
    tokens = [add(owner=f"me{n % 2}", lang="fr") for n in range(5)]
    assert len(runs) == 3
    here = LOCAL.organisation_id
    evicted = runs.get(tokens[0], here, owner="me0")  # no longer in memory: read back from its table, assessed again
    assert evicted is not None and evicted.result(kb, "en").table is not None
    assert runs.get(tokens[-1], here) is not None and runs.get(tokens[-1], here + 1) is None
    small = BatchRuns(BatchUploads(repo.engine), keep=10, budget=1)  # over budget: only the newest stays
    newest = [
        small.add(owner="me", by=LOCAL, address="", filename="i.csv", table=table, lang="fr", result=result)
        for _ in range(3)
    ][-1]
    assert len(small) == 1 and small.get(newest, LOCAL.organisation_id) is not None


def test_one_owners_uploads_evict_only_their_own(database_url: str, kb: KnowledgeBase) -> None:
    """Issue 13, item 14: 20 uploads by one reader used to delete every colleague's results."""
    repo = Repository.open(database_url, kb)
    try:
        table, result = assess_upload(kb, inventory_csv(), "inventory.csv", "fr")
        uploads = BatchUploads(repo.engine, keep=3)
        runs = BatchRuns(uploads, keep=10, keep_per_owner=2, budget=10**9)
        add = functools.partial(runs.add, by=LOCAL, address="", table=table, lang="fr", result=result)
        colleague = add(owner="colleague", filename="c.csv")
        mine = [add(owner="me", filename="m.csv") for _ in range(25)]
        assert runs.owners() == {"colleague": 1, "me": 2}  # in memory: my oldest went, not the colleague's
        assert kept_rows(repo) == 1 + 3  # in the database: my newest three and the colleague's one
        here = DEFAULT_ORGANISATION_ID
        assert uploads.get(colleague, here) is not None
        assert [uploads.get(token, here) is not None for token in mine[-4:]] == [False, True, True, True]
        full = BatchUploads(repo.engine, keep=3, organisation_limit=4)
        with pytest.raises(QuotaExceeded):  # the organisation holds its most: refused, nothing deleted
            full.add(owner="third", organisation_id=DEFAULT_ORGANISATION_ID, actor="x", address="",
                     filename="t.csv", table=table, rows=1)  # fmt: skip
        assert kept_rows(repo) == 4
        expiring = BatchUploads(repo.engine, keep=3, retention=timedelta(0))  # past the retention: deleted
        expiring.add(owner="fourth", organisation_id=DEFAULT_ORGANISATION_ID, actor="x", address="",
                     filename="f.csv", table=table, rows=1)  # fmt: skip
        assert kept_rows(repo) == 1
    finally:
        repo.engine.dispose()


def test_an_upload_stored_before_tables_were_kept_is_still_shown(repo: Repository, kb: KnowledgeBase) -> None:
    uploads = BatchUploads(repo.engine)
    token = uploads.add(owner="me", organisation_id=DEFAULT_ORGANISATION_ID, actor="x", address="",
                        filename="old.csv", table=b"", rows=4)  # fmt: skip
    with repo.engine.begin() as connection:  # as the rows of before: the raw upload
        connection.execute(update(BatchUploadRow).values(data=inventory_csv()))
    run = BatchRuns(uploads).get(token, DEFAULT_ORGANISATION_ID)
    assert run is not None and run.result(kb, "en").summary.rows == len(ROWS)


def test_a_full_organisation_gets_a_clear_page(client: Client) -> None:
    client.app.state.batch_runs.uploads.organisation_limit = 1  # type: ignore[attr-defined]
    results_page(client)
    response = upload(client, "inventaire.csv", inventory_csv())
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert "Votre organisation garde déjà 1 inventaires" in response.text  # type: ignore[attr-defined]
    assert kept(client) == 1


def test_results_are_computed_once_and_kept_not_parsed_again(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, item 2: each download or language switch parsed the stored spreadsheet again."""
    from airegime.batch import io as batch_io

    location = results_page(client, inventory_bytes("xlsx", tmp_path), "inventaire.xlsx")
    reads: list[Path] = []
    real = batch_io._read_excel
    monkeypatch.setattr(batch_io, "_read_excel", lambda path, *a: reads.append(path) or real(path, *a))
    assessed: list[str] = []
    real_assess = batch_runs.assess_table
    monkeypatch.setattr(
        batch_runs, "assess_table", lambda kb, t, lang: assessed.append(lang) or real_assess(kb, t, lang)
    )
    for _ in range(3):
        assert client.get(f"{location}/results.csv").status_code == 200
        assert client.get(f"{location}/results.xlsx").status_code == 200
        assert client.get(location).status_code == 200
    client.get("/lang/en")
    for _ in range(3):
        assert client.get(location).status_code == 200
        assert "determined" in client.get(f"{location}/results.csv").content.decode("utf-8-sig")
    assert reads == []  # the spreadsheet was read once, at upload
    assert assessed == ["en"]  # French results were kept; English ones computed once, from the table
    with client.app.state.repo.engine.connect() as connection:  # type: ignore[attr-defined]
        stored = connection.scalar(select(BatchUploadRow.data))
    assert stored.startswith(TABLE_MARK) and b"PK" not in stored[:64]  # the table read, not the spreadsheet


def test_another_server_process_shows_and_exports_the_results(client: Client, repo: Repository) -> None:
    """Each process has its own memory: a second app on the same database stands for another worker."""
    location = results_page(client)
    with Client(create_app(repository=repo), raise_server_exceptions=False, follow_redirects=False) as other:
        other.cookies.update(client.cookies)  # the same browser, answered by the other process
        page = other.get(location)
        assert page.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert other.get(f"{location}?lang=en").status_code == 200
        download = other.get(f"{location}/results.csv")
        assert download.status_code == 200 and b"S2" in download.content


def test_uploads_outlive_a_restart_and_are_in_the_audit_log(
    client: Client, repo: Repository, kb: KnowledgeBase
) -> None:
    location = results_page(client)
    restarted = Repository.open(str(repo.engine.url), kb)
    with Client(create_app(repository=restarted), raise_server_exceptions=False, follow_redirects=False) as again:
        again.cookies.update(client.cookies)
        assert again.get(location).status_code == 200
    restarted.engine.dispose()
    entry = AuditLog(repo.engine).page(DEFAULT_ORGANISATION_ID)[0]
    assert (entry.action, entry.target, entry.detail) == ("batch.uploaded", "inventaire.csv", f"{len(ROWS)} rows")


HOSTILE = {  # issue 13, items 1 and 2: each a small file that made the readers allocate gigabytes
    "far.xlsx": ("column 16,384, beyond the limit of at most 256 columns", lambda p: far_cell_xlsx(p, "XFD", 1048576)),
    "wide.xlsx": ("column 702, beyond the limit of at most 256 columns", lambda p: far_cell_xlsx(p, "ZZ", 100000)),
    "tall.xlsx": ("beyond the limit of at most 2,000,000 cells", lambda p: far_cell_xlsx(p, "Z", 100000)),
    "bomb.xlsx": ("inflates to more than 512 MB", zip_bomb_xlsx),
}
IN_FRENCH = {  # what the pages say of each, in their default language
    "far.xlsx": "colonne 16\u202f384, au-delà de la limite de 256 colonnes",
    "wide.xlsx": "colonne 702, au-delà de la limite de 256 colonnes",
    "tall.xlsx": "au-delà de la limite de 2\u202f000\u202f000 cellules",
    "bomb.xlsx": "se décompresse en plus de 512 Mo",
}


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: make(folder / name).read_bytes() for name, (_, make) in HOSTILE.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_spreadsheet_gets_a_clear_page_and_the_server_stays_up(
    client: Client, hostile_files: dict[str, bytes], name: str
) -> None:
    data = hostile_files[name]
    assert len(data) < 2_000_000  # 1.5 kB for the far cells, 1 MB for the bomb
    response = upload(client, name, data)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert "ne peut pas être lu comme un inventaire" in page and IN_FRENCH[name] in page  # the page's language
    assert "enregistrez l’inventaire en .csv" in page or "enregistrez-le à nouveau" in page  # what to do
    assert kept(client) == 0
    assert results_page(client)  # still serving


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_spreadsheet_gets_a_422_from_the_api(
    client: Client, hostile_files: dict[str, bytes], name: str
) -> None:
    response = client.post("/api/v1/batch", files={"file": (name, hostile_files[name])})
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "unreadable_inventory" and HOSTILE[name][0] in body["error"]["message"]
    good = client.post("/api/v1/batch", files={"file": ("inventory.csv", inventory_csv())})
    assert good.status_code == 200 and good.json()["summary"]["rows"] == len(ROWS)


def test_a_page_of_kept_results_equals_the_same_page_of_the_whole_table(kb: KnowledgeBase) -> None:
    """The page reads only the filtered columns and the batches of its rows: the same rows as
    filtering and paging the whole table, across batches of kept results."""
    from airegime.web import batch_views

    many = inventory_csv() + b"".join(
        f"T{n},x,ctx{n},non,oui,oui,non,private_body,non,various,oui,oui,{kind},{purpose}\n".encode()
        for n, (kind, purpose) in enumerate(
            [("competent_authority", "criminal_law"), ("private_body", "other"), ("banana", "other")] * 900
        )
    )
    _, result = assess_upload(kb, many, "many.csv", "en")
    kept = batch_runs.KeptResult.of(result)
    assert result.table is not None and kept.height == result.table.height == 2704
    for filters in (
        batch_views.Filters(),
        batch_views.Filters(deployment="police_justice"),
        batch_views.Filters(status="invalid"),
        batch_views.Filters(development="gdpr", status="determined"),
    ):
        whole = batch_views.filtered(result.table, filters, "en")
        for page in (1, 2, 19, 60):
            expected, page_shown, pages = _page_of(whole, page)
            columns = kept.columns(batch_views.FILTER_COLUMNS)
            positions, page_got, pages_got, matching = batch_views.filter_positions(columns, filters, "en", page)
            assert (page_got, pages_got, matching) == (page_shown, pages, whole.height)
            assert batch_views.rows_of(kept.rows(positions)) == expected
    assert sum(chunk.height for chunk in kept.chunks()) == 2704


def test_a_bad_deployment_cell_leaves_that_rows_development_assessed_on_the_page(
    client: Client, kb: KnowledgeBase
) -> None:
    page = client.get(results_page(client)).text
    row, messages = re.findall(r'<tr class="invalid-row">(.*?)</tr>', page, re.S)
    assert "(S3)" in row  # S3, whose deployment.controller_kind is "banana"
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert kb.outcome_by_id["gdpr"].label.fr in cells[1]  # development: assessed
    assert '<span class="problem">non évalué (cellule invalide)</span>' in cells[2]  # deployment: not
    assert (
        "Colonne «\u00a0deployment.controller_kind\u00a0»\u00a0: «\u00a0banana\u00a0» n’est pas une réponse possible"
        in messages
    )
    assert "1 ligne a une cellule invalide\u00a0; phases non évaluées\u00a0: 1 déploiement (détail" in page
    assert "Activité domestique (système)" in page or "Établissement (système)" in page  # columns to fill, in words
    assert "<code>development." not in page and "<code>deployment." not in page
    client.get("/lang/en")
    english = client.get(results_page(client)).text
    assert "Column “deployment.controller_kind”: “banana” is not a possible answer" in english
    assert "not assessed (invalid cell)" in english


def bar_fills(page: str) -> dict[str, str]:
    """Each bar's outcome and the fill it is drawn with."""
    found = re.findall(
        r'<a href="\?[^"]*=([a-z_]+)">[^<]*</a></th>\s*<td class="bar-cell">.*?<rect class="fill kind-([a-z_]+)"( fill="([^"]+)")?',
        page,
        re.S,
    )
    return {key: fill or f"class:{kind}" for key, kind, _, fill in found}


def test_the_chart_colours_each_regime_as_the_result_pages_diagram_does(client: Client, kb: KnowledgeBase) -> None:
    from airegime.render.diagram import OUTCOME_STYLE

    fills = bar_fills(client.get(results_page(client)).text)
    assert fills["police_justice"] == fills["gdpr"] == OUTCOME_STYLE["regime"]
    for key, fill in fills.items():  # every bar: its outcome kind's colour in the diagram
        assert fill == (OUTCOME_STYLE[kb.outcome_by_id[key].kind] if key in kb.outcome_by_id else "class:undetermined")
    assert fills["undetermined"] == "class:undetermined"  # the result pages' --orange, from style.css
    # The result page's diagram fills the box of the same outcome with the same colour.
    example = Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml"
    imported = client.submit("/import", files={"file": ("zone.yaml", example.read_bytes(), "application/yaml")})
    result = client.get(imported.headers["location"]).text
    diagram = re.search(r'<img src="([^"]+diagram\.svg)"', result)
    assert diagram, "the result page shows no diagram"
    svg = client.get(diagram.group(1)).text
    label = kb.outcome_by_id["police_justice"].label.fr.split(" (")[0].replace("-", "&#45;")
    node = re.search(rf'<(?:polygon|path) fill="(#[0-9a-f]{{6}})"[^>]*/>\s*<text[^>]*>{re.escape(label)}', svg)
    assert node and node.group(1) == fills["police_justice"]


def test_no_style_sheet_rule_overrides_the_bars_fill() -> None:
    css = (Path(__file__).parents[2] / "src" / "airegime" / "web" / "static" / "style.css").read_text(encoding="utf-8")
    rules = re.findall(r"svg\.bar-svg \.fill([^{]*)\{([^}]*)\}", css)
    assert rules
    assert [
        (selector, body) for selector, body in rules if "fill:" in body and "kind-undetermined" not in selector
    ] == []
    assert "svg.bar-svg .fill.kind-undetermined { fill: var(--orange); }" in css
    assert "section.phase.status-undetermined { border-top-color: var(--orange); }" in css  # the same variable


def rgb(colour: str) -> str:
    """#d3e9d3 as a browser computes it: rgb(211, 233, 211)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@pytest.mark.browser
def test_in_a_browser_a_bar_is_drawn_in_its_regimes_colour_on_the_result_page(
    browser: Any, live_server: str, tmp_path: Path, kb: KnowledgeBase
) -> None:
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto("/batch")
        inventory = tmp_path / "inventaire.csv"
        inventory.write_bytes(inventory_csv())
        page.set_input_files("#file", str(inventory))
        page.click("form.form button[type=submit]")
        page.wait_for_selector(".charts")
        drawn = {
            kind: page.eval_on_selector(
                f"tr:has(a[href*='deployment={kind}']) rect.fill", "rect => getComputedStyle(rect).fill"
            )
            for kind in ("police_justice", "undetermined")
        }
        orange = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--orange').trim()")
        assert drawn["undetermined"] == rgb(orange)  # the result pages' colour for an undetermined phase
        page.goto("/import")
        page.fill("#text", (Path(__file__).parents[2] / "examples" / "zone-crossing-detector.yaml").read_text())
        page.click("form button[type=submit]")
        page.wait_for_selector("table.glance")
        svg = page.request.get(page.get_attribute(".diagram img", "src")).text()
        label = kb.outcome_by_id["police_justice"].label.fr.split(" (")[0].replace("-", "&#45;")
        node = re.search(rf'<(?:polygon|path) fill="(#[0-9a-f]{{6}})"[^>]*/>\s*<text[^>]*>{re.escape(label)}', svg)
        assert node, "no police-justice box in the result page's diagram"
        assert drawn["police_justice"] == rgb(node.group(1))
    finally:
        context.close()


@pytest.mark.parametrize(
    ("percent", "shown"),
    [(0.0, "0"), (0.4, "< 1"), (0.5, "< 1"), (1.0, "1"), (37.5, "38"), (99.5, "> 99"), (100.0, "100")],
)
def test_a_share_is_never_shown_as_none_or_all_when_it_is_neither(percent: float, shown: str) -> None:
    from airegime.web.batch_views import Bar

    assert Bar("gdpr", "regime", "", "RGPD", 1, percent).percent_shown == shown
