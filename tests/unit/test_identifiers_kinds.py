"""Identifier normalisers, one kind at a time, on messy input.

All data is synthetic: example.* domains, documentation IP ranges, fictional or
reserved phone numbers, and the published test vectors of each address/account format.
"""

from __future__ import annotations

import hashlib

import pytest

from grace.intel import normalise, wallets, web
from grace.intel.keccak import keccak256, sponge
from grace.intel.textscan import scan_text


def _values(text: str, kind: str, region: str | None = None) -> list[str]:
    return [found[1] for found, _ in scan_text(text, region) if found[0] == kind]


@pytest.mark.parametrize(
    "raw",
    [
        "  Alice.Smith@Example.COM ",
        "alice.smith\uff20example\uff0ecom",  # fullwidth @ and full stop
        "<mailto:ALICE.SMITH@example.com>",
        "alice.smith@\u0435\u0445ample.com",  # Cyrillic ie and ha in the domain
    ],
)
def test_email_variants_share_one_value(raw: str) -> None:
    found = normalise.email(raw)
    assert found is not None
    assert found[1] == "alice.smith@example.com"


def test_email_homoglyphs_flagged_and_real_cyrillic_domain_kept() -> None:
    spoof = normalise.email("bob@\u0435\u0445ample.com")
    assert spoof is not None and spoof[2]["homoglyphs"] is True
    cyrillic = normalise.email("bob@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444")
    assert cyrillic is not None
    assert cyrillic[1] == "bob@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"


@pytest.mark.parametrize("raw", ["not-an-email", "a@b", "x@@example.com", "carol@example.test"])
def test_invalid_emails_skipped(raw: str) -> None:
    assert normalise.email(raw) is None


def test_obfuscated_emails_in_text() -> None:
    text = (
        "write to bob [at] example [dot] org, carol(at)example(dot)net or "
        "Dave At Example Dot Com; look at this dot com; I was at example.com"
    )
    assert _values(text, "email") == ["bob@example.org", "carol@example.net", "dave@example.com"]


def test_names_casefolded_and_stripped() -> None:
    assert normalise.name("screen_name", "  @Alice_Example ", "ExampleChat") == (
        "screen_name",
        "alice_example",
        {"esp": "examplechat"},
    )
    found = normalise.name("display_name", " \uff21\uff2c\uff29\uff23\uff25 Example", None)
    assert found is not None and found[1] == "alice example"
    assert found[2] == {"esp": "unknown-esp"}
    assert normalise.name("screen_name", "  @ ", None) is None


def test_handles_in_text_are_screen_names_but_emails_are_not() -> None:
    hits = scan_text("ping @Alice_X or mail carol@example.com.")
    assert [(f[0], f[1], f[2]) for f, _ in hits] == [
        ("email", "carol@example.com", {"domain": "example.com"}),
        ("screen_name", "alice_x", {"from_text": True}),
    ]


def test_esp_user_ids_are_scoped() -> None:
    a = normalise.esp_user_id(" 12345 ", "ExampleChat")
    b = normalise.esp_user_id("12345", "Example Photos")
    assert a is not None and b is not None
    assert a[1] == "examplechat/12345"
    assert b[1] == "example photos/12345"
    assert a[1] != b[1]
    missing = normalise.esp_user_id("12345", None)
    assert missing is not None and missing[1] == "unknown-esp/12345"


@pytest.mark.parametrize(
    ("raw", "value", "port", "version"),
    [
        (" 192.0.2.10 ", "192.0.2.10", None, 4),
        ("198.51.100.7:443", "198.51.100.7", 443, 4),
        ("[2001:DB8:0:0::1]:8443", "2001:db8::1", 8443, 6),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1", None, 6),
        ("::ffff:203.0.113.5", "203.0.113.5", None, 4),
        ("[::ffff:203.0.113.5]:80", "203.0.113.5", 80, 4),
        ("fe80::1%eth0", "fe80::1", None, 6),
    ],
)
def test_ip_forms(raw: str, value: str, port: int | None, version: int) -> None:
    found = normalise.ip(raw)
    assert found is not None
    assert (found[1], found[2]["port"], found[2]["version"]) == (value, port, version)
    assert found[2]["is_global"] is False


@pytest.mark.parametrize(
    "raw", ["999.1.2.3", "192.0.2", "2001:db8:::1", "host:443", "1.2.3.4:99999"]
)
def test_invalid_ips_skipped(raw: str) -> None:
    assert normalise.ip(raw) is None


def test_ips_in_text() -> None:
    text = (
        "from 192.0.2.1:8080, [2001:db8::2]:443 and ::ffff:198.51.100.9. Not 999.0.0.1 or 12:30:45."
    )
    assert _values(text, "ip") == ["2001:db8::2", "198.51.100.9", "192.0.2.1"]


def test_phone_uses_region_hint() -> None:
    found = normalise.phone(" (202) 555-0123 ", "US")
    assert found == ("phone", "+12025550123", {
        "country": "US", "valid": True, "type": "FIXED_LINE_OR_MOBILE",
    })  # fmt: skip
    uk = normalise.phone("020 7946 0123", "GB")
    assert uk is not None and uk[1] == "+442079460123" and uk[2]["country"] == "GB"
    assert normalise.phone("020 7946 0123", None) is None  # no country, no + prefix


