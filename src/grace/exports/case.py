"""A referral as CASE 1.x JSON-LD: the investigative action, provenance, files with hashes,
accounts and custody, for tools that read CASE/UCO (issue 13).

Written as plain JSON (no RDF library at run time): every node is typed with a CASE or UCO
class and literals carry their XSD datatypes, which is what ``case_validate`` (SHACL over the
CASE ontology, from ``case-utils``) checks. Identifiers are opaque ``kb:`` IRIs derived from
the workspace id and the referral, so two exports of the same referral name the same nodes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.tables import Custody, Referral, ReferralFile, VaultObject

CONTEXT = {
    "kb": "http://example.org/kb/",
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_NS = uuid.UUID("5f0c2a8e-1d5b-4f43-9a53-6b1c2f0d7e11")


def _id(kind: str, *parts: object) -> str:
    return f"kb:{kind}-{uuid.uuid5(_NS, '/'.join(map(str, parts)))}"


def _time(value: datetime) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value.isoformat()}


def _file(seed: str, obj: VaultObject, name: str | None) -> dict[str, Any]:
    hashes = [
        {
            "@id": _id("Hash", seed, obj.sha256, method),
            "@type": "uco-types:Hash",
            "uco-types:hashMethod": method,
            "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value.upper()},
        }
        for method, value in (("MD5", obj.md5), ("SHA1", obj.sha1), ("SHA256", obj.sha256))
    ]
    facets: list[dict[str, Any]] = [
        {
            "@id": _id("ContentDataFacet", seed, obj.sha256),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:sizeInBytes": {"@type": "xsd:integer", "@value": str(obj.size)},
            "uco-observable:hash": hashes,
        },
    ]
    if name:
        facets.append(
            {
                "@id": _id("FileFacet", seed, obj.sha256, name),
                "@type": "uco-observable:FileFacet",
                "uco-observable:fileName": name,
            }
        )
    return {
        "@id": _id("File", seed, obj.sha256),
        "@type": "uco-observable:File",
        "uco-core:hasFacet": facets,
    }


def _accounts(seed: str, referral: Referral) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for index, party in enumerate(referral.data.get("parties", [])):
        for email in party.get("emails", []):
            nodes.append(
                {
                    "@id": _id("EmailAddress", seed, index, email),
                    "@type": "uco-observable:EmailAddress",
                    "uco-core:hasFacet": [
                        {
                            "@id": _id("EmailAddressFacet", seed, index, email),
                            "@type": "uco-observable:EmailAddressFacet",
                            "uco-observable:addressValue": email,
                        }
                    ],
                }
            )
        user = party.get("esp_user_id") or party.get("screen_name")
        if user:
            nodes.append(
                {
                    "@id": _id("Account", seed, index, user),
                    "@type": "uco-observable:Account",
                    "uco-core:name": f"{party.get('esp_service') or referral.esp_name}: {user}",
                    "uco-core:hasFacet": [
                        {
                            "@id": _id("AccountFacet", seed, index, user),
                            "@type": "uco-observable:AccountFacet",
                            "uco-observable:accountIdentifier": str(user),
                        }
                    ],
                }
            )
    return nodes


def case_document(session: Session, referral_id: int, workspace_id: str) -> dict[str, Any]:
    """The referral's CASE graph: files, accounts, a provenance record, custody actions."""
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise LookupError(f"no referral with id {referral_id}")
    seed = f"{workspace_id}/{referral_id}"
    custody = list(
        session.scalars(
            select(Custody).where(Custody.referral_id == referral_id).order_by(Custody.id)
        )
    )
    names = {
        f.sha256: f.original_name or f.name
        for f in session.scalars(
            select(ReferralFile).where(ReferralFile.referral_id == referral_id)
        )
    }
    shas = {c.sha256 for c in custody} | {s for s in names if s}
    objects = session.scalars(select(VaultObject).where(VaultObject.sha256.in_(shas))).all()
    files = [
        _file(seed, o, names.get(o.sha256) or _custody_name(custody, o.sha256)) for o in objects
    ]
    accounts = _accounts(seed, referral)
    provenance = {
        "@id": _id("ProvenanceRecord", seed),
        "@type": "case-investigation:ProvenanceRecord",
        "case-investigation:exhibitNumber": referral.external_id or referral.natural_key,
        "uco-core:object": [{"@id": f["@id"]} for f in files],
    }
    actions = [
        {
            "@id": _id("InvestigativeAction", seed, c.id),
            "@type": "case-investigation:InvestigativeAction",
            "uco-core:name": f"received {c.role}",
            "uco-core:description": f"by {c.actor} from {c.source}",
            "uco-action:endTime": _time(c.received_at),
            "uco-action:object": [{"@id": _id("File", seed, c.sha256)}],
            "uco-action:result": [{"@id": provenance["@id"]}],
        }
        for c in custody
    ]
    investigation = {
        "@id": _id("Investigation", seed),
        "@type": "case-investigation:Investigation",
        "uco-core:name": f"grace referral {referral.external_id or referral_id}",
        "uco-core:object": [{"@id": n["@id"]} for n in [*files, *accounts, provenance, *actions]],
    }
    return {"@context": CONTEXT, "@graph": [investigation, *actions, provenance, *files, *accounts]}


def _custody_name(custody: list[Custody], sha256: str) -> str | None:
    return next((c.original_name for c in custody if c.sha256 == sha256 and c.original_name), None)
