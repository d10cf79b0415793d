"""The few Dutch texts only the Telegram channel says (profile, commands, group and flood notes).

Conversation text lives in flows/*.yaml; these belong to Telegram itself (its command menu,
profile fields, or situations the engine never sees, such as a group chat).
"""

from __future__ import annotations

COMMANDS = (
    ("start", "Opnieuw beginnen"),
    ("stop", "Alles wissen en stoppen"),
    ("help", "Hoe werkt deze chat?"),
)

# setMyDescription (<= 512 characters): shown in an empty chat before the first /start.
DESCRIPTION = (
    "Een anonieme chat voor mannen die thuis of in hun relatie te maken hebben met geweld, "
    "dreiging of controle, in Nederland en Vlaanderen. Je krijgt uitleg en de juiste hulplijnen. "
    'Je naam is niet nodig en er wordt niets bewaard: typ "stop" en het gesprek is gewist. '
    "Ben je nu in gevaar? Bel 112."
)

# setMyShortDescription (<= 120 characters): on the profile page and when the bot is shared.
SHORT_DESCRIPTION = "Anonieme eerste hulp bij geweld thuis, voor mannen. Er wordt niets bewaard."

GROUP_ONLY_PRIVATE = (
    "Ik praat alleen in een privégesprek. Stuur me daar /start. In deze groep bewaar ik niets."
)

SLOW_DOWN = (
    "Even rustig aan: je stuurt veel berichten tegelijk. Over een paar tellen lees ik weer mee."
)

TROUBLE = "Er ging aan mijn kant iets mis. Probeer het nog eens, of stuur /start."
