"""Interface words of the batch assessment, in French and English (legal text stays in the KB)."""

from __future__ import annotations

from airegime.kb.models import Lang

MESSAGES: dict[str, tuple[str, str]] = {  # key: (fr, en)
    "allowed": (
        "{labels} ou {unknown} (ou une cellule vide)",
        "{labels} or {unknown} (or a blank cell)",
    ),
    # One invalid cell, in the row's errors column: {column} as headed in the file, {value} as typed.
    "cell.invalid": (
        "Colonne « {column} » : « {value} » n’est pas une réponse possible ; réponses possibles : {allowed}.",
        "Column “{column}”: “{value}” is not a possible answer; possible answers: {allowed}.",
    ),
    "cell.conflict": (
        "Colonne « {column} » : « {value} » ici, mais une autre réponse sur une autre ligne du même système ; "
        "{expected}.",
        "Column “{column}”: “{value}” here, but another answer on another row of the same system; {expected}.",
    ),
    "cell.blank_id": ("Colonne « {column} » : vide ; {expected}.", "Column “{column}”: blank; {expected}."),
    # A system-level or development answer is the system's: a bad cell on one row holds for all its rows.
    "cell.elsewhere": (
        "Colonne « {column} » : la réponse donnée pour ce système à la ligne {row} n’est pas valide.",
        "Column “{column}”: the answer given for this system on row {row} is not valid.",
    ),
    "conflict": (
        "donnez la réponse une fois pour le système, ou la même sur chacune de ses lignes",
        "give the answer once for the system, or the same on each of its rows",
    ),
    "blank_id": (
        "chaque ligne doit porter l’identifiant de son système",
        "every row needs the id of its system",
    ),
    # What an invalid cell leaves unassessed, by the phases that read it.
    "invalid.system": (
        "Ni le développement ni le déploiement ne sont évalués : cette colonne vaut pour tout le système.",
        "Neither development nor deployment is assessed: this column holds for the whole system.",
    ),
    "invalid.both": (
        "Ni le développement ni le déploiement ne sont évalués.",
        "Neither development nor deployment is assessed.",
    ),
    "invalid.development": (
        "Le développement n’est pas évalué (sur toutes les lignes du système) ; le déploiement peut l’être.",
        "Development is not assessed (on every row of the system); deployment may be.",
    ),
    "invalid.deployment": (
        "Le déploiement de cette ligne n’est pas évalué ; le développement peut l’être.",
        "This row's deployment is not assessed; development may be.",
    ),
    "status.invalid": ("non évalué (cellule invalide)", "not assessed (invalid cell)"),
    "phases.both": ("développement et déploiement", "development and deployment"),
    "phases.development": ("développement", "development"),
    "phases.deployment": ("déploiement", "deployment"),
    "web.not_assessed": ("Phase non évaluée", "Phase not assessed"),
    "web.invalid_phases": (
        "{rows} ligne(s) ont une cellule invalide : {development} développement(s) et {deployment} déploiement(s) "
        "n’ont pas été évalués (détail ci-dessous) ; les autres phases de ces lignes l’ont été.",
        "{rows} row(s) have an invalid cell: {development} development(s) and {deployment} deployment(s) were not "
        "assessed (details below); the other phases of these rows were.",
    ),
    "web.problems": ("À corriger", "To correct"),
    "row": ("ligne", "row"),
    "column": ("colonne", "column"),
    "value": ("valeur", "value"),
    "summary.title": ("Régimes par phase", "Regimes per phase"),
    "summary.regime": ("Régime", "Regime"),
    "summary.development": ("Développement (systèmes)", "Development (systems)"),
    "summary.deployment": ("Déploiement (contextes)", "Deployment (contexts)"),
    "summary.undetermined": ("Indéterminé (réponses manquantes)", "Undetermined (answers missing)"),
    "summary.case_by_case": ("Au cas par cas (total)", "Case by case (total)"),
    "summary.invalid": ("Lignes avec une cellule invalide", "Rows with an invalid cell"),
    "summary.invalid_phases": ("Non évalués (cellule invalide)", "Not assessed (invalid cell)"),
    "summary.regimes": (
        "Sous chaque régime, en tout ou pour une partie des finalités",
        "Under each regime, wholly or for some purposes",
    ),
    "format1": (
        "Cet inventaire a les anciens noms de colonnes (format 1) : ses réponses ont été lues dans le format "
        "actuel. Notes (colonne « notes ») là où cette lecture est une supposition, sur {rows} ; vérifiez-les :",
        "This inventory has the old column names (format 1): its answers were read in the current format. "
        "Notes (“notes” column) where that reading is a guess, on {rows}; check them:",
    ),
    "format1.none": (
        "Cet inventaire a les anciens noms de colonnes (format 1) : ses réponses ont été lues dans le format "
        "actuel, sans supposition.",
        "This inventory has the old column names (format 1): its answers were read in the current format, "
        "with no guess.",
    ),
    "format1.note": ("{columns} ({rows}) : {text}", "{columns} ({rows}): {text}"),
    "rows.one": ("{count} ligne", "{count} row"),
    "rows.many": ("{count} lignes", "{count} rows"),
    "format1.template": (
        "Pour passer au format actuel, reportez les réponses dans `airegime batch --template modele.xlsx`.",
        "To move to the current format, copy the answers into `airegime batch --template template.xlsx`.",
    ),
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
    "web.kept_note": (
        "Ce navigateur garde vos {keep} derniers inventaires envoyés, visibles par vous seul, pendant {days} jours "
        "au plus ; vos envois ne remplacent jamais ceux de vos collègues. Ils ne sont pas enregistrés comme "
        "analyses : téléchargez les résultats pour les garder.",
        "This browser keeps your last {keep} uploaded inventories, visible to you only, for {days} days at most; "
        "your uploads never replace your colleagues'. They are not saved as assessments: download the results "
        "to keep them.",
    ),
    "web.organisation_full": (
        "Votre organisation garde déjà {limit} inventaires envoyés : réessayez quand les plus anciens auront "
        "expiré, ou utilisez la commande « airegime batch ».",
        "Your organisation already keeps {limit} uploaded inventories: try again once the oldest have expired, "
        "or use the “airegime batch” command.",
    ),
}


def rows_text(count: int, lang: Lang) -> str:
    """ "1 row", "2,000 rows" (in French "1 ligne", "2,000 lignes")."""
    return w("rows.one" if count == 1 else "rows.many", lang, count=f"{count:,}")


def w(key: str, lang: Lang, **values: object) -> str:
    fr, en = MESSAGES[key]
    text = fr if lang == "fr" else en
    return text.format(**values) if values else text
