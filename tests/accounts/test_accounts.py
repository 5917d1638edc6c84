"""Accounts in the database: passwords, roles, logins and their rate limit, API tokens, the audit log."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from airegime.errors import AccountError, LoginRefused, LoginThrottled
from airegime.storage import Repository
from airegime.storage.accounts import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS,
    MAX_FAILURES_PER_ADDRESS,
    Accounts,
    passwords,
)
from airegime.storage.audit import AuditLog
from airegime.storage.models import ApiTokenRow, AuditRow, LoginSessionRow, LoginThrottleRow, UserRow, now

from .helpers import PASSWORD, Org


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
        # issue 13: blank, and the common passwords (and their variants) that the length let through
        ("alice", " " * 10, "cannot be blank"),
        ("alice", "\t \u00a0" * 5, "cannot be blank"),
        ("alice", "aaaaaaaaaa", "too easy to guess"),
        ("alice", "password123", "too easy to guess"),
        ("alice", "Password2024!", "too easy to guess"),
        ("alice", "azertyuiop", "too easy to guess"),
        ("alice", "motdepasse1", "too easy to guess"),
        ("alice", "qwertyuiop123", "too easy to guess"),
        ("alice", "alice12345", "too easy to guess"),
        ("alice", "a" * 80, "too easy to guess"),  # beyond zxcvbn's 72 characters too
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


def test_logins_are_rate_limited_per_account_and_address_even_with_the_right_password(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        with pytest.raises(LoginRefused):
            accounts.login("alice", "a wrong password", address="10.0.0.9")
    with pytest.raises(LoginThrottled) as throttled:
        accounts.login("alice", PASSWORD, address="10.0.0.9")
    assert 14 * 60 < throttled.value.retry_after <= 15 * 60 + 1
    accounts.login("bob", PASSWORD, address="10.0.0.9")  # another name is not locked out
    # Once the failures are old enough, the right password works again.
    with repo.engine.begin() as connection:
        connection.execute(
            update(LoginThrottleRow).values(window_start=LoginThrottleRow.window_start - timedelta(minutes=16))
        )
    accounts.login("alice", PASSWORD, address="10.0.0.9")


def test_one_address_cannot_lock_a_person_out_of_logging_in_from_elsewhere(
    accounts: Accounts, orgs: dict[str, Org]
) -> None:
    """Issue 13, item 5: the throttle is keyed on the account and the address."""
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS + 10):
        with pytest.raises((LoginRefused, LoginThrottled)):
            accounts.login("alice", "a wrong password", address="203.0.113.66")
    with pytest.raises(LoginThrottled):
        accounts.login("alice", PASSWORD, address="203.0.113.66")
    _token, principal = accounts.login("alice", PASSWORD, address="10.0.0.10")  # alice, at her desk
    assert principal.username == "alice"


def test_an_account_guessed_from_many_addresses_is_locked_everywhere(accounts: Accounts, orgs: dict[str, Org]) -> None:
    addresses = MAX_FAILURES_PER_ACCOUNT // MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS
    for index in range(addresses):
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
            with pytest.raises(LoginRefused):
                accounts.login("alice", "a wrong password", address=f"198.51.100.{index}")
    with pytest.raises(LoginThrottled):
        accounts.login("alice", PASSWORD, address="10.0.0.10")
    accounts.login("bob", PASSWORD, address="10.0.0.10")


def test_logins_are_rate_limited_per_address_across_names(accounts: Accounts, orgs: dict[str, Org]) -> None:
    for index in range(MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(LoginRefused):
            accounts.login(f"guess{index}", "a wrong password", address="10.6.6.6")
    with pytest.raises(LoginThrottled):
        accounts.login("alice", PASSWORD, address="10.6.6.6")
    accounts.login("alice", PASSWORD, address="10.0.0.1")


def test_twenty_failures_behind_one_proxy_do_not_lock_everyone_out(accounts: Accounts, orgs: dict[str, Org]) -> None:
    """Issue 13, item 5: everyone behind a proxy shares its address; a few people's typos (or one
    guesser's 20 tries) must not lock the others out."""
    proxy = "10.0.0.2"
    for name in ("amy", "anna", "ben", "bea"):
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
            with pytest.raises(LoginRefused):
                accounts.login(name, "a typo in the password", address=proxy)
    for name in ("alice", "bob"):
        _token, principal = accounts.login(name, PASSWORD, address=proxy)
        assert principal.username == name


