"""Invented referrals with planted cross-agency subjects, for the deconfliction test and bench.

Every value is synthetic (example domains, phone numbers from national plans, made-up IBANs
with valid check digits). A planted subject appears at two or three agencies, each time
spelled as real data varies: case, Gmail dots and ``+tags``, a look-alike Cyrillic letter in
the mail domain, national and international phone formats, full-width screen names, IMEIs
with separators. ``plaintext_links`` is the baseline the OPRF alerts are scored against:
the same normal forms compared in the clear.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from stdnum import iban as iban_std
from stdnum import luhn

from grace.deconflict.canonical import strong_set
from grace.intel.identifiers import extract_identifiers
from grace.model import Location, Party, PartyRole, Referral
from grace.model.referral import DeviceId

ESP = "PhotoShareCo"
COUNTRY = {"nl-police": "NL", "de-bka": "DE", "fr-ocrvp": "FR"}
_PHONES = {"NL": ("+31", "6"), "DE": ("+49", "151"), "FR": ("+33", "61")}


@dataclass
class Subject:
    """One planted person: canonical parts from which each agency's spelling is drawn."""

    n: int
    local: str
    phone_country: str
    phone_digits: str
    user_id: str
    screen: str
    imei: str
    iban: str
    agencies: list[str] = field(default_factory=list)


def _imei(n: int) -> str:
    body = f"35{n:012d}"
    return body + luhn.calc_check_digit(body)


def _iban(n: int) -> str:
    bban = f"ABNA{n:010d}"
    return f"NL{iban_std.calc_check_digits('NL00' + bban)}{bban}"


def subject(n: int, rng: random.Random) -> Subject:
    country = rng.choice(list(_PHONES))
    digits = f"{rng.randrange(1, 6)}{rng.randrange(1_000_000, 10_000_000)}"
    return Subject(
        n=n,
        local=f"synthetic.subject{n}",
        phone_country=country,
        phone_digits=digits[1:] if country == "FR" else digits,  # +33 61 and 7 digits
        user_id=f"9{n:07d}",
        screen=f"planted_user_{n}",
        imei=_imei(n),
        iban=_iban(n),
    )


def email_variant(s: Subject, rng: random.Random) -> str:
    local = s.local
    style = rng.randrange(5)
    if style == 1:
        local = local.replace(".", "")  # Gmail ignores dots
    elif style == 2:
        local = local.upper()
    elif style == 3:
        local = f"{local}+tip{rng.randrange(100)}"
    domain = (
        "gm\u0430il.com" if style == 4 else rng.choice(["gmail.com", "GMail.com", "googlemail.com"])
    )
    return f"{local}@{domain}"  # style 4: a Cyrillic a in the domain (look-alike, folded)


def phone_variant(s: Subject, rng: random.Random) -> tuple[str, str]:
    """(text, the party's country for national formats)."""
    cc, prefix = _PHONES[s.phone_country]
    digits = prefix + s.phone_digits
    style = rng.randrange(3)
    if style == 0:
        return f"{cc} {digits[:3]} {digits[3:6]} {digits[6:]}", "ZZ"
    if style == 1:
        return f"00{cc[1:]}{digits}", s.phone_country
    return f"0{digits[:3]}-{digits[3:]}", s.phone_country  # national: needs the country


def screen_variant(s: Subject, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return "@" + s.screen.upper()
    if style == 1:  # full-width letters: NFKC folds them
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s.screen)
    return s.screen


def planted_party(s: Subject, rng: random.Random) -> tuple[Party, list[str]]:
    """A reported party carrying 1-3 of the subject's identifiers, freshly spelled."""
    phone, country = phone_variant(s, rng)
    party = Party(role=PartyRole.REPORTED, esp_service=ESP,
                  location=Location(country_code=country))  # fmt: skip
    parts = rng.sample(["email", "phone", "user", "screen", "imei", "iban"], rng.randint(1, 3))
    if "email" in parts:
        party.emails.append(email_variant(s, rng))
    if "phone" in parts:
        party.phones.append(phone)
    if "user" in parts:
        party.esp_user_id = f" {s.user_id} "
    if "screen" in parts:
        party.screen_name = screen_variant(s, rng)
    if "imei" in parts:
        spaced = f"{s.imei[:2]}-{s.imei[2:8]}-{s.imei[8:14]}-{s.imei[14]}"
        party.device_ids.append(DeviceId(id_type="IMEI", value=spaced))
    if "iban" in parts:
        party.additional_info.append(f"paid to IBAN {iban_std.format(s.iban)}")
    return party, parts


def filler_party(agency: str, n: int) -> Party:
    """A party only this agency holds (unique identifiers: no link expected)."""
    return Party(
        role=PartyRole.REPORTED,
        esp_service=ESP,
        esp_user_id=f"{agency}-{n}",
        screen_name=f"{agency}_handle_{n}",
        emails=[f"{agency}.only{n}@example.org"],
        location=Location(country_code=COUNTRY.get(agency, "NL")),
    )


def referral(agency: str, n: int, parties: list[Party]) -> Referral:
    return Referral(
        source_format="grace_json",
        external_id=f"{agency}-R{n:05d}",
        esp_name=ESP,
        incident_type="Child Pornography (possession, manufacture, and distribution)",
        incident_time="2026-10-01T12:00:00+00:00",
        parties=parties,
    )


def generate(
    agencies: list[str], per_agency: int, subjects: int, seed: int = 13
) -> dict[str, list[Referral]]:
    """Referrals per agency; each planted subject appears at 2 or 3 agencies."""
    rng = random.Random(seed)
    out: dict[str, list[Referral]] = {a: [] for a in agencies}
    for k in range(subjects):
        s = subject(k, rng)
        for agency in rng.sample(agencies, rng.choice([2, 3]) if len(agencies) > 2 else 2):
            n = len(out[agency])
            out[agency].append(referral(agency, n, [planted_party(s, rng)[0]]))
    for agency in agencies:
        while len(out[agency]) < per_agency:
            n = len(out[agency])
            out[agency].append(referral(agency, n, [filler_party(agency, n)]))
        rng.shuffle(out[agency])
    return out


def plaintext_links(data: dict[str, list[Referral]]) -> set[tuple[str, str, str, str, str]]:
    """(agency, external id, other agency, other external id, kind) by comparing in clear."""
    holders: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for agency, referrals in data.items():
        for item in referrals:
            for kind, value in strong_set(extract_identifiers(item)):
                holders[(kind, value)].add((agency, str(item.external_id)))
    links = set()
    for (kind, _value), who in holders.items():
        for a, ra in who:
            for b, rb in who:
                if a != b:
                    links.add((a, ra, b, rb, kind))
    return links
