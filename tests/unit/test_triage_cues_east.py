# ruff: noqa: RUF001  (Greek and Cyrillic test phrases look like Latin letters to the linter)
"""Cue tables for Central, Eastern and Northern Europe (pl cs sk ro hu el sv fi et lv lt bg hr
sl): each reads the registers real referrals come in (a moderator's third-person summary, chat
typed with slang and without diacritics, a child's own words), says which language it read,
and stays quiet on everyday chat, news, shopping and timetables."""

from __future__ import annotations

import pytest
import yaml

from grace.triage.cues import CATEGORIES, PACKAGED, find_cues, load, normalise
from grace.triage.features import SITUATION_CUES

LANGUAGES = ("pl", "cs", "sk", "ro", "hu", "el", "sv", "fi", "et", "lv", "lt", "bg", "hr", "sl")
NEW = ("fi", "sk", "et", "lv", "lt", "bg", "hr", "sl")
RAISING = SITUATION_CUES  # the categories that raise urgency

# language -> (text as a provider, a user or a child writes it, category, text it must match)
EXAMPLES: dict[str, list[tuple[str, str, str]]] = {
    "pl": [("Użytkownik umówił się z nieletnią na sobotę i zaproponował spotkanie w galerii.",
            "contact", "zaproponowal spotkanie"),
           ("Zgłaszający uważa, że dziecko jest w niebezpieczeństwie; kontakt nadal trwa.",
            "risk", "zglaszajacy uwaza"),
           ("Groził opublikowaniem zdjęć i zażądał pieniędzy (kod BLIK).",
            "sextortion", "zazadal pieniedzy"),
           ("nie mow starym, przyjade po ciebie pod szkole", "contact", "nie mow starym"),
           ("prosze przestan, boje sie go. on mowi ze opublikuje moje zdjecia",
            "urgency", "prosze przestan"),
           ("prosze przestan, boje sie go. on mowi ze opublikuje moje zdjecia",
            "sextortion", "opublikuje moje zdjecia"),
           ("Mieszka z partnerką, w domu są małe dzieci.", "access", "w domu sa male dzieci"),
           ("ile masz latek? przejdzmy na snapa, kupie ci skina", "grooming", "ile masz latek"),
           ("Materiał wygenerowany przez AI, krąży w sieci dla beki.",
            "generative_ai", "wygenerowany przez ai"),
           ("Stare nagranie sprzed kilku lat, wcześniej zgłoszone.",
            "historical", "sprzed kilku lat")],
    "cs": [("Uživatel navrhl schůzku s nezletilou a ptal se na adresu.",
            "contact", "navrhl schuzku"),
           ("zverejnim tvoje fotky jestli neposles penize", "sextortion", "zverejnim tvoje fotky"),
           ("Vyhrožoval zveřejněním fotek a požadoval peníze přes paysafecard.",
            "sextortion", "vyhrozoval zverejnenim"),
           ("prosim prestan, mam strach. rika ze zverejni moje fotky", "urgency", "mam strach"),
           ("Podle oznamovatele je dítě v akutním nebezpečí, kontakt pokračuje.",
            "risk", "podle oznamovatele"),
           ("kolik mas let? jsi doma sama? prejdeme na telegram", "grooming", "jsi doma sama"),
           ("Pracuje jako vedoucí oddílu, v domácnosti jsou malé děti.",
            "access", "v domacnosti jsou male deti"),
           ("Obrázek vygenerováno umělou inteligencí, koluje po internetu pro srandu.",
            "viral", "koluje po internetu")],
    "sk": [("Používateľ navrhol stretnutie s maloletou a pýtal sa na adresu.",
            "contact", "navrhol stretnutie"),
           ("Vyhrážal sa zverejnením fotiek a požadoval peniaze.",
            "sextortion", "vyhrazal sa zverejnenim"),
           ("nehovor rodicom, pridem po teba pred skolu", "contact", "pridem po teba"),
           ("prosim prestan, bojim sa ho. hovori ze zverejni moje fotky",
            "urgency", "bojim sa ho"),
           ("Podľa oznamovateľa je dieťa v bezprostrednom nebezpečenstve.",
            "risk", "bezprostrednom nebezpecenstve"),
           ("kolko mas rokov? si sama doma?", "grooming", "kolko mas rokov"),
           ("Pracuje ako vychovávateľ v detskom tábore, žije s malými deťmi.",
            "access", "detskom tabore")],
    "ro": [("Utilizatorul a propus o întâlnire și a cerut adresa copilului.",
            "contact", "a cerut adresa copilului"),
           ("A amenințat că publică pozele și a cerut bani.", "sextortion", "a cerut bani"),
           ("nu le zice alor tai, vin dupa tine la scoala", "contact", "nu le zice alor tai"),
           ("te rog opreste te, mi e frica de el, am doar 13 ani",
            "urgency", "mi e frica de el"),
           ("te rog opreste te, mi e frica de el, am doar 13 ani", "grooming", "am doar 13 ani"),
           ("Raportorul consideră că minorul este în pericol imediat.",
            "risk", "in pericol imediat"),
           ("Locuiește cu copii mici acasă.", "access", "locuieste cu copii mici"),
           ("ce varsta ai? hai pe snap", "grooming", "hai pe snap"),
           ("Ambii sunt minori, colegi de clasă.", "minor_to_minor", "colegi de clasa")],
    "hu": [("A felhasználó találkozót javasolt a kiskorúnak, és elkérte a lakcímét.",
            "contact", "elkerte a lakcimet"),
           ("Azzal fenyegetőzött, hogy közzéteszi a képeket, és pénzt követelt.",
            "sextortion", "penzt kovetelt"),
           ("talizzunk holnap suli utan? ne szolj a szuleidnek", "contact", "talizzunk"),
           ("kerlek hagyd abba, nagyon felek. azt mondja kirakja a kepeimet",
            "urgency", "kerlek hagyd abba"),
           ("A bejelentő szerint a gyermek közvetlen veszélyben van.",
            "risk", "a bejelento szerint"),
           ("hanyadikos vagy? menjunk at snapre", "grooming", "hanyadikos vagy"),
           ("Óvodában dolgozik, a háztartásban kisgyermekek élnek.",
            "access", "a haztartasban kisgyermekek"),
           ("Régi videó, évekkel ezelőtt készült, korábban jelentett anyag.",
            "historical", "korabban jelentett")],
    "el": [("Ο χρήστης πρότεινε συνάντηση και ζήτησε τη διεύθυνση του παιδιού.",
            "contact", "προτεινε συναντηση"),
           ("Απείλησε να δημοσιεύσει τις φωτογραφίες και ζήτησε χρήματα.",
            "sextortion", "απειλησε να δημοσιευσει"),
           ("μην πεις στους δικούς σου, θα έρθω να σε πάρω", "contact", "θα ερθω να σε παρω"),
           ("σε παρακαλώ σταμάτα, φοβάμαι πολύ", "urgency", "σε παρακαλω σταματα"),
           ("Σύμφωνα με τον αναφέροντα το παιδί κινδυνεύει άμεσα.",
            "risk", "το παιδι κινδυνευει"),
           ("τι τάξη πας; πάμε σε άλλη εφαρμογή", "grooming", "παμε σε αλλη εφαρμογη"),
           ("Εργάζεται ως νηπιαγωγός, ζει με μικρά παιδιά.", "access", "ζει με μικρα παιδια"),
           ("poso xronwn eisai? min peis se kanenan", "grooming", "poso xronwn eisai")],
    "sv": [("Användaren föreslog en träff och bad om adressen till barnet.",
            "contact", "foreslog en traff"),
           ("Hotade att sprida bilderna och krävde pengar via presentkort.",
            "sextortion", "hotade att sprida"),
           ("beratta inte for dina foraldrar, jag vantar utanfor skolan",
            "contact", "jag vantar utanfor skolan"),
           ("snälla sluta, jag är så rädd. han säger att han lägger ut mina bilder",
            "urgency", "snalla sluta"),
           ("Enligt anmälaren är barnet i fara, kontakten pågår.", "risk", "enligt anmalaren"),
           ("vilken klass gar du i? ar du ensam hemma", "grooming", "vilken klass gar du i"),
           ("Arbetar med barn som fritidspedagog; bor med små barn.",
            "access", "bor med sma barn"),
           ("Bilden är AI-genererade, sprids på nätet som ett skämt.",
            "generative_ai", "ai genererade")],
    "fi": [("Käyttäjä ehdotti tapaamista ja kysyi lapsen osoitetta.",
            "contact", "ehdotti tapaamista"),
           ("Uhkasi julkaista kuvat ja vaati rahaa lahjakortteina.",
            "sextortion", "lahjakortteina"),
           ("ala kerro vanhemmille, tuun hakee sut koulun jalkee", "contact", "tuun hakee sut"),
           ("lopeta pliis, mua pelottaa. se uhkaa julkaista mun kuvat",
            "urgency", "mua pelottaa"),
           ("lopeta pliis, mua pelottaa. se uhkaa julkaista mun kuvat",
            "sextortion", "uhkaa julkaista mun kuvat"),
           ("Ilmoittajan mukaan lapsi on välittömässä vaarassa ja yhteydenpito jatkuu.",
            "risk", "valittomassa vaarassa"),
           ("kuinka vanha oot? ootko yksin kotona? siirrytään snäppiin",
            "grooming", "siirrytaan snappiin"),
           ("Työskentelee päiväkodissa, taloudessa on pieniä lapsia.",
            "access", "taloudessa on pienia lapsia"),
           ("Molemmat ovat alaikäisiä, luokkakavereita.", "minor_to_minor", "luokkakavereita"),
           ("Kuva on tekoälyllä luotu meemi, joka levisi somessa.",
            "generative_ai", "tekoalylla luotu")],
    "et": [("Kasutaja pakkus kohtumist ja küsis lapse aadressi.",
            "contact", "kusis lapse aadressi"),
           ("Ähvardas pildid avaldada ja nõudis raha.", "sextortion", "noudis raha"),
           ("ara utle vanematele, tulen sulle jarele kooli juurde",
            "contact", "ara utle vanematele"),
           ("palun lopeta, mul on nii hirmus. ta ähvardab", "urgency", "mul on nii hirmus"),
           ("Teataja hinnangul on laps vahetus ohus, kontakt jätkub.",
            "risk", "teataja hinnangul"),
           ("kui vana sa oled? oled üksi kodus? lähme snapi", "grooming", "oled uksi kodus"),
           ("Töötab lastega lasteaias, leibkonnas on väikesed lapsed.",
            "access", "tootab lastega")],
    "lv": [("Lietotājs piedāvāja tikties un jautāja bērna adresi.",
            "contact", "jautaja berna adresi"),
           ("Draudēja publicēt bildes un pieprasīja naudu.", "sextortion", "draudeja publicet"),
           ("nesaki vecakiem, atbrauksu pec tevis", "contact", "atbrauksu pec tevis"),
           ("ludzu beidz, man ir loti bail", "urgency", "man ir loti bail"),
           ("Ziņotājs uzskata, ka bērns ir tiešās briesmās; kontakts turpinās.",
            "risk", "zinotajs uzskata"),
           ("cik tev gadu? vai tu esi viena?", "grooming", "cik tev gadu"),
           ("Strādā ar bērniem bērnudārzā, dzīvo kopā ar maziem bērniem.",
            "access", "strada ar berniem")],
    "lt": [("Naudotojas pasiūlė susitikti ir klausė vaiko adreso.",
            "contact", "klause vaiko adreso"),
           ("Grasino paskelbti nuotraukas ir reikalavo pinigų.",
            "sextortion", "grasino paskelbti"),
           ("nieko nesakyk tevams, atvaziuosiu pas tave", "contact", "nieko nesakyk tevams"),
           ("prasau sustok, man baisu. jis grasina", "urgency", "prasau sustok"),
           ("Pranešėjo teigimu, vaikas yra pavojuje; kontaktas tęsiasi.",
            "risk", "kontaktas tesiasi"),
           ("kiek tau metu? ar tu viena?", "grooming", "kiek tau metu"),
           ("Dirba su vaikais darželyje, gyvena su mažais vaikais.", "access", "darzelyje")],
    "bg": [("Потребителят предложи среща и поиска адреса на детето.",
            "contact", "поиска адреса на детето"),
           ("Заплаши да публикува снимките и поиска пари.",
            "sextortion", "заплаши да публикува"),
           ("не казвай на нашите, ще дойда да те взема след училище",
            "contact", "не казваи на нашите"),
           ("моля спри, страх ме е от него", "urgency", "страх ме е от него"),
           ("Според подателя детето е в опасност, контактът продължава.",
            "risk", "детето е в опасност"),
           ("на колко години си? сама вкъщи ли си?", "grooming", "сама вкъщи ли си"),
           ("Работи като детегледачка, живее с малки деца.", "access", "детегледачка"),
           ("kade jivee6? ne kazvai na nashite", "contact", "kade jivee6")],
    "hr": [("Korisnik je predložio susret i tražio adresu djeteta.",
            "contact", "predlozio susret"),
           ("Prijetio je da će objaviti slike i zahtijevao novac.",
            "sextortion", "prijetio je da ce objaviti"),
           ("nemoj reci roditeljima, dolazim po tebe", "contact", "dolazim po tebe"),
           ("molim te prestani, jako me strah", "urgency", "jako me strah"),
           ("Prijavitelj smatra da je dijete u neposrednoj opasnosti.",
            "risk", "prijavitelj smatra"),
           ("koliko imas god? jesi sama doma?", "grooming", "koliko imas god"),
           ("Radi kao odgojiteljica u vrtiću, živi s malom djecom.",
            "access", "zivi s malom djecom")],
    "sl": [("Uporabnik je predlagal srečanje in vprašal za naslov.",
            "contact", "predlagal srecanje"),
           ("Grozil je z objavo slik in zahteval denar.", "sextortion", "grozil je z objavo"),
           ("ne povej starsem, pridem pote po soli", "contact", "ne povej starsem"),
           ("prosim nehaj, zelo me je strah", "urgency", "zelo me je strah"),
           ("Po mnenju prijavitelja je otrok v nevarnosti, stik se nadaljuje.",
            "risk", "po mnenju prijavitelja"),
           ("koliko si stara? si sama doma?", "grooming", "koliko si stara"),
           ("Dela z otroki kot vzgojiteljica v vrtcu.", "access", "dela z otroki")],
}  # fmt: skip

