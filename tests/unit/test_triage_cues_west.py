"""Western and Nordic cue tables read the registers real referrals are written in: a provider
moderator's third-person summary, slangy first-person chat without accents, and a child's own
words; and ordinary everyday text in the same languages raises nothing."""

from __future__ import annotations

import pytest

from grace.triage.cues import PACKAGED, find_cues, load

RAISING = ("contact", "access", "sextortion", "production", "urgency", "risk", "grooming")

# language -> (text as a moderator, a user or a child writes it, category, phrase matched)
REGISTERS: dict[str, list[tuple[str, str, str]]] = {
    "en": [
        ("User arranged to meet a minor at a shopping centre", "contact", "arranged to meet"),
        ("The account holder proposed a meeting with the child", "contact", "proposed a meeting"),
        ("Suspect asked for the child's address", "contact", "asked for the childs address"),
        ("ill come to ur school friday", "contact", "ill come to ur"),
        ("send me ur adress", "contact", "send me ur adress"),
        ("Per the bio, he works as a swim coach", "access", "swim coach"),
        ("Household includes young children", "access", "household includes young children"),
        ("User demanded payment via gift cards", "sextortion", "demanded payment"),
        ("Suspect threatened to publish the images", "sextortion", "threatened to publish"),
        ("pay me or everyone sees them", "sextortion", "or everyone sees"),
        ("Content appears newly produced", "production", "appears newly produced"),
        ("Victim expressed fear of the suspect", "urgency", "victim expressed fear"),
        ("pls help he knows where i live", "urgency", "he knows where i live"),
        ("Reporter believes the child is in immediate danger", "risk", "reporter believes"),
        ("Requested to move the conversation to another app", "grooming",
         "requested to move the conversation"),
        ("Both parties appear to be minors", "minor_to_minor", "both parties appear to be minors"),
        ("Image appears to be AI-generated art made with Midjourney", "generative_ai",
         "midjourney"),
        ("Clip shared in outrage, widely reposted", "viral", "shared in outrage"),
        ("File uploaded in 2019, account inactive since 2020", "historical", "uploaded in 2019"),
    ],
    "de": [
        ("Nutzer verabredete ein Treffen mit einer Minderjährigen", "contact",
         "verabredete ein treffen"),
        ("Der Nutzer schlug ein Treffen am Bahnhof vor", "contact",
         "schlug ein treffen am bahnhof vor"),
        ("fragte nach der Adresse des Kindes", "contact", "fragte nach der adresse"),
        ("ich komm zu deiner schule morgen", "contact", "ich komm zu deiner schule"),
        ("Laut Profil arbeitet er als Schwimmtrainer", "access", "schwimmtrainer"),
        ("Im Haushalt leben zwei kleine Kinder", "access", "im haushalt leben zwei kleine kinder"),
        ("Er forderte eine Zahlung von 500 Euro", "sextortion", "forderte eine zahlung"),
        ("drohte, die Bilder zu veröffentlichen", "sextortion",
         "drohte die bilder zu veroffentlichen"),
        ("sonst schick ich die bilder an alle", "sextortion", "sonst schick ich"),
        ("Inhalte scheinen neu erstellt", "production", "scheinen neu erstellt"),
        ("ich hab solche angst, er bedroht mich", "urgency", "er bedroht mich"),
        ("Das Opfer äußerte Angst vor dem Täter", "urgency", "das opfer ausserte angst"),
        ("Meldende Person geht davon aus, dass das Kind akut gefährdet ist", "risk",
         "meldende person geht davon aus"),
        ("wollte das Gespräch auf Snapchat verlagern", "grooming",
         "wollte das gesprach auf snapchat verlagern"),
        ("Beide Nutzer sind minderjährig", "minor_to_minor", "beide nutzer sind minderjahrig"),
        ("vermutlich mit künstlicher Intelligenz erstellt", "generative_ai",
         "mit kunstlicher intelligenz"),
        ("Das Video wird massenhaft geteilt", "viral", "massenhaft geteilt"),
        ("Konto seit 2018 inaktiv", "historical", "seit 2018 inaktiv"),
    ],
    "fr": [
        ("L'utilisateur a proposé une rencontre au mineur", "contact", "a propose une rencontre"),
        ("Il a demandé l'adresse de l'enfant", "contact", "demande l adresse de l enfant"),
        ("jviens a ton ecole vendredi", "contact", "jviens a ton ecole"),
        ("travaille comme maître nageur", "access", "travaille comme maitre nageur"),
        ("Le suspect a exigé un paiement", "sextortion", "exige un paiement"),
        ("Il a menacé de diffuser les images", "sextortion", "menace de diffuser"),
        ("paye ou je balance tout", "sextortion", "je balance tout"),
        ("Le contenu semble nouvellement produit", "production", "semble nouvellement produit"),
        ("j'ai trop peur il me menace", "urgency", "il me menace"),
        ("Le signalant estime que l'enfant est en danger immédiat", "risk", "le signalant estime"),
        ("a demandé de passer sur Snapchat", "grooming", "demande de passer sur"),
        ("Les deux utilisateurs sont mineurs", "minor_to_minor",
         "les deux utilisateurs sont mineurs"),
        ("image générée par IA", "generative_ai", "image generee"),
        ("vidéo virale partagée par indignation", "viral", "partagee par indignation"),
        ("compte inactif depuis 2019", "historical", "compte inactif depuis"),
    ],
    "es": [
        ("El usuario propuso un encuentro con la menor", "contact", "propuso un encuentro"),
        ("pidió la dirección de la niña", "contact", "pidio la direccion"),
        ("pasame tu dire q voy a tu cole", "contact", "voy a tu cole"),
        ("trabaja como entrenador de natación", "access", "trabaja como entrenador"),
        ("Exigió dinero a la víctima", "sextortion", "exigio dinero"),
        ("amenazó con difundir las imágenes", "sextortion", "amenazo con difundir"),
        ("si no pagas todos lo van a ver", "sextortion", "todos lo van a ver"),
        ("El contenido parece recién producido", "production", "parece recien producido"),
        ("tengo mucho miedo, me está amenazando", "urgency", "me esta amenazando"),
        ("El denunciante cree que la menor corre peligro inmediato", "risk", "el denunciante cree"),
        ("Preguntó si estaba sola en casa", "grooming", "pregunto si estaba sola"),
        ("Ambos usuarios son menores", "minor_to_minor", "ambos usuarios son menores"),
        ("imagen generada con IA", "generative_ai", "imagen generada"),
        ("Video viral compartido por indignación", "viral", "compartido por indignacion"),
        ("Cuenta inactiva desde 2017", "historical", "cuenta inactiva desde"),
    ],
    "it": [
        ("L'utente ha proposto un incontro alla minore", "contact", "proposto un incontro"),
        ("ha chiesto l'indirizzo della bambina", "contact", "chiesto l indirizzo"),
        ("ti aspetto fuori da scuola domani", "contact", "ti aspetto fuori da scuola"),
        ("lavora come allenatore di nuoto", "access", "lavora come allenatore"),
        ("Ha preteso un pagamento", "sextortion", "preteso un pagamento"),
        ("ha minacciato di diffondere le foto", "sextortion", "minacciato di diffondere"),
        ("sennò le mando a tutti", "sextortion", "senno le mando"),
        ("Il materiale sembra prodotto di recente", "production", "sembra prodotto di recente"),
        ("ho troppa paura, mi sta minacciando", "urgency", "mi sta minacciando"),
        ("Il segnalante ritiene che la minore sia in pericolo", "risk", "il segnalante ritiene"),
        ("ha chiesto di spostare la conversazione su Telegram", "grooming",
         "chiesto di spostare la conversazione"),
        ("Entrambi gli utenti sono minorenni", "minor_to_minor",
         "entrambi gli utenti sono minorenni"),
        ("immagine generata con IA", "generative_ai", "immagine generata"),
        ("video virale condiviso per indignazione", "viral", "condiviso per indignazione"),
        ("account inattivo dal 2018", "historical", "account inattivo"),
    ],
    "pt": [
        ("O utilizador propôs um encontro com a menor", "contact", "propos um encontro"),
        ("pediu o endereço da criança", "contact", "pediu o endereco"),
        ("me passa teu endereço", "contact", "me passa teu endereco"),
        ("trabalha como treinador de natação", "access", "trabalha como treinador"),
        ("Exigiu dinheiro à vítima", "sextortion", "exigiu dinheiro"),
        ("ameaçou divulgar as imagens", "sextortion", "ameacou divulgar"),
        ("se nao pagar todo mundo vai ver", "sextortion", "todo mundo vai ver"),
        ("O conteúdo parece produzido recentemente", "production", "parece produzido recentemente"),
        ("tô com medo, ele sabe onde eu moro", "urgency", "ele sabe onde eu moro"),
        ("O denunciante acredita que a criança corre perigo imediato", "risk",
         "o denunciante acredita"),
        ("perguntou se estava sozinha", "grooming", "perguntou se estava sozinha"),
        ("Ambos os usuários são menores", "minor_to_minor", "ambos os usuarios sao menores"),
        ("imagem gerada por IA", "generative_ai", "imagem gerada"),
        ("vídeo viral compartilhado por indignação", "viral", "compartilhado por indignacao"),
        ("conta inativa desde 2016", "historical", "conta inativa"),
    ],
    "nl": [
        ("Gebruiker stelde voor om af te spreken met de minderjarige", "contact",
         "stelde voor om af te spreken"),
        ("vroeg naar het adres van het kind", "contact", "vroeg naar het adres"),
        ("stuur ff je adres", "contact", "stuur ff je adres"),
        ("werkt als zwemleraar bij de club", "access", "werkt als zwemleraar"),
        ("Verdachte eiste betaling", "sextortion", "eiste betaling"),
        ("dreigde de foto's te verspreiden", "sextortion", "dreigde de fotos te verspreiden"),
        ("betaal nu anders post ik alles", "sextortion", "anders post ik"),
        ("Het materiaal lijkt recent gemaakt", "production", "lijkt recent gemaakt"),
        ("ik ben zo bang, hij bedreigt me", "urgency", "hij bedreigt me"),
        ("Volgens de melder is het kind in direct gevaar", "risk", "volgens de melder"),
        ("vroeg of ze alleen thuis was", "grooming", "vroeg of ze alleen"),
        ("Beide gebruikers zijn minderjarig", "minor_to_minor",
         "beide gebruikers zijn minderjarig"),
        ("afbeelding gemaakt met AI", "generative_ai", "gemaakt met ai"),
        ("uit verontwaardiging gedeeld", "viral", "uit verontwaardiging gedeeld"),
        ("account inactief sinds 2019", "historical", "account inactief"),
    ],
    "da": [
        ("Brugeren aftalte at mødes med en mindreårig", "contact", "aftalte at modes"),
        ("Bad om barnets adresse", "contact", "bad om barnets adresse"),
        ("ska vi mødes efter skole", "contact", "ska vi modes"),
        ("arbejder som svømmetræner i klubben", "access", "arbejder som svommetraener"),
        ("Husstanden omfatter små børn", "access", "husstanden omfatter sma born"),
        ("Krævede betaling via gavekort", "sextortion", "kraevede betaling"),
        ("truede med at dele billederne", "sextortion", "truede med at dele"),
        ("betal ellers sender jeg dem", "sextortion", "betal ellers"),
        ("Indholdet ser ud til at være nyproduceret", "production",
         "ser ud til at vaere nyproduceret"),
        ("jeg er så bange, han truer mig", "urgency", "han truer mig"),
        ("Anmelderen vurderer at barnet er i umiddelbar fare", "risk", "anmelderen vurderer"),
        ("hvor gammel er du? er du alene hjemme", "grooming", "hvor gammel er du"),
        ("Begge brugere er mindreårige", "minor_to_minor", "begge brugere er mindrearige"),
        ("billedet er AI-genereret", "generative_ai", "ai genereret"),
        ("videoen gik viralt", "viral", "gik viralt"),
        ("uploadet i 2018, konto inaktiv", "historical", "uploadet i 2018"),
    ],
    "nb": [
        ("Brukeren avtalte å møte en mindreårig", "contact", "avtalte a mote"),
        ("Ba om barnets adresse og posisjon", "contact", "ba om barnets adresse og posisjon"),
        ("send adressen din da", "contact", "send adressen din"),
        ("jobber som svømmetrener", "access", "jobber som svommetrener"),
        ("Husstanden har små barn", "access", "husstanden har sma barn"),
        ("Krevde betaling i gavekort", "sextortion", "krevde betaling"),
        ("truet med å spre bildene", "sextortion", "truet med a spre"),
        ("ellers legger jeg ut alt sammen", "sextortion", "ellers legger jeg ut"),
        ("Innholdet ser ut til å være nylig produsert", "production",
         "ser ut til a vaere nylig produsert"),
        ("jeg er livredd, han vet hvor jeg bor", "urgency", "han vet hvor jeg bor"),
        ("Melder mener barnet er i umiddelbar fare", "risk", "melder mener"),
        ("spurte om hun var alene", "grooming", "spurte om hun var alene"),
        ("Begge brukerne er mindreårige", "minor_to_minor", "begge brukerne er mindrearige"),
        ("bildet er KI-generert", "generative_ai", "ki generert"),
        ("videoen gikk viralt", "viral", "gikk viralt"),
        ("lastet opp i 2017, kontoen har vært inaktiv", "historical", "lastet opp i 2017"),
    ],
}  # fmt: skip

