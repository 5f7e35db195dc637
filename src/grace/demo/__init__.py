"""Seeded, benign synthetic referral streams for demos, tests and benchmarks.

grace cannot be shown or tested on real referrals, so this package produces a stream with
the *shape* of a real one (formats, providers, countries, repeat accounts, heavy-tailed
file counts, viral and re-shared media, a few urgent cases) and none of the content: every
picture is procedurally drawn (houses, trees, suns, patterns, text cards) or one of the
benign PDQ conformance photos; every person, address and account is fictional. Videos are
not generated (images only, to stay fast).

Layout written by ``generate(out_dir, referrals, seed)``::

    out_dir/input/tip-00001/            folder bundle (even-numbered ones are .zip files)
        report.xml + filedetails-<fileId>.xml + <fileId>.<ext>   (CyberTipline ESP XML)
        report.json + <fileId>.<ext>                             (NCMEC law-enforcement JSON)
        referral.json + <fileId>.<ext>                           (grace JSON)
    out_dir/hashsets/known.vics.json    VICS 2.0 hash set of the "known" media
    out_dir/ground-truth.json           variants, known/viral, truly urgent (never ingested)
"""

from grace.demo.generate import DemoSummary, generate, reference_date

__all__ = ["DemoSummary", "generate", "reference_date"]
