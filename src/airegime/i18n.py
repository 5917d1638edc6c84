"""Interface words shared by the command line and reports, in French and English.

Legal content (questions, rules, outcomes) lives in the knowledge base, not here.
"""

from __future__ import annotations

from airegime.kb.models import Lang

MESSAGES: dict[str, tuple[str, str]] = {  # key: (fr, en)
    "status.determined": ("déterminé", "determined"),
    "status.undetermined": ("indéterminé", "undetermined"),
    "status.case_by_case": ("au cas par cas", "case by case"),
    "phase.development": ("Développement", "Development"),
    "phase.deployment": ("Déploiement", "Deployment"),
    "col.phase": ("Phase", "Phase"),
    "col.regime": ("Régime", "Regime"),
    "col.status": ("Statut", "Status"),
    "col.reason": ("Raison", "Reason"),
    "undetermined.possible": ("Possibles : ", "Possible: "),
    "undetermined.depends": ("Dépend de : ", "Depends on: "),
    "outcome.undetermined": ("Indéterminé", "Undetermined"),
    "undetermined.headline": ("Indéterminé — dépend de : ", "Undetermined — depends on: "),
    "reason.title": ("La raison qui a décidé", "The reason that decided"),
    "reason.answers": ("Les réponses qui suffisent à ce résultat", "The answers that are enough for this outcome"),
    "reason.none": (
        "Rien n’a encore été répondu qui oriente le résultat.",
        "Nothing answered yet points the outcome one way.",
    ),
    "reason.all_lead_here": (
        "Aucune règle ne s’applique encore à elle seule, mais toutes celles qui restent possibles mènent à ce "
        "régime : les questions laissées ouvertes ne peuvent plus le changer.",
        "No rule applies on its own yet, but every rule still possible leads to this regime: the questions "
        "left open can no longer change it.",
    ),
    "reason.others": ("Autres règles examinées", "Other rules considered"),
    "reason.others_lead": (
        "Ces règles restaient possibles au vu des questions non posées ou laissées ouvertes ; "
        "aucune ne change le résultat.",
        "These rules remained possible given the questions not asked or left open; none changes the outcome.",
    ),
    "next.title": ("Question à trancher d’abord", "Question to settle first"),
    "next.others": ("Autres questions ouvertes", "Other open questions"),
    "next.answer": ("Répondre à cette question", "Answer this question"),
    "next.command": (
        "Pour y répondre : airegime interview --resume {file}, puis c pour modifier une réponse",
        "To answer it: airegime interview --resume {file}, then c to change an answer",
    ),
    "whatif.if_answer": ("Si vous répondez", "If you answer"),
    "whatif.regime": ("le régime serait", "the regime would be"),
    "explain.and": ("et", "and"),
    "explain.for": ("pour", "for"),
    "explain.all_rules_hint": ("voir avec --all-rules", "see them with --all-rules"),
    "settled.whatever": ("Même régime quelle que soit la réponse à : ", "Same regime whatever the answer to: "),
    "answer.unknown": ("je ne sais pas", "I don't know"),
    "answer.not_asked": (
        "non posée (elle ne peut pas changer le résultat)",
        "not asked (it cannot change the outcome)",
    ),
    "explain.rule": ("Règle", "Rule"),
    "explain.sources": ("Sources", "Sources"),
    "explain.caveat": ("Réserve", "Caveat"),
    "explain.would_change": ("Ce qui changerait le résultat", "What would change the outcome"),
    "explain.if": ("si", "if"),
    "explain.required": ("requis :", "required:"),
    "explain.then": ("alors", "then"),
    "explain.next_steps": ("Prochaines étapes", "Next steps"),
    "explain.caveats": ("À garder en tête", "Keep in mind"),
    "explain.answers": ("Réponses", "Answers"),
    "explain.conditions": ("Conditions", "Conditions"),
    "truth.met": ("remplie", "met"),
    "truth.not_met": ("non remplie", "not met"),
    "truth.open": ("ouverte", "open"),
    "rule_set": ("Jeu de règles", "Rule set"),
    "disclaimer": ("Avertissement", "Disclaimer"),
    "system": ("Système", "System"),
    "organisation": ("Organisme", "Organisation"),
    "sources.says": ("ce que dit le texte", "what it says"),
    "upgrade.note": ("note", "note"),
    "verify.ok": ("Le jeu de règles est complet et sans ambiguïté.", "The rule set is complete and unambiguous."),
    "verify.failed": ("Le jeu de règles présente des problèmes :", "The rule set has problems:"),
}


def t(key: str, lang: Lang) -> str:
    fr, en = MESSAGES[key]
    return fr if lang == "fr" else en
