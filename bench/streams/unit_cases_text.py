"""Phrase tables of the ``unit_cases`` stream: chat lines, user-report text, provider notes.

Children and parents write in their own language (Swedish, Finnish, Danish, Norwegian,
Estonian, Latvian, Lithuanian, Polish, Czech, German), gamers often in English slang;
providers' trust-and-safety notes are English. Every telling line has harmless look-alikes
elsewhere in the tables (teenagers also say "see you at school", scam spam also demands
money within hours, role-players also state an age), so which table a referral draws from
is decided only by its hidden situation in ``unit_cases.py``. All text is clinical and
non-graphic: what an analyst's summary or a moderation tool's excerpt would say.
"""

from __future__ import annotations

# The language a local user writes in, by the account's (or victim's) country.
LANG_OF = {
    "SE": "sv", "FI": "fi", "DK": "da", "NO": "no", "EE": "et", "LV": "lv", "LT": "lt",
    "PL": "pl", "CZ": "cs", "DE": "de", "AT": "de",
}  # fmt: skip

# key -> language -> variants. "en" is always present (the fallback and gamer English).
CHAT: dict[str, dict[str, tuple[str, ...]]] = {
    "age_ask": {
        "en": (
            "how old r u",
            "u 13 or 14?",
            "whats ur age fr",
            "ur mature for ur age ngl",
            "asl?",
            "how old are you btw",
        ),
        "sv": (
            "hur gammal är du?",
            "du verkar mogen för din ålder",
        ),
        "fi": ("kuinka vanha sä oot?", "oot tosi kypsä ikäiseks"),
        "da": ("hvor gammel er du?",),
        "no": ("hvor gammel er du egentlig?",),
        "et": ("kui vana sa oled?",),
        "lv": ("cik tev gadu?",),
        "lt": ("kiek tau metu?",),
        "pl": ("ile masz lat?", "jesteś bardzo dojrzała jak na swój wiek"),
        "cs": ("kolik ti je?",),
        "de": ("wie alt bist du?", "du bist voll reif für dein alter"),
    },
    "secret": {
        "en": (
            "this stays between us ok",
            "dont tell ur parents about me",
            "delete our chat after",
            "its our secret",
        ),
        "sv": ("det här stannar mellan oss", "säg inget till dina föräldrar"),
        "fi": ("tää jää meidän välille", "älä kerro sun vanhemmille"),
        "da": ("det bliver mellem os",),
        "no": ("ikke si det til foreldrene dine",),
        "et": ("see jääb meie vahele",),
        "lv": ("tas paliek starp mums",),
        "lt": ("tai lieka tarp musu",),
        "pl": ("to zostaje między nami", "nie mów rodzicom"),
        "cs": ("tohle zůstane mezi náma",),
        "de": ("das bleibt unter uns", "sag deinen eltern nix"),
    },
    "gift": {
        "en": (
            "i can gift u skins",
            "want robux? i got u",
            "ill buy u the battle pass",
            "sent u a gift card",
        ),
        "sv": ("jag kan köpa skins till dig",),
        "fi": ("mä voin ostaa sulle skinejä",),
        "pl": ("kupię ci skiny",),
        "de": ("ich kauf dir den battle pass",),
        "cs": ("koupím ti skiny",),
        "lt": ("nupirksiu tau skinu",),
    },
    "move_app": {
        "en": (
            "add me on snap its safer",
            "lets talk on tele, this game reads chats",
            "move to the other app",
            "dm me on my private acc",
            "download viskaa, no mods there",
        ),
        "sv": ("lägg till mig på snap, det är säkrare", "vi snackar på en annan app"),
        "fi": ("lisää mut snäppiin", "jutellaan toisessa sovelluksessa"),
        "da": ("skriv til mig på en anden app",),
        "no": ("legg meg til på snap",),
        "et": ("lisa mind teises äpis",),
        "lv": ("parunāsim citā aplikācijā",),
        "lt": ("parasyk man kitoj programelej",),
        "pl": ("dodaj mnie na snapie, tam bezpieczniej", "pogadajmy na innej apce"),
        "cs": ("napiš mi na jinou appku",),
        "de": ("schreib mir auf snap, da ist es sicherer",),
    },
    "meet": {
        "en": (
            "ill come to ur school on friday",
            "meet me at the station sat, dont tell ur mom",
            "i can pick u up after practice",
            "ill be in ur town next week, lets meet",
            "booked a hotel for the weekend",
        ),
        "sv": ("jag kommer till din skola på fredag", "vi ses vid stationen på lördag"),
        "fi": ("mä tuun sun koululle perjantaina", "nähdään asemalla lauantaina"),
        "da": ("jeg henter dig efter skole på fredag",),
        "no": ("jeg kommer til skolen din på fredag",),
        "et": ("ma tulen reedel sinu kooli juurde",),
        "lv": ("satiksimies piektdien pie skolas",),
        "lt": ("susitikim penktadieni prie mokyklos",),
        "pl": ("przyjadę pod twoją szkołę w piątek", "spotkajmy się w sobotę na dworcu"),
        "cs": ("přijedu v pátek k tvojí škole",),
        "de": ("ich hol dich freitag nach der schule ab", "treffen wir uns samstag am bahnhof"),
    },
    "scared": {
        "en": ("im scared", "please stop", "i dont want to anymore", "pls dont tell anyone"),
        "sv": ("jag är rädd", "snälla sluta"),
        "fi": ("mua pelottaa", "lopeta pliis"),
        "da": ("jeg er bange",),
        "no": ("jeg er redd",),
        "et": ("mul on hirm",),
        "lv": ("man ir bail",),
        "lt": ("man baisu",),
        "pl": ("boję się", "proszę przestań"),
        "cs": ("bojím se",),
        "de": ("ich hab angst", "bitte hör auf"),
    },
    "extort": {
        "en": (
            "pay 200 euro or i send the pics to all ur followers",
            "u have 2 hours. i have ur friends list",
            "if u block me i post everything",
            "send the money now or ur school sees it",
            "paypal or gift card, now",
        ),
        "sv": ("betala eller så skickar jag bilderna till dina vänner",),
        "pl": ("zapłać albo wyślę zdjęcia twoim znajomym",),
        "de": ("zahl oder ich schick die bilder an deine freunde",),
    },
    "victim_pay": {
        "en": ("i dont have that much money", "i sent 50 is that enough", "pls give me more time"),
        "sv": ("jag har inte så mycket pengar", "jag skickade 500 kr"),
        "fi": ("mulla ei oo noin paljon rahaa",),
        "da": ("jeg har ikke flere penge",),
        "no": ("jeg har ikke så mye penger",),
        "et": ("mul pole nii palju raha",),
        "lv": ("man nav tik daudz naudas",),
        "lt": ("neturiu tiek pinigu",),
        "pl": ("nie mam tyle pieniędzy",),
        "cs": ("nemám tolik peněz",),
        "de": ("ich hab nicht so viel geld",),
    },
    "scam": {
        "en": (
            "I recorded you through your webcam. Pay 1450 USD in bitcoin within 48 hours.",
            "Your device was hacked. Transfer 0.05 BTC or your contacts receive the video.",
            "last warning: pay within 24h or everyone sees it",
        ),
        "de": (
            "Ich habe Sie über Ihre Webcam aufgenommen. Zahlen Sie binnen 48 Stunden, "
            "sonst sehen es alle Ihre Kontakte.",
        ),
        "pl": ("Nagrałem cię przez kamerkę. Zapłać w bitcoinach w ciągu 48 godzin.",),
    },
    "peer": {
        "en": (
            "see u at school tmrw",
            "lol send one back",
            "delete it after ok",
            "ur so cute",
            "gg, same time tmrw?",
            "we r both 15 chill",
        ),
        "sv": ("ses i skolan imorgon", "radera efteråt ok"),
        "fi": ("nähään koulussa huomenna",),
        "da": ("ses i skolen i morgen",),
        "no": ("sees på skolen i morgen",),
        "et": ("näeme homme koolis",),
        "lv": ("tiekamies rīt skolā",),
        "lt": ("iki rytoj mokykloj",),
        "pl": ("do jutra w szkole", "usuń potem ok"),
        "cs": ("uvidíme se zítra ve škole",),
        "de": ("bis morgen in der schule", "lösch das danach ok"),
    },
    "roleplay": {
        "en": (
            "(ooc: both adults, this is rp)",
            "staying in character, she is 14 in this story",
            "im 32 irl lol, rp only",
            "age play is fictional, all 18+",
        ),
        "de": ("(rp, wir sind beide erwachsen)",),
        "pl": ("to tylko rp, oboje dorośli",),
    },
    "troll": {
        "en": (
            "this guy is a pedo ban him",
            "he is a creep trust me",
            "reported for being a groomer lol",
            "he tried to meet my sister!!!",
            "hes 40 and talks to kids",
        ),
        "sv": ("han är en pedofil, stäng av honom",),
        "pl": ("to pedofil, zbanujcie go",),
        "de": ("der typ ist ein pädo, sperrt ihn",),
        "fi": ("tää tyyppi on pedari",),
    },
    "adult_meet": {
        "en": ("drinks friday? ;)", "meet at the hotel bar at 8", "my wife is away this weekend"),
        "sv": ("ses på fredag efter jobbet?",),
        "de": ("treffen am freitag nach der arbeit?",),
    },
    "ppv": {
        "en": (
            "paid, start the live now",
            "is the show ready",
            "same time tomorrow",
            "sent 15 more for 10 min",
            "send the room link",
        ),
    },
    "ppv_facilitator": {
        "en": ("ready sir, send first", "payment received, link in 5 min", "new one available"),
    },
    "meme": {
        "en": (
            "WTF is this",
            "bro look at this clip 💀",
            "who posts this??",
            "sharing so ppl report it",
            "this is so messed up",
        ),
        "sv": ("vad fan är det här",),
        "pl": ("co to ma być",),
        "de": ("was ist das bitte",),
        "cs": ("co to je",),
    },
}

