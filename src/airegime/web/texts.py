"""The web app's interface words in French and English. Legal content (questions, rules,
outcomes, sources) comes from the knowledge base; shared words from airegime.i18n."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airegime.i18n import MESSAGES as SHARED
from airegime.kb import Lang

LANG_COOKIE = "airegime_lang"

WEB: dict[str, tuple[str, str]] = {
    "app.name": ("Régime applicable aux systèmes d’IA", "Applicable regime for AI systems"),
    "nav.skip": ("Aller au contenu", "Skip to content"),
    "nav.label": ("Navigation principale", "Main navigation"),
    "nav.home": ("Accueil", "Home"),
    "nav.new": ("Nouvelle analyse", "New assessment"),
    "nav.import": ("Importer", "Import"),
    "footer.text": (
        "airegime, d’après la fiche IA n°1 de la CNIL · aide à la décision, pas un avis juridique",
        "airegime, after the CNIL AI sheet n°1 · decision support, not legal advice",
    ),
    "footer.rules": ("Jeu de règles", "Rule set"),
    "phase.system": ("Système", "System"),
    "tabs.label": ("Sections de l’analyse", "Assessment sections"),
    "tabs.interview": ("Questionnaire", "Interview"),
    "tabs.contexts": ("Description et contextes", "Details and contexts"),
    "tabs.result": ("Résultat", "Result"),
    "tabs.history": ("Historique", "History"),
    "action.cancel": ("Annuler", "Cancel"),
    "home.title": ("Analyses enregistrées", "Saved assessments"),
    "home.lead": (
        "Pour chaque phase d’un système d’IA (développement, chaque contexte de déploiement), quel régime de "
        "protection des données s’applique, et pourquoi.",
        "For each phase of an AI system (development, each deployment context), which data-protection regime "
        "applies, and why.",
    ),
    "home.deleted": ("L’analyse a été supprimée.", "The assessment was deleted."),
    "home.saved": ("Vos analyses", "Your assessments"),
    "home.search": ("Rechercher (nom ou organisme)", "Search (name or organisation)"),
    "home.sort": ("Trier par", "Sort by"),
    "home.apply": ("Afficher", "Show"),
    "home.count": ("{n} analyse(s)", "{n} assessment(s)"),
    "home.updated": ("modifiée le", "updated"),
    "home.no_match": ("Aucune analyse ne correspond à cette recherche.", "No assessment matches this search."),
    "home.empty": (
        "Aucune analyse pour l’instant : commencez une nouvelle analyse ou importez un descripteur.",
        "No assessment yet: start a new assessment or import a descriptor.",
    ),
    "home.regimes": ("Les régimes en bref", "The regimes at a glance"),
    "sort.updated": ("dernière modification", "last change"),
    "sort.created": ("date de création", "creation date"),
    "sort.name": ("nom", "name"),
    "sort.organisation": ("organisme", "organisation"),
    "pagination.label": ("Pages", "Pages"),
    "pagination.previous": ("← Page précédente", "← Previous page"),
    "pagination.next": ("Page suivante →", "Next page →"),
    "pagination.page": ("Page {page} sur {pages}", "Page {page} of {pages}"),
    "stale.short": ("règles modifiées depuis", "rules changed since"),
    "stale.title": ("Résultat peut-être périmé.", "This result may be out of date."),
    "stale.text": (
        "Il a été calculé avec le jeu de règles {old} ; le jeu de règles actuel est {new}. Relancez l’analyse pour "
        "voir ce qui change.",
        "It was computed with rule set {old}; the current rule set is {new}. Re-check to see what changes.",
    ),
    "stale.recheck": ("Relancer avec les règles actuelles", "Re-check with the current rules"),
    "new.title": ("Nouvelle analyse", "New assessment"),
    "new.lead": (
        "Décrivez le système en quelques mots ; les questions viennent ensuite, une à la fois.",
        "Describe the system in a few words; the questions come next, one at a time.",
    ),
    "new.system": ("Le système d’IA", "The AI system"),
    "new.context": ("Premier contexte de déploiement", "First deployment context"),
    "new.context_hint": (
        "Un contexte = un organisme qui utilise le système, pour un usage. Vous pourrez en ajouter d’autres.",
        "A context = one organisation using the system, for one use. You can add others later.",
    ),
    "new.development_hint": (
        "Ce que recouvre la phase de développement (constitution des données, entraînement…).",
        "What the development phase covers (building the dataset, training…).",
    ),
    "new.first_context_default": ("Déploiement principal", "Main deployment"),
    "new.submit": ("Créer et commencer le questionnaire", "Create and start the interview"),
    "field.name": ("Nom du système", "System name"),
    "field.organisation": ("Organisme", "Organisation"),
    "field.description": ("Description", "Description"),
    "field.development_description": ("Phase de développement", "Development phase"),
    "field.first_context": ("Nom du contexte", "Context name"),
    "form.required": ("Ce champ est obligatoire.", "This field is required."),
    "form.required_mark": ("obligatoire", "required"),
    "form.too_long": ("Ce texte est trop long.", "This text is too long."),
    "form.control": (
        "Ce texte contient des caractères de contrôle : retirez-les (seuls les retours à la ligne et"
        " les tabulations sont admis).",
        "This text contains control characters: remove them (only line breaks and tabs are allowed).",
    ),
    "form.invisible": (
        "Ce texte n’est fait que de caractères invisibles : écrivez un nom visible.",
        "This text is made only of invisible characters: write a visible name.",
    ),
    "form.invalid": ("Ce texte ne peut pas être accepté tel quel.", "This text cannot be accepted as it is."),
    "form.fix": ("Corrigez les champs signalés ci-dessous.", "Please correct the fields marked below."),
    "interview.progress": ("Question {n} sur {total} au plus", "Question {n} of at most {total}"),
    "interview.editing": (
        "Vous modifiez une réponse déjà donnée.",
        "You are changing an answer you already gave.",
    ),
    "interview.choose": ("Choisissez une réponse (ou « Je ne sais pas »).", "Choose an answer (or “I don’t know”)."),
    "interview.unknown": ("Je ne sais pas", "I don’t know"),
    "interview.save": ("Enregistrer et continuer", "Save and continue"),
    "interview.back": ("← Question précédente", "← Previous question"),
    "interview.resume": ("Reprendre le questionnaire", "Resume the interview"),
    "interview.help": ("Aide", "Help"),
    "interview.examples": ("Exemples", "Examples"),
    "interview.sources": ("Sources", "Sources"),
    "interview.your_answers": ("Vos réponses", "Your answers"),
    "interview.change": ("Modifier", "Change"),
    "interview.none_yet": ("Aucune réponse pour l’instant.", "No answers yet."),
    "interview.manage_contexts": ("Gérer les contextes de déploiement", "Manage deployment contexts"),
    "interview.done_title": ("Questionnaire terminé", "Interview complete"),
    "interview.done_text": (
        "Aucune autre réponse ne peut changer le résultat. Vous pouvez consulter le résultat ou ajouter un autre "
        "contexte de déploiement.",
        "No further answer can change the result. You can see the result or add another deployment context.",
    ),
    "interview.done_unknown": (
        "Certaines phases restent indéterminées parce que des réponses sont « Je ne sais pas » : le résultat dit "
        "lesquelles, et vous pouvez les modifier à tout moment.",
        "Some phases remain undetermined because some answers are “I don’t know”: the result says which, and you "
        "can change them at any time.",
    ),
    "interview.see_result": ("Voir le résultat", "See the result"),
    # The interview's path: review page, resume links, changing an answer from the result.
    "path.review_title": ("Vérifiez vos réponses", "Check your answers"),
    "path.review_lead": (
        "Voici vos réponses, phase par phase. Modifiez celles qui ne conviennent pas, puis consultez le résultat ; "
        "vous pouvez aussi ajouter un autre contexte de déploiement.",
        "Here are your answers, phase by phase. Change any that is not right, then see the result; you can also "
        "add another deployment context.",
    ),
    "path.review_unfinished": (
        "Des questions restent à poser avant le résultat.",
        "Some questions are still to be asked before the result.",
    ),
    "path.resume": ("Reprendre le questionnaire", "Resume the interview"),
    "path.in_progress": ("en cours — reprendre", "in progress — resume"),
    "path.same_as_system": ("Comme pour le système : {answer}", "Same as for the system: {answer}"),
    "path.answer_for_phase": ("Répondre autrement pour cette phase", "Answer otherwise for this phase"),
    "path.phase_otherwise": (
        "Cette phase reprend pour l’instant la réponse donnée pour le système ; répondez autrement si elle "
        "ne lui convient pas.",
        "For now this phase takes the answer given for the system; answer otherwise if it does not fit.",
    ),
    "path.takes": (
        "{question} : comme pour le système ({answer}).",
        "{question}: same as for the system ({answer}).",
    ),
    "path.save_result": ("Enregistrer et revenir au résultat", "Save and return to the result"),
    "contexts.title": (
        "Description, traitements de développement et contextes de déploiement",
        "Details, development processings and deployment contexts",
    ),
    "contexts.list": ("Contextes de déploiement", "Deployment contexts"),
    "contexts.add": ("Ajouter un contexte de déploiement", "Add a deployment context"),
    "contexts.add_hint": (
        "Un autre organisme qui utilise le système, ou un autre usage (par exemple : police nationale, pour "
        "détecter des infractions).",
        "Another organisation using the system, or another use (for example: national police, to detect offences).",
    ),
    "contexts.name": ("Nom du contexte", "Context name"),
    "contexts.description": ("Description (facultative)", "Description (optional)"),
    "contexts.add_button": ("Ajouter ce contexte", "Add this context"),
    "contexts.rename": ("Enregistrer", "Save"),
    "contexts.remove": ("Retirer", "Remove"),
    "contexts.remove_title": ("Retirer ce contexte ?", "Remove this context?"),
    "contexts.remove_text": (
        "Le contexte « {name} » et ses réponses ne compteront plus dans le résultat. L’historique le garde.",
        "The context “{name}” and its answers will no longer count in the result. The history keeps it.",
    ),
    "contexts.remove_confirm": ("Oui, retirer ce contexte", "Yes, remove this context"),
    "developments.list": ("Traitements de développement", "Development processings"),
    "developments.lead": (
        "Un traitement par responsable et par usage des données : par exemple l’entraînement commandé par un "
        "client, puis la réutilisation des mêmes données par le prestataire pour son propre produit.",
        "One per controller and use of the data: for example the training a client commissions, then the "
        "provider’s reuse of the same data for its own product.",
    ),
    "developments.name": ("Nom du traitement", "Processing name"),
    "developments.unnamed": ("Traitement de développement {n}", "Development processing {n}"),
    "developments.add": ("Ajouter un traitement de développement", "Add a development processing"),
    "developments.add_button": ("Ajouter ce traitement", "Add this processing"),
    "developments.remove_title": ("Retirer ce traitement de développement ?", "Remove this development processing?"),
    "developments.remove_text": (
        "Le traitement « {name} » et ses réponses ne compteront plus dans le résultat. L’historique le garde.",
        "The processing “{name}” and its answers will no longer count in the result. The history keeps it.",
    ),
    "developments.remove_confirm": ("Oui, retirer ce traitement", "Yes, remove this processing"),
    "details.title": ("Le système", "The system"),
    "details.save": ("Enregistrer la description", "Save the details"),
    "result.title": ("Résultat", "Result"),
    "result.disclaimer": ("Avertissement", "Disclaimer"),
    "result.at_a_glance": ("En bref", "At a glance"),
    "result.competing": ("Régimes en balance :", "Regimes in balance:"),
    "result.authority": ("Autorité de contrôle :", "Supervisory authority:"),
    "result.missing": ("Réponses manquantes", "Missing answers"),
    "result.if_answer": ("si « {answer} » :", "if “{answer}”:"),
    "result.reasons": ("Pourquoi", "Why"),
    "result.all_lead_here": (
        "Les questions restantes ne peuvent plus changer ce régime : chacune des règles encore possibles y mène.",
        "The remaining questions can no longer change this regime: every rule still possible leads to it.",
    ),
    "result.caveat": ("Réserve :", "Caveat:"),
    "result.what_if": ("Ce qui changerait le résultat", "What would change the outcome"),
    "result.if_changed": (
        "si « {question} » passait de « {old} » à « {new} »",
        "if “{question}” went from “{old}” to “{new}”",
    ),
    "result.and": ("et", "and"),
    "result.next_steps": ("Prochaines étapes", "Next steps"),
    "result.answers": ("Réponses prises en compte", "Answers taken into account"),
    "result.caveats": ("À garder en tête", "Keep in mind"),
    "result.actions": ("Exporter et gérer", "Export and manage"),
    "result.edit": ("Modifier les réponses", "Change the answers"),
    "result.duplicate": ("Dupliquer", "Duplicate"),
    "result.delete": ("Supprimer…", "Delete…"),
    "result.download": ("Télécharger", "Download"),
    "result.change": ("modifier", "change"),
    "result.in_progress": (
        "Analyse en cours : des questions restent sans réponse.",
        "In progress: some questions are still unanswered.",
    ),
    "result.resume": ("Reprendre", "Resume"),
    "result.all_possible": (
        "Ces règles restent possibles ; les questions ouvertes ci-dessus décideront laquelle s’applique.",
        "These rules remain possible; the open questions above will decide which one applies.",
    ),
    "diagram.enlarge": ("Agrandir le chemin", "Enlarge the path"),
    "download.yaml": ("Descripteur (YAML)", "Descriptor (YAML)"),
    "download.json": ("Descripteur (JSON)", "Descriptor (JSON)"),
    "copy.suffix": ("(copie)", "(copy)"),
    "download.lead": (
        "Le rapport reprend le résultat, les réponses, les raisons et les sources ; le descripteur peut être "
        "réimporté ou lu par « airegime assess ».",
        "The report holds the result, the answers, the reasons and the sources; the descriptor can be imported "
        "again or read by “airegime assess”.",
    ),
    "download.report.pdf": ("Rapport (PDF)", "Report (PDF)"),
    "download.report.docx": ("Rapport (Word, .docx)", "Report (Word, .docx)"),
    "download.report.html": ("Rapport (HTML)", "Report (HTML)"),
    "download.report.md": ("Rapport (Markdown)", "Report (Markdown)"),
    "download.report.json": ("Rapport (JSON, réimportable)", "Report (JSON, can be imported again)"),
    "diagram.title": ("Le chemin dans l’arbre de décision", "The path through the decision tree"),
    "diagram.lead": (
        "Chaque phase suit les questions de haut en bas ; le chemin pris par cette analyse est tracé en orange, "
        "et une question restée « Je ne sais pas » est grisée là où le chemin s’arrête.",
        "Each phase follows the questions from top to bottom; the path this assessment took is drawn in orange, "
        "and a question left at “I don’t know” is shaded where the path stops.",
    ),
    "diagram.alt": (
        "Diagramme de décision, chemin de cette analyse surligné.",
        "Decision diagram, with this assessment’s path highlighted.",
    ),
    "diagram.caption": (
        "Seules les questions du chemin sont montrées ; le tableau « En bref » ci-dessus donne le même résultat "
        "en texte. Cliquez pour agrandir.",
        "Only the questions on the path are shown; the “At a glance” table above gives the same result as text. "
        "Click to enlarge.",
    ),
    "diagram.full_path": ("Tout l’arbre, avec ce chemin", "The whole tree, with this path"),
    "diagram.method_link": ("La méthode et toutes les règles", "The method and every rule"),
    "nav.batch": ("Inventaire", "Inventory"),
    "nav.method": ("Méthode", "Method"),
    "method.title": ("La méthode", "The method"),
    "method.lead": (
        "Comment l’outil raisonne, d’après la fiche IA n°1 de la CNIL : chaque question, chaque règle et les "
        "sources sur lesquelles elle repose, pour qu’un juriste puisse la vérifier.",
        "How the tool reasons, after the CNIL AI sheet n°1: every question, every rule and the sources it rests "
        "on, so that a lawyer can check it.",
    ),
    "method.document": ("Le document de méthode", "The methodology document"),
    "method.document_text": (
        "Généré à partir de la base de connaissances : les questions avec leur aide, les règles en clair avec "
        "leurs sources, les issues, ce qui est laissé à l’analyse au cas par cas, la version des règles.",
        "Generated from the knowledge base: the questions with their help, the rules in plain words with their "
        "sources, the outcomes, what is left to case-by-case analysis, the rule-set version.",
    ),
    "method.download.html": ("Méthode (HTML)", "Methodology (HTML)"),
    "method.download.pdf": ("Méthode (PDF)", "Methodology (PDF)"),
    "method.download.md": ("Méthode (Markdown)", "Methodology (Markdown)"),
    "method.diagram": ("Le diagramme de toutes les règles", "The diagram of every rule"),
    "method.diagram_text": (
        "Pour chaque phase (développement, déploiement), les questions dans l’ordre où elles sont posées et le "
        "régime auquel mène chaque réponse.",
        "For each phase (development, deployment), the questions in the order they are asked and the regime each "
        "answer leads to.",
    ),
    "method.diagram_alt": (
        "Diagramme de décision de toutes les règles, phase par phase ; le document de méthode en donne le texte.",
        "Decision diagram of every rule, phase by phase; the methodology document gives it as text.",
    ),
    "method.diagram_caption": (
        "Cliquez pour ouvrir le diagramme en grand (SVG). Le document de méthode en donne le texte complet.",
        "Click to open the diagram full size (SVG). The methodology document gives it in full as text.",
    ),
    "batch.title": ("Évaluer un inventaire", "Assess an inventory"),
    "batch.lead": (
        "Le régime de chaque système d’un inventaire (registre des traitements, inventaire des projets d’IA) : "
        "une ligne par contexte de déploiement, les systèmes reliés par la colonne system_id.",
        "The regime of every system in an inventory (record of processing activities, AI inventory): one row per "
        "deployment context, the systems tied together by the system_id column.",
    ),
    "batch.template_title": ("1. Le modèle à remplir", "1. The template to fill in"),
    "batch.template_text": (
        "Un classeur Excel avec une colonne par question, les réponses permises en listes déroulantes et une "
        "feuille d’aide qui explique chaque question et ses sources.",
        "An Excel workbook with one column per question, the allowed answers as drop-down lists and a help sheet "
        "explaining each question and its sources.",
    ),
    "batch.template_link": ("Télécharger le modèle (.xlsx)", "Download the template (.xlsx)"),
    "batch.upload_title": ("2. Envoyer l’inventaire", "2. Upload the inventory"),
    "batch.file": ("Fichier d’inventaire ({limit} Mo au plus)", "Inventory file (at most {limit} MB)"),
    "batch.file_hint": ("Formats acceptés :", "Accepted formats:"),
    "batch.submit": ("Évaluer l’inventaire", "Assess the inventory"),
    "batch.kept_note": (
        "Votre organisation garde ses {keep} derniers inventaires envoyés, visibles depuis ce navigateur "
        "seulement ; ils ne sont pas enregistrés comme analyses. Téléchargez les résultats pour les garder.",
        "Your organisation keeps its last {keep} uploaded inventories, visible from this browser only; they are "
        "not saved as assessments. Download the results to keep them.",
    ),
    "batch.no_file": ("Choisissez un fichier d’inventaire.", "Choose an inventory file."),
    "batch.bad_extension": (
        "Ce type de fichier n’est pas lu : envoyez un fichier .csv, .xlsx, .ods, .jsonl ou .parquet.",
        "This kind of file is not read: send a .csv, .xlsx, .ods, .jsonl or .parquet file.",
    ),
    "batch.too_large": (
        "Ce fichier dépasse la limite de {limit} Mo. Découpez l’inventaire, ou utilisez la commande "
        "« airegime batch », sans limite de taille.",
        "This file is over the {limit} MB limit. Split the inventory, or use the “airegime batch” command, which "
        "has no size limit.",
    ),
    "batch.empty": ("Ce fichier est vide.", "This file is empty."),
    "batch.no_rows": (
        "Ce fichier n’a aucune ligne à évaluer (seulement l’en-tête ?).",
        "This file has no row to assess (only the header?).",
    ),
    "batch.unreadable": (
        "Ce fichier ne peut pas être lu comme un inventaire.",
        "This file cannot be read as an inventory.",
    ),
    "batch.nothing_kept": ("Rien n’a été évalué ni conservé.", "Nothing was assessed or kept."),
    "batch.results_title": ("Résultats de l’inventaire", "Inventory results"),
    "batch.totals": ("{rows} ligne(s), {systems} système(s)", "{rows} row(s), {systems} system(s)"),
    "batch.chart_title": ("Régimes par phase", "Regimes per phase"),
    "batch.chart.development": ("Développement ({total} systèmes)", "Development ({total} systems)"),
    "batch.chart.deployment": ("Déploiement ({total} contextes)", "Deployment ({total} contexts)"),
    "batch.share": ("Part", "Share"),
    "batch.count": ("Nombre", "Count"),
    "batch.invalid_count": (
        "{n} ligne(s) invalide(s) n’ont pas été évaluées (détail ci-dessous).",
        "{n} invalid row(s) were not assessed (details below).",
    ),
    "batch.invalid_title": ("Cellules invalides", "Invalid cells"),
    "batch.invalid_lead": (
        "Corrigez ces cellules dans votre fichier puis envoyez-le à nouveau ; les autres lignes ont été évaluées.",
        "Correct these cells in your file and upload it again; the other rows were assessed.",
    ),
    "batch.invalid_more": (
        "… et {n} autres (colonne « errors » des résultats).",
        "… and {n} more (the results’ “errors” column).",
    ),
    "batch.row": ("Ligne", "Row"),
    "batch.column": ("Colonne", "Column"),
    "batch.value": ("Valeur trouvée", "Value found"),
    "batch.expected": ("Attendu", "Expected"),
    "batch.table_title": ("Les résultats, ligne par ligne", "The results, row by row"),
    "batch.filter.development": ("Régime du développement", "Development regime"),
    "batch.filter.deployment": ("Régime du déploiement", "Deployment regime"),
    "batch.filter.status": ("Statut (l’une des phases)", "Status (either phase)"),
    "batch.filter.all": ("Tous", "All"),
    "batch.filter.apply": ("Filtrer", "Filter"),
    "batch.filter.reset": ("Tout afficher", "Show all"),
    "batch.status.determined": ("déterminé", "determined"),
    "batch.status.case_by_case": ("au cas par cas", "case by case"),
    "batch.status.undetermined": ("indéterminé", "undetermined"),
    "batch.status.invalid": ("ligne invalide", "invalid row"),
    "batch.matching": ("{n} ligne(s) sur {total}.", "{n} row(s) of {total}."),
    "batch.col.system": ("Système", "System"),
    "batch.col.context": ("Contexte", "Context"),
    "batch.col.deployment": ("Déploiement", "Deployment"),
    "batch.col.questions": ("Colonnes à compléter", "Columns to fill in"),
    "batch.downloads": ("Télécharger les résultats", "Download the results"),
    "batch.download.csv": ("Résultats (CSV)", "Results (CSV)"),
    "batch.download.xlsx": ("Résultats (Excel, .xlsx)", "Results (Excel, .xlsx)"),
    "batch.another": ("Évaluer un autre inventaire", "Assess another inventory"),
    "delete.title": ("Supprimer cette analyse ?", "Delete this assessment?"),
    "delete.text": (
        "L’analyse « {name} », ses réponses et son historique seront supprimés définitivement.",
        "The assessment “{name}”, its answers and its history will be deleted for good.",
    ),
    "delete.confirm": ("Oui, supprimer définitivement", "Yes, delete for good"),
    "history.title": ("Historique", "History"),
    "history.lead": (
        "Chaque changement, du plus récent au plus ancien. Les réponses ne sont jamais effacées.",
        "Every change, newest first. Answers are never erased.",
    ),
    "history.when": ("Quand (UTC)", "When (UTC)"),
    "history.what": ("Quoi", "What"),
    "history.phase": ("Phase", "Phase"),
    "history.change": ("Changement", "Change"),
    "history.evaluations": ("Résultats successifs", "Successive results"),
    "history.regimes": ("Régimes", "Regimes"),
    "event.created": ("Analyse créée", "Assessment created"),
    "event.imported": ("Importée depuis un descripteur", "Imported from a descriptor"),
    "event.duplicated": ("Copie de l’analyse", "Copy of the assessment"),
    "event.details": ("Description modifiée", "Details changed"),
    "event.context_added": ("Contexte ajouté", "Context added"),
    "event.context_renamed": ("Contexte renommé", "Context renamed"),
    "event.context_removed": ("Contexte retiré", "Context removed"),
    "event.development_added": ("Traitement de développement ajouté", "Development processing added"),
    "event.development_renamed": ("Traitement de développement renommé", "Development processing renamed"),
    "event.development_removed": ("Traitement de développement retiré", "Development processing removed"),
    "event.upgraded": (
        "Réponses reprises dans le nouveau questionnaire (mise à jour des règles)",
        "Answers carried over to the new questionnaire (rule-set upgrade)",
    ),
    "history.upgrade_answer": ("mise à jour des règles", "rule-set upgrade"),
    "history.upgrade_no_note": ("Aucune reprise incertaine.", "Nothing uncertain in the carrying over."),
    "result.parts": ("Plusieurs régimes, chacun pour ses finalités :", "Several regimes, each for its purposes:"),
    "result.part_for": ("pour {purposes}", "for {purposes}"),
    "event.rechecked": ("Relancée avec de nouvelles règles", "Re-checked with new rules"),
    "recheck.title": ("Nouvelle vérification", "Re-check"),
    "recheck.versions": ("Jeu de règles {old} → {new}.", "Rule set {old} → {new}."),
    "recheck.same": ("Aucun régime ne change.", "No regime changes."),
    "recheck.before": ("Avant", "Before"),
    "recheck.after": ("Maintenant", "Now"),
    "recheck.changed": ("Changé ?", "Changed?"),
    "recheck.yes": ("oui", "yes"),
    "recheck.no": ("non", "no"),
    "recheck.see_result": ("Voir le résultat détaillé", "See the detailed result"),
    "import.title": ("Importer un descripteur", "Import a descriptor"),
    "import.lead": (
        "Un fichier YAML ou JSON décrivant le système (le format lu par « airegime assess »), ou un rapport JSON "
        "d’airegime, à envoyer ou à coller : l’analyse est recréée avec les règles actuelles.",
        "A YAML or JSON file describing the system (the format “airegime assess” reads), or an airegime JSON "
        "report, uploaded or pasted: the assessment is recreated under the current rules.",
    ),
    "import.file": (
        "Fichier (descripteur YAML ou JSON, ou rapport JSON ; 1 Mo au plus)",
        "File (YAML or JSON descriptor, or JSON report; at most 1 MB)",
    ),
    "import.text": ("Ou collez le texte ici", "Or paste the text here"),
    "import.submit": ("Importer", "Import"),
    "import.empty": ("Choisissez un fichier ou collez un descripteur.", "Choose a file or paste a descriptor."),
    "import.invalid": ("Ce descripteur ne peut pas être importé.", "This descriptor cannot be imported."),
    "import.upgraded_title": ("Analyse importée", "Assessment imported"),
    "import.upgraded_lead": (
        "Ce descripteur suivait l’ancien questionnaire (format 1) ; ses réponses ont été reprises dans le "
        "nouveau. Vérifiez ces points, où la reprise est une supposition :",
        "This descriptor followed the former questionnaire (format 1); its answers were carried over to the "
        "new one. Check these points, where the carrying over is a guess:",
    ),
    "import.upgraded_see": ("Voir le résultat", "See the result"),
    "import.upgraded_answers": ("Revoir les réponses", "Review the answers"),
    "error.location": ("Emplacement", "Location"),
    "error.detail": ("Détail", "Detail"),
    "error.hint": ("Que faire", "What to do"),
    "error.nothing_changed": ("Rien n’a été modifié.", "Nothing was changed."),
    "error.back_home": ("Retour à l’accueil", "Back to the home page"),
    "nav.admin": ("Administration", "Administration"),
    "nav.logout": ("Se déconnecter", "Log out"),
    "login.title": ("Connexion", "Log in"),
    "login.lead": (
        "Les analyses de votre organisation sont confidentielles : connectez-vous pour y accéder.",
        "Your organisation’s assessments are confidential: log in to reach them.",
    ),
    "login.username": ("Identifiant", "Account name"),
    "login.password": ("Mot de passe", "Password"),
    "login.submit": ("Se connecter", "Log in"),
    "login.help": (
        "Pas de compte ? Un administrateur le crée avec « airegime users add ».",
        "No account? An administrator creates it with “airegime users add”.",
    ),
    "login.refused": ("Identifiant ou mot de passe incorrect.", "Wrong account name or password."),
    "login.throttled": (
        "Trop d’échecs de connexion : réessayez dans {minutes} minute(s).",
        "Too many failed logins: try again in {minutes} minute(s).",
    ),
    "role.reader": ("lecteur", "reader"),
    "role.editor": ("éditeur", "editor"),
    "role.admin": ("administrateur", "admin"),
    "account.title": ("Mon compte", "My account"),
    "account.no_accounts": (
        "Aucun compte n’existe : l’application n’est ouverte que sur cet ordinateur (adresse de bouclage). "
        "Créez le premier administrateur avec « airegime users add NOM --org ORGANISATION --role admin ».",
        "No account exists: the app is only open on this computer (loopback address). Create the first "
        "administrator with “airegime users add NAME --org ORGANISATION --role admin”.",
    ),
    "account.user": ("Compte", "Account"),
    "account.organisation": ("Organisation", "Organisation"),
    "account.role": ("Rôle", "Role"),
    "account.organisations": ("Mes organisations", "My organisations"),
    "account.switch": ("Travailler dans", "Work in"),
    "account.switch_submit": ("Changer", "Switch"),
    "account.tokens": ("Jetons d’API", "API tokens"),
    "account.tokens_lead": (
        "Un jeton permet à un script ou à une chaîne d’intégration continue d’appeler l’API en votre nom, "
        "dans cette organisation (en-tête « Authorization: Bearer … »).",
        "A token lets a script or a CI pipeline call the API on your behalf, in this organisation "
        "(header “Authorization: Bearer …”).",
    ),
    "account.token_created": (
        "Jeton créé. Copiez-le maintenant : il ne sera plus jamais affiché.",
        "Token created. Copy it now: it will never be shown again.",
    ),
    "account.token_name": ("Nom du jeton", "Token name"),
    "account.token_days": ("Validité (jours, 0 = sans fin)", "Valid for (days, 0 = no end)"),
    "account.token_expires": ("Expire", "Expires"),
    "account.token_revoked": ("révoqué", "revoked"),
    "account.token_revoke": ("Révoquer", "Revoke"),
    "account.token_create": ("Créer un jeton", "Create a token"),
    "account.tokens_need_accounts": (
        "Les jetons d’API n’existent qu’avec des comptes.",
        "API tokens only exist with accounts.",
    ),
    "password.title": ("Changer mon mot de passe", "Change my password"),
    "password.current": ("Mot de passe actuel", "Current password"),
    "password.new": ("Nouveau mot de passe", "New password"),
    "password.again": ("Nouveau mot de passe, à nouveau", "New password again"),
    "password.help": (
        "Au moins 10 caractères, difficile à deviner : quelques mots peu courants choisis au hasard "
        "conviennent bien. Vos autres navigateurs seront déconnectés.",
        "At least 10 characters, hard to guess: a few unusual words picked at random make a good one. "
        "Your other browsers will be logged out.",
    ),
    "password.submit": ("Changer le mot de passe", "Change the password"),
    "password.changed": (
        "Mot de passe changé. Vos autres navigateurs ont été déconnectés.",
        "Password changed. Your other browsers were logged out.",
    ),
    "password.wrong": ("Le mot de passe actuel est incorrect.", "The current password is wrong."),
    "password.mismatch": (
        "Les deux nouveaux mots de passe diffèrent : tapez deux fois le même.",
        "The two new passwords differ: type the same one twice.",
    ),
    "password.blank": (
        "Un mot de passe ne peut pas être vide ni fait d’espaces.",
        "A password cannot be blank or made of spaces.",
    ),
    "password.length": (
        "Un mot de passe compte de 10 à 1024 caractères.",
        "A password has 10 to 1024 characters.",
    ),
    "password.name": (
        "Le mot de passe ne peut pas être le nom du compte.",
        "The password cannot be the account name.",
    ),
    "password.common": (
        "Ce mot de passe est trop facile à deviner (mot de passe courant, mot, nom, date ou suite de "
        "touches) : choisissez quelques mots peu courants au hasard.",
        "This password is too easy to guess (a common password, a word, a name, a date or a keyboard "
        "pattern): pick a few unusual words at random.",
    ),
    "admin.title": ("Administration", "Administration"),
    "admin.members": ("Membres", "Members"),
    "admin.members_help": (
        "Les comptes et les rôles se gèrent en ligne de commande : « airegime users --help ».",
        "Accounts and roles are managed from the command line: “airegime users --help”.",
    ),
    "admin.disabled": ("désactivé", "disabled"),
    "admin.no_tokens": ("Aucun jeton d’API.", "No API token."),
    "admin.audit": ("Journal d’audit", "Audit log"),
    "admin.export_csv": ("Exporter (CSV)", "Export (CSV)"),
    "admin.export_jsonl": ("Exporter (JSON Lines)", "Export (JSON Lines)"),
    "admin.when": ("Quand", "When"),
    "admin.who": ("Qui", "Who"),
    "admin.what": ("Action", "Action"),
    "admin.target": ("Objet", "Target"),
    "admin.detail": ("Détail", "Detail"),
    "admin.address": ("Adresse", "Address"),
    "admin.pages": ("Pages du journal", "Log pages"),
    "error.forbidden.title": ("Action non autorisée", "Not allowed"),
    "error.forbidden.text": (
        "Votre rôle dans cette organisation ne permet pas cette action. Demandez-le à un administrateur.",
        "Your role in this organisation does not allow this. Ask an administrator for it.",
    ),
    "error.no_accounts.title": ("Aucun compte", "No account yet"),
    "error.no_accounts.text": (
        "Cette application écoute au-delà de cet ordinateur : elle exige des comptes. Créez le premier "
        "administrateur avec « airegime users add NOM --org ORGANISATION --role admin ».",
        "This app listens beyond this computer, so it requires accounts. Create the first administrator "
        "with “airegime users add NAME --org ORGANISATION --role admin”.",
    ),
    "error.not_found.title": ("Page introuvable", "Page not found"),
    "error.not_found.text": (
        "Cette adresse ne correspond à aucune page ou analyse (elle a peut-être été supprimée).",
        "This address matches no page or assessment (it may have been deleted).",
    ),
    "error.csrf.title": ("Formulaire expiré", "Form expired"),
    "error.csrf.text": (
        "Ce formulaire n’a pas pu être vérifié. Rechargez la page et recommencez.",
        "This form could not be verified. Reload the page and try again.",
    ),
    "error.too_large.title": ("Envoi trop volumineux", "Upload too large"),
    "error.too_large.text": (
        "La demande dépasse la limite de 1 Mo. Envoyez un fichier plus petit.",
        "The request is over the 1 MB limit. Send a smaller file.",
    ),
    "error.method.title": ("Action non permise", "Action not allowed"),
    "error.method.text": ("Cette adresse n’accepte pas cette action.", "This address does not accept this action."),
    "error.bad_request.title": ("Demande incorrecte", "Bad request"),
    "error.bad_request.text": (
        "La demande n’a pas pu être traitée telle quelle : corrigez la valeur indiquée ci-dessous,"
        " ou revenez en arrière et recommencez depuis la page.",
        "The request could not be handled as it was: correct the value named below, or go back and"
        " start again from the page.",
    ),
    "error.render.title": ("Document impossible à produire", "Document could not be produced"),
    "error.render.text": (
        "Ce document n’a pas pu être généré. L’erreur a été consignée ; réessayez, ou utilisez la commande "
        "« airegime report ».",
        "This document could not be generated. The error was logged; try again, or use the “airegime report” command.",
    ),
    "error.batch_gone.title": ("Résultats introuvables", "Results not found"),
    "error.batch_gone.text": (
        "Ces résultats d’inventaire ne sont plus gardés (votre organisation en a envoyé beaucoup depuis), "
        "ou ont été envoyés depuis un autre navigateur. Envoyez l’inventaire à nouveau.",
        "These inventory results are no longer kept (your organisation uploaded many since), "
        "or were uploaded from another browser. Upload the inventory again.",
    ),
    "error.server.title": ("Erreur inattendue", "Unexpected error"),
    "error.server.text": (
        "Une erreur inattendue s’est produite. Elle a été consignée ; réessayez.",
        "An unexpected error occurred. It was logged; please try again.",
    ),
}

MESSAGES = {**SHARED, **WEB}


def translator(lang: Lang) -> Callable[..., str]:
    """``_(key, **values)`` in ``lang``; a missing key shows as the key itself, never a crash."""
    index = 0 if lang == "fr" else 1

    def _(key: str, **values: Any) -> str:
        pair = MESSAGES.get(key)
        if pair is None:
            return key
        return pair[index].format(**values) if values else pair[index]

    return _