# language -> everyday sentences (chat, news, shopping, a school timetable, goodbyes) that
# must raise nothing: no hit in any category that raises urgency, in any language
BENIGN: dict[str, list[str]] = {
    "pl": ["Jutro mamy matematykę o 8:00, potem polski i WF.",
           "Kupiłam chleb i mleko w Biedronce, promocja do niedzieli.",
           "Rząd ogłosił nowe stawki podatku od przyszłego roku.",
           "Hej, co robisz wieczorem? Teraz idę do sklepu, zobaczymy się jutro.",
           "Transmisja na żywo meczu o 20:00, bilety za show w teatrze już kupione."],
    "cs": ["Zítra máme matiku a pak tělocvik.", "Koupil jsem rohlíky a máslo v Lidlu.",
           "Vláda schválila rozpočet na příští rok.",
           "Díky za pomoc s úkolem, uvidíme se zítra ve škole.",
           "Koupil jsem lístky za show v O2 areně."],
    "sk": ["Zajtra máme matematiku a potom telesnú.", "Kúpil som chlieb a mlieko v obchode.",
           "Vláda schválila rozpočet na budúci rok.",
           "Ďakujem za pomoc, uvidíme sa zajtra. Čo robíš večer?",
           "Kúpil som lístky za show v Bratislave."],
    "ro": ["Mâine avem matematică și apoi sport.", "Am cumpărat pâine și lapte de la magazin.",
           "Guvernul a anunțat acum noul buget.",
           "Ce faci diseară? Ne vedem mâine la școală!",
           "Am luat bilete pentru show-ul de diseară."],
    "hu": ["Holnap matek és tesi óra lesz.", "Vettem kenyeret és tejet a boltban.",
           "A kormány bejelentette az új költségvetést.",
           "Mit csinálsz ma este? Megnézzük a meccset?",
           "A műsor élő adásban megy ma este, az élő adás kilenckor kezdődik."],
    "el": ["Αύριο έχουμε μαθηματικά και γυμναστική.",
           "Αγόρασα ψωμί και γάλα από το σούπερ μάρκετ.",
           "Η κυβέρνηση ανακοίνωσε τον νέο προϋπολογισμό.", "Τι κάνεις απόψε; Πάμε σινεμά;",
           "Το παιχνίδι μεταδίδεται ζωντανά απόψε."],
    "sv": ["Imorgon har vi matte och sedan idrott.", "Jag köpte bröd och mjölk på Ica.",
           "Regeringen presenterade budgeten idag.",
           "Vad gör du ikväll? Jag är upptagen just nu, vi ses på måndag!"],
    "fi": ["Huomenna on matikkaa ja liikuntaa.", "Ostin leipää ja maitoa kaupasta.",
           "Hallitus esitteli ensi vuoden budjetin.", "Mitä teet illalla? Katsotaanko peli?",
           "Lompakko on kadonnut, nähdään huomenna."],
    "et": ["Homme on matemaatika ja kehaline kasvatus.", "Ostsin poest leiba ja piima.",
           "Valitsus esitles järgmise aasta eelarvet.", "Mis sa õhtul teed? Vaatame mängu?",
           "Pileti show eest maksin 30 eurot.",
           "Mu võtmed on kadunud, näeme homme."],
    "lv": ["Rīt mums ir matemātika un sports.", "Nopirku maizi un pienu veikalā.",
           "Valdība iesniedza nākamā gada budžetu.", "Ko tu dari vakarā? Skatāmies spēli?",
           "Biļetes par šovu nopirku vakar."],
    "lt": ["Rytoj turime matematiką ir kūno kultūrą.", "Nupirkau duonos ir pieno parduotuvėje.",
           "Vyriausybė pristatė kitų metų biudžetą.", "Ką veiki vakare? Žiūrim rungtynes?",
           "Biletai už šou parduoti."],
    "bg": ["Утре имаме математика и физическо.", "Купих хляб и мляко от магазина.",
           "Правителството представи бюджета за догодина.",
           "Какво правиш довечера? Ще гледаме ли мача?", "Имаш ваучер за отстъпка в магазина.",
           "Билети за шоуто в събота."],
    "hr": ["Sutra imamo matematiku i tjelesni.", "Kupio sam kruh i mlijeko u dućanu.",
           "Vlada je predstavila proračun za iduću godinu.",
           "Što radiš večeras? Vidimo se sutra, hvala na pomoći.",
           "Taj sir se može naći u svakoj trgovini.",
           "Karte za show su rasprodane."],
    "sl": ["Jutri imamo matematiko in telovadbo.", "Kupil sem kruh in mleko v trgovini.",
           "Vlada je predstavila proračun za prihodnje leto.", "Kaj delaš zvečer? Gledava tekmo?",
           "Vstopnice za show so razprodane."],
}  # fmt: skip

