"""The reviewer's document speaks Dutch, whatever language the bot's texts are shown in.

Volunteers who review the scripts read Dutch; every heading, label and legend entry of
`flows render` comes from here, so the words are chosen once and kept the same in HTML,
Markdown and the drawings.
"""

from __future__ import annotations

TITLE = "Het gesprek van de chatbot, stap voor stap"
CONTENTS = "Inhoud"
LANGUAGE = "Teksten in het {language}"
LANGUAGES = {"nl": "Nederlands", "en": "Engels", "fr": "Frans", "ar": "Arabisch", "tr": "Turks"}
CARDS_AT = "Kaarten zoals ze op {moment} getoond worden (open of dicht hangt van het uur af)."
FILE = "Bestand"
STARTS_AT = "begint bij"
STEPS = "stappen"
DRAWING = "Tekening"
STEP = "Stap"
LINE = "regel"
TEXT = "Tekst"
NOT_TRANSLATED = "nog niet vertaald: de bot toont hier de Nederlandse tekst"
NOTE = "Notitie"
SOURCES = "Bron"
PASSAGE = "Passage"
CHOICES = "Knoppen"
ROUTE = "De bot kiest zelf, zonder bericht, op {by}:"
ROUTE_BY = {"region": "regio"}
OTHERWISE = "anders"
TYPED = "Getypte tekst"
TYPED_REPLY = "antwoord: {reply}"
CARDS = "Verwijzingen (uit de gids)"
ALL_REGIONS = "elke regio"
NO_CARDS = "geen kaart (de lijn is niet actief of staat niet in de gids)"
END = "Einde van deze weg: de bot biedt het menu aan."
FORGET = "Wist het gesprek: de sessie wordt meteen verwijderd."
RECORDS = "onthoudt {answer} = {value}"
GOES_TO = "gaat naar"
OTHER_FLOW = "in {flow}"

# What an intent button does, named instead of an empty target.
INTENT = {
    "back": "terug naar waar hij was",
    "menu": "naar het menu",
    "stop": "wist het gesprek (stop)",
    "help": "uitleg over de chat",
    "language": "een andere taal kiezen",
    "emergency": "direct gevaar (112)",
}

# The drawing's legend: one word per kind of step.
KIND = {
    "entry": "begin",
    "question": "vraag",
    "handoff": "doorverwijzing",
    "end": "einde",
    "route": "keuze door de bot",
    "elsewhere": "stap in een ander deel",
    "intent": "knop die overal werkt",
}
LEGEND = "Legenda"
