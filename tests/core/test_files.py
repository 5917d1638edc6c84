"""Files written whole or not at all: the real name holds the old file or the new one, never half of one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from airegime.files import replaced_when_done


def test_the_new_file_replaces_the_old_one_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old")
    with replaced_when_done(target) as temporary:
        temporary.write_text("new")
        assert target.read_text() == "old" and temporary.parent == tmp_path
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("kept")
    with pytest.raises(RuntimeError), replaced_when_done(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("the disk is full")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["results.csv"]


def test_a_folder_that_is_not_there_fails_before_the_block_runs(tmp_path: Path) -> None:
    ran = False
    with pytest.raises(FileNotFoundError), replaced_when_done(tmp_path / "missing" / "x.csv"):
        ran = True
    assert not ran
