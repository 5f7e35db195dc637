"""Bench stream ``eu_direct``: providers' CyberTipline ``<report>`` XML sent to an EU centre.

Causal story (written from how referral streams behave, independently of grace's scorer).
Each report is one *case* with a hidden situation. A child is in danger now only when
someone is reaching a child at this moment: an adult with access to a child producing new
material (``producer``), abuse live-streamed to paying viewers abroad (``stream``, seen by
a payment or streaming provider), an adult arranging to meet a child soon (``meet``), a
teenager being sextorted right now by an organised scam group (``extort``), or a child
writing to the provider for help (``selfreport``); grooming without a plan (``groom``)
is urgent only sometimes. Whether the case is *current* (days, not months) decides most
of it, and a case can be old even when its situation is serious.

What the report shows depends on the provider and on the detection channel, not on the
truth: a messenger forwards chat excerpts and fills annotations; a Dutch photo site writes
notes in Dutch and never annotates; a Spanish cloud backup sends hash matches and short notes, files
unviewed, no chat; a payment provider sends transfers and memos, no files; a video app
escalates anything viral and batches it. Moderators write in their own language (about
40 % of text is not English), some providers translate chats, users misspell and drop
accents. Every telling field is often missing and every one has false positives.

Decoys: viral clips re-reported by many providers (escalated, same hashes again and
again), cloud-sync of hundreds of known files, retroactive sweeps (new-looking files,
incident years ago), parents' bath photos flagged by a classifier (young victim age, new
camera originals), "I hacked your webcam" spam to adults (sextortion annotation, threats),
adults' age role-play (a child's age in the text), drawn or AI images (new files), teens
among themselves (minor ages, talk of meeting), and police-run decoy accounts: adults
chatting with a "13 year old" who is an officer (looks like ``meet``; the same few decoy
accounts recur as recipients).
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from common import Account, Stream, StreamItem, before, countries, iso, leet, new_account, weighted
from eu_direct_text import BIO, CHAT, NOTE

from grace.demo.generate import reference_date
from grace.demo.population import DOC_BLOCKS, country_ip, ip_in

SITUATIONS = {
    "collector": 0.45, "viral": 0.14, "bulk": 0.05, "sweep": 0.05, "family": 0.04,
    "spam": 0.04, "roleplay": 0.02, "synthetic": 0.04, "teens": 0.06, "sting": 0.01,
    "adultmeet": 0.01, "producer": 0.01, "stream": 0.007, "meet": 0.008, "groom": 0.015,
    "extort": 0.011, "selfreport": 0.004,
}  # fmt: skip
EU = ("DE", "FR", "PL", "IT", "ES", "NL", "RO", "BE", "SE", "AT", "PT", "CZ", "IE")
LANG = {"DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "PL": "pl", "IT": "it", "ES": "es",
        "NL": "nl", "RO": "ro", "SE": "sv", "PT": "pt", "CZ": "cs", "GR": "el", "HU": "hu",
        "BR": "pt", "MX": "es"}  # fmt: skip
UNROUTED = ("GR", "HU")  # accounts whose IPs no routing table here knows


@dataclass(frozen=True)
class Esp:
    """A provider's habits: how it spells itself, what it fills, which language it writes."""

    spellings: tuple[str, ...]
    lang: str  # moderators' language
    annotates: float  # fills reportAnnotations / fileAnnotations when it has a reason
    escalates: float  # escalates a case it believes serious
    escalates_viral: float
    chat: float  # forwards chat excerpts
    translates: float  # translates users' chat into English
    viewed: float  # a person looked at the files
    channel: str  # internetDetails kind it uses
    product: str | None
    pays: bool = False  # a payment provider: transfers and memos, never files


