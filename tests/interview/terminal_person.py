"""A person at a terminal running `airegime interview`, driven with pexpect.

The person reads the screen as text (ANSI codes removed), recognises the question by its
wording, finds the answer they want among the numbered options, and types its number.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pexpect  # type: ignore[import-untyped]

from airegime.i18n import translate
from airegime.kb import KnowledgeBase, Lang

AIREGIME = str(Path(sys.executable).with_name("airegime"))
ANSI = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07)")
HEADER = re.compile(r"^(?P<scope>.+?) · (?P<detail>.+?) ─*$", re.MULTILINE)
OPTION = re.compile(r"^\s*(?P<number>\d+)\. (?P<label>.+)$", re.MULTILINE)

# Where each answer goes: the scope title the interview shows, then question id -> answer code.
Plan = dict[str, dict[str, str]]


@dataclass
class Question:
    """What the person sees: the scope title, the detail (progress), the question id, the options."""

    scope: str
    detail: str
    id: str
    options: dict[str, int]


class Person:
    def __init__(self, kb: KnowledgeBase, cwd: Path, *args: str, lang: Lang = "fr", env: dict[str, str] | None = None):
        self.kb = kb
        self.lang = lang
        environment = {
            **os.environ,
            "TERM": "dumb",
            "COLUMNS": "250",
            "LINES": "50",
            "AIREGIME_LANG": "fr",
            **(env or {}),
        }
        self.child = pexpect.spawn(
            AIREGIME, ["interview", *args], cwd=str(cwd), env=environment, encoding="utf-8",
            dimensions=(50, 250), timeout=60,
        )  # fmt: skip
        self.screen = ""
        self.transcript = ""

    # Reading the screen

    def wait_for(self, *texts: str) -> int:
        """Wait until one of the texts appears; the screen is everything shown since the last wait."""
        index = self.child.expect_exact(list(texts))
        self.screen = ANSI.sub("", self.child.before + self.child.after).replace("\r\n", "\n")
        self.transcript += self.screen
        return int(index)

    def wait_for_question_or_menu(self) -> Question | None:
        """The question now asked, or None when the end menu is shown."""
        if self.wait_for(translate("ask.answer", self.lang), translate("ask.choice", self.lang)) == 1:
            return None
        return self.question_on_screen()

    def question_on_screen(self) -> Question:
        block = self.screen[[m.start() for m in HEADER.finditer(self.screen)][-1] :]
        header = HEADER.search(block)
        assert header, block
        texts = {q.text.get(self.lang): q.id for q in self.kb.questions}
        question_id = next(qid for text, qid in texts.items() if text in block)
        options = {m["label"].strip(): int(m["number"]) for m in OPTION.finditer(block)}
        return Question(header["scope"].strip(), header["detail"].strip(), question_id, options)

    def number_for(self, question: Question, code: str) -> int:
        if code == "unknown":
            return question.options[translate("unknown", self.lang)]
        label = self.kb.question_by_id[question.id].option(code).label.get(self.lang)
        return question.options[label]

    # Acting

    def type(self, text: str) -> None:
        self.child.sendline(text)

    def answer(self, question: Question, code: str) -> None:
        self.type(str(self.number_for(question, code)))

    def answer_until_menu(self, plan: Plan) -> list[tuple[str, str]]:
        """Answer every question from the plan until the end menu; returns (scope, question id) asked."""
        asked = []
        while (question := self.wait_for_question_or_menu()) is not None:
            asked.append((question.scope, question.id))
            self.answer(question, plan[question.scope][question.id])
        return asked

    def start(self, name: str, organisation: str, first_context: str) -> None:
        """Fill in the opening questions: name, organisation, description (left empty), first context."""
        keys = ("ask.name", "ask.organisation", "ask.description", "ask.deployment")
        for key, reply in zip(keys, (name, organisation, "", first_context), strict=True):
            self.wait_for(translate(key, self.lang))
            self.type(reply)

    def finish(self) -> int:
        """Choose "finish" in the end menu and wait for the program to end; returns its exit status."""
        self.type("5")
        return self.end()

    def end(self) -> int:
        self.child.expect(pexpect.EOF)
        self.screen = ANSI.sub("", self.child.before).replace("\r\n", "\n")
        self.transcript += self.screen
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else 128 + self.child.signalstatus)
