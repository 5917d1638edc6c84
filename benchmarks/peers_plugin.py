"""airegime as a plug-in of the shared peer benchmark (module contract in its common.py).

The harness is the folder ``harness()`` finds: the one given (``--peers FOLDER`` of the benchmarks), else
$AIREGIME_PEERS_HARNESS, else ``shared/bench`` beside this repository's folder.

The harness decides a simplified 9-fact version of the question. This module translates each
fact row into airegime answers and asks the REAL engine: ``evaluate_one`` calls the scalar
engine (``evaluate_phase`` on answer dicts, development then one deployment), ``evaluate_batch``
the batch evaluator compiled from the same knowledge base. Nothing here decides a regime.

Translation of the facts (applied to both phases unless said otherwise):

====================================  ==========================================================
harness fact                          airegime answers
====================================  ==========================================================
personal_data                         personal_data = yes / no (development and deployment)
household                             organisation_kind = natural_person, household = yes
eu_institution                        organisation_kind = eu_institution
defense_or_state_security             organisation_kind = state_security_service, purpose =
                                      national_security, and for development: development_uses =
                                      single_use (a defence service developing for its own mission)
purpose_law_enforcement               purpose = criminal_law, else other
dev_controller_competent_authority    development organisation_kind = competent_authority,
                                      else public_body
deploy_controller_competent_auth.     deployment organisation_kind = competent_authority,
                                      else private_body
use_defined_at_dev and                development_uses = single_use when both hold, else various
dev_same_purpose_exclusively
(constant)                            establishment = eu; legal_mission = no
====================================  ==========================================================

The facts' precedence is household, then eu_institution, then defense. Outcomes map back as: the
"not applicable" outcomes -> OUT_OF_SCOPE, eudpr -> EUDPR, national_security -> DEFENSE,
police_justice -> POLICE_JUSTICE, gdpr -> GDPR. The real rules are richer than the 9-fact
procedure: a use fixed at development that development does not serve exclusively is *split*
in airegime (police-justice for the criminal-law part, the GDPR for the rest) where the harness
says GDPR; the harness's reading is the sheet's case 2, so that row is given to airegime as a
use not fixed (various). Every row maps to a determined outcome and the check compares all 512.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from airegime import __version__
from airegime.batch.compiled import BLOCK_ROWS, BatchProgram, batch_program, in_parts
from airegime.engine.evaluate import evaluate_phase
from airegime.engine.tables import compiled
from airegime.kb import load_knowledge_base

HARNESS_VARIABLE = "AIREGIME_PEERS_HARNESS"
BESIDE_THE_REPOSITORY = Path(__file__).resolve().parents[2] / "shared" / "bench"
NAME = "airegime (real KB, compiled tables)"
VERSION = __version__
REGIMES = ("OUT_OF_SCOPE", "EUDPR", "DEFENSE", "POLICE_JUSTICE", "GDPR")  # the harness's common.REGIMES
REGIME_OF_OUTCOME = {
    "not_applicable_no_personal_data": "OUT_OF_SCOPE",
    "not_applicable_household": "OUT_OF_SCOPE",
    "not_applicable_territorial": "OUT_OF_SCOPE",
    "eudpr": "EUDPR",
    "national_security": "DEFENSE",
    "police_justice": "POLICE_JUSTICE",
    "gdpr": "GDPR",
}
NOT_A_REGIME = 255  # a case-by-case or undetermined verdict: the harness's check then fails visibly

KB = load_knowledge_base()
TABLES = compiled(KB)
_CODE = {q.id: {code: i for i, code in enumerate(q.codes)} for q in KB.questions}
PROGRAM: BatchProgram = batch_program(KB)
NOTES = [
    f"rule set {KB.version} ({KB.hash}); the 9 facts are translated to airegime answers "
    "(see benchmarks/peers_plugin.py); per-row = the scalar engine (evaluate_phase x2), "
    "batch = the columnar evaluator compiled from the same decision tables",
]


def harness(folder: Path | str | None = None) -> Path:
    """The shared harness folder: ``folder``, else $AIREGIME_PEERS_HARNESS, else ``shared/bench`` beside
    the repository; exits with a clear message when it holds no common.py."""
    found = Path(folder or os.environ.get(HARNESS_VARIABLE) or BESIDE_THE_REPOSITORY).expanduser()
    if not (found / "common.py").is_file():
        raise SystemExit(
            f"no peer harness at {found} (no common.py there): pass --peers FOLDER or set {HARNESS_VARIABLE}"
        )
    return found


def answers(facts: dict[str, bool]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(system, development, deployment) answers for one row of harness facts."""
    yes_no = {True: "yes", False: "no"}
    defence = facts["defense_or_state_security"]
    purpose = "national_security" if defence else ("criminal_law" if facts["purpose_law_enforcement"] else "other")

    def kind(competent: bool, otherwise: str) -> dict[str, str]:
        if facts["household"]:
            return {"organisation_kind": "natural_person", "household": "yes"}
        if facts["eu_institution"]:
            return {"organisation_kind": "eu_institution"}
        if defence:
            return {"organisation_kind": "state_security_service"}
        return {"organisation_kind": "competent_authority" if competent else otherwise}

    shared = {"personal_data": yes_no[facts["personal_data"]], "purpose": purpose, "legal_mission": "no"}
    fixed = (facts["use_defined_at_dev"] and facts["dev_same_purpose_exclusively"]) or defence
    development = {
        **shared,
        **kind(facts["dev_controller_competent_authority"], "public_body"),
        "development_uses": "single_use" if fixed else "various",
    }
    deployment = {**shared, **kind(facts["deploy_controller_competent_authority"], "private_body")}
    return {"establishment": "eu"}, development, deployment


