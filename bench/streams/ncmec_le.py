"""Bench stream ``ncmec_le``: NCMEC law-enforcement JSON, shaped by how providers detect.

Causal story (different from grace's demo generator). Each account holder has a hidden
*role*: collector, meme sharer (outrage reposting of a viral clip), teenager, generative-AI
user, cloud-backup owner (a bulk library of known files), groomer, hands-on abuser with a
child in their care, or sextortionist. What a referral *shows* depends first on how the
provider found it (its detection channel), not on the role: a hash match sees only known
files and says nothing about conversations; a classifier sees new pictures; a user report
(often by a parent or the child) carries chat excerpts and the victim's age; a moderator's
review carries notes; a retroactive sweep finds content that is years old.

Urgency (a child in danger now) is a property of the *situation*: a groomer in active
contact who has arranged to meet, a hands-on abuser producing new material now, a
sextortion victim being threatened now. Incidents years older than the report are almost
never urgent, whatever else they show.

Decoys: one large provider escalates viral memes by the hundred; teenagers exchange
pictures and talk about meeting at school; cloud backups hold hundreds of known files;
AI-generated images are flagged as new content; retroactive sweeps report old incidents
with alarming incident types; plain bios mention teaching or children.
"""

from __future__ import annotations

import random
from datetime import datetime

from common import Account, Stream, StreamItem, before, countries, dump, iso, new_account, weighted
from ncmec_le_text import (
    ACCESS_BIOS,
    ADULT_MEET,
    AI_NOTES,
    GROOMER_NOTES,
    GROOMING,
    MEETING,
    MEME,
    MEME_NOTES,
    NOTES,
    PLAIN_BIOS,
    PRODUCER_NOTES,
    SEXTORTION,
    SEXTORTION_NOTES,
    SEXTORTION_VICTIM,
    TEEN,
    TEEN_BIOS,
    TEEN_NOTES,
    TRADING,
)  # fmt: skip

from grace.demo.generate import reference_date

ROLES = {
    "collector": 0.64, "meme": 0.15, "teen": 0.08, "ai": 0.04, "backup": 0.04,
    "groomer": 0.016, "producer": 0.007, "sextortion": 0.01,
}  # fmt: skip
CHANNELS = {
    "collector": {"hash_match": 0.75, "classifier": 0.15, "user_report": 0.05, "moderator": 0.05},
    "meme": {"hash_match": 0.3, "user_report": 0.5, "moderator": 0.2},
    "teen": {"classifier": 0.5, "user_report": 0.3, "moderator": 0.2},
    "ai": {"classifier": 0.7, "moderator": 0.3},
    "backup": {"hash_match": 1.0},
    "groomer": {"user_report": 0.5, "moderator": 0.3, "classifier": 0.2},
    "producer": {"classifier": 0.6, "hash_match": 0.2, "user_report": 0.2},
    "sextortion": {"user_report": 0.7, "moderator": 0.3},
}
# provider -> (spellings seen in reports, roles it mostly reports, escalation habits)
ESPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, float]]] = {
    "MegaSocial": (("MegaSocial", "MegaSocial Inc.", "megasocial.example.com"),
                   ("meme", "collector", "groomer", "teen", "sextortion"),
                   {"meme": 0.45, "true": 0.35, "other": 0.01}),
    "ChatterBox": (("ChatterBox Messenger", "Chatterbox", "chatterbox.example.net"),
                   ("groomer", "sextortion", "teen", "collector"),
                   {"true": 0.5, "other": 0.01}),
    "PhotoShareCo": (("PhotoShareCo", "photoshare.example.com", "PhotoShare Co."),
                     ("collector", "producer", "teen", "meme"),
                     {"true": 0.2, "other": 0.003}),
    "CloudLocker": (("CloudLocker", "Cloud Locker Ltd"), ("backup", "collector", "producer"),
                    {"true": 0.05, "other": 0.0}),
    "GameLobby": (("GameLobby", "gamelobby.example.org"), ("groomer", "teen", "collector"),
                  {"true": 0.4, "teen": 0.15, "other": 0.02}),
    "PixelForge": (("PixelForge AI", "pixelforge.example.com"), ("ai", "collector", "producer"),
                   {"ai": 0.5, "true": 0.3, "other": 0.02}),
}  # fmt: skip
CP = "Child Pornography (possession, manufacture, and distribution)"
ENTICE = "Online Enticement of Children for Sexual Acts"