# language -> (text, category, text it must match) for abuse ordered and paid for (a payment
# analyst's note, then a payer's memo or chat) and for an innocent family or medical context
# (a moderator's note, then a parent's own words)
PAID_AND_FAMILY: dict[str, list[tuple[str, str, str]]] = {
    "pl": [("Bank zgłasza regularne przelewy do kilku odbiorców na Filipinach; tytuł przelewu "
            "odnosi się do show.", "paid_abuse", "odbiorcow na filipinach"),
           ("kasa za show, extra jak dluzej", "paid_abuse", "kasa za show"),
           ("Wygląda na zdjęcie rodzinne z wakacji nad morzem, brak kontekstu seksualnego.",
            "family_context", "brak kontekstu seksualnego"),
           ("to moja corka w wannie, zdjecia dla lekarza bo ma wysypke",
            "family_context", "zdjecia dla lekarza")],
    "cs": [("Banka hlásí časté malé platby na Filipíny více příjemcům, jurisdikce s vysokým "
            "rizikem.", "paid_abuse", "caste male platby"),
           ("platba za show, priplatim kdyz dyl", "paid_abuse", "platba za show"),
           ("Zřejmě rodinná fotka z dovolené u moře, bez sexuálního kontextu.",
            "family_context", "bez sexualniho kontextu"),
           ("to je muj syn ve vane, fotky pro doktora kvuli vyrazce",
            "family_context", "fotky pro doktora")],
    "sk": [("Banka hlási opakované malé platby viacerým príjemcom na Filipínach.",
            "paid_abuse", "viacerym prijemcom na filipinach"),
           ("za show ako minule, priplatim ak dlhsie", "paid_abuse", "priplatim ak dlhsie"),
           ("Pravdepodobne rodinná fotka, bez sexuálneho kontextu.",
            "family_context", "bez sexualneho kontextu"),
           ("to je moja dcera vo vani, fotky pre lekara", "family_context", "fotky pre lekara")],
    "ro": [("Analistul a observat transferuri frecvente de valoare mică, mai mulți destinatari "
            "din Filipine.", "paid_abuse", "mai multi destinatari din filipine"),
           ("bani pentru show, extra daca dureaza mai mult", "paid_abuse", "bani pentru show"),
           ("Pare o poză de familie din vacanța la mare, fără context sexual.",
            "family_context", "fara context sexual"),
           ("e fiul meu in cada, poze pentru doctor", "family_context", "poze pentru doctor")],
    "hu": [("A bank gyakori kis összegű utalásokat jelzett a Fülöp-szigetekre; utalások "
            "magas kockázatú országba.", "paid_abuse", "utalasok magas kockazatu orszagba"),
           ("fizetos privat show ma este, extra ha tovabb tart", "paid_abuse",
            "fizetos privat show"),
           ("Családi fotó a nyaralásról, nincs szexuális kontextus.",
            "family_context", "nincs szexualis kontextus"),
           ("ez a fiam a kadban, kepek az orvosnak a kiutes miatt",
            "family_context", "kepek az orvosnak")],
    "el": [("Ο αναλυτής εντόπισε συχνά μικρά εμβάσματα σε παραλήπτες στις Φιλιππίνες.",
            "paid_abuse", "συχνα μικρα εμβασματα"),
           ("λεφτα για το σοου, εξτρα αν κρατησει περισσοτερο",
            "paid_abuse", "λεφτα για το σοου"),
           ("Οικογενειακή φωτογραφία από τις διακοπές, χωρίς σεξουαλικό πλαίσιο.",
            "family_context", "οικογενειακη φωτογραφια"),
           ("η κόρη μου στο μπάνιο, φωτογραφία για τον παιδίατρο",
            "family_context", "φωτογραφια για τον παιδιατρο")],
    "bg": [("Чести малки преводи, няколко получатели във Филипините, държава с висок риск.",
            "paid_abuse", "няколко получатели във филипините"),
           ("pari za shouto, ekstra ako e po dalgo", "paid_abuse", "pari za shouto"),
           ("Семейна снимка от почивката, няма сексуален контекст.",
            "family_context", "няма сексуален контекст"),
           ("това е синът ми във ваната, снимки за лекаря", "family_context", "снимки за лекаря")],
    "hr": [("Banka bilježi česte male uplate, više primatelja na Filipinima.",
            "paid_abuse", "vise primatelja na filipinima"),
           ("za show kao prosli put, ekstra ako duze traje", "paid_abuse", "ekstra ako duze traje"),
           ("Obiteljska fotografija s ljetovanja, nema seksualnog konteksta.",
            "family_context", "nema seksualnog konteksta"),
           ("to je moja kci u kadi, slike za doktora", "family_context", "slike za doktora")],
    "sl": [("Banka beleži pogosta majhna nakazila na Filipine več prejemnikom.",
            "paid_abuse", "pogosta majhna nakazila"),
           ("za zasebni show, ekstra ce traja dlje", "paid_abuse", "za zasebni show"),
           ("Verjetno družinska fotografija z dopusta, brez spolnega konteksta.",
            "family_context", "brez spolnega konteksta"),
           ("to je moj sin v kadi, slike za zdravnika", "family_context", "slike za zdravnika")],
    "et": [("Pank märkis sagedasi väikese väärtusega ülekandeid Filipiinidesse.",
            "paid_abuse", "vaikese vaartusega ulekandeid"),
           ("privaatse show eest, ekstra kui kauem", "paid_abuse", "privaatse show eest"),
           ("Tõenäoliselt perepilt rannapuhkuselt, seksuaalne kontekst puudub.",
            "family_context", "seksuaalne kontekst puudub"),
           ("see on mu poeg vannis, pildid arstile", "family_context", "pildid arstile")],
    "lv": [("Banka konstatēja biežus mazas vērtības pārvedumus uz Filipīnām.",
            "paid_abuse", "mazas vertibas parvedumus"),
           ("par privato sovu, ekstra ja ilgak", "paid_abuse", "par privato sovu"),
           ("Visticamāk ģimenes foto no atvaļinājuma, nav seksuāla konteksta.",
            "family_context", "nav seksuala konteksta"),
           ("tas ir mans dels vanna, bildes arstam", "family_context", "bildes arstam")],
    "lt": [("Bankas pastebėjo dažnus mažos vertės pervedimus į Filipinus keliems gavėjams.",
            "paid_abuse", "mazos vertes pervedimus"),
           ("uz privatu sou, ekstra jei ilgiau", "paid_abuse", "uz privatu sou"),
           ("Panašu į šeimos nuotrauką iš atostogų, nėra seksualinio konteksto.",
            "family_context", "nera seksualinio konteksto"),
           ("tai mano dukra vonioje, nuotraukos gydytojui",
            "family_context", "nuotraukos gydytojui")],
}  # fmt: skip