ESPS = {
    "Chatterly": Esp(("Chatterly", "https://chatterly.example.com/legal", "Chatterly Inc."), "en",
                     0.6, 0.45, 0.02, 0.8, 0.5, 0.7, "chatImIncident", "Chatterly Messenger"),
    "ClipTok": Esp(("ClipTok", "https://www.cliptok.example.net/terms", "CLIPTOK LTD"), "en",
                   0.5, 0.2, 0.35, 0.4, 0.7, 0.5, "webPageIncident", "ClipTok"),
    "Fotoboek": Esp(("Fotoboek B.V.", "https://fotoboek.example.org/voorwaarden", "fotoboek"),
                    "nl", 0.0, 0.25, 0.05, 0.2, 0.0, 0.8, "webPageIncident", None),
    "Kwadrat": Esp(("Kwadrat", "Kwadrat Sp. z o.o.", "https://kwadrat.example.com/regulamin"),
                   "pl", 0.3, 0.3, 0.05, 0.5, 0.1, 0.6, "chatImIncident", "Kwadrat"),
    "NubeSync": Esp(("NubeSync", "https://nubesync.example.net/legal", "Nube Sync S.L."), "es",
                    0.05, 0.05, 0.0, 0.0, 0.0, 0.15, "webPageIncident", "NubeSync Backup"),
    "Piazza": Esp(("Piazza", "https://piazza.example.org/termini"), "it",
                  0.2, 0.2, 0.0, 0.5, 0.0, 0.6, "webPageIncident", "Piazza Forum"),
    "GameLobby": Esp(("GameLobby", "https://gamelobby.example.com/tos", "Game Lobby Inc"), "en",
                     0.4, 0.35, 0.0, 0.9, 0.6, 0.5, "onlineGamingIncident", None),
    "StreamHaus": Esp(("StreamHaus GmbH", "https://streamhaus.example.com/agb"), "de",
                      0.7, 0.5, 0.0, 0.3, 0.0, 0.6, "webPageIncident", "StreamHaus Live"),
    "Zahlwerk": Esp(("Zahlwerk", "Zahlwerk Payments AG", "https://zahlwerk.example.net/recht"),
                    "de", 0.0, 0.4, 0.0, 0.0, 0.0, 0.0, "webPageIncident", None, True),
    "PostaMail": Esp(("PostaMail", "https://postamail.example.org/cgu", "Posta Mail SAS"), "fr",
                     0.5, 0.05, 0.0, 0.0, 0.0, 0.3, "emailIncident", "PostaMail"),
    "ArtForge": Esp(("ArtForge", "https://artforge.example.com/policy"), "en",
                    0.7, 0.05, 0.0, 0.2, 0.0, 0.9, "webPageIncident", "ArtForge Studio"),
}  # fmt: skip
ESP_FOR = {
    "collector": ("Chatterly", "ClipTok", "Fotoboek", "Kwadrat", "NubeSync", "Piazza"),
    "viral": ("ClipTok", "ClipTok", "Chatterly", "Fotoboek", "Kwadrat"),
    "bulk": ("NubeSync", "NubeSync", "Chatterly"), "sweep": ("NubeSync", "Fotoboek", "Kwadrat"),
    "family": ("NubeSync", "Fotoboek", "Chatterly"), "spam": ("PostaMail",),
    "roleplay": ("Chatterly", "Piazza", "GameLobby"),
    "synthetic": ("ArtForge", "Piazza", "Kwadrat"),
    "teens": ("Chatterly", "ClipTok", "Kwadrat", "GameLobby"),
    "sting": ("Chatterly", "GameLobby", "Piazza"), "adultmeet": ("Chatterly", "Piazza"),
    "producer": ("Fotoboek", "NubeSync", "Chatterly", "Kwadrat"),
    "stream": ("StreamHaus", "Zahlwerk", "Zahlwerk"),
    "meet": ("Chatterly", "GameLobby", "Kwadrat", "ClipTok"),
    "groom": ("Chatterly", "GameLobby", "Kwadrat", "ClipTok"),
    "extort": ("Chatterly", "ClipTok", "Kwadrat", "Fotoboek"),
    "selfreport": ("Chatterly", "GameLobby", "ClipTok"),
}  # fmt: skip
# situation -> (chance the case is current, urgency if current, urgency if not)
URGENCY = {
    "producer": (0.7, 0.85, 0.05), "stream": (0.75, 0.8, 0.05), "meet": (0.6, 0.85, 0.2),
    "groom": (0.5, 0.2, 0.03), "extort": (0.6, 0.7, 0.03), "selfreport": (0.8, 0.75, 0.2),
    "teens": (0.5, 0.01, 0.0), "family": (0.5, 0.005, 0.0), "collector": (0.2, 0.003, 0.001),
    "sweep": (0.0, 0.0, 0.002), "sting": (0.6, 0.02, 0.0),
}  # fmt: skip
CHAT_KIND = {
    "meet": ("groom", "meet"), "sting": ("groom", "meet"), "groom": ("groom",),
    "extort": ("extort",), "selfreport": ("distress",), "teens": ("teen",),
    "roleplay": ("roleplay",), "spam": ("spam",), "viral": ("meme",), "stream": ("pay",),
    "producer": ("access",), "adultmeet": ("adultmeet",),
}  # fmt: skip
NOTE_KIND = {
    "producer": "producer", "stream": "stream", "meet": "meet", "sting": "meet", "groom": "groom",
    "extort": "extort", "selfreport": "selfreport", "teens": "teen", "spam": "spam",
    "family": "family", "roleplay": "roleplay", "synthetic": "synthetic", "viral": "viral",
    "bulk": "bulk", "sweep": "sweep",
}  # fmt: skip
CP = "Child Pornography (possession, manufacture, and distribution)"
ENTICE = "Online Enticement of Children for Sexual Acts"
VIRAL_POOL = 40  # a few viral files dominate (Zipf draw)
STING_DECOYS = 4  # the police-run accounts that recur as recipients
SCHOOLS = ("Gymnasium Nord", "Liceo Galilei", "Szkola Podstawowa nr 4", "College Jules Verne")
MAX_LISTED = 25  # files listed in one report; the rest go into one note


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"eu-direct-{seed}")
        self.reference = reference_date(seed)
        self.seen: list[tuple[Account, str]] = []
        self.decoys = [new_account(self.rng, self.rng.choice(EU), "decoy")
                       for _ in range(STING_DECOYS)]  # fmt: skip

    # -- the hidden case -------------------------------------------------------------------

    def item(self, index: int) -> StreamItem:
        rng = self.rng
        if self.seen and rng.random() < 0.08:
            acc, situation = rng.choice(self.seen)  # the same account reported again
        else:
            situation = weighted(rng, SITUATIONS)
            acc = self.account(situation)
            self.seen.append((acc, situation))
        p_current, p_now, p_old = URGENCY.get(situation, (0.3, 0.0, 0.0))
        current = rng.random() < p_current
        urgent = rng.random() < (p_now if current else p_old)
        received = before(self.reference, rng, index * 0.01)
        incident = self.incident_time(rng, situation, current, received)
        esp = ESPS[rng.choice(ESP_FOR[situation])]
        doc, media = _Report(rng, self, index, acc, situation, current, esp,
                             received, incident).build()  # fmt: skip
        return StreamItem(doc, "report.xml", media, urgent, acc.country, situation, received)

    def account(self, situation: str) -> Account:
        rng = self.rng
        if situation == "extort" and rng.random() < 0.8:
            country = rng.choice(("PH", "IN", "ID", "BR", "MX", "US", "PK"))
        elif situation == "stream":
            country = rng.choice(EU) if rng.random() < 0.7 else countries(rng, ("US", "GB"))
        elif rng.random() < 0.06:
            country = rng.choice(UNROUTED)
        elif rng.random() < 0.78:
            country = rng.choice(EU)
        else:
            country = countries(rng)
        if country in UNROUTED:
            acc = new_account(rng, "DE", situation)
            acc.country = country
            acc.ips = [ip_in(rng, rng.choice(DOC_BLOCKS))]
            return acc
        return new_account(rng, country, situation)

    @staticmethod
    def incident_time(
        rng: random.Random, situation: str, current: bool, received: datetime
    ) -> datetime:
        """Current cases are hours to days old; sweeps are years old; the rest in between."""
        if situation == "sweep":
            return before(received, rng, rng.uniform(600, 3500))
        if current:
            return before(received, rng, rng.expovariate(1 / 1.5))
        if situation in ("bulk", "spam", "viral") or rng.random() < 0.3:
            return before(received, rng, rng.expovariate(1 / 3))  # recent, but not a case
        return before(received, rng, rng.uniform(4, 400))

    def viral_hash(self) -> str:
        k = min(int(self.rng.paretovariate(1.1)) - 1, VIRAL_POOL - 1)
        return hashlib.md5(f"viral-{k}".encode()).hexdigest()