def test_a_member_of_three_organisations_gets_as_many_tries_as_anyone(
    repo: Repository, accounts: Accounts, orgs: dict[str, Org]
) -> None:
    """Issue 13, item 7: failures are counted once per account, not once per organisation (which
    locked a member of three organisations after two failures, and told that the name exists)."""
    accounts.set_role("alice", "Org B", "reader", actor="t")
    accounts.set_role("alice", "Org C", "reader", actor="t", create=True)
    for name in ("alice", "nobody-at-all"):
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
            with pytest.raises(LoginRefused):  # never LoginThrottled before the limit
                accounts.login(name, "a wrong password", address="10.0.0.9")
        with pytest.raises(LoginThrottled):
            accounts.login(name, PASSWORD, address="10.0.0.9")
    with repo.engine.connect() as connection:  # each failure is still in each organisation's log
        failed = connection.execute(
            select(AuditRow.organisation_id).where(AuditRow.actor == "alice", AuditRow.action == "login.failed")
        ).all()
    assert len(failed) == 3 * MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS
    accounts.set_role("bob", "Org C", "reader", actor="t")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1):
        with pytest.raises(LoginRefused):
            accounts.login("bob", "a wrong password", address="10.0.0.8")
    accounts.login("bob", PASSWORD, address="10.0.0.8")  # four failures: the right password still works