def pick_esp(rng: random.Random, role: str) -> str:
    fits = [name for name, (_, roles, _) in ESPS.items() if role in roles]
    return rng.choice(fits or list(ESPS))


def situation(rng: random.Random, role: str) -> tuple[str, float]:
    """The hidden situation of one referral and the chance that a child is in danger now."""
    if rng.random() < (0.12 if role in ("collector", "backup") else 0.08):
        return "sweep", 0.0  # a retroactive scan: the incident is years old
    if role == "groomer":
        if rng.random() < 0.65:
            return ("meeting", 0.9) if rng.random() < 0.5 else ("active", 0.4)
        return "past", 0.03
    if role == "producer":
        return ("active", 0.8) if rng.random() < 0.75 else ("past", 0.1)
    if role == "sextortion":
        return ("active", 0.5) if rng.random() < 0.8 else ("past", 0.02)
    return "none", 0.01 if role == "teen" else 0.001


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"ncmec-le-{seed}")
        self.reference = reference_date(seed)
        self.accounts: list[Account] = []

    def account(self) -> Account:
        rng = self.rng
        risky = [a for a in self.accounts if a.role in ("groomer", "producer", "sextortion")]
        if risky and rng.random() < 0.02:
            return rng.choice(risky)
        if self.accounts and rng.random() < 0.14:
            return self.accounts[int(len(self.accounts) * rng.random() ** 2)]
        acc = new_account(rng, countries(rng), weighted(rng, ROLES))
        acc.traits["esp"] = pick_esp(rng, acc.role)
        acc.traits["bio"] = self.bio(acc.role)
        self.accounts.append(acc)
        return acc

    def bio(self, role: str) -> str | None:
        rng = self.rng
        if (role == "producer" and rng.random() < 0.5) or (
            role == "groomer" and rng.random() < 0.2
        ):
            return rng.choice(ACCESS_BIOS)
        if role == "teen" and rng.random() < 0.5:
            return rng.choice(TEEN_BIOS)
        if role == "groomer" and rng.random() < 0.3:
            return rng.choice(TEEN_BIOS)  # pretends to be a teenager
        if rng.random() < 0.04:
            return rng.choice(ACCESS_BIOS)
        return rng.choice(PLAIN_BIOS) if rng.random() < 0.5 else None

    def item(self, index: int) -> StreamItem:
        rng = self.rng
        acc = self.account()
        state, p_urgent = situation(rng, acc.role)
        urgent = rng.random() < p_urgent
        channel = "sweep" if state == "sweep" else weighted(rng, CHANNELS[acc.role])
        received = before(self.reference, rng, index * 0.01)
        if state == "sweep" or state == "past":
            incident = before(received, rng, rng.uniform(400, 2200) if state == "sweep" else
                              rng.uniform(40, 900))  # fmt: skip
        elif state in ("meeting", "active"):
            incident = before(received, rng, rng.expovariate(1 / 3))
        else:
            incident = before(received, rng, rng.uniform(0, 200))
        doc, media = self.document(index, acc, state, channel, urgent, received, incident)
        return StreamItem(dump(doc), "report.json", media, urgent, acc.country, acc.role)

    def document(
        self, index: int, acc: Account, state: str, channel: str, urgent: bool,
        received: datetime, incident: datetime,
    ) -> tuple[dict[str, object], dict[str, int]]:  # fmt: skip
        rng, role = self.rng, acc.role
        spellings, _, habits = ESPS[acc.traits["esp"]]
        true_case = state in ("meeting", "active")
        kind = "true" if true_case and role in ("groomer", "producer", "sextortion") else role
        summary: dict[str, object] = {"incidentType": self.incident_type(role, channel),
                                      "incidentDateTime": iso(incident)}  # fmt: skip
        if rng.random() < habits.get(kind, habits["other"]):
            summary["escalateToHighPriority"] = rng.choice(
                ("true", "Imminent risk to a child", "Possible ongoing abuse", "High volume")
            )
        annotations = self.annotations(role, state)
        if annotations:
            summary["reportAnnotations"] = annotations
        notes = [rng.choice(NOTES[channel]), *self.notes(role, state, acc)]
        info: dict[str, object] = {
            "reportingEsp": {"espName": rng.choice(spellings), "firstName": "Trust",
                             "lastName": "Safety"},
            "incidentSummary": summary,
            "additionalInformations": [{"value": n} for n in notes],
        }  # fmt: skip
        chat = self.chat(role, state, channel)
        if chat:
            info["incidentDetails"] = {
                "chatImIncident": [{"contents": [{"value": c} for c in chat]}]
            }
        person: dict[str, object] = {"espUserId": acc.user_id, "screenName": {"value": acc.handle},
                                     "espService": acc.traits["esp"]}  # fmt: skip
        if acc.email:
            person["emails"] = {"emails": [{"value": acc.email}]}
        if role == "teen" and rng.random() < 0.6:
            person["approximateAge"] = rng.randrange(13, 18)
        elif rng.random() < 0.2:
            person["approximateAge"] = rng.randrange(19, 60)
        if rng.random() > 0.08:
            person["sourceInformation"] = {"sourceCaptures": [
                {"captureType": "IP Address", "value": rng.choice(acc.ips), "eventName": "Login",
                 "dateTime": iso(before(received, rng, rng.uniform(0, 30)))}]}  # fmt: skip
        if acc.traits.get("bio") and rng.random() < 0.7:
            person["additionalInformations"] = [{"value": f"Profile bio: {acc.traits['bio']}"}]
        info["reportedPeople"] = {"reportedPersons": [person]}
        victim = self.victim_age(role, channel)
        if victim is not None:
            info["victims"] = {"victims": [{"approximateAge": victim}]}
        files, media = self.files(role, state, channel)
        info["uploadedFiles"] = {"uploadedFiles": files}
        doc = {"reportId": 90_000_000 + index, "dateReceived": iso(received),
               "reportedInformation": info}  # fmt: skip
        return doc, media

    def incident_type(self, role: str, channel: str) -> str:
        rng = self.rng
        p_entice = {"groomer": 0.55, "sextortion": 0.6, "teen": 0.35, "meme": 0.03}.get(role, 0.02)
        if rng.random() < p_entice:
            return ENTICE
        if role == "producer" and channel == "user_report" and rng.random() < 0.5:
            return "Child Sexual Molestation"
        if role == "meme" and rng.random() < 0.1:
            return "Unsolicited Obscene Material Sent to a Child"
        return CP

    def annotations(self, role: str, state: str) -> list[str]:
        rng, out = self.rng, []
        table = {"sextortion": ("sextortion", 0.5), "teen": ("minorToMinor", 0.5),
                 "ai": ("generativeAi", 0.45), "meme": ("viral", 0.3)}  # fmt: skip
        if role in table and rng.random() < table[role][1]:
            out.append(table[role][0])
        if role == "producer" and rng.random() < 0.3:
            out.append("possibleSelfProduction")
        if role == "teen" and rng.random() < 0.3:
            out.append("possibleSelfProduction")
        if rng.random() < 0.01:
            out.append(rng.choice(("sextortion", "minorToMinor", "generativeAi")))
        return out

    def notes(self, role: str, state: str, acc: Account) -> list[str]:
        rng = self.rng
        pools = {"meme": (MEME_NOTES, 0.5), "ai": (AI_NOTES, 0.6), "teen": (TEEN_NOTES, 0.4),
                 "groomer": (GROOMER_NOTES, 0.35), "producer": (PRODUCER_NOTES, 0.35),
                 "sextortion": (SEXTORTION_NOTES, 0.5)}  # fmt: skip
        out = []
        if role in pools and rng.random() < pools[role][1]:
            a, b = rng.randrange(13, 18), rng.randrange(13, 18)
            out.append(rng.choice(pools[role][0]).format(a=rng.choice((a, 16)), b=b))
        if role in ("producer", "collector") and rng.random() < 0.02:
            out.append(rng.choice(AI_NOTES))  # a classifier's false AI flag
        return out

    def chat(self, role: str, state: str, channel: str) -> list[str]:
        rng = self.rng
        if channel not in ("user_report", "moderator") or rng.random() < 0.3:
            return []
        if role == "groomer" and state != "past":
            lines = rng.sample(GROOMING, rng.randrange(1, 4))
            return lines + ([rng.choice(MEETING)] if state == "meeting" else [])
        if role == "groomer":
            return rng.sample(GROOMING, 1)
        if role == "sextortion":
            return rng.sample(SEXTORTION, rng.randrange(1, 3)) + (
                [rng.choice(SEXTORTION_VICTIM)] if state == "active" and rng.random() < 0.5 else []
            )
        if role == "teen":
            return rng.sample(TEEN, rng.randrange(1, 4))
        if role == "meme":
            return rng.sample(MEME, 1)
        if role == "collector":
            return rng.sample(TRADING, 1) + ([rng.choice(ADULT_MEET)] if rng.random() < 0.1 else [])
        return [rng.choice(ADULT_MEET)] if rng.random() < 0.2 else []

    def victim_age(self, role: str, channel: str) -> int | None:
        rng = self.rng
        p = {"groomer": 0.7 if channel == "user_report" else 0.35, "sextortion": 0.6,
             "producer": 0.3, "teen": 0.5, "meme": 0.05}.get(role, 0.01)  # fmt: skip
        if rng.random() >= p:
            return None
        return rng.randrange(13, 18) if role in ("teen", "sextortion") else rng.randrange(5, 15)

    def files(self, role: str, state: str, channel: str) -> tuple[list[dict[str, object]],
                                                                  dict[str, int]]:  # fmt: skip
        rng = self.rng
        counts: dict[str, int] = {}
        plan = {"collector": ("known", max(1, int(rng.lognormvariate(1.0, 1.0)))),
                "backup": ("known", rng.randrange(60, 700)),
                "meme": ("viral", rng.randrange(1, 3)), "teen": ("new", rng.randrange(1, 4)),
                "ai": ("new", rng.randrange(1, 9)), "groomer": ("new", rng.randrange(0, 3)),
                "producer": ("new", rng.randrange(1, 10)),
                "sextortion": ("new", rng.randrange(0, 3))}  # fmt: skip
        status, n = plan[role]
        if role == "collector" and channel == "classifier":
            status = "new"
        if role == "producer" and (channel == "hash_match" or state == "past"):
            status = "known"
        files: list[dict[str, object]] = []
        for i in range(n):
            s = status
            if s == "known" and role == "collector" and rng.random() < 0.1:
                s = "new"
            counts[s] = counts.get(s, 0) + 1
            public = s == "viral" or rng.random() < 0.05
            f: dict[str, object] = {"filename": f"f{i:03d}.jpg", "publiclyAvailable": public}
            f["viewedByEsp"] = rng.random() < 0.6
            if s == "known" and rng.random() < 0.5:
                f["ncmecTags"] = {"groups": [{"tags": [{"value": "Apparent Child Pornography"}]}]}
            if role == "ai" and rng.random() < 0.3:
                f["additionalInformations"] = [{"value": "Generated with a text-to-image tool"}]
            files.append(f)
        return files, counts


def generate(referrals: int, seed: int) -> Stream:
    """``referrals`` NCMEC law-enforcement JSON reports, oldest first."""
    s = _Stream(seed)
    items = [s.item(i) for i in range(referrals)][::-1]  # built newest first; arrival order
    return Stream("ncmec_le", items, s.reference)