# A parent's, a child's or a bystander's words in a user report, in their language.
USER_REPORT: dict[str, dict[str, tuple[str, ...]]] = {
    "parent_groom": {
        "en": (
            "my daughter is {age} and this man keeps messaging her",
            "user asked my son ({age}) to move to another app",
            "he promised my kid gifts in the game",
        ),
        "sv": ("min dotter är {age} och han skriver till henne hela tiden",),
        "fi": ("tyttäreni on {age} ja tämä mies viestittelee hänelle jatkuvasti",),
        "da": ("min datter er {age} og han skriver konstant til hende",),
        "no": ("datteren min er {age} og han sender meldinger hele tiden",),
        "et": ("mu tütar on {age} ja see mees kirjutab talle pidevalt",),
        "lv": ("manai meitai ir {age} un šis vīrietis viņai raksta",),
        "lt": ("mano dukrai {age} ir sis vyras jai nuolat raso",),
        "pl": ("moja córka ma {age} lat, ten mężczyzna ciągle do niej pisze",),
        "cs": ("moje dcera má {age} a tenhle muž jí pořád píše",),
        "de": ("meine tochter ist {age} und dieser mann schreibt ihr ständig",),
    },
    "child_scared": {
        "en": ("he says he will post my pictures, i am {age}", "help he wants money"),
        "sv": ("han säger att han ska lägga ut mina bilder, jag är {age}",),
        "fi": ("se sanoo et se julkaisee mun kuvat, oon {age}",),
        "pl": ("mówi że wrzuci moje zdjęcia, mam {age} lat",),
        "de": ("er sagt er postet meine bilder, ich bin {age}",),
        "cs": ("říká že zveřejní moje fotky, je mi {age}",),
        "et": ("ta ütleb et paneb mu pildid üles, ma olen {age}",),
    },
    "bystander": {
        "en": (
            "saw this in a clan chat",
            "this was posted in a public server",
            "found in comments",
            "someone shared this in our group",
        ),
        "sv": ("såg detta i en gruppchatt",),
        "pl": ("widziałem to na czacie",),
        "de": ("habe das in einem gruppenchat gesehen",),
        "fi": ("näin tän ryhmächätissä",),
    },
    "coach": {
        "en": (
            "the uploader is the team's coach",
            "this is our youth leader's account",
            "the person is her uncle, same room in every photo",
        ),
        "sv": ("det är lagets tränare som laddat upp",),
        "pl": ("to konto trenera drużyny",),
        "cs": ("je to účet vedoucího oddílu",),
        "de": ("das ist der account vom jugendtrainer",),
        "fi": ("lataaja on joukkueen valmentaja",),
    },
}

