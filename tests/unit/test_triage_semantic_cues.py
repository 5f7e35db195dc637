"""Semantic cues: referral segments close in meaning to a category's prototype sentences.

The labelled set below was written for this test (never taken from ``bench/``): paraphrases
of what analysts, chat lines and children write, in several languages, and hard negatives
(friends meeting, school, bills, adults dating, memes, report boilerplate). Items alternate
between a tuning half (even positions: used to write prototypes and anchors and to look at
thresholds) and a test half (odd positions). The test half's errors were seen once while
choosing ``THRESHOLD``/``MARGIN``, so a third set (``HELDOUT_*``) was written afterwards and
scored once, with nothing changed since: it is the figure to quote for unseen text.
Measured at THRESHOLD 0.55, MARGIN 0.05: test half precision 0.883, recall 0.746; held-out
precision 0.848, recall 0.571. The assertions sit a little below those figures.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from grace.triage import semantic_cues as sc
from grace.triage.cues import CATEGORIES
from grace.triage.semantic_cues import find_semantic_cues

# (text, category): paraphrases not in the prototype file
POSITIVES: list[tuple[str, str]] = [
    # contact
    ("a date and place were proposed", "contact"),
    ("the user suggested they meet at the shopping centre on Friday", "contact"),
    ("he asked which school she goes to so he could wait outside", "contact"),
    ("subject offered to drive to the child's town next week", "contact"),
    ("the adult asked the boy for his street name and house number", "contact"),
    ("can I come and see you this weekend? I'll take the train", "contact"),
    ("where do you live exactly, I want to visit you", "contact"),
    ("I'll be waiting in the car outside your school at 3", "contact"),
    ("the two agreed to meet at the park near her home", "contact"),
    ("he planned to collect the minor from the station", "contact"),
    ("the suspect repeatedly pushed for a face-to-face meeting", "contact"),
    ("say you are at a friend's place tonight and come to me", "contact"),
    ("wir könnten uns am Samstag am Bahnhof sehen", "contact"),
    ("er will mich nach der Schule abholen", "contact"),
    ("il veut me voir en vrai ce week-end", "contact"),
    ("donne-moi ton adresse, je passe te prendre", "contact"),
    ("umówił się z nią na spotkanie w parku", "contact"),
    ("przyjadę do ciebie w weekend", "contact"),
    ("nos vemos mañana a la salida del colegio", "contact"),
    ("ik haal je zaterdag op bij het station", "contact"),
    ("domani ci incontriamo davanti alla scuola", "contact"),
    # access
    ("the reported user coaches an under-12 team", "access"),
    ("subject is employed as a primary school teaching assistant", "access"),
    ("she regularly babysits for families in her street", "access"),
    ("he runs a kids' martial arts class twice a week", "access"),
    ("the account owner lives with his partner's three young children", "access"),
    ("I watch my neighbour's daughters after school every day", "access"),
    ("the suspect leads a church youth group", "access"),
    ("works as a lifeguard at a children's pool", "access"),
    ("the man is a private music teacher for young pupils", "access"),
    ("he is often left alone in charge of his nieces", "access"),
    ("user states he is a nursery school worker", "access"),
    ("sie arbeitet als Erzieherin in einer Kita", "access"),
    ("er betreut Kinder in einem Ferienlager", "access"),
    ("il est professeur des écoles en CM2", "access"),
    ("elle fait du baby-sitting tous les mercredis", "access"),
    ("jest trenerem drużyny młodzików", "access"),
    ("trabaja en una guardería con niños pequeños", "access"),
    ("hij is leider bij de scouting voor kinderen", "access"),
    ("fa il babysitter per i bambini del vicino", "access"),
    ("subject is a school bus driver", "access"),
    # sextortion
    ("payment demands observed", "sextortion"),
    ("the account threatened to leak the teen's images to her classmates", "sextortion"),
    ("victim was told to transfer 300 euros or the pictures would be shared", "sextortion"),
    ("he says he will post my photos online if I don't send money", "sextortion"),
    ("send 100 dollars in steam cards or your family gets the pictures", "sextortion"),
    ("the offender used the images to coerce the boy into paying", "sextortion"),
    ("I'll send everything to your followers unless you pay today", "sextortion"),
    ("the minor was blackmailed after a video call was recorded", "sextortion"),
    ("threats to distribute images to the child's school contacts", "sextortion"),
    ("you have until midnight, then your mum sees the pics", "sextortion"),
    ("the teen received demands for money with threats of exposure", "sextortion"),
    ("er erpresst mich mit meinen Bildern", "sextortion"),
    ("wenn du nicht zahlst, sieht deine Familie alles", "sextortion"),
    ("il me fait du chantage avec mes photos", "sextortion"),
    ("si tu ne paies pas, je publie tout", "sextortion"),
    ("szantażuje mnie, że opublikuje moje zdjęcia", "sextortion"),
    ("me amenaza con enviar mis fotos a mis amigos si no pago", "sextortion"),
    ("hij chanteert me met mijn foto's", "sextortion"),
    ("mi ricatta con le mie foto", "sextortion"),
    ("the user demanded money in exchange for deleting the images", "sextortion"),
    # production
    ("the adult repeatedly requested pictures from the 12-year-old", "production"),
    ("he asked her to film herself and send the clip", "production"),
    ("the same child appears in several recent uploads", "production"),
    ("uploads appear to be newly created and not previously known", "production"),
    ("the user pressured the minor to go on camera", "production"),
    ("he wanted me to send a selfie right now", "production"),
    ("the child was instructed how to pose for photos", "production"),
    ("images seem to be taken by the child herself at home", "production"),
    ("the suspect hosted a live broadcast involving a minor", "production"),
    ("he secretly filmed the child in the changing room", "production"),
    ("send me a new photo, just for me", "production"),
    ("the minor was asked to make videos for the account", "production"),
    ("er wollte, dass ich ein Video von mir mache", "production"),
    ("schalte deine Kamera ein, ich will dich sehen", "production"),
    ("il m'a demandé de lui envoyer une vidéo de moi", "production"),
    ("allume ta caméra", "production"),
    ("kazał mi wysłać zdjęcie", "production"),
    ("mándame otra foto tuya ahora", "production"),
    ("hij vroeg haar om foto's van zichzelf te maken", "production"),
    ("mandami un'altra foto di te", "production"),
    # urgency
    ("victim reports distress", "urgency"),
    ("the girl wrote that she wants to end it all", "urgency"),
    ("I can't take this anymore, I want to die", "urgency"),
    ("please help, he is outside my house", "urgency"),
    ("the boy says he is terrified and has nowhere to go", "urgency"),
    ("the minor indicated she plans to harm herself", "urgency"),
    ("I'm so frightened, someone please help me", "urgency"),
    ("the child said she is being beaten at home", "urgency"),
    ("the 13-year-old left home and is staying with the suspect", "urgency"),
    ("she messaged that she is alone with him right now and afraid", "urgency"),
    ("I'm going to take all my pills tonight", "urgency"),
    ("the child appears to be in immediate physical danger", "urgency"),
    ("ich habe solche Angst, er kommt heute Nacht", "urgency"),
    ("ich will mich umbringen", "urgency"),
    ("j'ai tellement peur, il est devant chez moi", "urgency"),
    ("je vais me faire du mal ce soir", "urgency"),
    ("chcę się zabić", "urgency"),
    ("bardzo się boję, on tu jest", "urgency"),
    ("quiero morirme, no aguanto más", "urgency"),
    ("ik wil niet meer leven", "urgency"),
    ("ho tanta paura, aiutatemi", "urgency"),
    # risk
    ("the reporting analyst believes the child faces imminent harm", "risk"),
    ("we assess the minor to be at high risk", "risk"),
    ("abuse is believed to be continuing", "risk"),
    ("the account remains in contact with the child", "risk"),
    ("the girl's mother made the report", "risk"),
    ("the boy told his school counsellor what happened", "risk"),
    ("this report is escalated as an emergency", "risk"),
    ("moderators judged the child to be in present danger", "risk"),
    ("the child was reported missing by her family yesterday", "risk"),
    ("time-critical: risk to the child's safety", "risk"),
    ("interaction with the minor is still ongoing", "risk"),
    ("we request urgent review due to risk to a child", "risk"),
    ("das Kind ist in akuter Gefahr", "risk"),
    ("die Mutter des Kindes hat den Account gemeldet", "risk"),
    ("l'enfant court un danger imminent", "risk"),
    ("le contact avec le mineur se poursuit", "risk"),
    ("dziecku grozi bezpośrednie niebezpieczeństwo", "risk"),
    ("se sospecha que el abuso continúa", "risk"),
    ("het misbruik gaat vermoedelijk nog door", "risk"),
    ("il bambino è a rischio immediato", "risk"),
    # grooming
    ("the adult complimented the girl and told her she seemed older", "grooming"),
    ("he asked her age and whether anyone else was home", "grooming"),
    ("the user pushed the child to continue the chat on Snapchat", "grooming"),
    ("he promised to buy her a new phone", "grooming"),
    ("the adult sent the boy in-game currency as gifts", "grooming"),
    ("the user posed as a 15-year-old boy", "grooming"),
    ("you're not like other kids, you're so grown up", "grooming"),
    ("this is just between us, ok? nobody needs to know", "grooming"),
    ("let's switch to telegram, it's more private", "grooming"),
    ("he says he loves me and that my parents don't understand me", "grooming"),
    ("the suspect gradually built trust with the child over months", "grooming"),
    ("wipe the chat so your mum doesn't see", "grooming"),
    ("is anyone at home with you right now?", "grooming"),
    ("du bist so reif für dein Alter", "grooming"),
    ("erzähl deinen Eltern nichts von uns", "grooming"),
    ("ne dis rien à ta mère, c'est notre secret", "grooming"),
    ("on continue sur whatsapp, c'est plus discret", "grooming"),
    ("jesteś bardzo dojrzała jak na swój wiek", "grooming"),
    ("no se lo digas a nadie, es nuestro secreto", "grooming"),
    ("je bent heel volwassen voor je leeftijd", "grooming"),
    ("non dirlo ai tuoi genitori", "grooming"),
]

# hard negatives: benign, decoys, adults, peers, boilerplate
NEGATIVES: list[str] = [
    "are we still meeting at the bowling alley with the team on Sunday?",
    "mum will pick us up after the concert",
    "we should meet up for lunch next week, all of us",
    "I'll see you at the bus stop tomorrow morning for school",
    "my grandma is visiting us this weekend",
    "the party is at Tom's house, bring snacks",
    "dad is driving me to training",
    "let's go to the beach together on Saturday",
    "can you send me the address of the restaurant for the team dinner?",
    "we are going to visit my cousins in Munich",
    "my teacher says the project is due Monday",
    "our coach cancelled practice because of the rain",
    "the new maths teacher is really strict",
    "I have a piano lesson at five",
    "the school trip to the museum was fun",
    "I need to finish my history essay tonight",
    "he is a teacher at a university, teaching adults chemistry",
    "she works as a dentist",
    "my dad is a bus driver for the city",
    "the gym trainer showed me a new exercise",
    "please pay your rent by the first of the month",
    "your payment failed, please update your card details",
    "send me the money for the concert tickets",
    "I'll post the photos from the trip in the group chat",
    "I shared the holiday pictures with my family",
    "the shop will close if the landlord doesn't get paid",
    "I bought a steam gift card with my birthday money",
    "if you don't return the book, the library charges a fee",
    "delete the old photos to free up space on your phone",
    "I'll send you the picture of the cat later",
    "can you send me a photo of the homework sheet?",
    "turn on your camera for the online class please",
    "we recorded a video for the school project",
    "I filmed the fireworks last night",
    "she took a selfie with her dog",
    "we made a music video with my band",
    "the livestream of the football match was laggy",
    "I'm so scared of spiders",
    "help me choose a dress for the wedding",
    "this game is killing me lol",
    "I'm dead, that joke was too funny",
    "I'm terrified of the dentist appointment",
    "I can't take this heat anymore",
    "my phone battery is dying",
    "I want to die of embarrassment, I tripped in class",
    "two adults met through a dating app and went to dinner",
    "my girlfriend and I have been together for two years",
    "we are both 30 and want to meet this weekend",
    "he proposed to her on the beach",
    "adult user looking for friends to play chess",
    "this meme about cats is everywhere",
    "the dance challenge went viral on the app",
    "funny video of a dog skateboarding",
    "AI-generated picture of a castle in the clouds",
    "I made an anime portrait with an AI tool",
    "the image is a digital painting of a dragon",
    "two 14-year-olds from the same school chatting about homework",
    "my classmate asked me to the school dance",
    "we are the same age and in the same class",
    "the account was reviewed and no violation was found",
    "this report was generated automatically",
    "the file was detected by hash matching",
    "account created on 12 March 2023 from a mobile device",
    "IP addresses and timestamps are attached",
    "the user was banned for spam",
    "see attached log files for details",
    "no additional context is available for this report",
    "the reported content was removed",
    "provider did not review the content before reporting",
    "email address verified",
    "wir treffen uns alle um acht im Kino",
    "meine Lehrerin hat uns viele Hausaufgaben gegeben",
    "ich habe Angst vor der Prüfung morgen",
    "bitte überweisen Sie den Betrag bis Freitag",
    "das Konto wurde gesperrt",
    "on va au cinéma samedi avec toute la classe",
    "mon prof de maths est sympa",
    "j'ai peur de rater mon bac",
    "envoie-moi la photo du devoir",
    "le compte a été supprimé après examen",
    "spotykamy się wszyscy w kinie w sobotę",
    "nauczycielka zadała nam dużo pracy domowej",
    "boję się jutrzejszego sprawdzianu",
    "wyślij mi zdjęcie zadania domowego",
    "konto zostało zablokowane",
    "quedamos todos en el centro comercial",
    "mi profesor de inglés es muy bueno",
    "tengo miedo del examen de mañana",
    "paga la factura antes del viernes",
    "la cuenta fue suspendida",
    "we gaan zaterdag met de hele klas naar de film",
    "mijn juf geeft veel huiswerk",
    "ik ben bang voor de toets",
    "stuur me een foto van je nieuwe fiets",
    "ci vediamo tutti al cinema sabato",
    "la mia professoressa è molto brava",
    "ho paura dell'esame di domani",
    "mandami la foto dei compiti",
    "l'account è stato sospeso",
    "my mum said I can go to the sleepover at Anna's",
    "we are planning a surprise party for dad, don't tell him",
    "keep it a secret, it's a birthday present for mum",
    "I'll buy you an ice cream after school, little brother",
    "how old is your dog?",
    "are your parents coming to the school play?",
    "let's move this chat to the group on WhatsApp",
    "you're so talented at drawing",
    "grandpa sent me money for my birthday",
    "the seller asked for payment before shipping",
    "the referral contains a username and an email",
    "the video shows a cooking tutorial",
    "I'm working late, dinner is in the fridge",
    "the concert was amazing last night",
    "can you help me set up my new laptop?",
    "the weather is terrible today",
    "I just finished a 10 km run",
    "our team won the tournament",
    "the train is delayed by twenty minutes",
    "I'll call you when I get home",
    "we adopted a puppy from the shelter",
    "the movie starts at seven thirty",
    "she is studying to become a doctor",
    "my brother got a new job in Berlin",
    "the dog ran away but we found him",
    "I'm bored, anyone want to play Minecraft?",
    "reported for copyright infringement",
    "the user posted a link to a phishing site",
    "the account sold counterfeit sneakers",
    "an adult couple shared their wedding photos",
    "photo of a sunset uploaded to the profile",
    "the user complained about a late delivery",
    "the company threatened to sue over unpaid invoices",
    "the landlord threatened eviction if rent is not paid",
    "the student was late to class three times",
    "the parents reported a broken streetlight",
    "the teacher contacted the parents about grades",
    "the coach is organising a tournament for the club",
    "we need volunteers for the bake sale",
    "my little sister is learning to swim",
    "the babysitter cancelled so we stayed home",
    "the nursery is closed on Monday",
    "he was at risk of missing his flight",
    "the server is at risk of running out of disk space",
    "urgent: the meeting has been moved to 3 pm",
    "the bridge is in danger of collapsing",
    "ongoing maintenance on the website",
    "contact customer service for a refund",
    "the hiking group meets every Sunday at the car park",
]

# written after the threshold was chosen; scored once
HELDOUT_POSITIVES: list[tuple[str, str]] = [
    ("the account holder invited the 13-year-old to come to his flat", "contact"),
    ("he told her he would be at the playground at four and to come alone", "contact"),
    ("subject sent the child train tickets to travel to him", "contact"),
    ("text me when you get off the bus and I'll find you", "contact"),
    ("er fragte, in welcher Straße sie wohnt", "contact"),
    ("il lui a donné rendez-vous devant le collège", "contact"),
    ("zaproponował, że przyjedzie po nią samochodem", "contact"),
    ("the reported user is a gymnastics instructor for young girls", "access"),
    ("he mentions that he looks after his sister's toddlers on weekends", "access"),
    ("the suspect works at an after-school club", "access"),
    ("I am a substitute teacher at an elementary school", "access"),
    ("er ist Babysitter bei mehreren Familien", "access"),
    ("elle est surveillante dans une école maternelle", "access"),
    ("es entrenador de natación de niños de ocho años", "access"),
    (
        "the adult threatened to send the boy's pictures to his whole school unless he paid",
        "sextortion",
    ),
    ("victim was pressured to pay in cryptocurrency to stop the release of images", "sextortion"),
    ("pay now or your parents get everything", "sextortion"),
    ("the offender demanded more images under threat of exposure", "sextortion"),
    ("er will 500 Euro, sonst verschickt er meine Fotos", "sextortion"),
    ("il exige de l'argent sinon il envoie les photos à ma famille", "sextortion"),
    ("grozi, że roześle moje zdjęcia, jeśli nie zapłacę", "sextortion"),
    ("the user kept asking the 11-year-old for pictures of herself", "production"),
    ("the child was told to set up her phone camera in her room", "production"),
    ("several new photos of the same young girl were uploaded this week", "production"),
    ("he asked me to send a video of myself tonight", "production"),
    ("er bat das Mädchen um neue Fotos von sich", "production"),
    ("il voulait que je fasse une vidéo de moi pour lui", "production"),
    ("prosił, żebym nagrała filmik i mu wysłała", "production"),
    ("the teen wrote that she does not see a reason to live", "urgency"),
    ("help, he won't let me leave the house", "urgency"),
    ("the child said she is hiding in the bathroom because she is afraid", "urgency"),
    ("I'm thinking about ending my life", "urgency"),
    ("ich habe Angst, dass er mir wehtut", "urgency"),
    ("j'ai envie de mourir", "urgency"),
    ("pomocy, boję się go", "urgency"),
    ("our assessment is that the minor faces an immediate threat", "risk"),
    ("the child's father contacted us about the account", "risk"),
    ("the exchanges with the minor are continuing as of today", "risk"),
    ("the girl confided in a friend about the abuse", "risk"),
    ("dringend: das Kind könnte heute noch in Gefahr sein", "risk"),
    ("nous estimons que l'enfant est en danger", "risk"),
    ("zgłoszenie pilne: dziecko jest zagrożone", "risk"),
    ("the adult told the girl she was more mature than her friends", "grooming"),
    ("he asked if her mum checks her phone", "grooming"),
    ("he sent her gift codes and asked her to keep it between them", "grooming"),
    ("add me on discord, we can talk privately there", "grooming"),
    ("er hat ihr Geschenke versprochen, wenn sie nichts sagt", "grooming"),
    ("il lui a demandé si elle était seule à la maison", "grooming"),
    ("nie mów mamie, że ze mną piszesz", "grooming"),
]
HELDOUT_NEGATIVES: list[str] = [
    "let's meet at the library to study together",
    "I'll pick you up from the airport on Sunday, love mum",
    "the whole class is meeting at the ice rink",
    "can you tell me the address of the swimming pool?",
    "wir holen dich um sechs vom Training ab",
    "on se retrouve devant le cinéma à 20h",
    "spotkajmy się wszyscy na boisku",
    "my swimming teacher says I improved a lot",
    "he works as a plumber",
    "the new tennis coach started this week",
    "mein Lehrer ist krank",
    "ma prof d'anglais est absente",
    "pay the electricity bill before Friday",
    "if you don't pay the fine, it doubles",
    "send the money for the class trip by Monday",
    "zahl bitte deinen Anteil für die Pizza",
    "paie ta part du cadeau",
    "send me a picture of your new haircut lol",
    "we made a video for the talent show",
    "I'll film the school play for grandma",
    "prześlij mi zdjęcia z wycieczki",
    "turn your camera on, the teacher is taking attendance",
    "I'm afraid of the dark",
    "this exam is killing me",
    "I'm so nervous about the match tomorrow",
    "ich habe Angst vor Hunden",
    "j'ai peur de l'orage",
    "boję się pająków",
    "the server is in danger of crashing",
    "the project is at risk of missing its deadline",
    "the parents reported that the school bus was late",
    "the report concerns a spam account",
    "don't tell mum about the surprise cake",
    "you're so good at football",
    "how old is your little brother now?",
    "let's move the group chat to discord",
    "I bought my niece a present",
    "two adult colleagues agreed to meet for lunch",
    "we are both adults and dating",
    "funny cat video going around",
    "AI image of a robot in a city",
    "the account was flagged for selling fake watches",
    "metadata and IP logs are attached",
    "content was removed and the user was notified",
    "the weather will be sunny tomorrow",
    "I finished my homework early today",
    "the bakery opens at seven",
    "my cousin is getting married in June",
    "we watched a film at home",
    "the bus was full this morning",
]


def _score(positives: list[tuple[str, str]], negatives: list[str]) -> tuple[float, float]:
    """(precision, recall): a positive counts when a hit has its category; every other
    category hit on a positive, and every hit on a negative, counts against precision."""
    right = wrong = 0
    items = [(t, c) for t, c in positives] + [(t, "") for t in negatives]
    for text, category in items:
        cats = {h.category for h in find_semantic_cues([text])}
        right += category in cats
        wrong += len(cats - {category})
    return right / max(right + wrong, 1), right / len(positives)


def test_test_half_precision_and_recall() -> None:
    precision, recall = _score(POSITIVES[1::2], NEGATIVES[1::2])
    assert precision >= 0.85 and recall >= 0.70, (precision, recall)


def test_heldout_precision_and_recall() -> None:
    precision, recall = _score(HELDOUT_POSITIVES, HELDOUT_NEGATIVES)
    assert precision >= 0.80 and recall >= 0.50, (precision, recall)


def test_tuning_half_is_learnt() -> None:
    precision, recall = _score(POSITIVES[0::2], NEGATIVES[0::2])
    assert precision >= 0.90 and recall >= 0.75, (precision, recall)


@pytest.mark.parametrize(
    ("text", "category", "language"),
    [
        ("er will mich nach der Schule abholen", "contact", "de"),
        ("donne-moi ton adresse, je passe te prendre", "contact", "fr"),
        ("przyjadę do ciebie w weekend", "contact", "pl"),
        ("si tu ne paies pas, je publie tout", "sextortion", "fr"),
        ("er wollte, dass ich ein Video von mir mache", "production", "de"),
        ("ich habe solche Angst, er kommt heute Nacht", "urgency", "de"),
        ("chcę się zabić", "urgency", "pl"),
        ("ne dis rien à ta mère, c'est notre secret", "grooming", "fr"),
        ("jesteś bardzo dojrzała jak na swój wiek", "grooming", "pl"),
    ],
)
def test_paraphrases_in_other_languages(text: str, category: str, language: str) -> None:
    hits = find_semantic_cues([text])
    assert [(h.category, h.language) for h in hits] == [(category, language)]


def test_analyst_summary_names_prototype_and_segment() -> None:
    text = "Moderator note: a date and place were proposed. Victim reports distress."
    hits = find_semantic_cues([text])
    assert [h.category for h in hits] == ["contact", "urgency"]
    contact = hits[0]
    assert contact.cue in sc._prototypes(sc.PROTOTYPES).sentences
    assert contact.matched == "Moderator note: a date and place were proposed."
    assert "signs of planned contact" in contact.explain()


@pytest.mark.parametrize(
    "text",
    [
        "are we still meeting at the bowling alley with the team on Sunday?",
        "my teacher says the project is due Monday",
        "please pay your rent by the first of the month",
        "I'm so scared of spiders",
        "two adults met through a dating app and went to dinner",
        "this meme about cats is everywhere",
        "the account was reviewed and no violation was found",
        "wir treffen uns alle um acht im Kino",
        "j'ai peur de rater mon bac",
        "konto zostało zablokowane",
    ],
)
def test_benign_everyday_sentences_do_not_hit(text: str) -> None:
    assert find_semantic_cues([text]) == []


def test_segments_split_and_cut() -> None:
    text = "hi\nwe met at school / see you | ok then; fine. " + "word " * 100
    segs = sc.segments("line one is here\nsecond line here / third part here | four parts now")
    assert segs == ["line one is here", "second line here", "third part here", "four parts now"]
    long = sc.segments(text)
    assert "hi" not in long and "see you" not in long  # under three words
    assert max(len(s.split()) for s in long) == sc.MAX_WORDS


def test_matched_is_cut_to_80_characters() -> None:
    text = (
        "the adult arranged to meet the child in person at the old railway station in the "
        "town centre next Saturday"
    )
    (hit,) = find_semantic_cues([text])
    assert hit.category == "contact" and len(hit.matched) == sc.MATCHED_CHARS


def test_speed_with_repeats() -> None:
    find_semantic_cues(["warm up the model and prototypes please"])
    pool = [t for t, _ in POSITIVES] + NEGATIVES + [f"provider note number {i} attached" for i in
                                                   range(200)]  # fmt: skip
    texts = [pool[i * 7 % len(pool)] for i in range(1000)]
    start = time.perf_counter()
    find_semantic_cues(texts)
    assert time.perf_counter() - start < 3.0


def test_disable_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "the adult arranged to meet the child in person"
    assert find_semantic_cues([text])
    for value in ("0", "false", "off"):
        monkeypatch.setenv(sc.SWITCH_ENV, value)
        assert find_semantic_cues([text]) == []
    monkeypatch.setenv(sc.SWITCH_ENV, "1")
    assert find_semantic_cues([text])


def test_model_that_cannot_load_gives_no_hits_and_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    class Broken:
        def encode(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("weights missing")

    protos = tmp_path / "p.yaml"  # a new digest, so prototypes are embedded again
    protos.write_text("prototypes:\n  contact: [we meet tomorrow at noon]\n", encoding="utf-8")
    monkeypatch.setattr(sc, "_encoder", lambda: Broken())
    monkeypatch.setattr(sc, "_failed", False)
    with caplog.at_level(logging.WARNING, logger=sc.__name__):
        for _ in range(3):
            assert find_semantic_cues(["a segment never seen before today"], protos) == []
    assert len([r for r in caplog.records if r.name == sc.__name__]) == 1


def test_prototypes_are_embedded_once_per_digest(tmp_path: Path) -> None:
    first = sc._prototypes(sc.PROTOTYPES)
    assert sc._prototypes(sc.PROTOTYPES) is first
    other = tmp_path / "p.yaml"
    other.write_text("prototypes:\n  risk: [the child is at risk now]\n", encoding="utf-8")
    assert sc._prototypes(other).digest != first.digest


def test_prototype_file_ships_and_covers_the_urgency_categories() -> None:
    doc = yaml.safe_load(sc.PROTOTYPES.read_text(encoding="utf-8"))
    wanted = {"contact", "access", "sextortion", "production", "urgency", "risk", "grooming"}
    wanted.add("paid_abuse")
    assert set(doc["prototypes"]) == wanted and wanted <= set(CATEGORIES)
    assert all(15 <= len(v) <= 35 for v in doc["prototypes"].values())
    assert len(doc["negatives"]) >= 40
    pyproject = Path(__file__).parents[2] / "pyproject.toml"
    assert '"triage/*.yaml"' in pyproject.read_text(encoding="utf-8")
    assert sc.PROTOTYPES.parent.name == "triage"