@pytest.mark.parametrize("raw", ["12345", "+44 123", "+1 555 0000", "call me", "+999 1234 5678"])
def test_invalid_phones_skipped(raw: str) -> None:
    assert normalise.phone(raw, "US") is None


def test_pseudo_country_codes_give_no_region() -> None:
    assert normalise.phone_region("gb") == "GB"
    assert normalise.phone_region("A1") is None
    assert normalise.phone_region("EU") is None
    assert normalise.phone_region(None) is None


def test_phones_in_text_skip_cards_and_ips() -> None:
    text = "ring +44 20 7946 0123 or 4111 1111 1111 1111 from 192.0.2.44, ref 2024-05-04"
    assert _values(text, "phone", "GB") == ["+442079460123"]


def test_url_normalised_with_registrable_domain() -> None:
    found = web.url("  HTTPS://Sub.Example.CO.UK:443/u/Alice?id=7#top ")
    assert [f[0] for f in found] == ["url", "domain"]
    assert found[0][1] == "https://sub.example.co.uk/u/Alice?id=7#top"
    assert found[1] == ("domain", "example.co.uk", {
        "subdomain": "sub", "suffix": "co.uk", "is_private": False,
    })  # fmt: skip
    assert web.url("http://example.com:8080")[0][1] == "http://example.com:8080/"
    assert web.url("http://user:secret@example.com/")[0][1] == "http://user@example.com/"


def test_url_with_ip_host_gives_ip_not_domain() -> None:
    kinds = [(f[0], f[1]) for f in web.url("http://[2001:db8::5]:8080/x")]
    assert kinds == [("url", "http://[2001:db8::5]:8080/x"), ("ip", "2001:db8::5")]


def test_urls_in_text_trim_punctuation() -> None:
    text = "see (https://example.org/a_(b)) and www.Example.net/p."
    assert _values(text, "url") == ["https://example.org/a_(b)", "http://www.example.net/p"]


def test_device_ids() -> None:
    assert normalise.device_id(" IMEI ", "49-015420-323751-8") == (
        "device_id", "imei:490154203237518", {"id_type": "imei", "valid": True},
    )  # fmt: skip
    bad = normalise.device_id("IMEI", "490154203237519")
    assert bad is not None and bad[2]["valid"] is False
    ad = normalise.device_id("IDFA", "6D92078A-8246-4BA4-AE5B-76104861E7DC")
    assert ad is not None and ad[1] == "idfa:6d92078a-8246-4ba4-ae5b-76104861e7dc"


def test_keccak_vectors() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"abc").hex() == (
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    )
    for length in (0, 1, 135, 136, 137, 300):  # one to three blocks
        data = bytes(range(256))[:length] if length <= 256 else b"x" * length
        assert sponge(data, 0x06) == hashlib.sha3_256(data).digest()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh"),
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "p2wpkh"),
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr"),
    ],
)
def test_bitcoin_valid(address: str, kind: str) -> None:
    found = wallets.bitcoin_address(address)
    assert found is not None and found[2] == {"chain": "bitcoin", "type": kind}


@pytest.mark.parametrize(
    "address",
    [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # last character changed
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kV8f3t4",  # mixed case
        # BIP 350 test vector: a v1 program with a bech32 (not bech32m) checksum
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    ],
)
def test_bitcoin_corrupted_rejected(address: str) -> None:
    assert wallets.bitcoin_address(address) is None
    assert _values(f"send to {address} now", "crypto_wallet") == []


def test_ethereum_checksum() -> None:
    good = wallets.ethereum_address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
    assert good[1] == "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"
    assert good[2] == {"chain": "ethereum", "checksum_valid": True}
    bad = wallets.ethereum_address("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d35A")
    assert bad[2]["checksum_valid"] is False
    lower = wallets.ethereum_address("0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359")
    assert lower[2]["checksum_valid"] is None


def test_monero_format() -> None:
    synthetic = "4" + ("A1b2C3d4E5" * 10)[:94]
    assert _values(f"xmr {synthetic}.", "crypto_wallet") == [synthetic]
    assert wallets.monero_address(synthetic[:-1]) is None
    assert wallets.monero_address("4" + "0" * 94) is None  # 0 is not base58


def test_iban() -> None:
    assert _values("pay GB82 WEST 1234 5698 7654 32 AND THEN", "payment") == [
        "GB82WEST12345698765432"
    ]
    assert wallets.iban_number("gb82west12345698765432") is not None
    assert wallets.iban_number("GB82 WEST 1234 5698 7654 33") is None
    assert _values("pay GB82 WEST 1234 5698 7654 33", "payment") == []


def test_card_masked_never_in_clear() -> None:
    hits = scan_text("card 4111-1111-1111-1111 exp soon; 4111 1111 1111 1112 is not one")
    cards = [(found, raw) for found, raw in hits if found[0] == "payment"]
    assert len(cards) == 1
    (_, value, attributes), raw = cards[0]
    assert value == raw == "411111…1111"
    assert attributes["scheme"] == "visa" and len(attributes["sha256"]) == 64
    assert "4111111111111111" not in repr(hits)


def test_cashtag_and_payment_links() -> None:
    text = "tips to $Alice_Cash or paypal.me/AliceExample or https://cash.app/$BobExample; $100"
    assert _values(text, "payment") == ["paypal/aliceexample", "$bobexample", "$alice_cash"]
