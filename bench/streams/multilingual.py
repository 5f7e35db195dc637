"""Bench stream ``multilingual``: a European unit's NCMEC stream, told in users' languages.

Causal story (different from grace's demo generator and from ``ncmec_le``). What puts a
child in danger now is *proximity*: the reported adult lives with a child (household),
holds a position of trust over children (coach, childminder), or is a stranger online who
has arranged to meet one; or a teenager is being extorted right now. Each referral is a
*case* with one hidden relationship; most cases are plain distribution with no child
reachable. Who noticed decides which text exists, and the text is the users' own, in their
language: about a third of all telling text is German, French, Spanish, Polish, Dutch,
Italian, Portuguese, Romanian, Swedish or Czech, the rest English (a provider's
translation, or users writing English). Providers differ: some fill report annotations,
most do not; one escalates viral clips; lists arrive wrapped or bare, as NCMEC nests them.

Decoys: viral outrage waves (escalated, publicly available, known to many), teenagers
among themselves (minor ages on both sides, talk of meeting at school), account sweeps
years after the upload, AI-generated pictures flagged as new, cloud-sync uploads of
hundreds of known files, adults arranging to meet adults.
"""

from __future__ import annotations

import random
from datetime import datetime

from common import (
    Account,
    Stream,
    StreamItem,
    before,
    countries,
    dump,
    iso,
    leet,
    new_account,
    weighted,
)
from multilingual_text import COUNTRY_LANG, TEXT

from grace.demo.generate import reference_date

RELATIONS = {
    "none": 0.68, "viral": 0.12, "teens": 0.08, "ai": 0.035, "bulk": 0.04,
    "stranger": 0.025, "trusted": 0.007, "household": 0.007, "extortion": 0.012,
}  # fmt: skip
EU = ("DE", "AT", "FR", "BE", "ES", "PL", "NL", "IT", "PT", "RO", "SE", "CZ", "IE")
# provider -> (spellings, fills annotations, escalates viral, escalates true cases)
ESPS = {
    "Instaflux": (("Instaflux", "instaflux.example.com", "Instaflux Inc"), True, 0.5, 0.3),
    "TalkWave": (("TalkWave", "Talkwave Messenger"), True, 0.0, 0.45),
    "PhotoShareCo": (("PhotoShareCo", "photoshare.example.com", "PHOTOSHARECO"), False, 0.02, 0.2),
    "VidBurst": (("VidBurst", "vidburst.example.net"), False, 0.2, 0.25),
    "BackupBox": (("BackupBox", "Backup Box GmbH"), False, 0.0, 0.05),
    "SynthArt": (("SynthArt", "synthart.example.org"), True, 0.0, 0.2),
}
ESP_FOR = {
    "viral": ("Instaflux", "VidBurst", "PhotoShareCo"), "bulk": ("BackupBox", "PhotoShareCo"),
    "ai": ("SynthArt", "Instaflux"), "teens": ("TalkWave", "Instaflux", "VidBurst"),
}  # fmt: skip
CLOSE = ("stranger", "trusted", "household", "extortion")
CP = "Child Pornography (possession, manufacture, and distribution)"


def urgency(rng: random.Random, relation: str, current: bool, meeting: bool) -> float:
    if not current:
        return 0.02 if relation in CLOSE else 0.001
    return {"household": 0.85, "trusted": 0.7, "extortion": 0.55,
            "stranger": 0.85 if meeting else 0.3, "teens": 0.005}.get(relation, 0.001)  # fmt: skip


def wrap(rng: random.Random, key: str, items: list[object]) -> object:
    """NCMEC sends lists both wrapped in an object of the same name and bare."""
    return {key: items} if rng.random() < 0.6 else items


