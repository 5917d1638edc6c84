"""airegime as a plug-in of the shared peer benchmark (/work/shared/bench, module contract in its common.py).

The harness decides a simplified 9-fact version of the question. This module translates each
fact row into airegime answers and asks the REAL engine: ``evaluate_one`` calls the scalar
engine (``evaluate_phase`` on answer dicts, development then one deployment), ``evaluate_batch``
the batch evaluator compiled from the same knowledge base. Nothing here decides a regime.

Translation of the facts (applied to both phases unless said otherwise):

====================================  ==========================================================
harness fact                          airegime answers
====================================  ==========================================================
personal_data                         personal_data = yes / no (development and deployment)
household                             system.household = yes / no
eu_institution                        controller_kind = eu_institution
defense_or_state_security             controller_kind = defence_security_body, purpose =
                                      national_security, and for development: use_defined = yes,
                                      same_purpose_only = yes, for_client = no (a defence service
                                      developing for its own mission)
purpose_law_enforcement               purpose = criminal_law, else other
dev_controller_competent_authority    development controller_kind = competent_authority,
                                      else public_body
deploy_controller_competent_auth.     deployment controller_kind = competent_authority,
                                      else private_body
use_defined_at_dev                    use_defined = yes / no
dev_same_purpose_exclusively          same_purpose_only = yes / no
(constant)                            eu_link = yes; for_client = no; foreseen_uses = various
====================================  ==========================================================

eu_institution wins over defense (as in the harness). Outcomes map back as: the three
"not applicable" outcomes -> OUT_OF_SCOPE, eudpr -> EUDPR, national_security -> DEFENSE,
police_justice -> POLICE_JUSTICE, gdpr -> GDPR. The real rules are richer than the 9-fact
procedure, which is why some facts imply more than one answer: a defence body developing for a
contractor, or for uses not fixed in advance, is case by case or GDPR in airegime, not DEFENSE;
a body outside the Union is out of territorial scope; crowd safety and inseparable
criminal/administrative purposes are case by case. Those inputs cannot be expressed with the
harness's 9 facts, so every row maps to a determined outcome and the check compares all 512.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from airegime import __version__
from airegime.batch.compiled import BatchProgram, batch_program
from airegime.engine.evaluate import evaluate_phase
from airegime.engine.tables import compiled
from airegime.kb import load_knowledge_base

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
PROGRAM: BatchProgram = batch_program(KB)
NOTES = [
    f"rule set {KB.version} ({KB.hash}); the 9 facts are translated to airegime answers "
    "(see benchmarks/peers_plugin.py); per-row = the scalar engine (evaluate_phase x2), "
    "batch = the columnar evaluator compiled from the same decision tables",
]


def answers(facts: dict[str, bool]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(system, development, deployment) answers for one row of harness facts."""
    yes_no = {True: "yes", False: "no"}
    defence = facts["defense_or_state_security"]
    purpose = "national_security" if defence else ("criminal_law" if facts["purpose_law_enforcement"] else "other")

    def kind(competent: bool, otherwise: str) -> str:
        if facts["eu_institution"]:
            return "eu_institution"
        if defence:
            return "defence_security_body"
        return "competent_authority" if competent else otherwise

    shared = {"personal_data": yes_no[facts["personal_data"]], "eu_link": "yes", "purpose": purpose}
    development = {
        **shared,
        "controller_kind": kind(facts["dev_controller_competent_authority"], "public_body"),
        "use_defined": yes_no[facts["use_defined_at_dev"] or defence],
        "same_purpose_only": yes_no[facts["dev_same_purpose_exclusively"] or defence],
        "for_client": "no",
        "foreseen_uses": "various",
    }
    deployment = {**shared, "controller_kind": kind(facts["deploy_controller_competent_authority"], "private_body")}
    return {"household": yes_no[facts["household"]]}, development, deployment


def _regime(outcome: str | None) -> str:
    return REGIME_OF_OUTCOME.get(outcome or "", "NOT_A_REGIME")


def evaluate_one(facts: dict[str, bool]) -> tuple[str, str]:
    system, development, deployment = answers(facts)
    dev = evaluate_phase(TABLES.development, system, development, name="development", deployment_index=None)
    dep = evaluate_phase(TABLES.deployment, system, deployment, name="deployment", deployment_index=0)
    return _regime(dev.outcome), _regime(dep.outcome)


def _verdict_to_regime() -> npt.NDArray[np.uint8]:
    """Harness code of every verdict byte (outcome in the low 4 bits, status above)."""
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


def _codes(columns: dict[str, npt.NDArray[np.bool_]]) -> tuple[list[npt.NDArray[np.uint8]], ...]:
    """Answer codes per axis, with uint8 arithmetic on the fact columns (bool viewed as 0/1).

    Codes: yes 0 / no 1; purpose criminal_law 0, national_security 3, other 4; controller_kind
    private 0, public 1, competent authority 2, defence 3, EU institution 4 (whose numeric order
    is the facts' precedence, so ``maximum`` applies it).
    """
    u8 = {name: np.asarray(values).view(np.uint8) for name, values in columns.items()}
    rows = len(u8["personal_data"])
    one = np.uint8(1)
    yes = np.broadcast_to(np.uint8(0), (rows,))  # constant answers cost no memory
    no = np.broadcast_to(one, (rows,))
    not_defence = u8["defense_or_state_security"] ^ one
    defence_kind = u8["defense_or_state_security"] * np.uint8(3)
    eu_kind = u8["eu_institution"] * np.uint8(4)
    np.maximum(defence_kind, eu_kind, out=defence_kind)
    purpose = (u8["purpose_law_enforcement"] ^ one) * np.uint8(4)  # other 4, criminal_law 0
    purpose ^= u8["defense_or_state_security"] * (purpose ^ np.uint8(3))  # national_security 3
    dev_kind = u8["dev_controller_competent_authority"] + one  # public 1 or competent 2
    np.maximum(dev_kind, defence_kind, out=dev_kind)
    dep_kind = u8["deploy_controller_competent_authority"] * np.uint8(2)  # private 0 or competent 2
    np.maximum(dep_kind, defence_kind, out=dep_kind)
    shared = {"household": u8["household"] ^ one, "personal_data": u8["personal_data"] ^ one, "eu_link": yes}
    shared["purpose"] = purpose
    development = {
        **shared,
        "for_client": no,
        "controller_kind": dev_kind,
        "use_defined": (u8["use_defined_at_dev"] ^ one) & not_defence,
        "same_purpose_only": (u8["dev_same_purpose_exclusively"] ^ one) & not_defence,
        "foreseen_uses": yes,
    }
    deployment = {**shared, "controller_kind": dep_kind}
    return (
        [development[axis] for axis in PROGRAM.development.axis_ids],
        [deployment[axis] for axis in PROGRAM.deployment.axis_ids],
    )


def evaluate_batch(columns: dict[str, npt.NDArray[np.bool_]]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    development, deployment = _codes(columns)
    return PROGRAM.development.gather(DEVELOPMENT_REGIME, development), PROGRAM.deployment.gather(
        DEPLOYMENT_REGIME, deployment
    )


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
