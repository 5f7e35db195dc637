"""The desk's deconfliction alerts (issue 13, desk part) after a real sync between two
agencies: the page and the API list the alerts of the analyst's own agency's referrals (the
kind of identifier, the other agency and its reference, never the value), the referral page
links to them, and another agency's analyst sees none of them. nl-police's node on SQLite
or PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from deconflict_world import DeconflictWorld, deconflicted
from grace.deconflict.sync import read_notices
from pg import throwaway_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeconflictWorld]:
    root = tmp_path_factory.mktemp(f"deconflict-desk-{request.param}")
    if request.param == "sqlite":
        with deconflicted(root) as found:
            yield found
        return
    with throwaway_database("dxdesk") as url, deconflicted(root, url) as found:
        yield found


def _notices(world: DeconflictWorld, agency: str | None = None) -> list[dict[str, object]]:
    notices = read_notices(world.nl)
    assert notices, "the synthetic agencies share planted subjects: alerts expected"
    return [n for n in notices if agency in (None, world.agency_of[int(str(n["referral_id"]))])]


def test_api_lists_the_agencys_alerts_only(world: DeconflictWorld) -> None:
    notices = _notices(world)
    mine, theirs = _notices(world, "nl-police"), _notices(world, "be-fjp")
    assert mine and theirs
    nina = world.as_token("nina").get("/api/v1/deconflict/notices").json()["notices"]
    assert sorted(n["referral_id"] for n in nina) == sorted(
        int(str(n["referral_id"])) for n in mine
    )
    kim = world.as_token("kim").get("/api/v1/deconflict/notices").json()["notices"]
    assert {n["referral_id"] for n in kim} == {n["referral_id"] for n in theirs}
    root = world.as_token("root").get("/api/v1/deconflict/notices").json()["notices"]
    assert len(root) == len(notices)
    assert {n["other_node"] for n in root} == {"de-bka"}


def test_page_lists_kind_agency_and_reference_never_the_value(world: DeconflictWorld) -> None:
    nina = world.signed_in("nina")
    page = nina.get("/deconflict/alerts")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="kind-(\w+)">(.*?)</tr>', page.text, flags=re.S)
    mine = [
        n for n in _notices(world) if world.agency_of[int(str(n["referral_id"]))] == "nl-police"
    ]
    assert rows and len(rows) == len(mine)
    for notice in mine:
        assert f'href="/referrals/{notice["referral_id"]}"' in page.text
        assert str(notice["other_ref"]) in page.text
    assert "de-bka" in page.text and 'href="/deconflict/alerts"' in page.text  # nav link
    shown = {kind for kind, _ in rows}
    assert shown <= {link[4] for link in world.links if link[0] == "nl-police"}
    assert world.identifiers
    for value in world.identifiers:  # the kind only, never a value
        assert value not in page.text and value.lower() not in page.text.lower()
    kim_page = world.signed_in("kim").get("/deconflict/alerts").text
    for notice in mine:
        assert f'href="/referrals/{notice["referral_id"]}"' not in kim_page


def test_referral_page_links_its_alerts_and_the_filter_scopes(world: DeconflictWorld) -> None:
    mine = [
        n for n in _notices(world) if world.agency_of[int(str(n["referral_id"]))] == "nl-police"
    ]
    referral_id = int(str(mine[0]["referral_id"]))
    nina = world.signed_in("nina")
    page = nina.get(f"/referrals/{referral_id}").text
    assert 'id="deconflict-notices"' in page
    assert f'href="/deconflict/alerts?referral={referral_id}"' in page
    assert str(mine[0]["other_ref"]) in page
    only = nina.get(f"/deconflict/alerts?referral={referral_id}").text
    assert len(re.findall(r'<tr class="kind-', only)) == sum(
        1 for n in mine if n["referral_id"] == referral_id
    )
    kim = world.signed_in("kim")
    assert kim.get(f"/referrals/{referral_id}").status_code == 404
    assert '<tr class="kind-' not in kim.get(f"/deconflict/alerts?referral={referral_id}").text
    assert world.as_token("nina").get("/deconflict/alerts?referral=0").status_code == 422