def noisy(rng: random.Random, text: str) -> str:
    """Users and moderators type fast: accents dropped, letters swapped, some leetspeak."""
    if rng.random() < 0.5:
        text = "".join(
            c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
        )
    if rng.random() < 0.15 and len(text) > 8:
        i = rng.randrange(1, len(text) - 2)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if rng.random() < 0.04:
        text = leet(rng, text, 0.3)
    return text


def el(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


class _Report:
    """One provider's ``<report>`` about one case: what it shows, given the provider's habits."""

    def __init__(
        self, rng: random.Random, stream: _Stream, index: int, acc: Account, situation: str,
        current: bool, esp: Esp, received: datetime, incident: datetime,
    ) -> None:  # fmt: skip
        self.rng, self.stream, self.index, self.acc = rng, stream, index, acc
        self.situation, self.current, self.esp = situation, current, esp
        self.received, self.incident = received, incident
        self.user_lang = LANG.get(acc.country, "en")

    def build(self) -> tuple[bytes, dict[str, int]]:
        chat, notes = self.texts()
        files, media = self.files()
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<report xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:noNamespaceSchemaLocation="https://report.cybertip.org/ispws/xsd">',
        ]
        if self.situation == "viral" and self.rng.random() < 0.3:
            parts.append('<batchedReport reason="VIRAL_POTENTIAL_MEME"/>')
        parts += [self.summary(), self.internet(chat), self.reporter(), self.reported()]
        parts += [self.recipient(), self.victim(), *files]
        if notes:  # the schema allows one: providers join their notes
            parts.append(el("additionalInfo", "\n".join(notes)))
        parts.append("</report>")
        return "\n".join(p for p in parts if p).encode("utf-8"), media

    # -- incidentSummary ---------------------------------------------------------------

    def summary(self) -> str:
        rng, s, esp = self.rng, self.situation, self.esp
        out = ["<incidentSummary>", el("incidentType", self.incident_type())]
        if esp.product and rng.random() < 0.7:
            out.append(el("platform", esp.product))
        serious = s in ("producer", "stream", "meet", "groom", "extort", "selfreport", "sting")
        p = esp.escalates_viral if s == "viral" else esp.escalates if serious else 0.01
        p *= 1.0 if self.current or s == "viral" else 0.3
        if s == "spam":
            p = 0.05
        if rng.random() < p:
            out.append(el("escalateToHighPriority", rng.choice(
                ("true", "Child may be at imminent risk", "Please prioritise",
                 "Escalated by trust & safety", "Possible ongoing abuse", "Viral content")
            )))  # fmt: skip
        tags = self.annotations()
        if tags:
            out.append("<reportAnnotations>" + "".join(f"<{t}/>" for t in tags))
            out.append("</reportAnnotations>")
        out.append(el("incidentDateTime", iso(self.incident)))
        if rng.random() < 0.1:
            out.append(el("incidentDateTimeDescription", rng.choice(
                ("Time of upload", "Time of detection", "Time of last message",
                 "Approximate; first upload of the file")
            )))  # fmt: skip
        out.append("</incidentSummary>")
        return "\n".join(out)

    def incident_type(self) -> str:
        rng, s = self.rng, self.situation
        p = {"meet": 0.6, "groom": 0.55, "extort": 0.5, "sting": 0.6, "teens": 0.25,
             "selfreport": 0.3, "roleplay": 0.15, "spam": 0.1}.get(s, 0.01)  # fmt: skip
        if rng.random() < p:
            return ENTICE
        if s == "stream" and rng.random() < 0.35:
            return "Child Sex Trafficking"
        if s in ("producer", "selfreport") and rng.random() < 0.2:
            return "Child Sexual Molestation"
        if s in ("spam", "viral") and rng.random() < 0.1:
            return "Unsolicited Obscene Material Sent to a Child"
        return CP

    def annotations(self) -> list[str]:
        rng, s = self.rng, self.situation
        if rng.random() >= self.esp.annotates:
            return []
        table = {
            "extort": (("sextortion", 0.7), ("minorToMinorInteraction", 0.1)),
            "spam": (("sextortion", 0.5), ("spam", 0.6)),
            "meet": (("csamSolicitation", 0.4),), "sting": (("csamSolicitation", 0.4),),
            "groom": (("csamSolicitation", 0.5),), "roleplay": (("csamSolicitation", 0.2),),
            "teens": (("minorToMinorInteraction", 0.6), ("sextortion", 0.05)),
            "producer": (("sadisticOnlineExploitation", 0.05),),
            "collector": (("csamSolicitation", 0.03),),
        }  # fmt: skip
        return [tag for tag, p in table.get(s, ()) if rng.random() < p]

    # -- internetDetails ---------------------------------------------------------------

    def internet(self, chat: list[str]) -> str:
        rng, esp, a = self.rng, self.esp, self.acc
        kind = esp.channel
        body: list[str] = []
        if kind == "chatImIncident":
            body.append(el("chatClient", esp.product or esp.spellings[0]))
            if chat:
                body.append(el("content", "\n".join(chat)))
        elif kind == "onlineGamingIncident":
            body.append(el("gameName", rng.choice(("Block Realms", "Kart Arena", "Sky Forts"))))
            if chat:
                body.append(el("content", "\n".join(chat)))
        elif kind == "emailIncident":
            if a.email:
                body.append(el("emailAddress", a.email))
            if chat:
                body.append(el("content", "\n".join(chat)))
        else:
            links = [x for x in esp.spellings if "://" in x]
            host = links[0].split("/")[2] if links else "example.com"
            if rng.random() < 0.8:
                body.append(el("url", f"https://{host}/p/{rng.randrange(10**9)}"))
            if chat:
                body.append(el("additionalInfo", "Comments: " + " | ".join(chat)))
        if not body:
            return ""
        return f"<internetDetails><{kind}>" + "".join(body) + f"</{kind}></internetDetails>"

    # -- people ------------------------------------------------------------------------

    def reporter(self) -> str:
        rng, esp = self.rng, self.esp
        name = rng.choice(esp.spellings)
        person = f"<reportingPerson>{el('email', 'trust-safety@example.com')}</reportingPerson>"
        if rng.random() < 0.5:
            person = ("<reportingPerson>" + el("firstName", rng.choice(("Alex", "Sam", "Kim")))
                      + el("lastName", "Moderation") + el("email", "tns@example.net")
                      + "</reportingPerson>")  # fmt: skip
        link = el("legalURL", name) if name.startswith("http") else el("companyTemplate", name)
        return "<reporter>" + person + link + "</reporter>"

    def ip_events(self, ips: list[str], n: int, event: str = "Login") -> str:
        rng = self.rng
        out = []
        for _ in range(n):
            proxy = rng.random() < 0.06
            ip = ip_in(rng, rng.choice(DOC_BLOCKS)) if proxy and rng.random() < 0.5 else (
                rng.choice(ips))  # fmt: skip
            at = before(self.received, rng, rng.uniform(0, 30))
            out.append(
                "<ipCaptureEvent>" + el("ipAddress", ip) + el("eventName", event)
                + el("dateTime", iso(at))
                + (el("possibleProxy", "true") if proxy else "") + "</ipCaptureEvent>"
            )  # fmt: skip
        return "".join(out)

    def reported(self) -> str:
        rng, a, s = self.rng, self.acc, self.situation
        person: list[str] = []
        if a.first and rng.random() < 0.5:
            person.append(el("firstName", a.first))
        if a.last and rng.random() < 0.5:
            person.append(el("lastName", a.last))
        if a.email and rng.random() < 0.7:
            person.append(el("email", a.email))
        age = self.reported_age()
        if age is not None:
            if rng.random() < 0.6:
                person.append(el("age", age))
            else:
                dob = self.received - timedelta(days=age * 365.25 + rng.randrange(0, 360))
                person.append(el("dateOfBirth", dob.strftime("%Y-%m-%d")))
        out = ["<personOrUserReported>"]
        if person:
            out.append("<personOrUserReportedPerson>" + "".join(person)
                       + "</personOrUserReportedPerson>")  # fmt: skip
        out.append(el("espIdentifier", a.user_id))
        out.append(el("screenName", a.handle))
        if rng.random() < 0.3:
            out.append(el("displayName", a.handle.title()))
        bio = self.bio()
        if bio:
            out.append(el("profileBio", noisy(rng, bio)))
        if rng.random() > 0.08:
            out.append(self.ip_events(a.ips, rng.randrange(1, 4)))
        if rng.random() < 0.15:
            imei = str(rng.randrange(10**14, 10**15))
            out.append(f"<deviceId>{el('idType', 'IMEI')}{el('idValue', imei)}</deviceId>")
        if rng.random() < 0.1:
            out.append(el("priorCTReports", rng.randrange(10**7, 10**8)))
        if rng.random() < 0.2:
            code = a.country if rng.random() < 0.85 else countries(rng)
            out.append("<estimatedLocation>" + el("countryCode", code) + "</estimatedLocation>")
        if s == "stream" and rng.random() < 0.6:
            out.append(el("additionalInfo", rng.choice((
                "Recipient of transfers located in PH.", "Viewer account; broadcaster outside EU.",
                "Transfers of 20-60 EUR, several per week."))))  # fmt: skip
        out.append("</personOrUserReported>")
        return "".join(out)

    def reported_age(self) -> int | None:
        rng, s = self.rng, self.situation
        if s == "teens" and rng.random() < 0.5:
            return rng.randrange(13, 18)
        if s == "extort" and rng.random() < 0.3:  # the scam persona claims to be a teen girl
            return rng.randrange(15, 18) if rng.random() < 0.6 else rng.randrange(19, 30)
        if rng.random() < 0.25:
            return rng.randrange(18, 70)
        return None

    def bio(self) -> str | None:
        rng, s = self.rng, self.situation
        p_care = {"producer": 0.25, "meet": 0.05, "family": 0.15, "collector": 0.01}.get(s, 0.005)
        if rng.random() < p_care:
            return rng.choice(BIO["care"])
        if rng.random() < 0.15:
            return rng.choice(BIO["plain"])
        return None

    def recipient(self) -> str:
        rng, s = self.rng, self.situation
        if s == "sting":
            d = rng.choice(self.stream.decoys)
            return ("<intendedRecipient>" + el("espIdentifier", d.user_id)
                    + el("screenName", d.handle) + self.ip_events(d.ips, 1)
                    + "</intendedRecipient>")  # fmt: skip
        if s == "spam" and rng.random() < 0.5:
            n = rng.randrange(2, 6)
            return "".join(
                "<intendedRecipient><intendedRecipientPerson>"
                + el("email", f"user{rng.randrange(10**6)}@example.org")
                + "</intendedRecipientPerson></intendedRecipient>"
                for _ in range(n)
            )
        return ""

    def victim(self) -> str:
        rng, s = self.rng, self.situation
        p, low, high = {
            "producer": (0.35, 2, 12), "stream": (0.3, 6, 14), "meet": (0.6, 10, 16),
            "groom": (0.5, 10, 16), "extort": (0.6, 13, 18), "selfreport": (0.8, 8, 16),
            "teens": (0.5, 13, 18), "family": (0.4, 1, 6), "sting": (0.6, 12, 15),
            "roleplay": (0.15, 11, 14), "collector": (0.03, 8, 16), "viral": (0.02, 6, 16),
        }.get(s, (0.0, 0, 0))  # fmt: skip
        if rng.random() >= p:
            return ""
        age = rng.randrange(low, high)
        person = el("age", age) if rng.random() < 0.7 else el("dateOfBirth", (
            self.received - timedelta(days=age * 365.25 + rng.randrange(0, 360))
        ).strftime("%Y-%m-%d"))  # fmt: skip
        extra = ""
        if s == "selfreport" and rng.random() < 0.5:
            extra = self.ip_events([country_ip(rng, rng.choice(EU))], 1)
        if s in ("meet", "groom", "extort", "teens") and rng.random() < 0.2:
            extra += el("schoolName", rng.choice(SCHOOLS))
        return "<victim><victimPerson>" + person + "</victimPerson>" + extra + "</victim>"

    # -- text --------------------------------------------------------------------------

    def say(self, kind: str) -> str:
        """A chat line in the user's language (or English), maybe translated by the provider."""
        rng = self.rng
        lang = self.user_lang if rng.random() < 0.7 else "en"
        table = CHAT.get(lang, CHAT["en"])
        line = noisy(rng, rng.choice(table.get(kind, CHAT["en"][kind])))
        if lang != "en" and rng.random() < self.esp.translates:
            return f"[translated] {noisy(rng, rng.choice(CHAT['en'][kind]))}"
        return line

    def write(self, kind: str) -> str:
        """A moderator's note in the provider's language, falling back to English."""
        rng = self.rng
        lang = self.esp.lang if rng.random() < 0.6 else "en"
        line = rng.choice(NOTE.get(lang, NOTE["en"]).get(kind, NOTE["en"][kind]))
        return noisy(rng, line) if rng.random() < 0.3 else line

    def texts(self) -> tuple[list[str], list[str]]:
        """Chat excerpts and notes; telling text is often missing, decoys borrow its words."""
        rng, s, esp = self.rng, self.situation, self.esp
        chat: list[str] = []
        if rng.random() < esp.chat or s == "spam":
            for kind in CHAT_KIND.get(s, ()):
                if kind == "meet" and not self.current and rng.random() < 0.7:
                    continue
                chat += [self.say(kind) for _ in range(rng.randrange(1, 3))]
            if s == "teens" and rng.random() < 0.25:
                chat.append(self.say("meet"))  # teens meet too
            if s == "collector" and rng.random() < 0.02:
                chat.append(self.say("groom"))
        notes = [self.write("generic")] if rng.random() < 0.5 else []
        note_kind = NOTE_KIND.get(s)
        if note_kind and rng.random() < 0.45:
            notes.append(self.write(note_kind))
        if s == "collector" and rng.random() < 0.02:
            notes.append(self.write(rng.choice(("producer", "groom", "extort"))))
        if esp.pays and rng.random() < 0.6:
            notes += [f"Payment memo: {self.say('pay')}" for _ in range(rng.randrange(1, 4))]
        if esp.chat < 0.3 and chat and rng.random() < 0.5:  # no chat field: quote it in a note
            notes.append(f'Message from the reported user: "{chat.pop()}"')
        return chat, notes

    # -- files -------------------------------------------------------------------------

    def plan(self) -> list[str]:
        """Each file's status as matching would see it, from what the situation produces."""
        rng, s = self.rng, self.situation
        n_new = n_known = n_viral = n_dup = 0
        if s == "producer":
            n_new = rng.randrange(1, 15) if self.current else rng.randrange(0, 4)
            n_known = rng.randrange(0, 3)
        elif s in ("family", "synthetic", "teens"):
            n_new = rng.randrange(1, 8 if s != "teens" else 3)
        elif s == "sweep":
            n_new = rng.randrange(1, 5)
            n_known = rng.randrange(0, 6)
        elif s == "viral":
            n_viral = rng.randrange(1, 3)
            n_known = rng.randrange(0, 2)
        elif s == "bulk":
            n_known = rng.randrange(40, 1500)
            n_dup = rng.randrange(0, n_known // 4)
            n_new = rng.randrange(0, 4)
        elif s == "collector":
            n_known = max(1, int(rng.lognormvariate(0.8, 1.0)))
            n_new = int(rng.random() < 0.2) * rng.randrange(1, 3)
            n_dup = int(rng.random() < 0.1)
        elif s == "extort":
            n_new = rng.randrange(0, 3)
        elif s in ("meet", "groom", "selfreport", "sting"):
            n_new = int(rng.random() < 0.3)
        elif s == "stream":
            n_new = int(rng.random() < 0.25)
        elif s == "roleplay":
            n_known = int(rng.random() < 0.1)
        return ["new"] * n_new + ["known"] * n_known + ["viral"] * n_viral + ["duplicate"] * n_dup

    def files(self) -> tuple[list[str], dict[str, int]]:
        statuses = [] if self.esp.pays else self.plan()
        media: dict[str, int] = {}
        for st in statuses:
            media[st] = media.get(st, 0) + 1
        listed = [self.file(i, st) for i, st in enumerate(statuses[:MAX_LISTED])]
        if len(statuses) > MAX_LISTED and listed:
            listed[-1] = listed[-1].replace(
                "</fileDetails>",
                el("additionalInfo", f"{len(statuses) - MAX_LISTED} further files not listed")
                + "</fileDetails>",
            )
        return listed, media

    def file(self, i: int, status: str) -> str:
        rng, s, esp = self.rng, self.situation, self.esp
        camera = s in ("producer", "family", "teens", "extort", "selfreport") or (
            s == "collector" and status == "new" and rng.random() < 0.5)  # fmt: skip
        seed = f"{self.index}-{i}-{rng.random()}".encode()
        digest = self.stream.viral_hash() if status == "viral" else hashlib.md5(seed).hexdigest()
        if camera and rng.random() < 0.6:
            original = f"IMG_{self.incident:%Y%m%d}_{rng.randrange(10**5, 10**6)}.jpg"
        else:
            original = f"{digest[:12]}.{rng.choice(('jpg', 'mp4', 'png'))}"
        out = ["<fileDetails>", el("fileName", f"f{i:04d}{original[-4:]}")]
        if rng.random() < 0.7:
            out.append(el("originalFileName", original))
        uploaded = self.incident + timedelta(minutes=rng.randrange(0, 600))
        if s == "bulk":
            uploaded = self.incident - timedelta(days=rng.uniform(0, 2000))
        if rng.random() < 0.8:
            out.append(el("uploadedToEspTimestamp", iso(min(uploaded, self.received))))
        if rng.random() < 0.85:
            out.append(el("fileViewedByEsp", str(rng.random() < esp.viewed).lower()))
        if rng.random() < 0.6:
            public = (status == "viral" and rng.random() < 0.8) or rng.random() < 0.05
            out.append(el("publiclyAvailable", str(public).lower()))
        tags = self.file_tags(status)
        if tags:
            out.append("<fileAnnotations>" + "".join(f"<{t}/>" for t in tags)
                       + "</fileAnnotations>")  # fmt: skip
        if esp.annotates > 0.3 and s not in ("synthetic", "roleplay") and rng.random() < 0.3:
            young = s in ("producer", "family") or rng.random() < 0.3
            out.append(el("industryClassification",
                          rng.choice(("A1", "A2") if young else ("B1", "B2"))))  # fmt: skip
        out.append(f'<originalFileHash hashType="MD5">{digest}</originalFileHash>')
        if rng.random() < 0.6:
            out.append(self.ip_events(self.acc.ips, 1, "Upload"))
        if camera and rng.random() < 0.4:
            out.append('<details type="EXIF"><nameValuePair>' + el("name", "Model")
                       + el("value", rng.choice(("Pixel 7", "iPhone 13", "Galaxy A54")))
                       + "</nameValuePair><nameValuePair>" + el("name", "DateTimeOriginal")
                       + el("value", f"{self.incident:%Y:%m:%d %H:%M:%S}")
                       + "</nameValuePair></details>")  # fmt: skip
        out.append("</fileDetails>")
        return "".join(out)

    def file_tags(self, status: str) -> list[str]:
        rng, s = self.rng, self.situation
        if rng.random() >= self.esp.annotates:
            return []
        table = {
            "viral": (("viral", 0.6), ("potentialMeme", 0.4)),
            "synthetic": (("generativeAi", 0.6), ("animeDrawingVirtualHentai", 0.3)),
            "teens": (("possibleSelfProduction", 0.5),),
            "extort": (("possibleSelfProduction", 0.4),),
            "family": (("infant", 0.3),), "producer": (("infant", 0.15), ("physicalHarm", 0.05)),
            "stream": (("liveStreaming", 0.7),), "collector": (("generativeAi", 0.02),),
        }  # fmt: skip
        return [tag for tag, p in table.get(s, ()) if rng.random() < p]


def generate(referrals: int, seed: int) -> Stream:
    """``referrals`` provider reports (CyberTipline XML) received by an EU centre, oldest first."""
    s = _Stream(seed)
    items = [s.item(i) for i in range(referrals)][::-1]
    return Stream("eu_direct", items, s.reference)
