"""Who sends and who appears in synthetic referrals: providers, countries, IPs, people.

The tables are small and fictional on purpose. Provider names are invented, e-mail
addresses use the reserved example.com/.org/.net domains, names are common given and
family names. IP addresses, however, must be *plausible public* addresses so that the
country routing can be exercised: each country lists a few large blocks that its
incumbent or biggest access providers are well known to hold (regional-registry
allocations, as of the mid 2020s), narrowed to the parts that the allocation data grace
routes with (``iptocc``) places in that country: a block half of which is registered
elsewhere (a multinational's network) would make the ground truth itself wrong
(``tests/unit/test_demo.py`` checks it). ``COUNTRY_BLOCKS`` is public so tests of routing
can reuse it; ground truth records the intended country of every address.
"""

from __future__ import annotations

import ipaddress
import random

from grace.demo.synth import Subject

# country -> (weight, calling code, national number digits, IPv4 blocks, cities)
# Weights follow NCMEC's 2021 country split (Asia-heavy) with the EU raised to about 25%
# of referrals so that a European unit's demo has enough of its own cases to route.
COUNTRY_BLOCKS: dict[str, tuple[float, str, int, tuple[str, ...], tuple[str, ...]]] = {
    "IN": (16.0, "+91", 10, ("117.192.0.0/10", "49.32.0.0/12"), ("Mumbai", "Delhi", "Pune")),
    "PH": (10.0, "+63", 10, ("112.198.0.0/16", "49.144.0.0/13"), ("Manila", "Cebu City")),
    "PK": (6.0, "+92", 10, ("119.152.0.0/13", "39.32.0.0/11"), ("Karachi", "Lahore")),
    "ID": (6.0, "+62", 10, ("36.64.0.0/11", "114.120.0.0/13"), ("Jakarta", "Surabaya")),
    "BD": (5.0, "+880", 10, ("114.130.0.0/16", "27.147.128.0/17"), ("Dhaka", "Chittagong")),
    "US": (8.0, "+1", 10, ("73.0.0.0/8", "98.0.0.0/11"), ("Columbus", "Phoenix", "Denver")),
    "BR": (4.0, "+55", 11, ("189.16.0.0/14", "177.32.0.0/14"), ("Sao Paulo", "Recife")),
    "MX": (3.0, "+52", 10, ("187.128.0.0/11",), ("Guadalajara", "Puebla")),
    "GB": (3.0, "+44", 10, ("86.128.0.0/10", "81.96.0.0/12"), ("Leeds", "Bristol")),
    "DE": (5.0, "+49", 11, ("91.0.0.0/10", "84.128.0.0/10"), ("Berlin", "Koeln", "Leipzig")),
    "FR": (3.5, "+33", 9, ("90.0.0.0/11", "92.128.0.0/11"), ("Lyon", "Lille", "Nantes")),
    "PL": (3.0, "+48", 9, ("83.0.0.0/11",), ("Warszawa", "Krakow", "Gdansk")),
    "IT": (2.5, "+39", 10, ("79.0.0.0/10", "151.16.0.0/12"), ("Milano", "Napoli")),
    "ES": (2.5, "+34", 9, ("88.0.0.0/11", "80.24.0.0/13"), ("Madrid", "Valencia")),
    "NL": (2.0, "+31", 9, ("77.160.0.0/12",), ("Utrecht", "Rotterdam")),
    "RO": (1.5, "+40", 9, ("86.120.0.0/13", "5.2.128.0/17"), ("Bucuresti", "Cluj-Napoca")),
    "BE": (1.0, "+32", 9, ("81.240.0.0/13",), ("Gent", "Liege")),
    "SE": (1.0, "+46", 9, ("78.64.0.0/12",), ("Goteborg", "Malmo")),
    "AT": (1.0, "+43", 10, ("80.108.0.0/15", "62.178.0.0/16"), ("Graz", "Linz")),
    "PT": (0.8, "+351", 9, ("85.240.0.0/13",), ("Porto", "Braga")),
    "CZ": (0.8, "+420", 9, ("90.178.0.0/15", "90.180.0.0/14"), ("Brno", "Ostrava")),
    "IE": (0.7, "+353", 9, ("86.40.0.0/13",), ("Cork", "Galway")),
}
EU = ("DE", "FR", "PL", "IT", "ES", "NL", "RO", "BE", "SE", "AT", "PT", "CZ", "IE")
DOC_BLOCKS = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")  # RFC 5737, no country
IPV6_BLOCKS = {"DE": "2003::/19", "FR": "2a01:cb00::/24", "US": "2601::/20"}
PSEUDO_COUNTRIES = ("A1", "A2", "O1", "AP", "EU")

