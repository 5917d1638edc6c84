"""`airegime interview`: the questions one at a time in the terminal, then the result.

The order of questions comes from the engine (``next_question``); the bookkeeping (answers,
undo, deployment contexts) from ``InterviewSession``. This module only talks to the person:
it shows a question, reads one line, and saves the descriptor after every change, so that an
interruption never loses an answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from airegime.answers import normalise_answer
from airegime.cli.app import KnowledgeDirArg, LangArg, _input_errors, _language_and_rules, app, out, read_system
from airegime.cli.views import heading, marked
from airegime.errors import AiregimeError, SessionError
from airegime.files import replaced_when_done
from airegime.i18n import known, plural, translate
from airegime.interview_session import AnsweredQuestion, InterviewSession
from airegime.interview_words import PlacedQuestion, placed_question
from airegime.kb.models import UNKNOWN, Citation, KnowledgeBase, Lang, Question, Scope
from airegime.system import load_system

if TYPE_CHECKING:
    from airegime.engine.results import Assessment

HELP_WORDS = frozenset({"?", "h", "help", "aide"})
BACK_WORDS = frozenset({"b", "back", "retour", "r"})
CHANGE_WORDS = frozenset({"c", "change", "changer", "modifier"})
QUIT_WORDS = frozenset({"q", "quit", "quitter"})
UNDO_LABEL = {"add_deployment": "menu.add", "rename_deployment": "menu.rename", "remove_deployment": "menu.remove"}
MENU = ("menu.add", "menu.change", "menu.rename", "menu.remove", "menu.finish")
BACK = "\x00back"  # not an answer code: "go back to the list of answers", in change mode


class _Quit(Exception):
    """The person typed q: save and leave."""


@app.command()
def interview(
    lang: LangArg = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="continue from a saved descriptor (YAML or JSON)")
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option("--save", help="where to save the descriptor (default: the resumed file, else from the name)"),
    ] = None,
    knowledge_dir: KnowledgeDirArg = None,
) -> None:
    """Answer plain questions one at a time, then see each phase's regime; saves a descriptor."""
    language, kb = _language_and_rules(lang, knowledge_dir)
    with _input_errors(language):
        system = read_system(load_system, resume, kb=kb, lang=language) if resume else None
        resumed = InterviewSession.from_system(kb, system) if system is not None else None
    raise typer.Exit(Interview(kb, language, out).run(resumed, resume, save))