def test_concurrent_wrong_passwords_check_no_more_passwords_than_the_limit(
    accounts: Accounts, orgs: dict[str, Org], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13, item 8: 40 concurrent wrong passwords gave 9 password checks against a limit of 5.
    Counting before checking, in one atomic statement, lets exactly the limit through."""
    checks = []
    lock = threading.Lock()
    real = passwords.password_matches

    def slow_check(stored: str | None, password: str) -> bool:
        with lock:
            checks.append(password)
        time.sleep(0.05)  # a real Argon2id check takes longer: the race window
        return real(stored, password)

    monkeypatch.setattr(passwords, "password_matches", slow_check)
    outcomes: list[str] = []
    start = threading.Barrier(40)

    def attempt() -> None:
        start.wait()
        try:
            accounts.login("alice", "a wrong password", address="10.0.0.9")
        except (LoginRefused, LoginThrottled) as error:
            with lock:
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checks) == MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS
    assert sorted(outcomes) == ["LoginRefused"] * 5 + ["LoginThrottled"] * 35


def test_a_right_password_forgives_the_failures_from_its_address(accounts: Accounts, orgs: dict[str, Org]) -> None:
    for _ in range(2):
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1):
            with pytest.raises(LoginRefused):
                accounts.login("alice", "a wrong password", address="10.0.0.9")
        accounts.login("alice", PASSWORD, address="10.0.0.9")


def test_accounts_stay_on_once_every_member_is_disabled_or_removed(accounts: Accounts) -> None:
    """Issue 13, item 3: disabling or removing the last member used to turn accounts off."""
    accounts.add_user("alice", PASSWORD, organisation="A", role="admin", actor="t")
    accounts.add_user("bob", PASSWORD, organisation="A", role="editor", actor="t")
    accounts.remove_member("bob", "A", actor="t")
    accounts.set_disabled("alice", True, actor="t", force=True)
    assert accounts.exist()
    with pytest.raises(LoginRefused):
        accounts.login("alice", PASSWORD, address="")


def test_accounts_stay_on_even_if_the_account_rows_are_deleted(repo: Repository, accounts: Accounts) -> None:
    accounts.add_user("alice", PASSWORD, organisation="A", role="admin", actor="t")
    with repo.engine.begin() as connection:
        connection.execute(UserRow.__table__.delete())
    assert accounts.users() == () and accounts.exist()  # the audit log remembers


def test_the_last_enabled_admin_cannot_be_disabled_removed_or_demoted_without_force(
    accounts: Accounts, orgs: dict[str, Org]
) -> None:
    accounts.set_disabled("bob", True, actor="t")  # another admin (alice) is left
    with pytest.raises(AccountError, match="no enabled administrator would be left") as refused:
        accounts.set_disabled("alice", True, actor="t")
    assert "--force" in refused.value.hint and "recover" in refused.value.hint
    with pytest.raises(AccountError, match="no enabled administrator"):
        accounts.remove_member("alice", "Org A", actor="t")
    with pytest.raises(AccountError, match="no enabled administrator"):
        accounts.set_role("alice", "Org A", "editor", actor="t")
    assert [u.disabled for u in accounts.users() if u.username == "alice"] == [False]  # nothing changed
    accounts.set_role("anna", "Org A", "admin", actor="t")
    accounts.set_disabled("alice", True, actor="t")  # anna is admin now


def test_a_locked_out_operator_recovers(accounts: Accounts, orgs: dict[str, Org]) -> None:
    accounts.set_disabled("bob", True, actor="t")
    accounts.set_disabled("alice", True, actor="t", force=True)
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        with pytest.raises(LoginRefused):
            accounts.login("alice", "a forgotten password", address="10.0.0.9")
    organisation = accounts.recover("alice", "a brand new passphrase", organisation=None, actor="cli:root")
    assert organisation == "Org A"
    _token, principal = accounts.login("alice", "a brand new passphrase", address="10.0.0.9")
    assert (principal.organisation, principal.role) == ("Org A", "admin")
    assert accounts.recover("root", "another brand new one", organisation="Org B", actor="cli:root") == "Org B"
    assert accounts.login("root", "another brand new one", address="")[1].role == "admin"
    with pytest.raises(AccountError, match="no organisation named"):
        accounts.recover("root", "another brand new one", organisation="Nowhere", actor="cli:root")


def test_a_new_password_lifts_the_lockout(accounts: Accounts, orgs: dict[str, Org]) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        with pytest.raises(LoginRefused):
            accounts.login("ben", "a wrong password", address="10.0.0.9")
    accounts.set_password("ben", "another good password", actor="bob")
    accounts.login("ben", "another good password", address="10.0.0.9")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS):
        with pytest.raises(LoginRefused):
            accounts.login("ben", "a wrong password", address="10.0.0.9")
    accounts.unlock("ben", actor="bob")
    accounts.login("ben", "another good password", address="10.0.0.9")


def test_a_person_changes_their_own_password_after_typing_the_current_one(
    accounts: Accounts, orgs: dict[str, Org]
) -> None:
    here, _ = accounts.login("ben", PASSWORD, address="")
    elsewhere, principal = accounts.login("ben", PASSWORD, address="")
    assert principal.user_id is not None
    with pytest.raises(LoginRefused):
        accounts.change_own_password(principal.user_id, "not my password", "a fine new passphrase", keep_session=here)
    with pytest.raises(AccountError, match="too easy to guess"):
        accounts.change_own_password(principal.user_id, PASSWORD, "password123", keep_session=here)
    accounts.change_own_password(principal.user_id, PASSWORD, "a fine new passphrase", keep_session=here)
    assert accounts.principal_for_session(here) is not None and accounts.principal_for_session(elsewhere) is None
    accounts.login("ben", "a fine new passphrase", address="")


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
    assert ("anna", "assessment.answer") in actions and ("anna", "assessment.archived") in actions
    answer = next(e for e in entries if e.action == "assessment.answer")
    assert answer.detail == "development: personal_data = no" and answer.address == "10.1.1.1"
    assert answer.target.startswith(f"#{org_a.assessment} SECRET")
    b_targets = [e.target for e in AuditLog(repo.engine).entries(orgs["Org B"].id)]
    assert not any("SECRET" in target for target in b_targets)
    exported = "".join(AuditLog(repo.engine).export(org_a.id, "csv", actor="alice"))
    assert exported.splitlines()[0] == "at,actor,action,target,detail,address"
    assert "assessment.archived" in exported
