"""`airegime users`, `airegime orgs`, `airegime audit`: accounts, organisations and the audit log,
managed on the server's machine (whoever can run these can already read the database).

The first `airegime users add NAME --org ORG --role admin` turns accounts on, for good: from then
on the web app and the API need a login or a token (see docs/accounts.md). The last enabled admin
cannot be disabled, removed or demoted without --force; `airegime users recover` lets a locked-out
operator back in.

Names come from the database (stored by anyone who could type one: an upload's file name, a
token's name, a failed login's user name), so what these commands print of them is
:func:`airegime.text.escaped`: a control character shows as ``\x1b``, and cannot rewrite the
terminal. ``audit export --output FILE`` writes the log exactly as stored.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from airegime.cli.app import ADMIN_LANG, _fail, command_group, out, written
from airegime.cli.db import UrlOption, _database, database_url_or_default
from airegime.errors import AiregimeError, msg
from airegime.roles import Role
from airegime.text import escaped

if TYPE_CHECKING:
    from airegime.kb import Lang
    from airegime.storage.accounts import Accounts

users = command_group("users", "Accounts: who may use the web app and the API, in which organisation, with which role.")
orgs = command_group("orgs", "Organisations: each sees only its own assessments.")
audit = command_group("audit", "The audit log: who did what, and when.")

Username = Annotated[str, typer.Argument(help="account name (letters, digits, . _ @ + -; e.g. an e-mail address)")]
OrgOption = Annotated[str, typer.Option("--org", help="organisation name")]
RoleOption = Annotated[Role, typer.Option("--role", help="editor: also changes; admin: also administers")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="read the password from standard input (for scripts)")
]
Force = Annotated[
    bool, typer.Option("--force", help="even if no enabled administrator is left (then see `users recover`)")
]


def _actor() -> str:
    """Who runs the command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


@contextmanager
def _accounts(database_url: str | None) -> Iterator[Accounts]:
    """The accounts of the database (migrated first); its errors become a message and exit code 2."""
    from airegime.storage.accounts import Accounts

    with _database(database_url_or_default(database_url)) as engine:
        yield Accounts(engine)


def _organisation_id(accounts: Accounts, org: str, lang: Lang = ADMIN_LANG) -> int:
    """The id of the organisation named ``org``; none such: the error in ``lang``, exit 2."""
    found = [i for i, name in accounts.organisations() if name == org.strip()]
    if not found:
        _fail(
            AiregimeError(
                msg("error.users.no_org", name=escaped(org)),
                hint=msg("error.cli.see", command="airegime orgs list"),
            ),
            lang,
        )
    return found[0]


def _credentials(username: str, password_stdin: bool) -> tuple[str, str]:
    """A checked user name and a new password that passes the password rule (or exit 2)."""
    from airegime.storage.accounts import check_password, check_username

    try:
        name = check_username(username)
    except AiregimeError as error:
        _fail(error, ADMIN_LANG)
    password = _password(password_stdin)
    try:
        check_password(password, name)
    except AiregimeError as error:
        _fail(error, ADMIN_LANG)
    return name, password


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        _fail(AiregimeError(msg("error.users.no_terminal"), hint=msg("error.users.no_terminal.hint")), ADMIN_LANG)
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        _fail(
            AiregimeError(msg("error.users.passwords_differ"), hint=msg("error.users.passwords_differ.hint")),
            ADMIN_LANG,
        )
    return first


@users.command("add")
def add(
    username: Username,
    org: OrgOption,
    role: RoleOption = "editor",
    password_stdin: PasswordStdin = False,
    database_url: UrlOption = None,
) -> None:
    """Create an account (asks for its password) with a role in an organisation (created if new).

    To give an existing account a role in another organisation, use `airegime users role`.
    """
    name, password = _credentials(username, password_stdin)
    with _accounts(database_url) as accounts:
        first = not accounts.exist()
        created = accounts.add_user(name, password, organisation=org, role=role, actor=_actor())
    typer.echo(
        f"Created the account '{escaped(name)}': {escaped(role)} of '{escaped(org.strip())}'"
        + (" (new organisation)" if created else "")
    )
    if first:
        typer.echo("Accounts are now on: the web app and the API need a login or a token (docs/accounts.md).")


@users.command("list")
def list_(database_url: UrlOption = None) -> None:
    """Every account, with its roles and whether it is disabled."""
    with _accounts(database_url) as accounts:
        found = accounts.users()
        accounts_on = accounts.exist()
    if not found and not accounts_on:
        typer.echo("No account: the app is open on loopback only. Add the first with `airegime users add`.")
    elif not found:
        typer.echo("No account left, but accounts stay on: `airegime users recover NAME --org ORG` lets you in.")
    for user in found:
        roles = ", ".join(f"{m.role} of '{m.organisation}'" for m in user.memberships) or "no organisation"
        state = " [disabled]" if user.disabled else ""
        out.print(escaped(f"{user.username}{state}: {roles}"), markup=False, highlight=False)


@users.command("role")
def role(
    username: Username,
    org: OrgOption,
    role: RoleOption,
    database_url: UrlOption = None,
    create_org: Annotated[bool, typer.Option("--create-org", help="create the organisation if it is new")] = False,
    force: Force = False,
) -> None:
    """Give an account a role in an organisation (or change it)."""
    with _accounts(database_url) as accounts:
        accounts.set_role(username, org, role, actor=_actor(), create=create_org, force=force)
    typer.echo(f"'{escaped(username)}' is now {escaped(role)} of '{escaped(org.strip())}'")


