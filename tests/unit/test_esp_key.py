"""One provider is one provider: its spellings fold to one key in triage, stats and filters."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import true

from grace.desk.queue import filter_options
from grace.ingest import persist
from grace.ingest.assemble import Unit
from grace.intel.esp import esp_key, fold_counts, same_esp
from grace.model import Referral
from grace.referrals import ReferralFilters, count_referrals, list_referrals
from grace.stats import workspace_stats
from grace.workspace import Workspace

SPELLINGS = ("PhotoShareCo", "photoshare.example.com", "PhotoShare Co.", "PHOTOSHARECO")


def test_spellings_of_one_provider_share_a_key() -> None:
    assert {esp_key(n) for n in SPELLINGS} == {"photoshare"}
    assert esp_key("https://www.photoshare.com/legal") == "photoshare"
    assert esp_key("ChatterBox Messenger") == esp_key("chatterbox.example.net") == "chatterbox"
    assert esp_key("Backup Box GmbH") == esp_key("BackupBox")
    assert not same_esp("PhotoShareCo", "ChatterBox")
    assert esp_key("") is None and esp_key(None) is None
    assert fold_counts({"PhotoShareCo": 5, "photoshare.example.com": 3, "unknown": 2}) == {
        "PhotoShareCo": 8,
        "unknown": 2,
    }


def test_stats_and_queue_filters_count_one_provider_once(tmp_path: Path) -> None:
    workspace = Workspace.init(tmp_path / "home")
    names = [*SPELLINGS, "ChatterBox"]
    batch = []
    for i, name in enumerate(names):
        model = Referral(external_id=str(i), esp_name=name, received_at="2026-01-02T00:00:00Z")
        document = model.model_dump_json().encode()
        batch.append(persist.prepare(Unit(model, f"t:{i}", "referral.json", document), "test"))
    persist.write_blobs(workspace.vault, batch)
    with workspace.sessions.begin() as session:
        persist.record(session, batch)
    with workspace.sessions() as session:
        filters = ReferralFilters(esp="photoshare.example.com")
        assert count_referrals(session, filters=filters) == 4
        listed = {r["esp_name"] for r in list_referrals(session, filters=filters)}
        assert listed == set(SPELLINGS)
        assert count_referrals(session, filters=ReferralFilters(esp="ChatterBox")) == 1
        assert len(filter_options(session, true())["esp"]) == 2
        by_esp = workspace_stats(session)["by_esp"]
        assert sorted(by_esp.values()) == [1, 4]
    workspace.close()