# language -> a relative or carer abusing a child near a bath: a risk, never a family decoy
RELATIVES: dict[str, str] = {
    "pl": "Wujek robił zdjęcia dziewczynce w wannie, a ojczym filmował ją podczas kąpieli.",
    "cs": "Strýc fotil holčičku ve vaně a otčím ji natáčel při koupání.",
    "sk": "Strýko fotil dievča vo vani a otčim ho natáčal pri kúpaní.",
    "ro": "Unchiul a fotografiat fetița în cadă, iar tatăl vitreg a filmat-o la baie.",
    "hu": "A nagybácsi lefotózta a lányt a kádban, a mostohaapa fürdetés közben filmezte.",
    "el": "Ο θείος φωτογράφισε το κορίτσι στο μπάνιο και ο πατριός το βιντεοσκόπησε.",
    "bg": "Чичото снимал момичето във ваната, а вторият баща го снимал по време на къпане.",
    "hr": "Ujak je fotografirao djevojčicu u kadi, a očuh ju je snimao tijekom kupanja.",
    "sl": "Stric je fotografiral deklico v kadi, očim jo je snemal med kopanjem.",
    "et": "Onu pildistas tüdrukut vannis ja kasuisa filmis teda vannitamise ajal.",
    "lv": "Tēvocis fotografēja meiteni vannā, patēvs viņu filmēja peldēšanās laikā.",
    "lt": "Dėdė fotografavo mergaitę vonioje, patėvis ją filmavo maudynių metu.",
}