class _Stream:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"multilingual-{seed}")
        self.reference = reference_date(seed)
        self.repeat: list[tuple[Account, str, str]] = []

    def lang_text(self, lang: str, kind: str) -> tuple[str, str]:
        """A line of ``kind``: in the user's language or in English (about a third not)."""
        rng = self.rng
        use = lang if lang != "en" and rng.random() < 0.55 else "en"
        text = rng.choice(TEXT[use][kind])
        if rng.random() < 0.08:
            text = leet(rng, text, 0.3)
        return use, text

    def item(self, index: int) -> StreamItem:
        rng = self.rng
        if self.repeat and rng.random() < 0.12:
            acc, relation, esp = rng.choice(self.repeat)  # the same account reported again
        else:
            relation = weighted(rng, RELATIONS)
            country = rng.choice(EU) if rng.random() < 0.8 else countries(rng)
            acc = new_account(rng, country, relation)
            esp = rng.choice(ESP_FOR.get(relation, tuple(ESPS)))
            self.repeat.append((acc, relation, esp))
        current = relation in CLOSE and rng.random() < 0.6
        sweep = rng.random() < 0.1
        current = current and not sweep
        meeting = relation == "stranger" and current and rng.random() < 0.5
        urgent = rng.random() < urgency(rng, relation, current, meeting)
        received = before(self.reference, rng, index * 0.012)
        if sweep:
            incident = before(received, rng, rng.uniform(700, 3000))
        elif current:
            incident = before(received, rng, rng.expovariate(1 / 2.5))
        else:
            incident = before(received, rng, rng.uniform(5, 500))
        doc, media = self.document(index, acc, relation, esp, current, meeting, received, incident)
        return StreamItem(dump(doc), "report.json", media, urgent, acc.country, relation)

    def document(
        self, index: int, a: Account, relation: str, esp: str, current: bool, meeting: bool,
        received: datetime, incident: datetime,
    ) -> tuple[dict[str, object], dict[str, int]]:  # fmt: skip
        rng = self.rng
        lang = COUNTRY_LANG.get(a.country, "en")
        spellings, annotates, esc_viral, esc_true = ESPS[esp]
        summary: dict[str, object] = {"incidentType": self.incident_type(relation),
                                      "incidentDateTime": iso(incident)}  # fmt: skip
        p_esc = esc_viral if relation == "viral" else esc_true if current else 0.008
        if rng.random() < p_esc:
            summary["escalateToHighPriority"] = rng.choice((True, "true", "Child may be at risk"))
        tags = {"extortion": "sextortion", "teens": "minorToMinor", "ai": "generativeAi",
                "viral": "viral"}  # fmt: skip
        if annotates and relation in tags and rng.random() < 0.55:
            summary["reportAnnotations"] = [tags[relation]]
        chat, notes, captions = self.texts(lang, relation, current, meeting)
        info: dict[str, object] = {
            "reportingEsp": {"espName": rng.choice(spellings)},
            "incidentSummary": summary,
            "additionalInformations": wrap(rng, "additionalInformations",
                                           [{"value": n} for n in notes]),
        }  # fmt: skip
        if chat:
            info["incidentDetails"] = {
                "chatImIncident": [{"contents": [{"value": c} for c in chat]}]
            }
        handle = rng.choice((a.handle, {"value": a.handle}))
        person: dict[str, object] = {"espUserId": a.user_id, "screenName": handle}
        if relation == "teens" and rng.random() < 0.6:
            person["approximateAge"] = rng.randrange(13, 18)
        elif rng.random() < 0.25:
            person["approximateAge"] = rng.randrange(20, 66)
        if rng.random() > 0.07:
            person["sourceInformation"] = {"sourceCaptures": [
                {"captureType": "IP Address", "value": rng.choice(a.ips), "eventName": "Upload",
                 "dateTime": iso(before(received, rng, rng.uniform(0, 20)))}]}  # fmt: skip
        bio = self.bio(lang, relation)
        if bio:
            person["additionalInformations"] = [{"value": f"About me: {bio}"}]
        info["reportedPeople"] = wrap(rng, "reportedPersons", [person])
        victim = self.victim(relation)
        if victim is not None:
            info["victims"] = wrap(rng, "victims", [{"approximateAge": victim}])
        files, media = self.files(relation, current, captions)
        info["uploadedFiles"] = wrap(rng, "uploadedFiles", files)
        return {"reportId": str(70_000_000 + index), "dateReceived": iso(received),
                "reportedInformation": info}, media  # fmt: skip

    def incident_type(self, relation: str) -> str:
        rng = self.rng
        p = {"stranger": 0.6, "extortion": 0.5, "teens": 0.4, "trusted": 0.15}.get(relation, 0.02)
        if rng.random() < p:
            return "Online Enticement of Children for Sexual Acts"
        if relation == "household" and rng.random() < 0.2:
            return "Child Sexual Molestation"
        if relation == "viral" and rng.random() < 0.2:
            return "Unsolicited Obscene Material Sent to a Child"
        return CP

    def texts(self, lang: str, relation: str, current: bool, meeting: bool) -> tuple[
        list[str], list[str], list[str]]:  # fmt: skip
        """Chat lines, provider notes and file captions; telling lines go to any of them."""
        rng = self.rng
        lines: list[str] = []
        if relation == "stranger":
            lines += [self.lang_text(lang, "groom")[1] for _ in range(rng.randrange(0, 3))]
            if meeting:
                lines.append(self.lang_text(lang, "meet")[1])
        elif relation in ("household", "trusted") and current and rng.random() < 0.6:
            lines.append(self.lang_text(lang, "care")[1])
        elif relation == "extortion" and rng.random() < 0.7:
            lines.append(self.lang_text(lang, "extort")[1])
        elif relation == "teens" and rng.random() < 0.6:
            lines += [self.lang_text(lang, "teen")[1] for _ in range(rng.randrange(1, 3))]
        elif relation == "viral" and rng.random() < 0.4:
            lines.append(self.lang_text(lang, "meme")[1])
        elif rng.random() < 0.03:
            lines.append(self.lang_text(lang, "adult")[1])
        chat: list[str] = []
        notes: list[str] = [rng.choice(("Reported via automated detection.", "User report.",
                                        "Content reviewed by a moderator."))]  # fmt: skip
        captions: list[str] = []
        for line in lines:
            where = rng.random()
            if where < 0.55:
                chat.append(line)
            elif where < 0.8:
                notes.append(f'Message sent by the reported user: "{line}"')
            else:
                captions.append(line)
        notes += self.decoy_notes(relation)
        return chat, notes, captions

    def decoy_notes(self, relation: str) -> list[str]:
        rng = self.rng
        table = {
            "viral": (0.4, "This video went viral; thousands of accounts shared it."),
            "ai": (0.5, "Our classifier rates this image as synthetic / AI-generated."),
            "teens": (0.35, "Both account holders are minors according to their profiles."),
            "bulk": (
                0.4,
                "Matched during cloud-sync of the device gallery; all matches hash-based.",
            ),
        }
        out = []
        if relation in table and rng.random() < table[relation][0]:
            out.append(table[relation][1])
        if relation == "household" and rng.random() < 0.3:
            out.append("The same young child appears in several new images taken at home.")
        if relation == "none" and rng.random() < 0.01:
            out.append(table["ai"][1])
        return out

    def bio(self, lang: str, relation: str) -> str | None:
        rng = self.rng
        p = {"trusted": 0.55, "household": 0.15}.get(relation, 0.015)
        if rng.random() < p:
            return self.lang_text(lang, "bio")[1]
        return None

    def victim(self, relation: str) -> int | None:
        rng = self.rng
        p = {"household": 0.3, "trusted": 0.4, "stranger": 0.6, "extortion": 0.6, "teens": 0.5,
             "viral": 0.03}.get(relation, 0.01)  # fmt: skip
        if rng.random() >= p:
            return None
        low, high = {"household": (2, 12), "trusted": (6, 14), "stranger": (10, 15)}.get(
            relation, (13, 18)
        )
        return rng.randrange(low, high)

    def files(self, relation: str, current: bool, captions: list[str]) -> tuple[
        list[dict[str, object]], dict[str, int]]:  # fmt: skip
        rng = self.rng
        plan = {"household": ("new", rng.randrange(1, 20) if current else rng.randrange(1, 5)),
                "trusted": ("new", rng.randrange(0, 6)), "stranger": ("new", rng.randrange(0, 3)),
                "extortion": ("new", rng.randrange(0, 3)), "teens": ("new", rng.randrange(1, 4)),
                "viral": ("viral", rng.randrange(1, 3)), "ai": ("new", rng.randrange(1, 12)),
                "bulk": ("known", rng.randrange(50, 1500))}  # fmt: skip
        status, n = plan.get(relation, ("known", max(1, int(rng.lognormvariate(1.2, 1.0)))))
        counts: dict[str, int] = {}
        files: list[dict[str, object]] = []
        for i in range(n):
            s = (
                "new"
                if status == "known" and relation == "none" and rng.random() < 0.15
                else status
            )
            counts[s] = counts.get(s, 0) + 1
            public = s == "viral" and rng.random() < 0.8
            f: dict[str, object] = {"filename": f"m{i:04d}.jpg", "publiclyAvailable": public}
            if i < len(captions):
                f["additionalInformations"] = [{"value": f"Caption: {captions[i]}"}]
            files.append(f)
        if captions and not files:
            files.append({"filename": "note.txt", "additionalInformations":
                          [{"value": f"Caption: {c}"} for c in captions]})  # fmt: skip
        return files, counts


def generate(referrals: int, seed: int) -> Stream:
    """``referrals`` multilingual NCMEC law-enforcement JSON reports, oldest first."""
    s = _Stream(seed)
    items = [s.item(i) for i in range(referrals)][::-1]
    return Stream("multilingual", items, s.reference)