class Interview:
    """One conversation in the terminal around an ``InterviewSession``."""

    def __init__(self, kb: KnowledgeBase, lang: Lang, console: Console) -> None:
        self.kb = kb
        self.lang = lang
        self.console = console
        self.path: Path | None = None
        self._session: InterviewSession | None = None

    @property
    def session(self) -> InterviewSession:
        assert self._session is not None, "the session starts before any question"
        return self._session

    def run(self, session: InterviewSession | None, resume: Path | None, save: Path | None) -> int:
        heading(self.console, f"[bold]{translate('title', self.lang)}[/]")
        self.console.print(f"[dim]{escape(self.kb.disclaimer.get(self.lang))}[/]")
        self._tell("commands")
        try:
            return self._run(session, resume, save)
        except (KeyboardInterrupt, EOFError) as stop:
            self.console.print()
            code = 130 if isinstance(stop, KeyboardInterrupt) else 1
            return self._leave(translate("interrupted", self.lang), code=code, session=self._session)

    def _run(self, session: InterviewSession | None, resume: Path | None, save: Path | None) -> int:
        if save is not None and not _folder_of(save).is_dir():  # said now, not after the opening questions
            self._tell(
                "save_failed", "red", path=save, reason=translate("no_folder", self.lang, folder=_folder_of(save))
            )
            self._tell("save_hint")
            return 2
        if session is None:
            session = self._start()
        self._session = session
        self.path = self._choose_path(save or resume, session, resumed=resume)
        if resume:
            self.console.print(escape(plural("resumed", len(session.answered()), self.lang, path=resume)))
        self._tell("saving_to", path=self.path)
        if not self._save():
            return 2
        try:
            self._loop()
        except _Quit:
            return self._leave("", code=0, session=session)
        self._finish()
        return 0

    # Start and end

    def _start(self) -> InterviewSession:
        name = self._required("ask.name")
        organisation = self._read(translate("ask.organisation", self.lang))
        description = self._read(translate("ask.description", self.lang))
        first = self._required("ask.deployment")
        return InterviewSession.start(
            self.kb,
            name=name[:200],
            organisation=organisation[:200],
            description=description,
            first_deployment=first[:200],
        )

    def _leave(self, message: str, *, code: int, session: InterviewSession | None) -> int:
        if message:
            self.console.print(f"[yellow]{escape(message)}[/]")
        if session is None or self.path is None:
            self._tell("nothing_saved")
            return code
        if self._save():
            self._tell("quit", path=self.path)
        return code

    def _finish(self) -> None:
        """One line per phase (phase, regime, status) and where to read the reasoning: the full
        explanation is long, and `airegime explain FILE` shows it whenever it is wanted."""
        from airegime.engine.evaluate import evaluate

        heading(self.console, f"[bold]{translate('recap', self.lang)}[/]")
        self._print_phases(evaluate(kb=self.kb, system=self.session.system), missing=True)
        if self._save():
            self._tell("saved", path=self.path)
            self._tell("details", path=self.path)

    # The main loop

    def _loop(self) -> None:
        while True:
            pending = self.session.next_question()
            if pending is None:
                if self._end_menu():
                    return
                continue
            progress = translate("progress", self.lang, n=pending.asked + 1, total=pending.asked + pending.remaining)
            title = self._scope_title(pending.scope, pending.deployment_index, pending.development_index)
            placed = self._placed(pending.question, pending.scope, pending.deployment_index, pending.development_index)
            self._show_question(placed, title, progress, keys="keys")
            reply = self._read(translate("ask.answer", self.lang))
            if not self._command(reply, pending.question):
                code = self._parse_answer(pending.question, reply)
                if code is not None:
                    self.session.answer(
                        pending.scope,
                        pending.deployment_index,
                        pending.question.id,
                        code,
                        development_index=pending.development_index,
                    )
                    self._save()

    def _command(self, reply: str, question: Question | None) -> bool:
        """Handle ?, b, c and q; True when the reply was one of them."""
        word = reply.casefold()
        if word in HELP_WORDS and question is not None:
            self._show_help(question)
        elif word in BACK_WORDS:
            self._undo()
        elif word in CHANGE_WORDS:
            self._change_answer()
        elif word in QUIT_WORDS:
            raise _Quit
        else:
            return False
        return True

    def _end_menu(self) -> bool:
        """True when the person chose to finish."""
        heading(self.console, f"[bold green]{translate('done', self.lang)}[/]")
        self._show_status()
        self._numbered(translate(key, self.lang) for key in MENU)
        reply = self._read(translate("ask.choice", self.lang))
        if self._command(reply, None):
            return False
        choice = _number(reply, len(MENU))
        if choice is None:
            self._tell("bad.choice", "red", max=len(MENU))
            return False
        action = MENU[choice - 1]
        if action == "menu.finish":
            return True
        {
            "menu.add": self._add_deployment,
            "menu.change": self._change_answer,
            "menu.rename": self._rename,
            "menu.remove": self._remove,
        }[action]()
        return False

    # Showing

    def _scope_title(self, scope: Scope, index: int | None, development: int | None = None) -> str:
        if scope == "deployment" and index is not None:
            return translate("scope.deployment", self.lang, name=self.session.system.deployments[index].name)
        developments = self.session.system.developments
        if scope == "development" and len(developments) > 1:  # one of several: by its name, or its number
            number = (development or 0) + 1
            name = developments[number - 1].name
            return (
                translate("scope.named_development", self.lang, name=name)
                if name
                else translate("scope.numbered_development", self.lang, n=number)
            )
        return translate(f"scope.{scope}", self.lang)

    def _placed(
        self, question: Question, scope: Scope, index: int | None, development: int | None
    ) -> tuple[Question, PlacedQuestion]:
        """The question with the phase it is about, in the words the web app uses too."""
        name = ""
        if scope == "deployment" and index is not None:
            name = self.session.system.deployments[index].name
        elif scope == "development" and len(self.session.system.developments) > 1:
            name = self.session.system.developments[development or 0].name or str((development or 0) + 1)
        return question, placed_question(question, self.lang, scope=scope, name=name)

    def _show_question(self, placed: tuple[Question, PlacedQuestion], title: str, detail: str, *, keys: str) -> None:
        question, words = placed
        self.console.print()
        heading(self.console, f"[bold]{escape(title)}[/] · {escape(detail)}", align="left")
        self.console.print(f"[bold]{escape(words.text)}[/]")
        self.console.print(f"[cyan]— {escape(words.where)}[/]")
        if words.note:
            self.console.print(f"[yellow]ℹ {escape(words.note)}[/]")
        self._numbered(self._labels(question))
        self.console.print(f"[dim]{translate(keys, self.lang)}[/]")

    def _numbered(self, items: Iterable[str]) -> None:
        self._marked(items, numbered=True)

    def _marked(self, items: Iterable[str], *, numbered: bool = False) -> None:
        """Plain texts as a list with a hanging indent, so wrapped lines stay readable."""
        self.console.print(marked([escape(item) for item in items], numbered=numbered, mark_style="cyan"))

    def _labels(self, question: Question) -> list[str]:
        return [option.label.get(self.lang) for option in question.options] + [translate("unknown", self.lang)]

    def _show_help(self, question: Question) -> None:
        self.console.print(f"[blue]ℹ[/] {escape(question.help.get(self.lang))}")
        if question.examples:
            self._tell("help.examples", "bold")
            self._marked(example.get(self.lang) for example in question.examples)
        self._tell("help.sources", "bold")
        self._marked(self._citation(citation) for citation in question.sources)

    def _citation(self, citation: Citation) -> str:
        """The source and its place, what it says (the law beside the question), its address."""
        source = self.kb.source_by_id[citation.source]
        return (
            f"{self.kb.citation_label(citation, self.lang)} — {source.summary.get(self.lang)}\n{source.link(self.lang)}"
        )

    def _show_status(self) -> None:
        from airegime.engine.evaluate import evaluate

        self._print_phases(evaluate(kb=self.kb, system=self.session.system))

    def _print_phases(self, assessment: Assessment, *, missing: bool = False) -> None:
        """One line per phase: its regime and status (``missing``: and the answers an undetermined
        phase waits for, by their short names)."""
        from airegime.render.summary import outcome_label, phase_title, status_label

        developments = len(assessment.developments)
        rows = []
        for phase in assessment.phases:
            line = (
                f"{phase_title(phase, self.lang, developments=developments)} → "
                f"{outcome_label(self.kb, phase, self.lang)} ({status_label(phase, self.lang)})"
            )
            if missing and phase.status == "undetermined" and phase.depends_on:
                names = ", ".join(self.kb.question_by_id[d.question].short.get(self.lang) for d in phase.depends_on)
                line += "\n" + translate("missing", self.lang, names=names)
            rows.append(line)
        self._marked(rows)

    # Reading answers

    def _parse_answer(self, question: Question, reply: str) -> str | None:
        """The answer's code, or None after telling the person what was wrong."""
        if not reply:
            self._tell("required", "red")
            return None
        codes = [*question.codes, UNKNOWN]
        if reply.lstrip("-").isdigit():
            choice = _number(reply, len(codes))
            if choice is None:
                self.console.print(f"[red]{escape(translate('bad.number', self.lang, value=reply, max=len(codes)))}[/]")
                return None
            return codes[choice - 1]
        try:
            return normalise_answer(question, reply)  # also accepts "oui", "yes", labels and aliases
        except AiregimeError:
            self._tell("bad.word", "red", value=reply)
            return None

    def _undo(self) -> None:
        change = self.session.undo()
        if change is None:
            self._tell("nothing_to_undo", "yellow")
            return
        if change.kind == "answer":
            text = self.kb.question_by_id[change.question_id].text.get(self.lang)
            message = translate("undone", self.lang, what=text)
        else:
            message = translate(
                "undone.other", self.lang, what=translate(UNDO_LABEL.get(change.kind, "menu.change"), self.lang)
            )
        self.console.print(f"[yellow]{escape(message)}[/]")
        self._save()

    def _change_answer(self) -> None:
        """Pick an earlier answer and answer again. In the question, b goes back to the list (another
        answer may be the one to change); Enter, or b at the list, leaves everything as it was."""
        while True:
            answered = self.session.answered()
            if not answered:
                self._tell("no_answers", "yellow")
                return
            self._numbered(self._answered_line(item) for item in answered)
            choice = self._pick("ask.which_answer", len(answered))
            if choice is None:
                return
            item = answered[choice - 1]
            code = self._answer_again(item)
            if code is None:
                return
            if code != BACK:
                break
        self.session.answer(
            item.scope, item.deployment_index, item.question.id, code, development_index=item.development_index
        )
        self._tell("changed", "green")
        self._save()

    def _answer_again(self, item: AnsweredQuestion) -> str | None:
        """The new answer's code, ``BACK`` to pick another answer, or None to leave it as it was."""
        where = self._scope_title(item.scope, item.deployment_index, item.development_index)
        title = translate("change.title", self.lang, scope=where)
        current = translate("change.current", self.lang, answer=self._answer_label(item))
        placed = self._placed(item.question, item.scope, item.deployment_index, item.development_index)
        while True:
            self._show_question(placed, title, current, keys="change.keys")
            reply = self._read(translate("ask.answer", self.lang))
            if not reply:
                return None
            if reply.casefold() in BACK_WORDS:
                return BACK
            if reply.casefold() in HELP_WORDS:
                self._show_help(item.question)
                continue
            code = self._parse_answer(item.question, reply)
            if code is not None:
                return code

    def _answered_line(self, item: AnsweredQuestion) -> str:
        scope = self._scope_title(item.scope, item.deployment_index, item.development_index)
        return f"[{scope}] {item.question.text.get(self.lang)} → {self._answer_label(item)}"

    def _answer_label(self, item: AnsweredQuestion) -> str:
        if item.answer == UNKNOWN:
            return translate("unknown", self.lang)
        return item.question.option(item.answer).label.get(self.lang)

    # Deployment contexts

    def _add_deployment(self) -> None:
        name = self._valid_name(lambda text: self.session.add_deployment(text))
        self._tell("added", "green", name=name)
        self._save()

    def _rename(self) -> None:
        index = self._pick_deployment()
        if index is not None:
            self._valid_name(lambda text: self.session.rename_deployment(index, text), key="ask.new_name")
            self._save()

    def _remove(self) -> None:
        index = self._pick_deployment()
        if index is None:
            return
        name = self.session.deployment_names()[index]
        try:
            self.session.remove_deployment(index)
        except AiregimeError as error:
            self._error(error)
            return
        self._tell("removed", "yellow", name=name)
        self._save()

    def _pick_deployment(self) -> int | None:
        names = self.session.deployment_names()
        self._numbered(names)
        choice = self._pick("ask.which_deployment", len(names))
        return None if choice is None else choice - 1

    def _valid_name(self, apply: Callable[[str], object], key: str = "ask.deployment") -> str:
        while True:
            name = self._required(key)[:200]
            try:
                apply(name)
            except AiregimeError as error:
                self._error(error)
                continue
            return name

    # Low-level input and files

    def _read(self, prompt: str) -> str:
        return self.console.input(escape(prompt)).strip()

    def _required(self, key: str) -> str:
        while True:
            reply = self._read(translate(key, self.lang))
            if reply:
                return reply
            self._tell("required", "red")

    def _pick(self, key: str, count: int) -> int | None:
        """A number from 1 to count, or None when the person just presses Enter."""
        while True:
            reply = self._read(translate(key, self.lang))
            if not reply or reply.casefold() in BACK_WORDS:
                return None
            choice = _number(reply, count)
            if choice is not None:
                return choice
            self._tell("bad.choice", "red", max=count)

    def _tell(self, key: str, style: str = "", **values: object) -> None:
        """Print one interface message; values (paths, names, replies) are shown as typed, never as markup."""
        text = escape(translate(key, self.lang, **values))
        self.console.print(f"[{style}]{text}[/]" if style else text)

    def _error(self, error: AiregimeError) -> None:
        if isinstance(error, SessionError) and known(f"error.{error.code}"):
            self.console.print(f"[red]{escape(translate(f'error.{error.code}', self.lang, name=error.name))}[/]")
            return
        hint = error.hint_in(self.lang)
        self.console.print(f"[red]{escape(error.message_in(self.lang))}[/]" + (f"\n  → {escape(hint)}" if hint else ""))

    def _choose_path(self, wanted: Path | None, session: InterviewSession, *, resumed: Path | None) -> Path:
        """The save file; an existing file other than the resumed one is replaced only if the person agrees."""
        path = wanted or Path(_slug(session.system.name) + ".yaml")
        while path.exists() and not (resumed and _same_file(path, resumed)):
            answer = self._read(translate("ask.overwrite", self.lang, path=path)).casefold()
            if answer in translate("yes_words", self.lang).split(","):
                break
            suggestion = _free_name(path)
            path = Path(self._read(translate("ask.other_file", self.lang, path=suggestion)) or suggestion)
        return path

    def _save(self) -> bool:
        """Write the descriptor next to its final place, then move it there (never half a file)."""
        assert self.path is not None
        try:
            _write_descriptor(self.path, self.session.to_descriptor())
        except OSError as error:
            reason = error.strerror or str(error)
            self._tell("save_failed", "red", path=self.path, reason=reason)
            self._tell("save_hint")
            return False
        return True


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _number(reply: str, count: int) -> int | None:
    return int(reply) if reply.isdigit() and 1 <= int(reply) <= count else None


def _slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "system"


def _free_name(path: Path) -> Path:
    number = 2
    while (candidate := path.with_name(f"{path.stem}-{number}{path.suffix}")).exists():
        number += 1
    return candidate


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _write_descriptor(path: Path, descriptor: dict[str, object]) -> None:
    """YAML with a comment saying what the file is, or JSON when the file's name ends in .json."""
    import json

    import yaml

    if path.suffix.casefold() == ".json":
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    else:
        header = "# System descriptor written by `airegime interview`. Check it with: airegime assess FILE\n"
        text = header + yaml.safe_dump(descriptor, sort_keys=False, allow_unicode=True, width=100)
    with replaced_when_done(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
