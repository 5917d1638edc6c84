"""Interface words of the reports, the methodology and the diagram, in French and English.

The shared words (statuses, phases, column titles) come from :mod:`airegime.i18n`; these are
the ones only the documents need. Legal content stays in the knowledge base.
"""

from __future__ import annotations

from airegime.i18n import MESSAGES
from airegime.kb.models import Lang

WORDS: dict[str, tuple[str, str]] = {  # key: (fr, en)
    "report.title": ("Rapport d’analyse du régime applicable", "Applicable-regime assessment report"),
    "report.generated": ("Date du rapport", "Report date"),
    "report.description": ("Description", "Description"),
    "report.summary": ("Synthèse", "Summary"),
    "report.answers": ("Questions posées et réponses", "Questions asked and answers"),
    "report.system_answers": ("Questions sur le système", "Questions about the system"),
    "report.unknown_called_out": (
        "Réponses « je ne sais pas » : elles laissent le résultat ouvert ou le fragilisent.",
        "“I don't know” answers: they leave the outcome open or make it fragile.",
    ),
    "report.no_answers": ("Aucune réponse.", "No answers."),
    "report.phases": ("Régime de chaque phase", "Regime of each phase"),
    "report.outcome": ("Résultat", "Outcome"),
    "report.authority": ("Autorité de contrôle", "Supervisory authority"),
    "report.competing": ("Régimes en balance", "Regimes in balance"),
    "report.parts": ("Régimes et finalités que chacun régit", "Regimes and the purposes each governs"),
    "report.possible": ("Régimes encore possibles", "Regimes still possible"),
    "report.open_questions": ("Questions qui trancheraient", "Questions that would settle it"),
    "report.reasons": ("Raisons (règles appliquées)", "Reasons (rules applied)"),
    "report.none_would_change": (
        "Aucun changement de quelques réponses ne modifie ce résultat.",
        "No change of a few answers alters this outcome.",
    ),
    "report.citations": ("Sources citées", "Sources cited"),
    "report.caveats": ("Réserves", "Caveats"),
    "report.rule_caveats": ("Réserves des règles appliquées", "Caveats of the rules applied"),
    "report.diagram": ("Chemin suivi dans l’arbre de décision", "Path taken in the decision diagram"),
    "report.page": ("Page", "Page"),
    "report.of": ("sur", "of"),
    "report.unknown_mark": ("(je ne sais pas)", "(I don't know)"),
    "cond.all": ("toutes les conditions suivantes :", "all of the following:"),
    "cond.any": ("au moins une des conditions suivantes :", "at least one of the following:"),
    "cond.not": ("il n’est pas vrai que :", "it is not the case that:"),
    "cond.answered": ("la réponse est", "the answer is"),
    "cond.or": ("ou", "or"),
    "cond.except": ("toute réponse sauf : ", "any answer except: "),
    "cond.given": ("réponse donnée", "answer given"),
    "method.title": ("Méthodologie", "Methodology"),
    "method.intro": (
        "Ce document est généré à partir de la base de connaissances seule : il décrit toute la méthode "
        "que l’outil applique, pour qu’un juriste puisse la vérifier au regard des textes.",
        "This document is generated from the knowledge base alone: it describes the whole method the tool "
        "applies, so that a legal reviewer can check it against the law.",
    ),
    "method.how": ("Comment l’outil raisonne", "How the tool reasons"),
    "method.how_text": (
        "Un système compte un ou plusieurs traitements de développement (constitution du jeu de données, "
        "entraînement, ajustement…, chacun avec son responsable de traitement) et un ou plusieurs "
        "contextes de déploiement ; chaque phase reçoit son propre régime. Une question peut être posée une "
        "seule fois pour tout le système (l’établissement du responsable) ; une phase menée par un autre "
        "organisme peut alors avoir sa propre réponse, qui prévaut. Pour une phase et un jeu complet de "
        "réponses, exactement une règle s’applique (ce que démontre la commande airegime verify). Un résultat "
        "peut nommer plusieurs régimes, chacun pour les finalités qu’il régit (par exemple police-justice pour "
        "les finalités pénales, RGPD pour les autres) : le traitement doit alors respecter chacun pour sa part. "
        "Une réponse « je ne sais pas » laisse ouvertes les règles qui la lisent : le résultat est alors "
        "indéterminé et l’outil indique ce que chaque réponse donnerait. Un résultat « au cas par cas » "
        "signifie que le droit lui-même ne tranche pas.",
        "A system has one or more development processings (building the dataset, training, fine-tuning…, each "
        "with its controller) and one or more deployment contexts; each phase gets its own regime. A "
        "question may be asked once for the whole system (where the controller is established); a phase run by "
        "another organisation may then have its own answer, which prevails. For a phase and a full set of "
        "answers, exactly one rule applies (which the airegime verify command proves). An outcome may name "
        "several regimes, each for the purposes it governs (for instance police-justice for the criminal-law "
        "purposes, the GDPR for the others): the processing must then comply with each for its part. An “I "
        "don't know” answer leaves open the rules that read it: the outcome is then undetermined and the tool "
        "shows what each answer would give. A “case by case” outcome means the law itself does not settle the "
        "matter.",
    ),
    "method.questions": ("Les questions", "The questions"),
    "method.scope": ("Portée", "Scope"),
    "method.allowed": ("Réponses possibles", "Allowed answers"),
    "method.examples": ("Exemples", "Examples"),
    "method.rules": ("Les règles", "The rules"),
    "method.rules_both": ("Règles communes aux deux phases", "Rules for both phases"),
    "method.rules_for": ("Règles de la phase", "Rules of the phase"),
    "method.applies_when": ("S’applique quand", "Applies when"),
    "method.leads_to": ("Conduit à", "Leads to"),
    "method.outcomes": ("Les résultats possibles", "The possible outcomes"),
    "method.case_by_case": ("Ce qui est laissé à l’analyse au cas par cas", "What is left to case-by-case analysis"),
    "method.case_by_case_text": (
        "Dans les situations suivantes, le droit ne tranche pas : l’outil nomme les régimes en balance et "
        "renvoie à une analyse au cas par cas.",
        "In the following situations the law does not settle the matter: the tool names the regimes in "
        "balance and refers to a case-by-case analysis.",
    ),
    "method.sources": ("Les sources", "The sources"),
    "method.general_caveats": ("Réserves générales", "General caveats"),
    "method.kind.regime": ("régime", "regime"),
    "method.kind.split": ("plusieurs régimes, chacun pour ses finalités", "several regimes, each for its purposes"),
    "method.kind.not_applicable": ("non applicable", "not applicable"),
    "method.kind.case_by_case": ("au cas par cas", "case by case"),
    "method.scope.system": ("le système (une fois)", "the system (once)"),
    "method.scope.development": ("chaque traitement de développement", "each development processing"),
    "method.scope.overridable": (
        "le système (une fois) ; une phase peut avoir sa propre réponse",
        "the system (once); a phase may have its own answer",
    ),
    "method.scope.deployment": ("chaque déploiement", "each deployment"),
    "method.diagram": ("Arbre de décision", "Decision diagram"),
    "diagram.title": ("Arbre de décision du régime applicable", "Decision diagram of the applicable regime"),
    "diagram.start": ("Début", "Start"),
    "diagram.legend.regime": ("un régime s’applique", "a regime applies"),
    "diagram.legend.split": ("plusieurs régimes, chacun pour ses finalités", "several regimes, each for its purposes"),
    "diagram.legend.not_applicable": ("aucun régime de la fiche", "no regime of the sheet"),
    "diagram.legend.case_by_case": ("au cas par cas : le droit ne tranche pas", "case by case: the law leaves it open"),
    "diagram.legend.unknown": ("réponse « je ne sais pas »", "answer “I don't know”"),
    "report.legend": (
        "✓ condition remplie, ✗ non remplie, ? ouverte (réponse inconnue)",
        "✓ condition met, ✗ not met, ? open (answer unknown)",
    ),
    "diagram.other": ("toute autre réponse", "any other answer"),
    "diagram.path": ("chemin suivi", "path taken"),
    "diagram.open": ("réponse inconnue : le chemin s’arrête ici", "answer unknown: the path stops here"),
    "answer.yes": ("Oui", "Yes"),
    "answer.no": ("Non", "No"),
    # The one-page summary, the reason-first details and the annex (issue 14).
    "report.at_a_glance": ("Résultat par phase", "Outcome by phase"),
    "report.open_points": ("Points ouverts", "Open points"),
    "report.no_open_points": (
        "Aucun : chaque question qui compte a reçu une réponse.",
        "None: every question that matters has been answered.",
    ),
    "report.unknown_point": ("réponse « je ne sais pas »", "answered “I don't know”"),
    "report.and": ("et", "and"),
    "report.more_changes": (
        "Autres réponses qui changeraient le résultat",
        "Other answers that would change the outcome",
    ),
    "report.more_changes_note": (
        "{n} autres combinaisons de réponses changeraient aussi le régime : voir l’annexe.",
        "{n} other combinations of answers would also change the regime: see the annex.",
    ),
    "report.more_change_note": (
        "Une autre combinaison de réponses changerait aussi le régime : voir l’annexe.",
        "One other combination of answers would also change the regime: see the annex.",
    ),
    "report.annex": ("Annexe : règles examinées et autres scénarios", "Annex: rules considered and other scenarios"),
    "report.annex_lead": (
        "Pour qui veut suivre tout le raisonnement : ces éléments ne modifient pas les résultats ci-dessus.",
        "For readers who want the whole reasoning: nothing here alters the outcomes above.",
    ),
    "report.undetermined_lead": (
        "Aucune règle ne s’impose encore : le régime dépend des réponses ci-dessous.",
        "No rule applies yet: the regime depends on the answers below.",
    ),
}


def w(key: str, lang: Lang) -> str:
    """A document word, falling back on the shared interface words."""
    fr, en = WORDS[key] if key in WORDS else MESSAGES[key]
    return fr if lang == "fr" else en
