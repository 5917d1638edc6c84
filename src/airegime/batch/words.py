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