@users.command("remove")
def remove(username: Username, org: OrgOption, database_url: UrlOption = None, force: Force = False) -> None:
    """Take an account out of an organisation (its logins and tokens there end at once)."""
    with _accounts(database_url) as accounts:
        accounts.remove_member(username, org, actor=_actor(), force=force)
    typer.echo(f"'{escaped(username)}' is no longer a member of '{escaped(org.strip())}'")


@users.command("passwd")
def passwd(username: Username, password_stdin: PasswordStdin = False, database_url: UrlOption = None) -> None:
    """Set an account's password (its browsers are logged out, its login lockout lifted)."""
    password = _password(password_stdin)
    with _accounts(database_url) as accounts:
        accounts.set_password(username, password, actor=_actor())
    typer.echo(f"Password of '{escaped(username)}' changed")


@users.command("disable")
def disable(username: Username, database_url: UrlOption = None, force: Force = False) -> None:
    """Disable an account: no login, no token works, until `enable`."""
    with _accounts(database_url) as accounts:
        accounts.set_disabled(username, True, actor=_actor(), force=force)
    typer.echo(f"'{escaped(username)}' is disabled")


@users.command("enable")
def enable(username: Username, database_url: UrlOption = None) -> None:
    """Enable a disabled account again."""
    with _accounts(database_url) as accounts:
        accounts.set_disabled(username, False, actor=_actor())
    typer.echo(f"'{escaped(username)}' is enabled")


@users.command("recover")
def recover(
    username: Username,
    org: Annotated[
        str | None,
        typer.Option("--org", help="organisation to be admin of (default: the account's first, else 'default')"),
    ] = None,
    password_stdin: PasswordStdin = False,
    database_url: UrlOption = None,
) -> None:
    """Let a locked-out operator back in: a new password, the account enabled (created if new),
    admin of an organisation, its failed logins forgotten. Accounts stay on."""
    name, password = _credentials(username, password_stdin)
    with _accounts(database_url) as accounts:
        organisation = accounts.recover(name, password, organisation=org, actor=_actor())
    typer.echo(
        f"'{escaped(name)}' is enabled, admin of '{escaped(organisation)}', with the new password: log in at /login"
    )


@users.command("unlock")
def unlock(username: Username, database_url: UrlOption = None) -> None:
    """Lift an account's login lockout after too many failed logins (from every address)."""
    with _accounts(database_url) as accounts:
        accounts.unlock(username, actor=_actor())
    typer.echo(f"'{escaped(username)}' may log in again")


@users.command("token")
def token(
    username: Username,
    org: OrgOption,
    name: Annotated[str, typer.Option("--name", help="what the token is for, e.g. 'CI pipeline'")],
    role: RoleOption = "reader",
    days: Annotated[int, typer.Option("--days", min=0, max=3650, help="valid for N days; 0: no end")] = 90,
    database_url: UrlOption = None,
) -> None:
    """Create an API token for scripts and CI, printed once on standard output (only its hash is kept)."""
    with _accounts(database_url) as accounts:
        secret = accounts.create_token(username, org, name=name, role=role, days=days or None, actor=_actor())
    typer.echo(secret)
    typer.echo("Keep it secret; send it as `Authorization: Bearer <token>`. It will not be shown again.", err=True)


@orgs.command("list")
def orgs_list(database_url: UrlOption = None) -> None:
    """Every organisation."""
    with _accounts(database_url) as accounts:
        for _id, name in accounts.organisations():
            out.print(escaped(name), markup=False, highlight=False)


@orgs.command("rename")
def orgs_rename(
    old: Annotated[str, typer.Argument(help="current name (the first is 'default')")],
    new: Annotated[str, typer.Argument(help="new name")],
    database_url: UrlOption = None,
) -> None:
    """Rename an organisation (e.g. 'default', which holds what was saved before accounts)."""
    with _accounts(database_url) as accounts:
        accounts.rename_organisation(old, new, actor=_actor())
    typer.echo(f"Renamed '{escaped(old)}' to '{escaped(new.strip())}'")


@audit.command("export")
def audit_export(
    org: OrgOption,
    format: Annotated[Literal["csv", "jsonl"], typer.Option("--format", "-f", help="csv or jsonl")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")] = None,
    database_url: UrlOption = None,
) -> None:
    """Write an organisation's whole audit log, oldest first.

    On standard output, control characters in names show as escapes (``\\x1b``); --output writes
    the file exactly as stored."""
    from airegime.storage.audit import AuditLog

    # The file to write is opened first: a folder that is not there stops the export before it is recorded.
    with written(output, ADMIN_LANG) if output else nullcontext() as temporary, _accounts(database_url) as accounts:
        organisation_id = _organisation_id(accounts, org)
        chunks = AuditLog(accounts.engine).export(organisation_id, format, actor=_actor())
        if temporary is None:  # a terminal: names escaped (--output writes them as stored)
            for chunk in chunks:
                sys.stdout.write(escaped(chunk))
            return
        with temporary.open("w", encoding="utf-8", newline="") as file:
            file.writelines(chunks)
    typer.echo(f"Wrote {output}", err=True)
