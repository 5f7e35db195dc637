# ruff: noqa: E501  (a table of sentences: one line each reads best)
"""User-written text of the ``multilingual`` stream, per language, as people type in chats.

Lower case, missing accents, abbreviations: users write like this; providers forward it
as is. ``meet``: arranging to meet a child; ``groom``: secrecy, age, gifts; ``extort``:
threats for money or more pictures; ``care``: being alone with a child in one's care;
``bio``: profile text showing access to children; ``teen``: teenagers among themselves
(they too talk about meeting); ``adult``: adults meeting adults; ``meme``: outrage at a
viral clip. English lines are worded apart from ``ncmec_le_text`` on purpose.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "meet": ("i'll come get you at the bus stop saturday", "we can finally meet next week, just us two",
                 "tell your mum you're at a friend's and i'll pick you up"),
        "groom": ("don't tell anyone about us ok", "you're very mature for 13", "i'll buy you the new phone"),
        "extort": ("pay or i send the video to your family", "you have until tonight"),
        "care": ("her mum works nights so it's just me and her", "i have the kids all weekend again"),
        "bio": ("u12 football coach", "childminder with spaces available"),
        "teen": ("see u after school", "lol my mum almost saw", "meet at the pool saturday?"),
        "adult": ("drinks friday after work?", "i'll pick you up at the airport"),
        "meme": ("this clip is everywhere, sick", "who posts this??"),
    },
    "de": {
        "meet": ("treffen wir uns am samstag am bahnhof?", "ich hole dich nach der schule ab",
                 "sag deinen eltern nichts, wir treffen uns bei mir", "komm morgen zu mir, ich bin allein"),
        "groom": ("das bleibt unser geheimnis", "du bist so reif fuer dein alter", "ich kauf dir ein neues handy"),
        "extort": ("zahl 200 euro oder alle sehen deine bilder", "du hast zeit bis heute abend"),
        "care": ("ich passe am wochenende wieder auf die kleine auf", "ihre mutter arbeitet nachts, dann bin ich mit ihr allein"),
        "bio": ("trainer der f-jugend", "erzieher in einer kita", "babysitter gesucht? schreib mir"),
        "teen": ("bis morgen in der schule", "treffen uns nach dem training im park?", "loesch das bild lol"),
        "adult": ("treffen wir uns auf ein bier?", "ich hol dich vom flughafen ab"),
        "meme": ("das video ist ueberall, ekelhaft", "wer teilt so was??"),
    },
    "fr": {
        "meet": ("on se voit samedi a la gare?", "je viens te chercher apres l'ecole",
                 "dis rien a tes parents, on se retrouve chez moi", "rejoins moi au parc demain a 16h"),
        "groom": ("c'est notre secret", "tu es tres mature pour ton age", "je t'offre un nouveau telephone"),
        "extort": ("paye ou j'envoie tes photos a tout le monde", "tu as jusqu'a ce soir"),
        "care": ("je garde la petite tout le week-end", "sa mere travaille la nuit, je suis seul avec elle"),
        "bio": ("entraineur de foot des moins de 12 ans", "animateur en colonie de vacances"),
        "teen": ("a demain au college", "on se voit a la piscine samedi?", "supprime la photo mdr"),
        "adult": ("on se voit pour un verre vendredi?", "je passe te prendre a l'aeroport"),
        "meme": ("cette video tourne partout, horrible", "qui partage ca??"),
    },
    "es": {
        "meet": ("nos vemos el sabado en la estacion?", "te recojo despues del colegio",
                 "no le digas nada a tus padres, quedamos en mi casa", "quedamos manana en el parque"),
        "groom": ("es nuestro secreto", "eres muy madura para tu edad", "te compro un movil nuevo"),
        "extort": ("paga o envio tus fotos a todos", "tienes hasta esta noche"),
        "care": ("cuido a la nina todo el fin de semana", "su madre trabaja de noche y me quedo solo con ella"),
        "bio": ("entrenador de futbol infantil", "monitor de campamento de verano"),
        "teen": ("nos vemos en el insti", "quedamos en la piscina el sabado?", "borra la foto jaja"),
        "adult": ("quedamos para una cerveza el viernes?", "te recojo en el aeropuerto"),
        "meme": ("este video esta en todas partes, asqueroso", "quien comparte esto??"),
    },
    "pl": {
        "meet": ("spotkajmy sie w sobote na dworcu", "odbiore cie po szkole",
                 "nie mow rodzicom, spotkamy sie u mnie", "przyjdz jutro do mnie, bede sam"),
        "groom": ("to nasza tajemnica", "jestes bardzo dojrzala jak na swoj wiek", "kupie ci nowy telefon"),
        "extort": ("zaplac albo wysle twoje zdjecia wszystkim", "masz czas do wieczora"),
        "care": ("opiekuje sie mala przez caly weekend", "jej mama pracuje w nocy, jestem z nia sam"),
        "bio": ("trener pilki noznej dzieci", "opiekunka do dzieci, wolne terminy"),
        "teen": ("do jutra w szkole", "spotkamy sie na basenie w sobote?", "usun to zdjecie xd"),
        "adult": ("spotkamy sie na piwo w piatek?", "odbiore cie z lotniska"),
        "meme": ("ten filmik jest wszedzie, obrzydliwe", "kto to udostepnia??"),
    },
    "nl": {
        "meet": ("zullen we zaterdag afspreken bij het station?", "ik haal je op na school",
                 "zeg niks tegen je ouders, we spreken af bij mij thuis", "kom morgen naar mij, ik ben alleen"),
        "groom": ("dit is ons geheimpje", "je bent heel volwassen voor je leeftijd", "ik koop een nieuwe telefoon voor je"),
        "extort": ("betaal of ik stuur je fotos naar iedereen", "je hebt tot vanavond"),
        "care": ("ik pas het hele weekend op de kleine", "haar moeder werkt s nachts, dan ben ik alleen met haar"),
        "bio": ("jeugdtrainer voetbal o11", "oppas met ervaring, nog plek vrij"),
        "teen": ("tot morgen op school", "afspreken bij het zwembad zaterdag?", "verwijder die foto haha"),
        "adult": ("zullen we vrijdag een biertje doen?", "ik haal je op van schiphol"),
        "meme": ("dit filmpje gaat overal rond, walgelijk", "wie deelt dit??"),
    },
    "it": {
        "meet": ("ci vediamo sabato alla stazione?", "ti vengo a prendere dopo scuola",
                 "non dire niente ai tuoi, ci vediamo a casa mia"),
        "groom": ("e il nostro segreto", "sei molto matura per la tua eta", "ti compro un telefono nuovo"),
        "extort": ("paga o mando le tue foto a tutti", "hai tempo fino a stasera"),
        "care": ("tengo la piccola tutto il fine settimana", "sua madre lavora di notte, resto solo con lei"),
        "bio": ("allenatore di calcio pulcini", "baby sitter con esperienza"),
        "teen": ("ci vediamo a scuola domani", "ci vediamo in piscina sabato?", "cancella la foto ahah"),
        "adult": ("ci vediamo per un aperitivo venerdi?", "ti vengo a prendere in aeroporto"),
        "meme": ("questo video e ovunque, schifoso", "chi condivide questa roba??"),
    },
    "pt": {
        "meet": ("vamos nos encontrar sabado na estacao?", "vou te buscar depois da escola",
                 "nao contes aos teus pais, encontramo-nos em minha casa"),
        "groom": ("e o nosso segredo", "es muito madura para a tua idade", "compro-te um telemovel novo"),
        "extort": ("paga ou envio as tuas fotos a todos", "tens ate hoje a noite"),
        "care": ("fico com a pequena o fim de semana todo", "a mae dela trabalha de noite, fico sozinho com ela"),
        "bio": ("treinador de futebol infantil", "ama com experiencia"),
        "teen": ("ate amanha na escola", "piscina no sabado?", "apaga a foto kkk"),
        "adult": ("um copo na sexta?", "vou buscar-te ao aeroporto"),
        "meme": ("este video esta em todo lado, nojento", "quem partilha isto??"),
    },
    "ro": {
        "meet": ("ne vedem sambata la gara?", "te iau eu dupa scoala", "nu le spune parintilor, ne vedem la mine"),
        "groom": ("e secretul nostru", "esti foarte matura pentru varsta ta", "iti cumpar un telefon nou"),
        "extort": ("platesti sau trimit pozele tale la toti", "ai timp pana diseara"),
        "care": ("o am pe cea mica tot weekendul", "mama ei lucreaza noaptea, raman singur cu ea"),
        "bio": ("antrenor de fotbal copii", "bona cu experienta"),
        "teen": ("ne vedem maine la scoala", "mergem la piscina sambata?", "sterge poza haha"),
        "adult": ("o bere vineri?", "te iau de la aeroport"),
        "meme": ("clipul asta e peste tot, dezgustator", "cine distribuie asa ceva??"),
    },
    "sv": {
        "meet": ("ska vi ses pa lordag vid stationen?", "jag hamtar dig efter skolan",
                 "sag inget till dina foraldrar, vi ses hos mig"),
        "groom": ("det ar var hemlighet", "du ar sa mogen for din alder", "jag koper en ny telefon till dig"),
        "extort": ("betala annars skickar jag dina bilder till alla", "du har till ikvall"),
        "care": ("jag passar lillan hela helgen", "hennes mamma jobbar natt, da ar jag ensam med henne"),
        "bio": ("fotbollstranare for barn", "barnvakt med erfarenhet"),
        "teen": ("ses i skolan imorgon", "badhuset pa lordag?", "ta bort bilden haha"),
        "adult": ("en ol pa fredag?", "jag hamtar dig pa flygplatsen"),
        "meme": ("klippet ar overallt, ackligt", "vem delar sant har??"),
    },
    "cs": {
        "meet": ("uvidime se v sobotu na nadrazi?", "vyzvednu te po skole", "nerikej nic rodicum, sejdeme se u me"),
        "groom": ("je to nase tajemstvi", "jsi na svuj vek hodne vyspela", "koupim ti novy telefon"),
        "extort": ("zaplat nebo poslu fotky vsem", "mas cas do vecera"),
        "care": ("hlidam malou cely vikend", "jeji mama pracuje v noci, jsem s ni sam"),
        "bio": ("trener detskeho fotbalu", "chuva s praxi"),
        "teen": ("zitra ve skole", "v sobotu na koupaliste?", "smaz tu fotku haha"),
        "adult": ("pivo v patek?", "vyzvednu te na letisti"),
        "meme": ("to video je vsude, nechutne", "kdo tohle sdili??"),
    },
}
COUNTRY_LANG = {"DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "ES": "es", "PL": "pl",
                "NL": "nl", "IT": "it", "PT": "pt", "RO": "ro", "SE": "sv", "CZ": "cs",
                "IE": "en", "GB": "en"}  # fmt: skip