def _regime(outcome: str | None) -> str:
    return REGIME_OF_OUTCOME.get(outcome or "", "NOT_A_REGIME")


def evaluate_one(facts: dict[str, bool]) -> tuple[str, str]:
    system, development, deployment = answers(facts)
    dev = evaluate_phase(TABLES.development, system, development, name="development", deployment_index=None)
    dep = evaluate_phase(TABLES.deployment, system, deployment, name="deployment", deployment_index=0)
    return _regime(dev.outcome), _regime(dep.outcome)


def _verdict_to_regime() -> npt.NDArray[np.uint8]:
    """Harness code of every verdict byte (outcome in the low bits, status above)."""
    table = np.full(256, NOT_A_REGIME, dtype=np.uint8)
    for code, outcome in enumerate(KB.outcomes):
        regime = REGIME_OF_OUTCOME.get(outcome.id)
        if regime is not None:
            table[code] = REGIMES.index(regime)  # status "determined" = 0 in the high bits
    return table


VERDICT_TO_REGIME = _verdict_to_regime()
# The harness code of every table entry, derived once from the evaluator's verdicts, so one
# gather per phase gives the harness's answer (the same lookup as ``PhaseProgram.verdicts``).
DEVELOPMENT_REGIME = VERDICT_TO_REGIME[PROGRAM.development.verdict_of_index]
DEPLOYMENT_REGIME = VERDICT_TO_REGIME[PROGRAM.deployment.verdict_of_index]


FACTS = (  # the harness's common.FACTS, in its order: fact i is bit i of a row's key
    "personal_data",
    "household",
    "eu_institution",
    "defense_or_state_security",
    "use_defined_at_dev",
    "dev_same_purpose_exclusively",
    "purpose_law_enforcement",
    "dev_controller_competent_authority",
    "deploy_controller_competent_authority",
)


def _answer_codes_of_keys() -> tuple[list[npt.NDArray[np.uint8]], list[npt.NDArray[np.uint8]]]:
    """For each axis of each phase, the answer code of each of the 512 fact combinations, from
    ``answers`` (the translation above, applied once per combination: no second statement of it)."""
    development: list[list[int]] = [[] for _ in PROGRAM.development.axis_ids]
    deployment: list[list[int]] = [[] for _ in PROGRAM.deployment.axis_ids]
    for key in range(1 << len(FACTS)):
        system, dev, dep = answers({fact: bool(key >> bit & 1) for bit, fact in enumerate(FACTS)})
        for codes, program, own in ((development, PROGRAM.development, dev), (deployment, PROGRAM.deployment, dep)):
            for axis, column in zip(program.table.axes, codes, strict=True):
                answer = own.get(axis.id, system.get(axis.id))
                column.append(_CODE[axis.id][answer] if answer is not None else axis.size)
    return [np.array(c, dtype=np.uint8) for c in development], [np.array(c, dtype=np.uint8) for c in deployment]


DEVELOPMENT_CODES, DEPLOYMENT_CODES = _answer_codes_of_keys()


def _codes(
    columns: dict[str, npt.NDArray[np.bool_]], lo: int = 0, hi: int | None = None
) -> tuple[list[npt.NDArray[np.uint8]], ...]:
    """Answer codes per axis (each answer's position among its question's codes) of rows lo:hi:
    the row's facts as a 9-bit key, then the key's code on each axis (a constant axis costs no memory)."""
    facts = [np.asarray(columns[fact][lo:hi], dtype=bool).view(np.uint8) for fact in FACTS]
    key = facts[0].astype(np.uint16)
    for bit, fact in enumerate(facts[1:], start=1):
        key |= fact.astype(np.uint16) << np.uint16(bit)
    rows = len(key)
    found: dict[bytes, npt.NDArray[np.uint8]] = {}  # a question mapped alike in both phases: looked up once

    def of_key(table: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        if (table == table[0]).all():
            return np.broadcast_to(table[0], (rows,))
        codes = found.get(table.tobytes())
        if codes is None:
            codes = found[table.tobytes()] = np.take(table, key)
        return codes

    return [of_key(t) for t in DEVELOPMENT_CODES], [of_key(t) for t in DEPLOYMENT_CODES]


def evaluate_batch(columns: dict[str, npt.NDArray[np.bool_]]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Both phases' regimes, one part of the rows per processor as the evaluator goes, each part by
    blocks of rows (their codes stay in cache)."""
    rows = len(columns[FACTS[0]])
    development = np.empty(rows, dtype=np.uint8)
    deployment = np.empty(rows, dtype=np.uint8)

    def part(start: int, end: int) -> None:
        for low in range(start, end, BLOCK_ROWS):
            high = min(low + BLOCK_ROWS, end)
            dev, dep = _codes(columns, low, high)
            development[low:high] = PROGRAM.development.gather(DEVELOPMENT_REGIME, dev, threads=1)
            deployment[low:high] = PROGRAM.deployment.gather(DEPLOYMENT_REGIME, dep, threads=1)

    in_parts(rows, part)  # the evaluator's own parts and threads
    return development, deployment


def phases(columns: dict[str, npt.NDArray[np.bool_]]) -> dict[str, float]:
    """Where one batch call spends its time."""
    from time import perf_counter

    start = perf_counter()
    development, deployment = _codes(columns)
    encoded = perf_counter()
    PROGRAM.development.gather(DEVELOPMENT_REGIME, development)
    PROGRAM.deployment.gather(DEPLOYMENT_REGIME, deployment)
    done = perf_counter()
    return {"facts -> answer codes": encoded - start, "evaluate (index + gather, 2 phases)": done - encoded}
