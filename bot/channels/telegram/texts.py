"""The few texts only the Telegram channel says (profile, commands, group and flood notes).

Conversation text lives in flows/*.yaml; these belong to Telegram itself (its command menu,
profile fields, or situations the engine never sees, such as a group chat). The Dutch is the
source; the catalogs in locales/ translate them under the context given here (`Wording`), and
`app.announce` registers the menu and profile once per language with its `language_code`.
`{noodnummer}` is filled in from the directory.
"""

from __future__ import annotations

from bot.channels.wording import Wording

# The command menu (setMyCommands), in this order; a description holds 3-256 characters.
# /start, /stop and /help act at once in any language; the language command is the word the
# intents know in that language.
COMMANDS = (
    (
        "start",
        Wording(
            "telegram:command:start",
            "Opnieuw beginnen",
            "Telegram's command menu: what /start does",
            3,
            256,
        ),
    ),
    (
        "stop",
        Wording(
            "telegram:command:stop",
            "Alles wissen en stoppen",
            "Telegram's command menu: what /stop does (the conversation is deleted at once)",
            3,
            256,
        ),
    ),
    (
        "help",
        Wording(
            "telegram:command:help",
            "Hoe werkt deze chat?",
            "Telegram's command menu: what /help does",
            3,
            256,
        ),
    ),
    (
        "language",
        Wording(
            "telegram:command:language",
            "Andere taal kiezen",
            "Telegram's command menu: choose the language of the conversation",
            3,
            256,
        ),
    ),
)
# The language command's name in each menu: a word the intents know (flows/intents.yaml,
# `language`), in a-z as Telegram requires; "language" where the language has none in a-z.
LANGUAGE_COMMANDS = {"nl": "taal", "en": "language", "fr": "langue", "tr": "dil", "pl": "jezyk"}

DESCRIPTION = Wording(
    "telegram:description",
    "Een anonieme chat voor mannen die thuis of in hun relatie te maken hebben met geweld, "
    "dreiging of controle, in Nederland en België. Je krijgt uitleg en de juiste hulplijnen. "
    'Je naam is niet nodig en er wordt niets bewaard: typ "stop" en het gesprek is gewist. '
    "Ben je nu in gevaar? Bel {noodnummer}.",
    "Telegram: the bot's description, shown in the empty chat before he first writes",
    0,
    512,
)

SHORT_DESCRIPTION = Wording(
    "telegram:short_description",
    "Anonieme eerste hulp bij geweld thuis, voor mannen. Er wordt niets bewaard.",
    "Telegram: the bot's short description, on its profile page and when the bot is shared",
    0,
    120,
)

GROUP_ONLY_PRIVATE = Wording(
    "telegram:group_only_private",
    "Ik praat alleen in een privégesprek. Stuur me daar /start. In deze groep bewaar ik niets.",
    "Telegram: the one note in a group chat the bot was added to (it talks only one to one)",
)

SLOW_DOWN = Wording(
    "telegram:slow_down",
    "Even rustig aan: je stuurt veel berichten tegelijk. Over een paar tellen lees ik weer mee.",
    "Telegram: sent once when he sends many messages at once (the next few are not read)",
)

TROUBLE = Wording(
    "telegram:trouble",
    "Er ging aan mijn kant iets mis. Probeer het nog eens, of stuur /start.",
    "Telegram: sent when his message could not be handled because of a fault on our side",
)


def language_command(locale: str) -> str:
    return LANGUAGE_COMMANDS.get(locale, "language")
