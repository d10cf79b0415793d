"""The few words the web page itself says (exit button, input, errors).

Conversation text lives in flows/*.yaml; these belong to the page around it, as the Telegram
channel has its own command menu texts. The Dutch is the source; the catalogs in locales/
translate them under the context given here (`Wording`), like every other text, so `i18n check`
fails on a language that lacks one. `{noodnummer}` is filled in from the directory, `{n}` by
the page's script.
"""

from __future__ import annotations

from bot.channels.wording import Translations, Wording

RTL = ("ar", "fa", "he", "ur")

WORDS = (
    Wording(
        "web:title",
        "Chat",
        (
            "web chat: the browser tab's title (kept plain on purpose: a tab must not say what "
            "the page is about)"
        ),
    ),
    Wording(
        "web:heading",
        "Anoniem chatten",
        "web chat: the page's heading",
    ),
    Wording(
        "web:exit",
        "Snel weg",
        "web chat: the quick-exit button, always on screen (short)",
    ),
    Wording(
        "web:exit_label",
        "Snel weg: verlaat deze pagina meteen",
        "web chat: the quick-exit button's label for screen readers",
    ),
    Wording(
        "web:exit_hint",
        "Of druk 3 keer op Shift",
        "web chat: under the quick-exit button",
    ),
    Wording(
        "web:shift_more",
        "Druk nog {n} keer op Shift om deze pagina te verlaten.",
        "web chat: after he pressed Shift, how many more presses leave the page; {n} is a number",
    ),
    Wording(
        "web:intro",
        (
            "Een anonieme chat voor mannen die thuis of in hun relatie te maken hebben met "
            "geweld, dreiging of controle, in Nederland en België. Je naam is niet nodig en er "
            "wordt niets bewaard van wat je typt."
        ),
        "web chat: the introduction above the conversation",
    ),
    Wording(
        "web:danger",
        "Ben je nu in gevaar? Bel {noodnummer}.",
        "web chat: always above the conversation",
    ),
    Wording(
        "web:start",
        "Begin het gesprek",
        "web chat: the button that starts the conversation",
    ),
    Wording(
        "web:safety_title",
        "Veilig chatten",
        "web chat: heading of the safety notes",
    ),
    Wording(
        "web:safety",
        (
            "Het gesprek staat alleen in dit tabblad, tot je het sluit, op Snel weg drukt of "
            '"stop" typt: dan is het ook bij ons gewist. De chat gebruikt één cookie, die '
            "verdwijnt als je de browser sluit."
        ),
        "web chat: safety note, what is kept and for how long",
    ),
    Wording(
        "web:history",
        (
            "Je browser onthoudt wel het adres van deze pagina in de geschiedenis. Chat daarom in "
            "een privévenster (incognito), of wis daarna je browsergeschiedenis (meestal via "
            "Ctrl+H of het menu Geschiedenis)."
        ),
        "web chat: safety note about the browser's history",
    ),
    Wording(
        "web:log_label",
        "Gesprek",
        "web chat: screen-reader label of the conversation",
    ),
    Wording(
        "web:me",
        "Jij",
        "web chat: shown beside his own messages",
    ),
    Wording(
        "web:bot",
        "Chat",
        "web chat: shown beside the bot's messages",
    ),
    Wording(
        "web:input_label",
        "Je bericht",
        "web chat: label of the message box",
    ),
    Wording(
        "web:placeholder",
        "Typ hier je bericht",
        "web chat: placeholder in the empty message box",
    ),
    Wording(
        "web:send",
        "Verstuur",
        "web chat: the send button",
    ),
    Wording(
        "web:sending",
        "Wordt verstuurd…",
        "web chat: while a message is being sent",
    ),
    Wording(
        "web:offline",
        "Nog niet verstuurd: er is geen verbinding. We proberen het zo opnieuw.",
        "web chat: when a message could not be sent for lack of a connection",
    ),
    Wording(
        "web:slow_down",
        "Even rustig aan: je stuurt veel berichten tegelijk. Probeer het zo opnieuw.",
        "web chat: when he sends many messages at once",
    ),
    Wording(
        "web:trouble",
        "Er ging aan onze kant iets mis. Probeer het nog eens.",
        "web chat: when a message could not be handled because of a fault on our side",
    ),
    Wording(
        "web:gone",
        "Dit gesprek is gewist of verlopen.",
        "web chat: when the conversation was erased or expired",
    ),
    Wording(
        "web:restart",
        "Opnieuw beginnen",
        "web chat: button to start again",
    ),
    Wording(
        "web:no_cookie",
        (
            "Je browser laat deze chat hier geen cookie bewaren (dat gebeurt als de chat in een "
            "andere site is ingebouwd). Open de chat in een eigen tabblad."
        ),
        "web chat: when the browser refuses the chat's cookie (the chat built into another site)",
    ),
    Wording(
        "web:open_tab",
        "Open de chat in een nieuw tabblad",
        "web chat: link that opens the chat in a tab of its own",
    ),
    Wording(
        "web:noscript",
        "Deze chat werkt alleen met JavaScript aan.",
        "web chat: shown when JavaScript is off",
    ),
)
PAGE = {wording.name: wording for wording in WORDS}


def texts_for(catalogs: Translations, locale: str) -> dict[str, str]:
    """Every page text in this language (the Dutch where its catalog has none)."""
    return {name: wording.text(catalogs, locale) for name, wording in PAGE.items()}


def direction(locale: str) -> str:
    return "rtl" if locale.split("-")[0] in RTL else "ltr"
