"""The few words the web page itself says (exit button, input, errors), per language.

Conversation text lives in flows/*.yaml; these belong to the page around it, as the Telegram
channel has its own command menu texts. `{noodnummer}` is filled in from the directory. A
language without its own set here gets English, then Dutch, word by word.
"""

from __future__ import annotations

RTL = ("ar", "fa", "he", "ur")

NL = {
    "title": "Chat",
    "heading": "Anoniem chatten",
    "exit": "Snel weg",
    "exit_label": "Snel weg: verlaat deze pagina meteen",
    "exit_hint": "Of druk 3 keer op Shift",
    "shift_more": "Druk nog {n} keer op Shift om deze pagina te verlaten.",
    "intro": (
        "Een anonieme chat voor mannen die thuis of in hun relatie te maken hebben met geweld, "
        "dreiging of controle, in Nederland en België. Je naam is niet nodig en er wordt niets "
        "bewaard van wat je typt."
    ),
    "danger": "Ben je nu in gevaar? Bel {noodnummer}.",
    "start": "Begin het gesprek",
    "safety_title": "Veilig chatten",
    "safety": (
        "Het gesprek staat alleen in dit tabblad, tot je het sluit, op Snel weg drukt of "
        '"stop" typt: dan is het ook bij ons gewist. De chat gebruikt één cookie, die verdwijnt '
        "als je de browser sluit."
    ),
    "history": (
        "Je browser onthoudt wel het adres van deze pagina in de geschiedenis. Chat daarom in "
        "een privévenster (incognito), of wis daarna je browsergeschiedenis (meestal via "
        "Ctrl+H of het menu Geschiedenis)."
    ),
    "log_label": "Gesprek",
    "me": "Jij",
    "bot": "Chat",
    "input_label": "Je bericht",
    "placeholder": "Typ hier je bericht",
    "send": "Verstuur",
    "sending": "Wordt verstuurd…",
    "offline": "Nog niet verstuurd: er is geen verbinding. We proberen het zo opnieuw.",
    "slow_down": "Even rustig aan: je stuurt veel berichten tegelijk. Probeer het zo opnieuw.",
    "trouble": "Er ging aan onze kant iets mis. Probeer het nog eens.",
    "gone": "Dit gesprek is gewist of verlopen.",
    "restart": "Opnieuw beginnen",
    "no_cookie": (
        "Je browser laat deze chat hier geen cookie bewaren (dat gebeurt als de chat in een "
        "andere site is ingebouwd). Open de chat in een eigen tabblad."
    ),
    "open_tab": "Open de chat in een nieuw tabblad",
    "noscript": "Deze chat werkt alleen met JavaScript aan.",
}

EN = {
    "title": "Chat",
    "heading": "Anonymous chat",
    "exit": "Exit now",
    "exit_label": "Exit now: leave this page at once",
    "exit_hint": "Or press Shift 3 times",
    "shift_more": "Press Shift {n} more times to leave this page.",
    "intro": (
        "An anonymous chat for men who face violence, threats or control at home or in their "
        "relationship, in the Netherlands and Belgium. You don't need to give your name and "
        "nothing you type is kept."
    ),
    "danger": "In danger right now? Call {noodnummer}.",
    "start": "Start the chat",
    "safety_title": "Chatting safely",
    "safety": (
        "The conversation is only in this tab until you close it, press Exit now or type "
        '"stop": then it is erased on our side too. The chat uses one cookie, which is gone '
        "when you close the browser."
    ),
    "history": (
        "Your browser does keep this page's address in its history. So chat in a private "
        "(incognito) window, or clear your browsing history afterwards (usually Ctrl+H or the "
        "History menu)."
    ),
    "log_label": "Conversation",
    "me": "You",
    "bot": "Chat",
    "input_label": "Your message",
    "placeholder": "Type your message here",
    "send": "Send",
    "sending": "Sending…",
    "offline": "Not sent yet: there is no connection. We will try again shortly.",
    "slow_down": "Slow down a little: you are sending many messages at once. Try again shortly.",
    "trouble": "Something went wrong on our side. Please try again.",
    "gone": "This conversation was erased or has expired.",
    "restart": "Start again",
    "no_cookie": (
        "Your browser does not let this chat keep a cookie here (that happens when the chat "
        "is built into another site). Open the chat in a tab of its own."
    ),
    "open_tab": "Open the chat in a new tab",
    "noscript": "This chat only works with JavaScript switched on.",
}

# Belgian French, 'vous', as the fr catalog (locales/fr); not reviewed by a native speaker.
FR = {
    "title": "Chat",
    "heading": "Chat anonyme",
    "exit": "Quitter vite",
    "exit_label": "Quitter vite : quitter cette page tout de suite",
    "exit_hint": "Ou appuyez 3 fois sur Maj (Shift)",
    "shift_more": "Appuyez encore {n} fois sur Maj pour quitter cette page.",
    "intro": (
        "Un chat anonyme pour les hommes confrontés à de la violence, des menaces ou du "
        "contrôle à la maison ou dans leur couple, aux Pays-Bas et en Belgique. Vous ne devez "
        "pas donner votre nom et rien de ce que vous tapez n'est conservé."
    ),
    "danger": "En danger maintenant ? Appelez le {noodnummer}.",
    "start": "Commencer la conversation",
    "safety_title": "Chatter en sécurité",
    "safety": (
        "La conversation n'existe que dans cet onglet, jusqu'à ce que vous le fermiez, que vous "
        "appuyiez sur Quitter vite ou que vous tapiez « stop » : elle est alors effacée chez nous "
        "aussi. Le chat utilise un seul cookie, qui disparaît quand vous fermez le navigateur."
    ),
    "history": (
        "Votre navigateur garde cependant l'adresse de cette page dans son historique. Chattez "
        "donc dans une fenêtre de navigation privée, ou effacez ensuite votre historique "
        "(souvent Ctrl+H ou le menu Historique)."
    ),
    "log_label": "Conversation",
    "me": "Vous",
    "bot": "Chat",
    "input_label": "Votre message",
    "placeholder": "Tapez votre message ici",
    "send": "Envoyer",
    "sending": "Envoi…",
    "offline": "Pas encore envoyé : pas de connexion. Nous réessayons dans un instant.",
    "slow_down": "Doucement : vous envoyez beaucoup de messages à la fois. Réessayez bientôt.",
    "trouble": "Quelque chose n'a pas marché de notre côté. Réessayez.",
    "gone": "Cette conversation a été effacée ou a expiré.",
    "restart": "Recommencer",
    "no_cookie": (
        "Votre navigateur ne permet pas à ce chat de garder un cookie ici (c'est le cas quand "
        "le chat est intégré dans un autre site). Ouvrez le chat dans un onglet à part."
    ),
    "open_tab": "Ouvrir le chat dans un nouvel onglet",
    "noscript": "Ce chat ne fonctionne qu'avec JavaScript activé.",
}

TEXTS: dict[str, dict[str, str]] = {"nl": NL, "en": EN, "fr": FR}


def texts_for(locale: str) -> dict[str, str]:
    """Every page text in this language, English or Dutch where it has none."""
    return {**NL, **EN, **TEXTS.get(locale, {})} if locale != "nl" else dict(NL)


def direction(locale: str) -> str:
    return "rtl" if locale.split("-")[0] in RTL else "ltr"
