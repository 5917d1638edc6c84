"""The words of `airegime interview`, in French and English (legal texts come from the knowledge base)."""

from __future__ import annotations

from airegime.kb.models import Lang

TEXT: dict[str, tuple[str, str]] = {  # key: (fr, en)
    "title": ("Entretien guidé airegime", "airegime guided interview"),
    "commands": (
        "À chaque question : tapez le numéro d’une réponse, ? pour l’aide, b pour revenir en arrière, "
        "c pour modifier une réponse précédente, q pour enregistrer et quitter.",
        "At each question: type the number of an answer, ? for help, b to go back, "
        "c to change an earlier answer, q to save and quit.",
    ),
    "ask.name": ("Nom du système d’IA : ", "Name of the AI system: "),
    "ask.organisation": ("Organisme (facultatif) : ", "Organisation (optional): "),
    "ask.description": ("Description en une phrase (facultatif) : ", "One-sentence description (optional): "),
    "ask.deployment": (
        "Nom d’un contexte de déploiement (qui utilise le système, pour quoi) : ",
        "Name of a deployment context (who uses the system, for what): ",
    ),
    "ask.answer": ("Votre réponse : ", "Your answer: "),
    "ask.choice": ("Votre choix : ", "Your choice: "),
    "ask.overwrite": (
        "Le fichier {path} existe déjà. Le remplacer ? [o/N] ",
        "{path} already exists. Replace it? [y/N] ",
    ),
    "ask.other_file": ("Nom du fichier où enregistrer [{path}] : ", "File to save to [{path}]: "),
    "ask.which_answer": (
        "Numéro de la réponse à modifier (Entrée pour annuler) : ",
        "Number of the answer to change (Enter to cancel): ",
    ),
    "ask.which_deployment": (
        "Numéro du contexte (Entrée pour annuler) : ",
        "Number of the context (Enter to cancel): ",
    ),
    "ask.new_name": ("Nouveau nom : ", "New name: "),
    "required": ("Une réponse est nécessaire.", "An answer is needed."),
    "saving_to": (
        "Vos réponses sont enregistrées au fur et à mesure dans {path}.",
        "Your answers are saved as you go in {path}.",
    ),
    "resumed": (
        "Reprise de {path} : {count} réponse(s) déjà données.",
        "Resuming {path}: {count} answer(s) already given.",
    ),
    "scope.system": ("Système", "System"),
    "scope.development": ("Développement", "Development"),
    "scope.deployment": ("Déploiement : {name}", "Deployment: {name}"),
    "scope.named_development": ("Développement : {name}", "Development: {name}"),
    "scope.numbered_development": ("Développement {n}", "Development {n}"),
    "progress": ("question {n} sur {total} au plus", "question {n} of at most {total}"),
    "keys": (
        "? aide · b retour · c modifier une réponse · q enregistrer et quitter",
        "? help · b back · c change an answer · q save and quit",
    ),
    "bad.number": (
        "{value} n’est pas proposé : tapez un nombre de 1 à {max}.",
        "{value} is not offered: type a number from 1 to {max}.",
    ),
    "bad.word": (
        "« {value} » n’est pas une réponse comprise : tapez un numéro, ou ? pour l’aide.",
        "“{value}” is not an answer I understand: type a number, or ? for help.",
    ),
    "bad.choice": (
        "Choix non compris : tapez un nombre de 1 à {max}.",
        "Choice not understood: type a number from 1 to {max}.",
    ),
    "help.examples": ("Exemples", "Examples"),
    "help.sources": ("Sources", "Sources"),
    "undone": ("Annulé : {what}", "Undone: {what}"),
    "undone.other": ("Modification annulée : {what}", "Change undone: {what}"),
    "nothing_to_undo": (
        "Rien à annuler dans cette session. Pour modifier une réponse enregistrée, tapez c.",
        "Nothing to undo in this session. To change a saved answer, type c.",
    ),
    "no_answers": ("Aucune réponse n’a encore été donnée.", "No answer has been given yet."),
    "changed": ("Réponse modifiée.", "Answer changed."),
    "done": ("Plus de question à poser", "No more questions to ask"),
    "menu.add": ("Ajouter un autre contexte de déploiement", "Add another deployment context"),
    "menu.change": ("Modifier une réponse", "Change an answer"),
    "menu.rename": ("Renommer un contexte de déploiement", "Rename a deployment context"),
    "menu.remove": ("Supprimer un contexte de déploiement", "Remove a deployment context"),
    "menu.finish": ("Terminer et afficher le résultat", "Finish and show the result"),
    "added": ("Contexte ajouté : {name}. Ses questions suivent.", "Context added: {name}. Its questions follow."),
    "removed": ("Contexte supprimé : {name}", "Context removed: {name}"),
    "recap": ("Récapitulatif", "Summary"),
    "saved": ("Descriptif enregistré dans {path}.", "Descriptor saved to {path}."),
    "details": (
        "Le raisonnement complet (règles, sources, ce qui changerait le résultat) : airegime explain {path}",
        "The full reasoning (rules, sources, what would change the outcome): airegime explain {path}",
    ),
    "missing": ("réponse attendue : {names}", "answer needed: {names}"),
    "no_folder": ("le dossier {folder} n’existe pas", "the folder {folder} does not exist"),
    "quit": (
        "Progression enregistrée dans {path}. Pour reprendre : airegime interview --resume {path}",
        "Progress saved to {path}. To resume: airegime interview --resume {path}",
    ),
    "interrupted": ("Interrompu.", "Interrupted."),
    "nothing_saved": (
        "Interrompu avant la première réponse : rien n’a été enregistré.",
        "Interrupted before the first answer: nothing was saved.",
    ),
    "save_failed": ("Impossible d’enregistrer {path} : {reason}", "Cannot save {path}: {reason}"),
    "save_hint": ("  → Relancez avec --save AUTRE_FICHIER.yaml", "  → Run again with --save OTHER_FILE.yaml"),
    "unknown": ("Je ne sais pas", "I don't know"),
    "change.title": ("Modifier · {scope}", "Change · {scope}"),
    "change.current": ("réponse actuelle : {answer}", "current answer: {answer}"),
    "change.keys": (
        "? aide · b revenir à la liste des réponses · Entrée pour annuler",
        "? help · b back to the list of answers · Enter to cancel",
    ),
    "error.last_deployment": (
        "Le seul contexte de déploiement ne peut pas être supprimé : ajoutez-en un autre d’abord, ou renommez-le.",
        "The only deployment context cannot be removed: add another one first, or rename it.",
    ),
    "error.duplicate_name": (
        "Un contexte de déploiement s’appelle déjà « {name} » : choisissez un autre nom.",
        "A deployment context is already called “{name}”: choose another name.",
    ),
    "error.empty_name": ("Un contexte de déploiement a besoin d’un nom.", "A deployment context needs a name."),
    "yes_words": ("o,oui,y,yes", "y,yes,o,oui"),
}


def say(key: str, lang: Lang, **values: object) -> str:
    fr, en = TEXT[key]
    return (fr if lang == "fr" else en).format(**values)
