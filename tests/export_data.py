"""A small benign workspace for export tests: two agencies' referrals, one known file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from builders import encoded, textured_image
from grace.banks.repository import BankKind, import_bank
from grace.ingest.pipeline import IngestPipeline
from grace.intel.service import IntelProcessor
from grace.media.analyse import analyse_bytes
from grace.media.process import MediaProcessor
from grace.model import FileRef, IpEvent, Location, Party, PartyRole, Referral
from grace.store.tables import Referral as ReferralRow
from grace.store.tables import ReferralFile
from grace.triage.service import run_triage
from grace.workspace import Workspace

NEW_A = encoded(textured_image(11))
KNOWN = encoded(textured_image(12))
NEW_B = encoded(textured_image(13))


@dataclass(frozen=True)
class ExportData:
    de: int  # referral routed to de-bka: one new file, one known file
    fr: int  # referral routed to another agency: one new file
    de_agency: str
    fr_agency: str
    known_file: int
    new_file: int


def _referral(report: str, ip: str, country: str, files: list[str]) -> Referral:
    return Referral(
        source_format="grace_json",
        external_id=report,
        esp_name="PhotoShareCo",
        incident_type="Child Pornography (possession, manufacture, and distribution)",
        incident_time="2026-10-01T12:00:00Z",
        parties=[
            Party(
                role=PartyRole.REPORTED,
                esp_user_id=f"user-{report}",
                screen_name=f"h_{report}",
                emails=[f"{report.lower()}@example.com"],
                ip_events=[IpEvent(ip=ip, event="Upload", at="2026-10-01T11:00:00Z")],
                location=Location(country_code=country),
            )
        ],
        files=[FileRef(name=name, original_name=f"orig_{name}") for name in files],
    )


def _write(inbox: Path, referral: Referral, media: dict[str, bytes]) -> None:
    folder = inbox / (referral.external_id or "x")
    folder.mkdir(parents=True)
    (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    for name, data in media.items():
        (folder / name).write_bytes(data)


def populate(workspace: Workspace, tmp: Path) -> ExportData:
    """Ingest, hash, match, route and score two benign referrals."""
    known_md5 = analyse_bytes(KNOWN).md5
    csv = f"md5,category\n{known_md5},1\n".encode()
    import_bank(workspace, csv, "known.csv", name="known-set", kind=BankKind.KNOWN, actor="t")
    inbox = tmp / "inbox"
    _write(
        inbox,
        _referral("DE-1", "91.30.110.86", "DE", ["a.jpg", "k.jpg"]),
        {"a.jpg": NEW_A, "k.jpg": KNOWN},
    )
    _write(inbox, _referral("FR-1", "90.0.0.1", "FR", ["b.jpg"]), {"b.jpg": NEW_B})
    assert IngestPipeline(workspace).run([inbox]).ok
    MediaProcessor(workspace, "t", workers=1).run()
    IntelProcessor(workspace, "t").run()
    run_triage(workspace, "rules_v1", "t")
    with workspace.sessions() as session:
        rows = {r.external_id: r for r in session.scalars(select(ReferralRow))}
        de, fr = rows["DE-1"], rows["FR-1"]
        files = {
            f.name: f
            for f in session.scalars(select(ReferralFile).where(ReferralFile.referral_id == de.id))
        }
        assert files["k.jpg"].media_status == "known", files["k.jpg"].media_status
        assert de.agency and fr.agency and de.agency != fr.agency, (de.agency, fr.agency)
        return ExportData(
            de=de.id,
            fr=fr.id,
            de_agency=de.agency,
            fr_agency=fr.agency,
            known_file=files["k.jpg"].id,
            new_file=files["a.jpg"].id,
        )
