"""`airegime review`: the review of a saved assessment from the server's machine — its status and
steps, and the steps themselves (send for review, approve, return to draft); see docs/accounts.md.

Once accounts exist, a step names who takes it (``--as USER``): a member of the organisation with
the role the web app asks (editor to send, admin to approve or return); the audit log and the
report then name that person. Before any account exists, the local person acts, as in the web app
(``--as`` names them, else ``cli:<login>``). Names read from the database are printed
:func:`airegime.text.escaped`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from airegime.cli.app import LangArg, _fail, _kb, _lang, command_group
from airegime.cli.db import UrlOption, _database, database_url_or_default
from airegime.cli.users import _actor, _organisation_id
from airegime.errors import AiregimeError, msg
from airegime.i18n import translate
from airegime.render.summary import colon
from airegime.text import escaped

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

    from airegime.kb.models import Lang
    from airegime.storage.accounts import Role
    from airegime.storage.reviews import Reviews, ReviewState

review = command_group(
    "review", "Review and approval of saved assessments: status, send for review, approve, return to draft."
)

AssessmentArg = Annotated[int, typer.Argument(help="the saved assessment's id (as in the web app's address /a/ID)")]
OrgOption = Annotated[
    str | None, typer.Option("--org", help="organisation name (default: the one made before any account existed)")
]
AsOption = Annotated[str | None, typer.Option("--as", help="account taking the step (required once accounts exist)")]
JsonOption = Annotated[bool, typer.Option("--json", help="print the review as JSON")]


@review.command("status")
def status(
    assessment: AssessmentArg,
    org: OrgOption = None,
    json_: JsonOption = False,
    lang: LangArg = None,
    database_url: UrlOption = None,
) -> None:
    """Print the review status, why it is flagged, and every step (oldest first)."""
    language = _lang(lang)
    with _database(database_url_or_default(database_url), language) as engine:
        reviews = _reviews(engine, org, actor=_actor(), needs=None, user=None, lang=language)
        _print(reviews.state(assessment), json_, language)


@review.command("submit")
def submit(
    assessment: AssessmentArg,
    as_: AsOption = None,
    message: Annotated[str, typer.Option("--message", help="a message to the reviewer")] = "",
    org: OrgOption = None,
    lang: LangArg = None,
    database_url: UrlOption = None,
) -> None:
    """Send a draft for review (an editor or an admin)."""
    _take_step(database_url, org, as_, "editor", lambda reviews: reviews.submit(assessment, message), lang)


@review.command("approve")
def approve(
    assessment: AssessmentArg,
    opinion: Annotated[str, typer.Option("--opinion", help="the written opinion (required)")],
    as_: AsOption = None,
    org: OrgOption = None,
    lang: LangArg = None,
    database_url: UrlOption = None,
) -> None:
    """Approve an assessment in review, with a written opinion (an admin). Its descriptor and result
    are kept as the approved version; a later change makes it a draft again."""
    _take_step(database_url, org, as_, "admin", lambda reviews: reviews.approve(assessment, opinion), lang)


@review.command("return")
def return_(
    assessment: AssessmentArg,
    reason: Annotated[str, typer.Option("--reason", help="why it goes back to draft (required)")],
    as_: AsOption = None,
    org: OrgOption = None,
    lang: LangArg = None,
    database_url: UrlOption = None,
) -> None:
    """Return an assessment in review (or approved) to draft, with the reason (an admin)."""
    _take_step(database_url, org, as_, "admin", lambda reviews: reviews.return_to_draft(assessment, reason), lang)


def _take_step(
    database_url: str | None,
    org: str | None,
    user: str | None,
    needs: Role,
    step: Callable[[Reviews], ReviewState],
    lang: Lang | None,
) -> None:
    """Take a review ``step`` as ``user`` (who must have the role ``needs``); print the new status."""
    language = _lang(lang)
    with _database(database_url_or_default(database_url), language) as engine:
        _print(step(_reviews(engine, org, actor=None, needs=needs, user=user, lang=language)), False, language)


def _reviews(
    engine: Engine, org: str | None, *, actor: str | None, needs: Role | None, user: str | None, lang: Lang
) -> Reviews:
    """The organisation's reviews, acting as ``user`` (checked: a member with the role ``needs``)."""
    from airegime.storage import Repository
    from airegime.storage.accounts import ROLES, Accounts
    from airegime.storage.models import DEFAULT_ORGANISATION_ID
    from airegime.storage.reviews import Reviews

    accounts = Accounts(engine)
    organisation_id = DEFAULT_ORGANISATION_ID
    if org is not None:
        organisation_id = _organisation_id(accounts, org, lang)
    name = actor or user or _actor()
    if needs is not None and accounts.exist():
        if not user:
            _fail(
                AiregimeError(msg("error.review.who"), hint=msg("error.review.who.hint", option="--as USER")),
                lang,
            )
        roles = {member: role for member, role, disabled in accounts.members(organisation_id) if not disabled}
        role = roles.get(user.strip().lower())
        if role is None or ROLES.index(role) < ROLES.index(needs):
            _fail(
                AiregimeError(
                    msg("error.review.not_allowed", user=escaped(user), role=needs),
                    hint=msg(
                        "error.review.not_allowed.approve" if needs == "admin" else "error.review.not_allowed.send",
                        command="airegime users list",
                        role=needs,
                    ),
                ),
                lang,
            )
        name = user.strip().lower()
    kb = _kb(None, lang)  # the server's: AIREGIME_KNOWLEDGE_DIR, else the packaged one
    repo = Repository(engine, kb).scoped(organisation_id, actor=name)
    return Reviews(repo)


def _print(state: ReviewState, as_json: bool, lang: Lang) -> None:
    """The status and every step, in ``lang`` (JSON: the codes, as the API gives them)."""
    import json

    if as_json:
        steps = [s.to_dict() for s in state.steps]
        body = {"id": state.assessment_id, "status": state.status, "flag": state.flag, "steps": steps}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    typer.echo(f"#{state.assessment_id}{colon(lang)}{translate(f'review.status.{state.status}', lang)}")
    if state.flag:
        flagged = [step for step in state.steps if step.step == "flagged"]
        old = state.approval.rule_set_version if state.approval else ""
        new = flagged[-1].rule_set_version if flagged else ""
        typer.echo(f"{translate('review.flag_title', lang)} {translate('review.flag_text', lang, old=old, new=new)}")
    for step in state.steps:
        said = f" — {escaped(step.opinion)}" if step.opinion and step.step != "flagged" else ""
        word = translate(f"review.step.{step.step}", lang)
        typer.echo(f"  {step.at:%Y-%m-%d %H:%M} UTC  {word} ({escaped(step.actor)}){said}")