def _hits(text: str) -> list[tuple[str, str, str]]:
    return [(h.category, h.language, h.matched) for h in find_cues([text])]


@pytest.mark.parametrize("language", sorted(EXAMPLES))
def test_each_language_reads_summaries_chat_and_childrens_words(language: str) -> None:
    for text, category, matched in EXAMPLES[language]:
        assert (category, language, matched) in _hits(text), (text, _hits(text))


@pytest.mark.parametrize("language", sorted(PAID_AND_FAMILY))
def test_each_language_reads_paid_abuse_and_family_context(language: str) -> None:
    for text, category, matched in PAID_AND_FAMILY[language]:
        assert (category, language, matched) in _hits(text), (text, _hits(text))


@pytest.mark.parametrize("language", sorted(RELATIVES))
def test_a_relative_abusing_a_child_is_no_family_context(language: str) -> None:
    text = RELATIVES[language]
    assert not [h for h in _hits(text) if h[0] == "family_context"], (text, _hits(text))


@pytest.mark.parametrize("language", sorted(BENIGN))
def test_everyday_text_raises_nothing(language: str) -> None:
    for text in BENIGN[language]:
        raising = [h for h in _hits(text) if h[0] in RAISING]
        assert not raising, (text, raising)


def test_every_language_here_has_every_category_and_the_new_ones_are_broad() -> None:
    table = load((PACKAGED,))
    for language in LANGUAGES:
        missing = [c for c in CATEGORIES if not table.by_language[c].get(language)]
        assert not missing, f"{language} lacks {missing}"
    for language in NEW:
        doc = yaml.safe_load((PACKAGED / f"{language}.yaml").read_text(encoding="utf-8"))
        assert doc["language"] == language
        assert sum(len(p) for p in doc["cues"].values()) >= 70, language


