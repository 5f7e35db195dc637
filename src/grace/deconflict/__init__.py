"""Deconfliction without disclosure: agencies learn that they work the same subject.

Why not the obvious thing: a central table of hashed e-mails and phone numbers is a
disclosure, since anyone holding it can hash a guess and look it up. Instead a node turns each
strong identifier into a *token* with an oblivious PRF (RFC 9497, ristretto255, the ``voprf``
package): the node blinds the identifier, the coordinator evaluates it blind with a key only
it holds, and the node unblinds. The coordinator never sees an identifier; a node cannot
compute a token without asking, so guessing costs one rate-limited, audited evaluation each.

How it works: ``canonical`` picks the strong identifiers (grace.intel's normal forms, plus
mailbox folding), ``oprf`` is the library glue, ``signed`` binds every request to the
node's pinned Ed25519 key, ``coordinator`` keeps the token index and raises alerts,
``node``/``sync`` are an agency's side, ``overlap`` counts shared identifiers between two
agencies with PSI cardinality (``openmined-psi``).

Cost: a token row is ~200 bytes with its indexes; the coordinator's evaluator is cached per
epoch. Thread safety: every request runs in its own database transaction under the
workspace write lock, so concurrent uploads serialise and cannot miss each other's matches.
"""
