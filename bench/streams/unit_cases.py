"""Bench stream ``unit_cases``: a Nordic/Baltic/Central-European unit's NCMEC JSON stream.

Causal story (written from how referral streams behave, not from grace's scorer). The
unit receives NCMEC law-enforcement JSON reports, mostly from gaming, live-streaming and
messaging providers, plus a payment provider, a photo-backup service and a short-video
app. Each reported account has a hidden *role*; each referral a hidden *situation*. A
child is in danger now (urgent) only in a few situations: an adult who met a child in a
game, moved them to a private messenger and is arranging to meet; a buyer paying for
pay-per-view live sessions abroad while they still run; a person in a caring role
(relative, coach, youth leader) producing new material; a teenager being extorted for
money right now. About 2 % of referrals are urgent.

What a referral *shows* is decided by the provider and its detection channel, not by the
situation: a hash match sees known files only; a chat classifier sees a few lines; a user
report (a parent, the child, a bystander or a troll) carries free text in the user's own
language and maybe an age; a payment provider sees only transaction patterns; a live-stream
detector sees short sessions; a retroactive sweep reports years-old content. Urgent
accounts tend to be reported again over weeks, each time by whoever noticed.

Decoys: scam "sextortion" spam aimed at adults (filed as enticement, annotated
sextortion); teenagers among themselves (minor ages on both sides, "see you at school");
shock clips re-shared by thousands and escalated by providers that escalate everything;
retroactive sweeps; AI-generated or drawn images flagged as new; automatic photo backups
of hundreds of known files; adults role-playing as minors with other adults; trolls and
false accusations; accounts the police already run or already arrested (their old
grooming text still reads like a live case); adults paying adult webcam performers.
Every telling field is often missing and every one also occurs on decoys: incident
dates are sometimes the report date, ages are claimed, escalation is a provider habit.

Countries: reported accounts live mostly in SE, PL, DE, CZ, AT (addresses from
``grace.demo.population``); a share live in FI, DK, NO, EE, LV, LT, which have no address
blocks there, so they carry only phone numbers or a VPN address; extortion and scam
accounts are mostly abroad. About 40 % of users' text is in the local languages.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from common import Account, Stream, StreamItem, before, dump, iso, leet, new_account, weighted
from unit_cases_text import (
    BIOS,
    BOILER,
    CHAT,
    FILE_NOTES,
    LANG_OF,
    NOTES,
    REPEAT,
    ROLE_NOTES,
    USER_REPORT,
)  # fmt: skip

from grace.demo.generate import reference_date
from grace.demo.population import COUNTRY_BLOCKS, country_ip

ROLES = {
    "collector": 0.27, "meme": 0.20, "peer": 0.11, "scam": 0.08, "backup": 0.05,
    "ai": 0.045, "troll": 0.05, "roleplay": 0.035, "adultcam": 0.02, "known": 0.015,
    "groomer": 0.018, "sextortion": 0.01, "ppv": 0.005, "carer": 0.005,
}  # fmt: skip
GROOMING = (("contact", 0.08), ("moving", 0.4), ("meeting", 0.88))  # stages, chance urgent
RISKY = ("groomer", "sextortion", "ppv", "carer")
HOME = {
    "SE": 0.27, "PL": 0.2, "DE": 0.12, "CZ": 0.1, "AT": 0.05, "NL": 0.02, "FI": 0.05,
    "DK": 0.03, "NO": 0.03, "EE": 0.03, "LV": 0.025, "LT": 0.025,
}  # fmt: skip
ABROAD = {"PH": 0.25, "IN": 0.15, "ID": 0.1, "US": 0.2, "GB": 0.1, "RO": 0.1, "BR": 0.1}
CALLING = {"FI": "+358", "DK": "+45", "NO": "+47", "EE": "+372", "LV": "+371", "LT": "+370"}
# provider -> (spellings, kind, roles it reports with weights, channels, escalation habit)
ESPS: dict[str, dict[str, Any]] = {
    "BlockVerse": {"names": ("BlockVerse", "BlockVerse Corp.", "blockverse.example.com"),
                   "kind": "game", "channels": {"classifier": 0.45, "user_report": 0.35,
                                                "moderator": 0.2}},
    "FragLobby": {"names": ("FragLobby", "fraglobby.example.gg", "Frag Lobby Inc"),
                  "kind": "game", "channels": {"user_report": 0.45, "moderator": 0.3,
                                               "hash_match": 0.25}},
    "StreamNest": {"names": ("StreamNest", "StreamNest Live", "streamnest.example.tv"),
                   "kind": "live", "channels": {"live": 0.6, "user_report": 0.3, "moderator": 0.1}},
    "Viskaa": {"names": ("Viskaa Messenger", "Viskaa Oy", "viskaa.example.fi"),
               "kind": "messenger", "channels": {"hash_match": 0.55, "user_report": 0.45}},
    "PayQuick": {"names": ("PayQuick", "PayQuick Payments AB"), "kind": "payment",
                 "channels": {"payment": 1.0}},
    "KuvaCloud": {"names": ("KuvaCloud", "Kuva Cloud Ltd", "kuvacloud.example.com"),
                  "kind": "cloud", "channels": {"hash_match": 0.85, "classifier": 0.15}},
    "ClipStorm": {"names": ("ClipStorm", "clipstorm.example.com", "CLIPSTORM"),
                  "kind": "video", "channels": {"user_report": 0.5, "hash_match": 0.3,
                                                "classifier": 0.2}},
}  # fmt: skip
ESP_FOR = {
    "collector": {"Viskaa": 0.45, "FragLobby": 0.25, "KuvaCloud": 0.2, "ClipStorm": 0.1},
    "meme": {"ClipStorm": 0.45, "StreamNest": 0.2, "FragLobby": 0.2, "Viskaa": 0.15},
    "peer": {"Viskaa": 0.35, "BlockVerse": 0.25, "ClipStorm": 0.2, "FragLobby": 0.2},
    "scam": {"Viskaa": 0.5, "FragLobby": 0.3, "ClipStorm": 0.2},
    "backup": {"KuvaCloud": 1.0},
    "ai": {"KuvaCloud": 0.3, "ClipStorm": 0.3, "FragLobby": 0.4},
    "troll": {"BlockVerse": 0.35, "FragLobby": 0.35, "StreamNest": 0.3},
    "roleplay": {"FragLobby": 0.6, "BlockVerse": 0.2, "Viskaa": 0.2},
    "adultcam": {"PayQuick": 0.8, "StreamNest": 0.2},
    "known": {"BlockVerse": 0.3, "Viskaa": 0.4, "FragLobby": 0.3},
    "groomer": {"BlockVerse": 0.35, "FragLobby": 0.3, "Viskaa": 0.35},
    "sextortion": {"Viskaa": 0.5, "FragLobby": 0.2, "ClipStorm": 0.15, "BlockVerse": 0.15},
    "ppv": {"PayQuick": 0.6, "StreamNest": 0.4},
    "carer": {"KuvaCloud": 0.35, "Viskaa": 0.35, "StreamNest": 0.15, "ClipStorm": 0.15},
}  # fmt: skip
ENTICE = "Online Enticement of Children for Sexual Acts"
CP = "Child Pornography (possession, manufacture, and distribution)"
INCIDENT = {  # role -> (share enticement, other type, its share)
    "groomer": (0.6, "Child Sexual Molestation", 0.02), "sextortion": (0.7, CP, 0.0),
    "scam": (0.45, "Unsolicited Obscene Material Sent to a Child", 0.05),
    "peer": (0.25, "Unsolicited Obscene Material Sent to a Child", 0.05),
    "troll": (0.35, "Child Sexual Molestation", 0.08), "roleplay": (0.45, CP, 0.0),
    "known": (0.6, CP, 0.0), "ppv": (0.05, "Child Sex Trafficking", 0.35),
    "adultcam": (0.05, "Child Sex Trafficking", 0.12),
    "carer": (0.05, "Child Sexual Molestation", 0.25),
    "meme": (0.03, "Misleading Words or Digital Images on the Internet", 0.03),
}  # fmt: skip
ESCALATIONS = (
    "true", "Imminent risk to a child", "Possible ongoing abuse", "Live content",
    "High volume", "Automatic escalation", "Child may be in danger",
)  # fmt: skip
TEEN_TOO = ("meet", "age_ask", "secret", "move_app", "scared")
CHAT_CHANNELS = ("user_report", "moderator", "classifier")


def plain(text: str) -> str:
    """Without diacritics, as people typing on a foreign keyboard write."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Stream:
    def __init__(self, referrals: int, seed: int) -> None:
        self.rng = random.Random(f"unit-cases-{seed}")
        self.reference = reference_date(seed)
        self.window = max(21.0, referrals / 130)  # days the stream spans
        self.accounts: list[Account] = []

    # -- who and when ---------------------------------------------------------------------
    def account(self) -> Account:
        rng = self.rng
        risky = [a for a in self.accounts[-400:] if a.role in RISKY]
        if risky and rng.random() < 0.02:
            return rng.choice(risky)  # the same account reported again, weeks later
        if self.accounts and rng.random() < 0.1:
            return self.accounts[int(len(self.accounts) * rng.random() ** 0.5)]
        role = weighted(rng, ROLES)
        abroad = {"sextortion": 0.8, "scam": 0.9, "meme": 0.35, "ai": 0.3}.get(role, 0.06)
        country = weighted(rng, ABROAD if rng.random() < abroad else HOME)
        acc = self.make_account(country, role)
        acc.traits["esp"] = weighted(rng, ESP_FOR[role])
        acc.traits["victim_country"] = self.victim_country(role, country)
        acc.traits["bio"] = self.bio(role)
        acc.traits["reports"] = 0
        self.accounts.append(acc)
        return acc

    def victim_country(self, role: str, country: str) -> str:
        """Where the child (or target) lives: mostly next to a local account, else anywhere."""
        if role == "ppv":
            return "PH"  # the sessions are bought abroad
        if country in HOME and self.rng.random() < 0.75:
            return country
        return weighted(self.rng, HOME)

    def make_account(self, country: str, role: str) -> Account:
        rng = self.rng
        if country in COUNTRY_BLOCKS:
            acc = new_account(rng, country, role)
        else:  # no address table: a phone, sometimes a VPN exit elsewhere
            acc = new_account(rng, "SE", role)
            acc.country = country
            acc.ips = [country_ip(rng, "NL")] if rng.random() < 0.3 else []
        if country in CALLING and rng.random() < 0.6:
            acc.traits["phone"] = f"{CALLING[country]}{rng.randrange(10**7, 10**8)}"
        if role in ("sextortion", "scam") and rng.random() < 0.35:
            acc.ips.append(country_ip(rng, rng.choice(("US", "NL", "DE"))))  # hosting / VPN
        return acc

    def bio(self, role: str) -> str | None:
        rng = self.rng
        if role == "groomer" and rng.random() < 0.35:
            return rng.choice(BIOS["teen_claim"])  # pretends to be a teenager
        if role == "roleplay" and rng.random() < 0.3:
            return rng.choice(BIOS["teen_claim"])
        if role == "peer" and rng.random() < 0.4:
            return rng.choice(BIOS["teen_claim"])
        if (role == "carer" and rng.random() < 0.35) or rng.random() < 0.02:
            return rng.choice(BIOS["coach"])
        return rng.choice(BIOS["plain"]) if rng.random() < 0.4 else None

    def situation(self, acc: Account) -> tuple[str, float]:
        """The hidden state of this referral and the chance a child is in danger now."""
        rng, role = self.rng, acc.role
        acc.traits["reports"] += 1
        if rng.random() < (0.15 if role in ("collector", "backup") else 0.06):
            return "sweep", 0.0
        if role == "groomer":
            first = rng.choices((0, 1, 2), weights=(0.5, 0.32, 0.18))[0]
            stage = min(2, acc.traits["reports"] - 1 + first)  # moves on with each report
            if rng.random() < 0.15:
                return "past", 0.02
            return GROOMING[stage]
        if role == "sextortion":
            return ("active", 0.62) if rng.random() < 0.75 else ("past", 0.03)
        if role == "ppv":
            return ("active", 0.6) if rng.random() < 0.7 else ("past", 0.04)
        if role == "carer":
            return ("active", 0.8) if rng.random() < 0.75 else ("past", 0.1)
        if role == "troll":
            return "none", 0.01  # now and then the accusation is true
        return "none", 0.004 if role == "peer" else 0.0005

    def times(self, state: str, received: datetime) -> datetime:
        rng = self.rng
        if state == "sweep":
            return before(received, rng, rng.uniform(500, 2600))
        if state == "past":
            return before(received, rng, rng.uniform(30, 500))
        if state in ("contact", "moving", "meeting", "active"):
            return before(received, rng, rng.expovariate(1 / 2.5))
        return before(received, rng, rng.expovariate(1 / 20))

    # -- one referral ---------------------------------------------------------------------
    def item(self, index: int, received: datetime) -> StreamItem:
        rng = self.rng
        acc = self.account()
        state, p_urgent = self.situation(acc)
        urgent = rng.random() < p_urgent
        esp = ESPS[acc.traits["esp"]]
        channel = "sweep" if state == "sweep" else weighted(rng, esp["channels"])
        if acc.role in ("ppv", "adultcam") and esp["kind"] == "payment":
            channel = "payment"
        incident = self.times(state, received)
        doc, media = self.document(index, acc, state, channel, received, incident)
        story = f"{acc.role}:{state}:{channel}"
        return StreamItem(dump(doc), "report.json", media, urgent, acc.country, story)

    def document(
        self, index: int, acc: Account, state: str, channel: str,
        received: datetime, incident: datetime,
    ) -> tuple[dict[str, Any], dict[str, int]]:  # fmt: skip
        rng = self.rng
        esp = ESPS[acc.traits["esp"]]
        summary: dict[str, Any] = {}
        if itype := self.incident_type(acc.role, state):
            summary["incidentType"] = itype
        if rng.random() < 0.82:  # some ESPs put the report date where the incident goes
            summary["incidentDateTime"] = iso(received if rng.random() < 0.07 else incident)
        if esp["kind"] == "game" and rng.random() < 0.5:
            summary["platform"] = rng.choice(("PC", "mobile", "console", "Android"))
        if self.escalated(acc, state, channel):
            summary["escalateToHighPriority"] = rng.choice(ESCALATIONS)
        if annotations := self.annotations(acc, state):
            summary["reportAnnotations"] = annotations
        info: dict[str, Any] = {
            "reportingEsp": {"espName": rng.choice(esp["names"])},
            "incidentSummary": summary,
        }
        if rng.random() < 0.5:
            info["reportingEsp"] |= {"firstName": "Trust", "lastName": "Safety"}
        if notes := self.notes(acc, state, channel):
            info["additionalInformations"] = [{"value": n} for n in notes]
        if details := self.details(acc, state, channel, esp["kind"]):
            info["incidentDetails"] = details
        info["reportedPeople"] = {"reportedPersons": [self.person(acc, received)]}
        if victim := self.victim(acc, state, channel):
            key = "victims" if rng.random() < 0.6 else "intendedRecipients"
            info[key] = {key: [victim]} if rng.random() < 0.7 else [victim]  # NCMEC nests both
        files, media = self.files(acc, state, channel, received)
        if files or rng.random() < 0.5:
            info["uploadedFiles"] = {"uploadedFiles": files} if rng.random() < 0.8 else files
        doc: dict[str, Any] = {"reportId": 140_000_000 + index * 3 + rng.randrange(3)}
        if rng.random() < 0.97:
            doc["dateReceived"] = iso(received)
        doc["reportedInformation"] = info
        return doc, media

    # -- summary fields -------------------------------------------------------------------
    def incident_type(self, role: str, state: str) -> str | None:
        rng = self.rng
        if rng.random() < 0.05:
            return None
        entice, other, p_other = INCIDENT.get(role, (0.02, CP, 0.0))
        if state == "sweep":
            entice *= 0.5
        roll = rng.random()
        if roll < entice:
            return ENTICE
        return other if roll < entice + p_other else CP

    def escalated(self, acc: Account, state: str, channel: str) -> bool:
        """A provider habit first: some escalate everything live or viral, one never does."""
        rng, role = self.rng, acc.role
        kind = ESPS[acc.traits["esp"]]["kind"]
        live = state in ("moving", "meeting", "active")
        if kind == "live":
            p = 0.55
        elif kind == "video":
            p = 0.45 if role == "meme" else 0.12
        elif kind == "game":
            p = 0.35 if role in ("groomer", "roleplay", "peer", "troll", "known") else 0.05
        elif kind == "messenger":
            p = 0.3 if live else 0.12 if role in ("sextortion", "scam") else 0.03
        else:
            p = 0.02
        if state == "sweep":
            p *= 0.5
        return rng.random() < p

    def annotations(self, acc: Account, state: str) -> list[str] | dict[str, bool]:
        rng, role = self.rng, acc.role
        if acc.traits["esp"] in ("PayQuick", "KuvaCloud") or rng.random() < 0.35:
            return []  # providers that never fill annotations, or did not this time
        table = {
            "sextortion": ("sextortion", 0.6), "scam": ("sextortion", 0.45),
            "peer": ("minorToMinorInteraction", 0.5), "ai": ("generativeAi", 0.5),
            "meme": ("potentialMeme", 0.45), "groomer": ("csamSolicitation", 0.2),
            "roleplay": ("minorToMinorInteraction", 0.1), "troll": ("informational", 0.3),
            "carer": ("potentialAggravatingFactors", 0.15),
            "ppv": ("sadisticOnlineExploitation", 0.1),
        }  # fmt: skip
        out = [table[role][0]] if role in table and rng.random() < table[role][1] else []
        if rng.random() < 0.03:
            out.append(rng.choice(("sextortion", "informational", "spam", "csamSolicitation")))
        if out and rng.random() < 0.25:
            return dict.fromkeys(out, True)
        return out

    # -- free text ------------------------------------------------------------------------
    def say(
        self, table: dict[str, tuple[str, ...]], lang: str, p_local: float, age: int = 0
    ) -> str:
        """One line in the writer's language (or English), messed up as users type."""
        rng = self.rng
        local = lang in table and rng.random() < p_local
        text = rng.choice(table[lang] if local else table["en"]).format(age=age)
        roll = rng.random()
        if roll < 0.15:
            text = plain(text)
        elif roll < 0.22:
            text = leet(rng, text, 0.4)
        elif roll < 0.3 and len(text) > 6:
            i = rng.randrange(1, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # a typo
        return text.upper() if rng.random() < 0.03 else text

    def chat(self, acc: Account, state: str, channel: str) -> list[str]:
        rng, role = self.rng, acc.role
        if channel not in CHAT_CHANNELS or rng.random() < 0.35:
            return []
        lang = LANG_OF.get(acc.traits["victim_country"], "en")
        own = LANG_OF.get(acc.country, "en")

        def lines(key: str, p_local: float = 0.5, who: str = lang) -> str:
            return self.say(CHAT[key], who, p_local)

        if role in ("groomer", "known"):
            out = [
                lines(k, 0.4)
                for k in rng.sample(("age_ask", "secret", "gift"), rng.randrange(1, 3))
            ]
            if state in ("moving", "meeting") or (role == "known" and rng.random() < 0.6):
                out.append(lines("move_app", 0.4))
            if state == "meeting" or (role == "known" and rng.random() < 0.5):
                out.append(lines("meet", 0.45))
            if state in ("moving", "meeting") and rng.random() < 0.25:
                out.append(lines("scared", 0.7))
            return out
        if role == "sextortion":
            out = [lines("extort", 0.15, own)]
            if rng.random() < (0.6 if state == "active" else 0.3):  # the victim's reply
                out.append(lines(rng.choice(("victim_pay", "scared")), 0.65))
            return out
        if role == "scam" and rng.random() < 0.2:  # an adult target answering the spam
            return [lines("scam", 0.2, own), lines(rng.choice(("victim_pay", "scared")), 0.4, own)]
        simple = {"scam": ("scam", 0.2), "peer": ("peer", 0.55), "roleplay": ("roleplay", 0.2),
                  "troll": ("troll", 0.4), "meme": ("meme", 0.3), "ppv": ("ppv", 0.0),
                  "adultcam": ("adult_meet", 0.3), "collector": ("adult_meet", 0.3)}  # fmt: skip
        if role not in simple or (role == "collector" and rng.random() < 0.85):
            return []
        key, p_local = simple[role]
        out = [lines(key, p_local, own) for _ in range(rng.randrange(1, 3))]
        if role == "peer" and rng.random() < 0.25:
            out.append(lines(rng.choice(TEEN_TOO), 0.5, own))  # teenagers say it too
        if role == "roleplay" and rng.random() < 0.4:
            out.append(lines(rng.choice(("age_ask", "meet")), 0.2, own))
        if role == "ppv":
            out.append(lines("ppv_facilitator", 0.0))
        return list(dict.fromkeys(out))

    def reporter_text(self, acc: Account, state: str) -> str | None:
        """What the person pressing "report" wrote, if anything."""
        rng, role = self.rng, acc.role
        lang = LANG_OF.get(acc.traits["victim_country"], "en")
        age = rng.randrange(11, 16)
        if role in ("groomer", "known") and rng.random() < 0.5:
            return self.say(USER_REPORT["parent_groom"], lang, 0.75, age)
        if role == "sextortion" and state == "active" and rng.random() < 0.45:
            return self.say(USER_REPORT["child_scared"], lang, 0.6, rng.randrange(13, 18))
        if role == "carer" and rng.random() < 0.4:
            return self.say(USER_REPORT["coach"], lang, 0.6)
        if role == "troll" and rng.random() < 0.5:
            key = rng.choice(("parent_groom", "coach"))
            return self.say(USER_REPORT[key], LANG_OF.get(acc.country, "en"), 0.6, age)
        if rng.random() < 0.25:
            return self.say(USER_REPORT["bystander"], LANG_OF.get(acc.country, "en"), 0.5)
        return None

    def notes(self, acc: Account, state: str, channel: str) -> list[str]:
        rng, role = self.rng, acc.role
        out = [rng.choice(NOTES[channel])] if rng.random() < 0.75 else []
        p_role = 0.25 if state == "past" else 0.45
        if role in ROLE_NOTES and rng.random() < p_role:
            out.append(self.role_note(role))
        elif rng.random() < 0.03:  # a note that belongs to another kind of case
            out.append(self.role_note(rng.choice(("groomer", "carer", "peer", "ai", "scam"))))
        if acc.traits["reports"] > 1 and rng.random() < 0.35:
            n = acc.traits["reports"] - 1 + rng.randrange(0, 3)
            out.append(rng.choice(REPEAT).format(n=n, d=rng.choice((14, 30, 60, 90))))
        elif rng.random() < 0.04:
            out.append(rng.choice(REPEAT).format(n=rng.randrange(1, 6), d=90))
        if channel == "user_report" and (text := self.reporter_text(acc, state)):
            out.append(f"Reporter comment: {text}" if rng.random() < 0.7 else text)
        if rng.random() < 0.15:
            out.append(rng.choice(BOILER))
        return out

    def role_note(self, role: str) -> str:
        rng = self.rng
        note = rng.choice(ROLE_NOTES[role])
        if role in ("ppv", "adultcam") or "{n}" in note:
            note = note.format(n=rng.randrange(6, 60), lo=rng.choice((3, 5, 8)),
                               hi=rng.choice((15, 20, 40)), k=rng.randrange(1, 6),
                               d=rng.randrange(5, 40))  # fmt: skip
        return note

    def details(self, acc: Account, state: str, channel: str, kind: str) -> dict[str, Any] | None:
        rng = self.rng
        chat = self.chat(acc, state, channel)
        out: dict[str, Any] = {}
        if chat:
            key = (
                "onlineGamingIncident"
                if kind == "game" and rng.random() < 0.6
                else "chatImIncident"
            )
            entry: dict[str, Any] = {"contents": [{"value": c} for c in chat]}
            if rng.random() < 0.3:
                entry["additionalInformations"] = [{"value": "Excerpt selected by moderator."}]
            out[key] = [entry]
        if kind in ("video", "live") and rng.random() < 0.5:
            url = f"https://{acc.traits['esp'].lower()}.example.com/{acc.handle}/{rng.randrange(10**6)}"
            out["webPageIncident"] = [{"url": url}]
        return out or None

    # -- people ---------------------------------------------------------------------------
    def person(self, acc: Account, received: datetime) -> dict[str, Any]:
        rng = self.rng
        p: dict[str, Any] = {"espUserId": acc.user_id, "espService": acc.traits["esp"]}
        p["screenName"] = {"value": acc.handle} if rng.random() < 0.7 else acc.handle
        if acc.email and rng.random() < 0.8:
            p["emails"] = {"emails": [{"value": acc.email, "verified": rng.random() < 0.5}]}
        if acc.traits.get("phone") and rng.random() < 0.7:
            p["phones"] = {"phones": [{"value": acc.traits["phone"]}]}
        if acc.first and rng.random() < 0.6:
            p["firstName"] = acc.first
        if age := self.claimed_age(acc.role):
            if rng.random() < 0.5:
                p["approximateAge"] = age
            else:
                born = received - timedelta(days=365.25 * age + rng.randrange(0, 300))
                p["dateOfBirth"] = born.strftime("%Y-%m-%d")
        captures = [
            {"captureType": "IP Address", "value": ip, "eventName": rng.choice(("Login", "Upload")),
             "dateTime": iso(before(received, rng, rng.uniform(0, 40)))}
            for ip in acc.ips if rng.random() < 0.85
        ]  # fmt: skip
        if captures:
            p["sourceInformation"] = {"sourceCaptures": captures}
        if acc.traits.get("bio") and rng.random() < 0.6:
            p["additionalInformations"] = [{"value": f"Profile bio: {acc.traits['bio']}"}]
        return p

    def claimed_age(self, role: str) -> int | None:
        """The age the account gives: registered, claimed in a profile, often wrong."""
        rng = self.rng
        if role == "peer" and rng.random() < 0.55:
            return rng.randrange(13, 18)
        if role in ("groomer", "roleplay") and rng.random() < 0.3:
            return rng.randrange(14, 18) if rng.random() < 0.6 else rng.randrange(19, 55)
        if rng.random() < 0.15:
            return rng.randrange(13, 60)
        return None

    def victim(self, acc: Account, state: str, channel: str) -> dict[str, Any] | None:
        rng, role = self.rng, acc.role
        p = {"groomer": 0.55, "known": 0.45, "sextortion": 0.55, "carer": 0.3, "peer": 0.4,
             "troll": 0.3, "roleplay": 0.15, "ppv": 0.1, "scam": 0.04}.get(role, 0.01)  # fmt: skip
        if channel in ("hash_match", "sweep", "payment"):
            p *= 0.2
        if rng.random() >= p:
            return None
        if role == "roleplay" or (role == "scam" and rng.random() < 0.7):
            age = rng.randrange(19, 50) if rng.random() < 0.6 else rng.randrange(13, 17)
        elif role == "carer":
            age = rng.randrange(4, 15)
        elif role == "ppv":
            age = rng.randrange(6, 14)
        else:
            age = rng.randrange(11, 17)
        v: dict[str, Any] = {}
        roll = rng.random()
        if roll < 0.6:
            v["approximateAge"] = age if rng.random() < 0.85 else f"{age - 1}-{age + 1}"
        elif roll < 0.8:
            v["dateOfBirth"] = f"{self.reference.year - age}-{rng.randrange(1, 13):02d}-15"
        else:
            v["additionalInformations"] = [{"value": f"Stated age in chat: {age}"}]
        if rng.random() < 0.4:
            v["screenName"] = f"{rng.choice(('lilly', 'kid', 'pixel', 'star'))}{rng.randrange(100)}"
        return v

    # -- files ----------------------------------------------------------------------------
    def plan(self, role: str, state: str, channel: str) -> list[tuple[str, int]]:
        """How many files of each matching status this referral carries."""
        rng = self.rng
        if channel == "payment":
            return []
        few = rng.randrange(0, 3)
        plans: dict[str, list[tuple[str, int]]] = {
            "collector": [("known", max(1, int(rng.lognormvariate(0.8, 1.0)))),
                          ("new", int(rng.random() < 0.12))],
            "backup": [("known", rng.randrange(40, 600)), ("duplicate", rng.randrange(0, 60)),
                       ("new", rng.randrange(0, 4))],
            "meme": [("viral", rng.randrange(1, 3)), ("duplicate", int(rng.random() < 0.2))],
            "peer": [("new", rng.randrange(1, 4))],
            "ai": [("new", rng.randrange(1, 9))],
            "scam": [("viral", int(rng.random() < 0.1))],
            "troll": [("new", int(rng.random() < 0.15))],
            "roleplay": [("new", int(rng.random() < 0.3))],
            "adultcam": [("new", int(rng.random() < 0.3))],
            "known": [("known", few), ("new", int(rng.random() < 0.3))],
            "groomer": [("new", few if rng.random() < 0.5 else 0)],
            "sextortion": [("new", few), ("duplicate", int(rng.random() < 0.2))],
            "ppv": [("new", rng.randrange(0, 4))],
            "carer": [("new", rng.randrange(1, 12)), ("duplicate", rng.randrange(0, 3))],
        }  # fmt: skip
        out = plans[role]
        if state in ("sweep", "past") or channel == "hash_match":
            out = [("known" if s == "new" and rng.random() < 0.7 else s, n) for s, n in out]
        if channel == "hash_match" and not any(n for _, n in out):
            out = [("known", 1)]
        return out

    def files(
        self, acc: Account, state: str, channel: str, received: datetime
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        role = acc.role
        counts: dict[str, int] = {}
        files: list[dict[str, Any]] = []
        for status, n in self.plan(role, state, channel):
            if n <= 0:
                continue
            counts[status] = counts.get(status, 0) + n
            for _ in range(n):
                files.append(self.file(len(files), status, role, channel, received))
        return files, counts

    def file(
        self, i: int, status: str, role: str, channel: str, received: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        ext = rng.choice((".jpg", ".jpg", ".png", ".mp4", ".mov"))
        f: dict[str, Any] = {"filename": f"{rng.randrange(10**9, 10**10)}{ext}"}
        if rng.random() < 0.4:
            f["originalFilename"] = (
                rng.choice(("IMG_", "VID_", "Screenshot_", "clip_"))
                + str(rng.randrange(1000, 99999))
                + ext
            )
        if rng.random() < 0.8:
            f["viewedByEsp"] = channel != "hash_match" or rng.random() < 0.2
        f["publiclyAvailable"] = status == "viral" or (role == "meme" and rng.random() < 0.5)
        if (
            status == "new"
            and channel in ("classifier", "live", "moderator")
            and rng.random() < 0.5
        ):
            f["industryClassification"] = rng.choice(("A2", "B2", "B2", "B1", "A1"))
        if status == "known" and rng.random() < 0.4:
            f["ncmecTags"] = {"groups": [{"tags": [{"value": "Apparent Child Pornography"}]}]}
        meta = self.file_meta(role, channel, received)
        if meta:
            f["espMetadata"] = {"metadatas": meta}
        note = self.file_note(role, channel)
        if note:
            f["additionalInformations"] = [{"value": note}]
        return f

    def file_meta(self, role: str, channel: str, received: datetime) -> list[dict[str, str]]:
        rng = self.rng
        if rng.random() < 0.5:
            return []
        source = {"backup": "camera_roll_backup", "carer": "camera", "ppv": "live_capture",
                  "meme": "share", "ai": "upload"}.get(role, "chat_attachment")  # fmt: skip
        if rng.random() < 0.1:
            source = rng.choice(("camera_roll_backup", "camera", "chat_attachment", "upload"))
        meta = [{"name": "source", "value": source}]
        if rng.random() < 0.6:
            meta.append(
                {"name": "uploadTime", "value": iso(before(received, rng, rng.uniform(0, 60)))}
            )
        if channel == "live" or (role == "meme" and rng.random() < 0.2):
            meta.append({"name": "sessionLengthSeconds", "value": str(rng.randrange(60, 1800))})
        return meta

    def file_note(self, role: str, channel: str) -> str | None:
        rng = self.rng
        if role == "ai" and rng.random() < 0.4:
            return FILE_NOTES[rng.choice(("ai", "drawn"))]
        if role == "backup" and rng.random() < 0.2:
            return FILE_NOTES["backup"]
        if (channel == "live" or role == "ppv") and rng.random() < 0.4:
            return FILE_NOTES["live"]
        if role == "meme" and rng.random() < 0.15:
            return FILE_NOTES["meme"]
        if rng.random() < 0.01:
            return FILE_NOTES[rng.choice(("ai", "live", "drawn"))]  # a wrong label
        return None


def generate(referrals: int, seed: int) -> Stream:
    """``referrals`` NCMEC law-enforcement JSON reports to one unit, in arrival order."""
    s = _Stream(referrals, seed)
    span = s.window * 86_400
    offsets = sorted(s.rng.uniform(0, span) for _ in range(referrals))
    start = s.reference - timedelta(seconds=span)
    items = [s.item(i, start + timedelta(seconds=o)) for i, o in enumerate(offsets)]
    return Stream("unit_cases", items, s.reference, {"window_days": s.window})