def test_no_phrase_here_ends_in_a_lone_star() -> None:
    """A trailing lone ``*`` compiles to a pattern that never matches (the last character of
    the regex is cut off), so "add me on *" is written "add me on" instead."""
    for language in LANGUAGES:
        doc = yaml.safe_load((PACKAGED / f"{language}.yaml").read_text(encoding="utf-8"))
        ending = [p for ps in doc["cues"].values() for p in ps if p.split()[-1] == "*"]
        assert not ending, (language, ending)


def test_cyrillic_and_greek_fold_like_their_phrases() -> None:
    assert normalise("Не казвай на НАШИТЕ!") == "не казваи на нашите"  # й read as и
    assert ("contact", "bg", "не казваи на нашите") in _hits("Не казвай на НАШИТЕ!")
    assert ("urgency", "el", "φοβαμαι πολυ") in _hits("ΦΟΒΆΜΑΙ ΠΟΛΎ")


# language -> (text, category, text it must match) for the two decoys: a malicious or unfounded
# report (a moderator's note on a dispute or a prank, then a user's insult with a demand) and
# mass sextortion scam spam aimed at adults (a provider's note, then the spam's own words)
DECOYS: dict[str, list[tuple[str, str, str]]] = {
    "pl": [("Zgłaszający i zgłoszony użytkownik są w konflikcie od tygodni; nie znaleziono treści "
            "potwierdzających zarzut.",
            "malicious_report", "nie znaleziono tresci potwierdzajacych"),
           ("ten typ to pedofil lol, zglaszajcie go wszyscy",
            "malicious_report", "zglaszajcie go wszyscy"),
           ("Masowo rozsyłany spam z wymuszeniem; odbiorca jest osobą dorosłą.",
            "scam_spam", "odbiorca jest osoba dorosla"),
           ("Zhakowałem twoje urządzenie i nagrałem cię podczas oglądania stron dla dorosłych. "
            "Wyślij 500 USD w bitcoinach na adres portfela poniżej.",
            "scam_spam", "zhakowalem twoje urzadzenie")],
    "cs": [("Oznamovatel a nahlášený uživatel jsou ve sporu, nahlášení z pomsty; nebyl nalezen "
            "žádný obsah.", "malicious_report", "nahlaseni z pomsty"),
           ("je to pedofil lol, nahlaste ho vsichni", "malicious_report", "nahlaste ho vsichni"),
           ("Hromadně rozesílaný vyděračský spam, příjemce je dospělý.",
            "scam_spam", "prijemce je dospely"),
           ("Hacknul jsem tvoje zařízení a nainstaloval jsem malware. Tvoje heslo je 123456. "
            "Pošli 500 USD v bitcoinech.", "scam_spam", "nainstaloval jsem malware")],
    "sk": [("Oznamovateľ a nahlásený používateľ sú v dlhodobom spore; obvinenie sa nepotvrdilo.",
            "malicious_report", "obvinenie sa nepotvrdilo"),
           ("je to pedofil xd, nahlaste ho vsetci", "malicious_report", "nahlaste ho vsetci"),
           ("Hromadne rozosielaný spam s vydieraním, príjemca je dospelý.",
            "scam_spam", "prijemca je dospely"),
           ("Hackol som tvoje zariadenie a nahral som ťa pri sledovaní stránok pre dospelých.",
            "scam_spam", "pri sledovani stranok pre dospelych")],
    "ro": [("Raportorul și utilizatorul raportat sunt în conflict, raportare din răzbunare.",
            "malicious_report", "raportare din razbunare"),
           ("e pedofil lol, raportati l toti", "malicious_report", "raportati l toti"),
           ("Spam trimis în masă, e-mail șablon; destinatarul este o persoană adultă.",
            "scam_spam", "destinatarul este o persoana adulta"),
           ("Am spart dispozitivul tău și am instalat un troian. Parola ta este 123456.",
            "scam_spam", "parola ta este")],
    "hu": [("A bejelentő és a bejelentett felhasználó vitában állnak, bosszúból tett bejelentés.",
            "malicious_report", "bosszubol tett bejelentes"),
           ("ez egy pedofil lol, mindenki jelentse", "malicious_report", "mindenki jelentse"),
           ("Tömegesen küldött zsaroló spam, a címzett felnőtt.", "scam_spam", "a cimzett felnott"),
           ("Feltörtem az eszközödet, és felvettelek, miközben felnőtt oldalakat néztél. Küldj "
            "500 dollárt bitcoinban.", "scam_spam", "felnott oldalakat neztel")],
    "el": [("Ο αναφέρων και ο αναφερόμενος βρίσκονται σε διένεξη· δεν βρέθηκε υποστηρικτικό "
            "περιεχόμενο.", "malicious_report", "δεν βρεθηκε υποστηρικτικο περιεχομενο"),
           ("είναι παιδόφιλος lol, κάντε όλοι report", "malicious_report", "καντε ολοι report"),
           ("Μαζικό spam εκβιασμού, ο παραλήπτης είναι ενήλικας.",
            "scam_spam", "ο παραληπτησ ειναι ενηλικασ"),
           ("Χάκαρα τη συσκευή σου και σε κατέγραψα ενώ έβλεπες ιστοσελίδες για ενήλικες.",
            "scam_spam", "χακαρα τη συσκευη")],
    "bg": [("Подателят и докладваният потребител са в продължителен спор; сигнал от отмъщение.",
            "malicious_report", "сигнал от отмъщение"),
           ("педофил лол, всички да го репортнат", "malicious_report", "всички да го репортнат"),
           ("Масово разпращан спам с изнудване, получателят е пълнолетен.",
            "scam_spam", "получателят е пълнолетен"),
           ("Хакнах устройството ти и те записах, докато гледаш сайтове за възрастни.",
            "scam_spam", "гледаш саитове за възрастни")],
    "hr": [("Prijavitelj i prijavljeni korisnik su u sukobu; prijava iz osvete.",
            "malicious_report", "prijava iz osvete"),
           ("pedofil lol, prijavite ga svi", "malicious_report", "prijavite ga svi"),
           ("Masovno poslan spam s ucjenom, primatelj je punoljetan.",
            "scam_spam", "primatelj je punoljetan"),
           ("Hakirao sam tvoj uređaj. Tvoja lozinka je 123456. Pošalji 500 USD u bitcoinima.",
            "scam_spam", "hakirao sam tvoj uredaj")],
    "sl": [("Prijavitelj in prijavljeni uporabnik sta v sporu; obtožba ni bila potrjena.",
            "malicious_report", "obtozba ni bila potrjena"),
           ("je pedofil, banajte ga lol. prijavite ga vsi", "malicious_report", "prijavite ga vsi"),
           ("Množično poslan izsiljevalski spam, prejemnik je polnoleten.",
            "scam_spam", "prejemnik je polnoleten"),
           ("Vdrl sem v tvojo napravo in namestil sem trojanca. Pošlji 500 USD v bitcoinih.",
            "scam_spam", "vdrl sem v tvojo napravo")],
    "et": [("Teataja ja teatatud kasutaja on pikaajalises tülis; toetavat sisu ei leitud.",
            "malicious_report", "toetavat sisu ei leitud"),
           ("pedofiil lol, kõik reportige teda", "malicious_report", "koik reportige teda"),
           ("Massiline väljapressimise rämpspost, saaja on täiskasvanu.",
            "scam_spam", "saaja on taiskasvanu"),
           ("Häkkisin sinu seadme ja paigaldasin pahavara. Sinu parool on 123456.",
            "scam_spam", "hakkisin sinu seadme")],
    "lv": [("Ziņotājs un lietotājs ir ilgstošā strīdā; ziņojums atriebības dēļ.",
            "malicious_report", "zinojums atriebibas del"),
           ("pedofils lol, visi reportojiet viņu", "malicious_report", "visi reportojiet vinu"),
           ("Masveida izspiešanas surogātpasts, adresāts ir pieaugušais.",
            "scam_spam", "adresats ir pieaugusais"),
           ("Uzlauzu tavu ierīci. Tava parole ir 123456. Nosūti 500 USD bitkoinos.",
            "scam_spam", "uzlauzu tavu ierici")],
    "lt": [("Pranešėjas ir naudotojas yra ilgalaikiame ginče; kaltinimai nepasitvirtino.",
            "malicious_report", "kaltinimai nepasitvirtino"),
           ("pedofilas lol, visi reportinkit jį", "malicious_report", "visi reportinkit ji"),
           ("Masinis šantažo šlamštas, gavėjas yra suaugęs.", "scam_spam", "gavejas yra suauges"),
           ("Įsilaužiau į tavo įrenginį. Tavo slaptažodis yra 123456. Atsiųsk 500 USD bitkoinais.",
            "scam_spam", "isilauziau i tavo irengini")],
}  # fmt: skip

