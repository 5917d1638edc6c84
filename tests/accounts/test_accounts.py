"""Accounts in the database: passwords, roles, logins and their rate limit, API tokens, the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from accounts.conftest import PASSWORD, Org
from airegime.storage import Repository
from airegime.storage.accounts import (
    MAX_FAILURES_PER_NAME,
    AccountError,
    Accounts,
    LoginRefused,
    LoginThrottled,
    now,
)
from airegime.storage.audit import AuditLog
from airegime.storage.models import ApiTokenRow, AuditRow, LoginSessionRow, UserRow


@pytest.fixture
def accounts(repo: Repository) -> Accounts:
    return Accounts(repo.engine)


def test_no_account_means_accounts_are_off_until_the_first_is_added(accounts: Accounts) -> None:
    assert not accounts.exist()
    assert accounts.organisations() == ((1, "default"),)
    created = accounts.add_user("Alice@Example.org", PASSWORD, organisation="default", role="admin", actor="t")
    assert created is False  # the default organisation (which owns what was saved before) was reused
    assert accounts.exist()
    [user] = accounts.users()
    assert user.username == "alice@example.org"  # names are not case-sensitive
    assert [(m.organisation, m.role) for m in user.memberships] == [("default", "admin")]


def test_passwords_are_stored_as_argon2id_hashes_only(repo: Repository, accounts: Accounts) -> None:
    accounts.add_user("alice", PASSWORD, organisation="A", role="admin", actor="t")
    with repo.engine.connect() as connection:
        stored = connection.execute(select(UserRow.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize(
    ("username", "password", "problem"),
    [
        ("", PASSWORD, "cannot be an account name"),
        ("a b", PASSWORD, "cannot be an account name"),
        ("x" * 101, PASSWORD, "cannot be an account name"),
        ("<script>", PASSWORD, "cannot be an account name"),
        ("alice", "short", "10 to 1024 characters"),
        ("alice", "y" * 1025, "10 to 1024 characters"),
        ("alicealice", "alicealice", "cannot be the account name"),
    ],
)
def test_bad_names_and_passwords_are_refused_with_what_to_do(
    accounts: Accounts, username: str, password: str, problem: str
) -> None:
    with pytest.raises(AccountError, match=problem) as refused:
        accounts.add_user(username, password, organisation="A", role="admin", actor="t")
    assert refused.value.hint
    assert accounts.users() == ()  # nothing half-made


def test_an_unknown_role_or_organisation_name_changes_nothing(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="no role"):
        accounts.add_user("alice", PASSWORD, organisation="A", role="owner", actor="t")
    with pytest.raises(AccountError, match="organisation needs a name"):
        accounts.add_user("alice", PASSWORD, organisation="  ", role="admin", actor="t")
    assert accounts.users() == () and accounts.organisations() == ((1, "default"),)


def test_login_opens_a_session_and_logout_ends_it(accounts: Accounts, orgs: dict[str, Org]) -> None:
    token, principal = accounts.login("ALICE", PASSWORD, address="10.0.0.1")
    assert (principal.username, principal.organisation, principal.role) == ("alice", "Org A", "admin")
    assert accounts.principal_for_session(token) == principal
    accounts.logout(token)
    assert accounts.principal_for_session(token) is None


def test_a_session_stored_is_only_a_hash_and_expires(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    token, _ = accounts.login("bob", PASSWORD, address="")
    with repo.engine.begin() as connection:
        assert token not in str(connection.execute(select(LoginSessionRow.token_hash)).all())
        connection.execute(update(LoginSessionRow).values(expires_at=now() - timedelta(seconds=1)))
    assert accounts.principal_for_session(token) is None


def test_wrong_passwords_unknown_names_and_disabled_accounts_get_the_same_refusal(
    accounts: Accounts, orgs: dict[str, Org]
) -> None:
    accounts.set_disabled("ben", True, actor="t")
    messages = set()
    for name, password in (("alice", "wrong password"), ("nobody", PASSWORD), ("ben", PASSWORD)):
        with pytest.raises(LoginRefused) as refused:
            accounts.login(name, password, address="")
        messages.add(refused.value.message)
    assert messages == {"wrong name or password"}


def test_logins_are_rate_limited_per_name_even_with_the_right_password(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    for _ in range(MAX_FAILURES_PER_NAME):
        with pytest.raises(LoginRefused):
            accounts.login("alice", "a wrong password", address="10.0.0.9")
    with pytest.raises(LoginThrottled) as throttled:
        accounts.login("alice", PASSWORD, address="10.0.0.10")
    assert 14 * 60 < throttled.value.retry_after <= 15 * 60 + 1
    accounts.login("bob", PASSWORD, address="10.0.0.9")  # another name is not locked out
    # The window slides: once the failures are old enough, the right password works again.
    with repo.engine.begin() as connection:
        connection.execute(update(AuditRow).values(at=AuditRow.at - timedelta(minutes=16)))
    accounts.login("alice", PASSWORD, address="10.0.0.10")


def test_logins_are_rate_limited_per_address_across_names(accounts: Accounts, orgs: dict[str, Org]) -> None:
    for index in range(20):
        with pytest.raises(LoginRefused):
            accounts.login(f"guess{index}", "a wrong password", address="10.6.6.6")
    with pytest.raises(LoginThrottled):
        accounts.login("alice", PASSWORD, address="10.6.6.6")
    accounts.login("alice", PASSWORD, address="10.0.0.1")


def test_api_tokens_act_with_the_lower_of_their_role_and_their_owners(accounts: Accounts, orgs: dict[str, Org]) -> None:
    token = accounts.create_token("anna", "Org A", name="ci", role="editor", days=30, actor="t")
    assert token.startswith("air_")
    principal = accounts.principal_for_token(token)
    assert principal is not None and (principal.username, principal.role) == ("anna", "editor")
    accounts.set_role("anna", "Org A", "reader", actor="t")  # demoted: the token follows
    assert accounts.principal_for_token(token).role == "reader"  # type: ignore[union-attr]
    with pytest.raises(AccountError, match="cannot do more than its owner"):
        accounts.create_token("amy", "Org A", name="x", role="admin", days=None, actor="t")
    with pytest.raises(AccountError, match="not a member"):
        accounts.create_token("amy", "Org B", name="x", role="reader", days=None, actor="t")


def test_revoked_expired_and_orphaned_tokens_stop_working(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    revoked = accounts.create_token("anna", "Org A", name="a", role="reader", days=None, actor="t")
    expiring = accounts.create_token("anna", "Org A", name="b", role="reader", days=1, actor="t")
    of_a_leaver = accounts.create_token("amy", "Org A", name="c", role="reader", days=None, actor="t")
    [info] = [t for t in accounts.tokens(orgs["Org A"].id) if t.name == "a"]
    with pytest.raises(AccountError, match="no API token"):  # one organisation cannot revoke another's
        accounts.revoke_token(info.id, orgs["Org B"].id, actor="bob")
    accounts.revoke_token(info.id, orgs["Org A"].id, actor="alice")
    accounts.remove_member("amy", "Org A", actor="alice")
    with repo.engine.begin() as connection:
        connection.execute(update(ApiTokenRow).where(ApiTokenRow.name == "b").values(expires_at=now()))
    assert [accounts.principal_for_token(t) for t in (revoked, expiring, of_a_leaver)] == [None, None, None]
    assert accounts.principal_for_token("air_" + "x" * 43) is None
    assert accounts.principal_for_token(orgs["Org A"].token) is not None


def test_changing_a_password_or_disabling_logs_every_browser_out(accounts: Accounts, orgs: dict[str, Org]) -> None:
    first, _ = accounts.login("ben", PASSWORD, address="")
    accounts.set_password("ben", "another good password", actor="t")
    assert accounts.principal_for_session(first) is None
    second, _ = accounts.login("ben", "another good password", address="")
    accounts.set_disabled("ben", True, actor="t")
    assert accounts.principal_for_session(second) is None
    assert accounts.principal_for_token(orgs["Org B"].token) is not None  # bob's token is not ben's


def test_a_person_in_two_organisations_switches_between_them(accounts: Accounts, orgs: dict[str, Org]) -> None:
    accounts.set_role("alice", "Org B", "reader", actor="bob")
    token, principal = accounts.login("alice", PASSWORD, address="")
    assert principal.organisation == "Org A"
    accounts.switch_organisation(token, orgs["Org B"].id)
    switched = accounts.principal_for_session(token)
    assert switched is not None and (switched.organisation, switched.role) == ("Org B", "reader")
    bens_token, _ = accounts.login("ben", PASSWORD, address="")
    with pytest.raises(AccountError, match="not a member"):
        accounts.switch_organisation(bens_token, orgs["Org A"].id)


def test_the_audit_log_records_who_did_what_in_each_organisation(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    org_a = orgs["Org A"]
    scoped = repo.scoped(org_a.id, actor="anna", address="10.1.1.1")
    scoped.set_answer(org_a.assessment, scope="development", context_id=None, question="personal_data", value="no")
    scoped.delete(org_a.assessment)
    with pytest.raises(LoginRefused):
        accounts.login("anna", "not her password", address="10.1.1.2")
    entries = list(AuditLog(repo.engine).entries(org_a.id))
    actions = [(e.actor, e.action) for e in entries]
    assert ("alice", "assessment.imported") in actions
    assert ("anna", "assessment.answer") in actions and ("anna", "assessment.deleted") in actions
    answer = next(e for e in entries if e.action == "assessment.answer")
    assert answer.detail == "development: personal_data = no" and answer.address == "10.1.1.1"
    assert answer.target.startswith(f"#{org_a.assessment} SECRET")
    b_targets = [e.target for e in AuditLog(repo.engine).entries(orgs["Org B"].id)]
    assert not any("SECRET" in target for target in b_targets)
    exported = "".join(AuditLog(repo.engine).export(org_a.id, "csv", actor="alice"))
    assert exported.splitlines()[0] == "at,actor,action,target,detail,address"
    assert "assessment.deleted" in exported