FIRST = (
    "Alex",
    "Sam",
    "Jordan",
    "Noa",
    "Mika",
    "Rui",
    "Ana",
    "Jonas",
    "Piotr",
    "Lucia",
    "Arif",
    "Mei",
    "Tomasz",
    "Elena",
    "Kofi",
    "Ravi",
    "Lina",
    "Matteo",
    "Ioana",
    "Sven",
)
LAST = (
    "Marlow",
    "Brandt",
    "Quill",
    "Ferro",
    "Santos",
    "Novak",
    "Ahmed",
    "Reyes",
    "Keller",
    "Dumont",
    "Rossi",
    "Popescu",
    "Jansen",
    "Lund",
    "Costa",
    "Horvat",
    "Byrne",
    "Singh",
)
HANDLE_WORDS = (
    "sky",
    "pixel",
    "river",
    "night",
    "lucky",
    "blue",
    "storm",
    "echo",
    "nova",
    "maple",
    "orbit",
    "frost",
    "comet",
    "tiger",
    "delta",
    "lumen",
)
MAIL_DOMAINS = ("example.com", "example.org", "example.net")


def pick_country(rng: random.Random) -> str:
    """A country of residence, weighted by the table."""
    codes = list(COUNTRY_BLOCKS)
    return rng.choices(codes, weights=[COUNTRY_BLOCKS[c][0] for c in codes])[0]


def ip_in(rng: random.Random, block: str) -> str:
    """A host address inside ``block`` (never the network or broadcast address)."""
    net = ipaddress.ip_network(block)
    if net.version == 6:
        return str(net.network_address + rng.randrange(1, 2**64))
    return str(net.network_address + rng.randrange(1, net.num_addresses - 1))


def country_ip(rng: random.Random, country: str) -> str:
    """A plausible public address of ``country`` (sometimes IPv6 where listed)."""
    if country in IPV6_BLOCKS and rng.random() < 0.12:
        return ip_in(rng, IPV6_BLOCKS[country])
    return ip_in(rng, rng.choice(COUNTRY_BLOCKS[country][3]))


def phone(rng: random.Random, country: str) -> tuple[str, str]:
    """An E.164 number and its calling code; GB and US use fictional drama ranges."""
    code = COUNTRY_BLOCKS[country][1]
    if country == "GB":
        return f"+447700900{rng.randrange(1000):03d}", code
    if country == "US":
        return f"+1{rng.choice(('202', '312', '415'))}55501{rng.randrange(100):02d}", code
    digits = COUNTRY_BLOCKS[country][2]
    national = str(rng.randrange(6, 10)) + "".join(
        str(rng.randrange(10)) for _ in range(digits - 1)
    )
    return code + national, code


def make_subject(rng: random.Random, index: int, country: str, ref_year: int) -> Subject:
    """A new synthetic account holder with identifiers that may recur in later referrals."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    handle = f"{rng.choice(HANDLE_WORDS)}_{rng.choice(HANDLE_WORDS)}{rng.randrange(10, 999)}"
    emails = [f"{handle.replace('_', '.')}@{rng.choice(MAIL_DOMAINS)}"]
    if rng.random() < 0.3:
        emails.append(
            f"{first.lower()}.{last.lower()}{rng.randrange(100)}@{rng.choice(MAIL_DOMAINS)}"
        )
    phones = [phone(rng, country)] if rng.random() < 0.55 else []
    others = (
        [f"{rng.choice(HANDLE_WORDS)}{rng.randrange(1000, 9999)}"] if rng.random() < 0.35 else []
    )
    age = rng.randrange(16, 61) if rng.random() < 0.35 else None
    dob = None
    if age is not None and rng.random() < 0.5:
        dob = f"{ref_year - age:04d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    device = None
    if rng.random() < 0.25:
        device = ("IMEI", "35" + "".join(str(rng.randrange(10)) for _ in range(13)))
    return Subject(
        subject_id=f"S{index:05d}",
        first_name=first if rng.random() < 0.6 else None,
        last_name=last if rng.random() < 0.5 else None,
        emails=emails,
        phones=phones,
        screen_name=handle,
        display_name=f"{first} {last[0]}." if rng.random() < 0.6 else None,
        esp_user_id=str(rng.randrange(10**9, 10**12)),
        country=country,
        home_ips=[country_ip(rng, country) for _ in range(rng.randrange(1, 4))],
        age=age,
        date_of_birth=dob,
        other_handles=others,
        device_id=device,
    )


class People:
    """The pool of subjects; a share of referrals reuse one so that accounts can be linked."""

    def __init__(self, rng: random.Random, ref_year: int, reuse: float = 0.18) -> None:
        self.rng = rng
        self.ref_year = ref_year
        self.reuse = reuse
        self.subjects: list[Subject] = []

    def draw(self) -> Subject:
        """A subject: an earlier one (repeat account) with probability ``reuse``, else new."""
        if self.subjects and self.rng.random() < self.reuse:
            # earlier subjects recur, the oldest ones a little more often (prolific accounts)
            return self.subjects[int(len(self.subjects) * self.rng.random() ** 2)]
        subject = make_subject(self.rng, len(self.subjects), pick_country(self.rng), self.ref_year)
        self.subjects.append(subject)
        return subject