# language -> (a specific genuine report of a child being contacted, a child being sextorted):
# real danger, never a malicious report or adult scam spam
GENUINE: dict[str, tuple[str, str]] = {
    "pl": (
        "Moja córka ma 12 lat, mężczyzna pisał do niej na Instagramie, pytał gdzie mieszka i "
        "zaproponował spotkanie po szkole.",
        "on mowi ze wysle moje zdjecia znajomym jak mu nie zaplace 200 zl do jutra, mam 14 lat",
    ),
    "cs": (
        "Mé dceři je 12 let, muž jí psal na Instagramu, ptal se, kde bydlí, a navrhl schůzku "
        "po škole.",
        "rika ze posle moje fotky kamaradum kdyz mu nezaplatim 2000 kc do zitra, je mi 14",
    ),
    "sk": (
        "Moja dcéra má 12 rokov, muž jej písal na Instagrame, pýtal sa, kde býva, a navrhol "
        "stretnutie po škole.",
        "hovori ze posle moje fotky kamaratom ak mu nezaplatim 100 eur do zajtra, mam 14 rokov",
    ),
    "ro": (
        "Fiica mea are 12 ani, un bărbat i-a scris pe Instagram, a întrebat-o unde locuiește "
        "și i-a propus o întâlnire după școală.",
        "zice ca trimite pozele mele la prieteni daca nu ii platesc 500 lei pana maine, am 14 ani",
    ),
    "hu": (
        "A lányom 12 éves, egy férfi írt neki Instagramon, megkérdezte, hol lakik, és "
        "találkozót javasolt iskola után.",
        "azt mondja elkuldi a kepeimet a barataimnak ha nem fizetek neki 20 ezret holnapig, "
        "14 eves vagyok",
    ),
    "el": (
        "Η κόρη μου είναι 12 χρονών, ένας άντρας της έγραφε στο Instagram, ρώτησε πού μένει "
        "και πρότεινε συνάντηση μετά το σχολείο.",
        "λεει οτι θα στειλει τις φωτογραφιες μου στους φιλους μου αν δεν του πληρωσω 100 ευρω "
        "μεχρι αυριο, ειμαι 14",
    ),
    "bg": (
        "Дъщеря ми е на 12 години, мъж ѝ пишеше в Instagram, попита къде живее и предложи "
        "среща след училище.",
        "казва че ще прати снимките ми на приятелите ми ако не му платя 100 лева до утре, на "
        "14 съм",
    ),
    "hr": (
        "Moja kći ima 12 godina, muškarac joj je pisao na Instagramu, pitao gdje živi i "
        "predložio susret nakon škole.",
        "kaze da ce poslati moje slike prijateljima ako mu ne platim 100 eura do sutra, imam "
        "14 godina",
    ),
    "sl": (
        "Moja hči je stara 12 let, moški ji je pisal na Instagramu, vprašal, kje živi, in "
        "predlagal srečanje po šoli.",
        "pravi da bo poslal moje slike prijateljem ce mu ne placam 100 evrov do jutri, stara "
        "sem 14 let",
    ),
    "et": (
        "Mu tütar on 12-aastane, mees kirjutas talle Instagramis, küsis, kus ta elab, ja "
        "pakkus kohtumist pärast kooli.",
        "ta ütleb et saadab mu pildid mu sõpradele kui ma talle 100 eurot homseks ei maksa, "
        "ma olen 14",
    ),
    "lv": (
        "Manai meitai ir 12 gadi, vīrietis viņai rakstīja Instagram, jautāja, kur viņa dzīvo, "
        "un piedāvāja tikties pēc skolas.",
        "vins saka ka nosutis manas bildes maniem draugiem ja es vinam nesamaksasu 100 eiro "
        "lidz rītdienai, man ir 14",
    ),
    "lt": (
        "Mano dukrai 12 metų, vyras jai rašė Instagram, klausė, kur ji gyvena, ir pasiūlė "
        "susitikti po pamokų.",
        "sako kad issius mano nuotraukas draugams jei jam nesumokesiu 100 euru iki rytojaus, "
        "man 14 metu",
    ),
}
DECOY_CATEGORIES = ("malicious_report", "scam_spam")