NOTES: dict[str, tuple[str, ...]] = {
    "hash_match": (
        "Detected by hash matching against industry hash lists.",
        "Matched known hash; content not reviewed by a person.",
        "PhotoDNA match on upload.",
    ),
    "classifier": (
        "Flagged by automated classifier; reviewed by content moderator.",
        "Classifier score above threshold; human review confirmed.",
        "Nudity classifier flag on unknown content.",
    ),
    "user_report": (
        "Reported by a user through the in-app report button.",
        "User report, reviewed by trust & safety.",
        "Report submitted by a parent via web form.",
    ),
    "moderator": (
        "Found during proactive moderation of public spaces.",
        "Moderator review of flagged conversation.",
        "Escalated by community moderator.",
    ),
    "sweep": (
        "Identified during a retroactive scan of stored content.",
        "Historical content found by a backfill of hash matching.",
        "Account review following policy update; content uploaded years ago.",
    ),
    "payment": (
        "Financial intelligence review of transaction patterns.",
        "Transactions flagged by risk monitoring.",
    ),
    "live": (
        "Live stream terminated by automated detection.",
        "Live session flagged by viewer reports and ended by moderator.",
    ),
}
ROLE_NOTES: dict[str, tuple[str, ...]] = {
    "groomer": (
        "Account contacted multiple accounts registered as minors.",
        "Conversation classifier: potential grooming pattern.",
        "User sent in-game currency to accounts with a stated age under 16.",
        "Account attempted to share off-platform contact details.",
    ),
    "sextortion": (
        "Account created recently; messages follow a known extortion script.",
        "Payment demands observed; victim reports distress.",
        "Account linked to a network of similar accounts.",
        "Login from hosting provider IP ranges.",
    ),
    "ppv": (
        "{n} transfers of {lo}-{hi} EUR to {k} recipients abroad within {d} days.",
        "Payment references include 'show', 'live' and session lengths.",
        "Recipients' accounts previously reported for livestream-related activity.",
        "Short live sessions (under 15 minutes) with a single paying viewer.",
    ),
    "carer": (
        "New images show the same child over several months.",
        "Uploads from a device at a sports club location.",
        "Content appears to be first-generation; no hash match.",
    ),
    "scam": (
        "Mass-messaging account; same text sent to thousands of users.",
        "Bulk spam campaign targeting adult users.",
        "Sender uses a known extortion-spam template.",
    ),
    "peer": (
        "Both participants' registered ages are under 18.",
        "Images appear self-generated by the sender.",
    ),
    "meme": (
        "Content widely shared; reported by many users for outrage.",
        "Same clip uploaded by thousands of accounts.",
        "Shared with condemning caption.",
    ),
    "ai": (
        "Image appears computer-generated.",
        "Drawn / animated content.",
        "Classifier: synthetic image likely.",
    ),
    "backup": (
        "Files uploaded by automatic camera-roll backup.",
        "Bulk sync from desktop client; no sharing observed.",
    ),
    "roleplay": (
        "Both participants verified adults; text role-play.",
        "Role-play server; fictional ages stated in character.",
    ),
    "troll": (
        "Report text contains accusations; no supporting content found.",
        "Reporter and reported user in an ongoing dispute.",
        "Multiple reports from the same reporter about different users.",
    ),
    "known": (
        "Account preserved following a law enforcement request.",
        "Legal process received for this account.",
        "Account disabled; prior report on file.",
    ),
    "adultcam": (
        "{n} transfers of {lo}-{hi} EUR to {k} recipients abroad within {d} days.",
        "Payment references include 'show' and 'private session'.",
        "Recipients are performers on an adult webcam site.",
    ),
    "collector": (
        "Files shared in a private group.",
        "Files sent in direct messages.",
    ),
}
REPEAT = (
    "This account has been reported {n} times in the past {d} days.",
    "Previously reported (see earlier reports).",
    "Repeat offender flag: {n} prior reports.",
)
# Things that sound urgent in an ESP's note but are a provider's routine wording.
BOILER = (
    "Reported in accordance with 18 U.S.C. 2258A.",
    "ESP has no further information.",
    "Please contact our law enforcement portal for preservation requests.",
    "This report may relate to an imminent threat to a child; we escalate all live-stream reports.",
    "Priority: high (automatic)",
)
BIOS = {
    "teen_claim": ("15 | gamer | no dms", "14 🎮", "just a kid who likes minecraft", "16, bored"),
    "coach": ("youth football coach 🏆", "scout leader, 10 yrs", "swim trainer u12"),
    "plain": ("gamer", "streamer | schedule in bio", "cars & memes", "just vibing", "GG only"),
}
FILE_NOTES = {
    "live": "Frame captured from live stream.",
    "ai": "Generated with a text-to-image tool.",
    "drawn": "Drawn / animated image.",
    "backup": "Uploaded by automatic backup.",
    "meme": "Video clip with caption.",
}