# language -> everyday text (chat, news, shopping, school timetable) that must raise nothing
BENIGN: dict[str, list[str]] = {
    "en": [
        "Can you grab milk and bread on the way home?",
        "Maths is moved to period 3 on Tuesday, bring your calculator",
        "The council approved the new cycle lane after a long debate",
        "Order confirmed: 2 x running shoes, delivery expected Thursday",
        "lol that film was so good, wanna watch the sequel next week",
        "The museum is closed on Mondays",
        "I need help with my homework, the planned meeting is at 4",
        "Bitcoin price fell again; my keys went missing at the gym",
        "Our new series starts tonight, homemade cake for everyone",
    ],
    "de": [
        "Kannst du auf dem Heimweg Milch und Brot mitbringen?",
        "Mathe fällt am Dienstag aus, dafür Deutsch in der dritten Stunde",
        "Der Stadtrat beschloss nach langer Debatte den neuen Radweg",
        "Bestellung bestätigt: zwei Paar Laufschuhe, Lieferung am Donnerstag",
        "haha der film war voll gut, schauen wir nächste woche teil zwei?",
        "Vermisst du mich? Das Auto parkt vor meinem Haus",
        "Schreib eine Karte an deine Eltern, der Videoanruf ist um acht",
    ],
    "fr": [
        "Tu peux acheter du pain et du lait en rentrant ?",
        "Le cours de maths est déplacé au mardi en troisième heure",
        "Le conseil municipal a voté la nouvelle piste cyclable",
        "Commande confirmée : deux paires de baskets, livraison jeudi",
        "mdr le film était trop bien, on regarde la suite la semaine pro ?",
        "Le match est en live, réunion en visio en 2025, dis bonjour à tes parents",
    ],
    "es": [
        "¿Puedes comprar pan y leche al volver a casa?",
        "La clase de matemáticas pasa al martes a tercera hora",
        "El ayuntamiento aprobó el nuevo carril bici tras un largo debate",
        "Pedido confirmado: dos pares de zapatillas, entrega el jueves",
        "jaja la peli estuvo genial, vemos la segunda parte la semana que viene?",
        "Me corto el pelo mañana, no sé qué hacer con el flequillo",
    ],
    "it": [
        "Puoi prendere pane e latte tornando a casa?",
        "Matematica è spostata a martedì alla terza ora",
        "Il consiglio comunale ha approvato la nuova pista ciclabile",
        "Ordine confermato: due paia di scarpe da corsa, consegna giovedì",
        "ahah il film era bellissimo, guardiamo il seguito la prossima settimana?",
        "Mi taglio i capelli domani, il bar sotto casa mia apre alle sette",
    ],
    "pt": [
        "Podes comprar pão e leite no caminho para casa?",
        "A aula de matemática passa para terça-feira ao terceiro tempo",
        "A câmara municipal aprovou a nova ciclovia depois de um longo debate",
        "Encomenda confirmada: dois pares de ténis, entrega na quinta-feira",
        "kkkk o filme foi muito bom, vamos ver a continuação semana que vem?",
    ],
    "nl": [
        "Kun je op weg naar huis melk en brood halen?",
        "Wiskunde is verplaatst naar dinsdag het derde uur",
        "De gemeenteraad stemde na een lang debat in met het nieuwe fietspad",
        "Bestelling bevestigd: twee paar hardloopschoenen, levering donderdag",
        "haha die film was echt goed, kijken we volgende week deel twee?",
    ],
    "da": [
        "Kan du købe mælk og brød på vej hjem?",
        "Matematik er flyttet til tirsdag i tredje lektion",
        "Byrådet vedtog den nye cykelsti efter en lang debat",
        "Ordre bekræftet: to par løbesko, levering torsdag",
        "haha den film var så god, skal vi se toeren i næste uge?",
    ],
    "nb": [
        "Kan du kjøpe melk og brød på vei hjem?",
        "Matte er flyttet til tirsdag tredje time",
        "Bystyret vedtok det nye sykkelfeltet etter en lang debatt",
        "Ordre bekreftet: to par løpesko, levering torsdag",
        "haha den filmen var så bra, skal vi se toeren neste uke?",
        "Du har en time hos tannlegen i morgen, send et bilde av timeplanen",
    ],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(REGISTERS))
def test_each_register_is_read_with_its_language(language: str) -> None:
    for text, category, matched in REGISTERS[language]:
        hits = [(h.category, h.language, h.matched) for h in find_cues([text])]
        assert (category, language, matched) in hits, (text, hits)


@pytest.mark.parametrize("language", sorted(BENIGN))
def test_everyday_text_raises_nothing(language: str) -> None:
    for text in BENIGN[language]:
        raised = [h.explain() for h in find_cues([text]) if h.category in RAISING]
        assert not raised, (text, raised)


def test_new_nordic_languages_cover_every_raising_category() -> None:
    table = load((PACKAGED,))
    for language in ("da", "nb"):
        missing = [c for c in RAISING if not table.by_language[c].get(language)]
        assert not missing, (language, missing)