@pytest.mark.parametrize("language", sorted(DECOYS))
def test_each_language_reads_malicious_reports_and_scam_spam(language: str) -> None:
    for text, category, matched in DECOYS[language]:
        assert (category, language, matched) in _hits(text), (text, _hits(text))
    assert {c for _, c, _ in DECOYS[language]} == set(DECOY_CATEGORIES)


@pytest.mark.parametrize("language", sorted(GENUINE))
def test_a_genuine_report_or_a_sextorted_child_is_no_decoy(language: str) -> None:
    for text in GENUINE[language]:
        decoys = [h for h in _hits(text) if h[0] in DECOY_CATEGORIES]
        assert not decoys, (text, decoys)


# language -> a report that names only the channel or format it came through (a live session or
# broadcast, an adult private or cam show) or self-generated material: the medium says nothing
# about a danger to a child, so neither paid abuse nor production is read into it
MEDIUM_ONLY: dict[str, list[str]] = {
    "pl": ["Sesja na żywo oznaczona po zgłoszeniach widzów i zakończona przez moderatora.",
           "Samodzielnie wytworzony obraz udostępniony między kolegami z klasy.",
           "Prywatne show na kamerce na stronie dla dorosłych."],
    "cs": ["Živé vysílání označeno po hlášení diváků a ukončeno moderátorem.",
           "Vlastnoručně vytvořený snímek sdílený mezi spolužáky.",
           "Soukromá show na kameru na webu pro dospělé."],
    "sk": ["Živé vysielanie označené po hláseniach divákov a ukončené moderátorom.",
           "Vlastnoručne vytvorený snímok zdieľaný medzi spolužiakmi.",
           "Súkromná show na kameru na stránke pre dospelých."],
    "ro": ["Sesiune live semnalată de spectatori și închisă de moderator.",
           "Imagine autogenerată distribuită între colegi de clasă.",
           "Show privat pe camera web, pe un site pentru adulți."],
    "hu": ["Az élő adást a nézők jelentései alapján megjelölték, a moderátor leállította.",
           "Saját készítésű kép osztálytársak között megosztva.",
           "Privát show és privát élő adás egy felnőtt oldalon."],
    "el": ["Η ζωντανή μετάδοση επισημάνθηκε από αναφορές θεατών και τερματίστηκε από τον "
           "συντονιστή.",
           "Αυτοπαραγόμενη εικόνα κοινοποιήθηκε μεταξύ συμμαθητών.",
           "Ιδιωτικό σόου ζωντανά στην κάμερα, σε ιστότοπο ενηλίκων."],
    "sv": ["Livesändning flaggad efter tittarrapporter och avslutad av moderator.",
           "Självgenererad bild delad mellan klasskamrater.",
           "Privat show på kamera, på en vuxensida."],
    "fi": ["Live-sessio merkitty katsojien ilmoitusten perusteella, moderaattori lopetti sen.",
           "Itse tuotettu kuva jaettu luokkatovereiden kesken.",
           "Yksityis show kameralla aikuissivustolla."],
    "et": ["Otseülekanne märgiti vaatajate teadete põhjal, moderaator lõpetas selle.",
           "Ise loodud pilt, mida jagati klassikaaslaste vahel.",
           "Privaatne show kaameras täiskasvanute lehel."],
    "lv": ["Tiešraide atzīmēta pēc skatītāju ziņojumiem, moderators to pārtrauca.",
           "Paša veidots attēls, kopīgots starp klasesbiedriem.",
           "Privāts šovs pieaugušo vietnē."],
    "lt": ["Tiesioginė transliacija pažymėta po žiūrovų pranešimų, moderatorius ją nutraukė.",
           "Paties sukurtas vaizdas, pasidalintas tarp klasės draugų.",
           "Privatus šou per kamerą suaugusiųjų svetainėje."],
    "bg": ["Излъчване на живо, маркирано след сигнали от зрители и спряно от модератора.",
           "Самостоятелно създадено изображение, споделено между съученици.",
           "Частно шоу в сайт за възрастни."],
    "hr": ["Prijenos uživo označen nakon prijava gledatelja, moderator ga je prekinuo.",
           "Samostalno izrađena slika podijeljena među školskim kolegama.",
           "Privatni show na kameri na stranici za odrasle."],
    "sl": ["Prenos v živo označen po prijavah gledalcev, moderator ga je prekinil.",
           "Samostojno ustvarjena slika, deljena med sošolci.",
           "Zasebni show na kameri na strani za odrasle."],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(MEDIUM_ONLY))
def test_a_medium_or_self_generated_material_alone_is_no_paid_abuse_or_production(
    language: str,
) -> None:
    for text in MEDIUM_ONLY[language]:
        read = [h for h in _hits(text) if h[0] in ("paid_abuse", "production")]
        assert not read, (text, read)
