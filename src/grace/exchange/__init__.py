"""The exchange between grace nodes (issue 12): a coordinator and national agencies.

A node is a workspace with a name, an agency and the workspace's Ed25519 export key
(``grace.exports.signing``: one key per workspace, already pinned by partners for export
packages). Peers are pinned by key; referrals travel as signed packages (``package``),
are received through the normal ingest path (``receive``) and outcomes travel back
(``outcomes``). No node ever reads another node's database. See docs/exchange.md.
"""
