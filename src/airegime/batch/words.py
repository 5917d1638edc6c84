"""Interface words of the batch assessment, in French and English (legal text stays in the KB)."""

from __future__ import annotations

from airegime.kb.models import Lang

MESSAGES: dict[str, tuple[str, str]] = {  # key: (fr, en)
    "expected": (
        "attendu : {allowed} (ou leur libellé en français ou en anglais ; vide = je ne sais pas)",
        "expected: {allowed} (or their French or English labels; blank = I don't know)",
    ),
    "conflict": (
        "les lignes de ce système donnent des réponses différentes : donnez-la une fois, ou la même sur chaque ligne",
        "the rows of this system give different answers: give it once, or the same on every row",
    ),
    "blank_id": (
        "vide : chaque ligne doit porter l'identifiant de son système",
        "blank: every row needs the id of its system",
    ),
    "row": ("ligne", "row"),
    "column": ("colonne", "column"),
    "value": ("valeur", "value"),
    "summary.title": ("Régimes par phase", "Regimes per phase"),
    "summary.regime": ("Régime", "Regime"),
    "summary.development": ("Développement (systèmes)", "Development (systems)"),
    "summary.deployment": ("Déploiement (contextes)", "Deployment (contexts)"),
    "summary.undetermined": ("Indéterminé (réponses manquantes)", "Undetermined (answers missing)"),
    "summary.case_by_case": ("Au cas par cas (total)", "Case by case (total)"),
    "summary.invalid": ("Lignes invalides (non évaluées)", "Invalid rows (not assessed)"),
    "summary.totals": (
        "{rows} lignes, {systems} systèmes",
        "{rows} rows, {systems} systems",
    ),
    "invalid.title": ("Cellules invalides", "Invalid cells"),
    "invalid.more": (
        "… et {count} autres (voir la colonne « errors » des résultats)",
        "… and {count} more (see the results' “errors” column)",
    ),
    "written": ("Résultats écrits dans {path}", "Results written to {path}"),
    "template.written": ("Modèle écrit dans {path}", "Template written to {path}"),
    "progress": ("Évaluation", "Assessing"),
    "split": (
        "{count} systèmes reviennent après d'autres dans la suite du fichier (par exemple {examples}) : "
        "leurs lignes ont été évaluées en groupes séparés. Triez le fichier par system_id.",
        "{count} systems come back after other systems further down the file (for instance {examples}): "
        "their rows were assessed in separate groups. Sort the file by system_id.",
    ),
}


def w(key: str, lang: Lang, **values: object) -> str:
    fr, en = MESSAGES[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text
