"""The action plan in storage: next steps become actions once, free actions, changes, overdue,
exports that no spreadsheet runs as formulas, and organisations kept apart."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from airegime.errors import DescriptorError, NotFoundError
from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.accounts import Accounts
from airegime.storage.actions import Actions, export_bytes, export_file, parse_due, plan_steps, step_key
from airegime.storage.audit import AuditLog
from airegime.system import parse_system

HEADER = ("Assessment", "Action", "Owner", "Due", "State", "Source", "Updated")


def gdpr_system(kb: KnowledgeBase, name: str = "Chatbot") -> object:
    return parse_system(
        {
            "name": name,
            "answers": {"establishment": "eu"},
            "development": {
                "answers": {"personal_data": "yes", "organisation_kind": "private_body", "purpose": "other"}
            },
            "deployments": [
                {
                    "name": "Use",
                    "answers": {"personal_data": "yes", "organisation_kind": "private_body", "purpose": "other"},
                }
            ],
        },
        kb=kb,
    )


@pytest.fixture
def two(repo: Repository) -> tuple[Repository, Repository]:
    accounts = Accounts(repo.engine)
    accounts.add_user("alice", "correct horse battery", organisation="Org A", role="admin", actor="t")
    accounts.add_user("bob", "correct horse battery", organisation="Org B", role="admin", actor="t")
    ids = {name: i for i, name in accounts.organisations()}
    return repo.scoped(ids["Org A"], actor="alice"), repo.scoped(ids["Org B"], actor="bob")


def test_making_the_plan_twice_adds_each_next_step_once(repo: Repository, kb: KnowledgeBase) -> None:
    saved, result = repo.add_system(gdpr_system(kb))  # type: ignore[arg-type]
    steps = plan_steps(kb, result, "en")
    assert steps and len({s.source for s in steps}) == len(steps)
    assert steps[0].title.startswith("Sheet 2")
    actions = Actions(repo)
    first = actions.make_plan(saved.id, steps)
    assert [a.source for a in first] == [s.source for s in steps]
    assert all(a.state == "open" and a.owner == "" and a.due_on is None for a in first)
    again = actions.make_plan(saved.id, plan_steps(kb, result, "fr"))  # other words, same keys
    assert again == ()
    assert len(actions.list(saved.id)) == len(steps)
    assert [a.title for a in actions.list(saved.id)] == [s.title for s in steps]  # the words at creation stay
    logged = [e.action for e in AuditLog(repo.engine).entries(repo.organisation_id)]
    assert logged.count("actions.planned") == 1


def test_a_step_key_is_stable_and_language_free(kb: KnowledgeBase) -> None:
    gdpr = kb.outcome_by_id["gdpr"]
    step = gdpr.next_steps[0]
    assert step_key("gdpr", step.text.en) == step_key("gdpr", step.text.en)
    assert step_key("gdpr", step.text.en) != step_key("gdpr", gdpr.next_steps[1].text.en)
    assert step_key("gdpr", step.text.en).startswith("gdpr:")


def test_free_actions_are_changed_and_overdue_ones_listed(repo: Repository, kb: KnowledgeBase) -> None:
    one = repo.import_system(gdpr_system(kb, "One"))  # type: ignore[arg-type]
    two = repo.import_system(gdpr_system(kb, "Two"))  # type: ignore[arg-type]
    actions = Actions(repo)
    late = actions.add(one, title="Sign the DPA", owner="Legal", due_on=date(2026, 1, 31))
    actions.add(two, title="Later", due_on=date(2099, 1, 1))
    done = actions.add(two, title="Done already", due_on=date(2026, 1, 1))
    actions.update(two, done.id, state="done")
    undated = actions.add(two, title="No date")
    overdue = actions.overdue(date(2026, 6, 1))
    assert [(a.title, a.assessment_name) for a in overdue] == [("Sign the DPA", "One")]
    assert late.overdue(date(2026, 6, 1)) and not undated.overdue(date(2026, 6, 1))
    changed = actions.update(one, late.id, owner="DPO", due_on=None)
    assert (changed.owner, changed.due_on, changed.title) == ("DPO", None, "Sign the DPA")
    assert actions.overdue(date(2026, 6, 1)) == ()
    with pytest.raises(NotFoundError):
        actions.update(two, late.id, state="done")  # an action of another assessment
    with pytest.raises(DescriptorError):
        actions.update(one, late.id, state="finished")
    with pytest.raises(DescriptorError):
        actions.add(one, title="   ")
    actions.delete(one, late.id)
    assert actions.list(one) == ()
    assert len(actions.list()) == 3


def test_another_organisation_sees_and_changes_none_of_them(
    two: tuple[Repository, Repository], kb: KnowledgeBase
) -> None:
    a, b = two
    mine = a.import_system(gdpr_system(kb, "A's"))  # type: ignore[arg-type]
    action = Actions(a).add(mine, title="A's action", due_on=date(2020, 1, 1))
    theirs = Actions(b)
    assert theirs.list() == () and theirs.overdue() == ()
    for attempt in (
        lambda: theirs.list(mine),
        lambda: theirs.get(mine, action.id),
        lambda: theirs.add(mine, title="B's"),
        lambda: theirs.update(mine, action.id, state="dropped"),
        lambda: theirs.delete(mine, action.id),
        lambda: theirs.make_plan(mine, []),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert Actions(a).get(mine, action.id) == action


def test_exports_parse_back_and_never_run_a_formula(repo: Repository, kb: KnowledgeBase) -> None:
    one = repo.import_system(gdpr_system(kb, '=HYPERLINK("http://x")'))  # type: ignore[arg-type]
    actions = Actions(repo)
    actions.add(one, title="@SUM(1+1)", owner="+33 1 23", due_on=date(2027, 3, 31))
    actions.add(one, title="Plain, with a comma", owner="-DPO")
    listed = actions.list(one)
    rows = list(csv.reader(io.StringIO(export_bytes(listed, "csv", HEADER).decode("utf-8-sig"))))
    assert rows[0] == list(HEADER)
    assert rows[1][:5] == ['\'=HYPERLINK("http://x")', "'@SUM(1+1)", "'+33 1 23", "2027-03-31", "open"]
    assert rows[2][1:3] == ["Plain, with a comma", "'-DPO"]
    sheet = load_workbook(io.BytesIO(export_bytes(listed, "xlsx", HEADER))).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(HEADER)
    assert values[1][:3] == ['\'=HYPERLINK("http://x")', "'@SUM(1+1)", "'+33 1 23"]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)


def test_due_dates_are_read_strictly() -> None:
    assert parse_due("2027-03-31") == date(2027, 3, 31)
    assert parse_due("") is None and parse_due(None) is None
    with pytest.raises(DescriptorError):
        parse_due("31/03/2027")


def test_the_deciding_rules_warnings_are_in_the_plan_and_exports_say_where_actions_come_from(
    repo: Repository, kb: KnowledgeBase
) -> None:
    _saved, result = repo.add_system(gdpr_system(kb))  # type: ignore[arg-type]
    steps = plan_steps(kb, result, "en")
    warnings = [s for s in steps if s.source.startswith("warning:")]
    deciding = {r for p in result.phases for r in p.rules}
    caveats = {kb.rule_by_id[r].caveat.en for r in deciding if kb.rule_by_id[r].caveat}  # type: ignore[union-attr]
    assert {w.title for w in warnings} == caveats
    assert steps[: len(steps) - len(warnings)] == [s for s in steps if not s.source.startswith("warning:")]
    actions = Actions(repo)
    actions.make_plan(_saved.id, steps)
    actions.add(_saved.id, title="By hand")
    text = export_file(actions.list(_saved.id), "csv", "en", kb).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Assessment", "Action", "Owner", "Due", "State", "From", "Last changed"]
    origins = {row[5] for row in rows[1:]}
    assert "added by hand" in origins and f"next step ({kb.outcome_by_id['gdpr'].label.en})" in origins
    assert all(row[4] == "open" for row in rows[1:])
    assert not any("gdpr:" in cell or "warning:" in cell for row in rows for cell in row)  # no keys for people
    if caveats:
        assert "warning of the result" in origins
