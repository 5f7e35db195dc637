"""Local models: classifier heads and the referral-priority model, with a versioned registry.

``registry`` stores each trained version (plain arrays in a ``.npz``, never pickle) with its
training summary, metrics, origin and per-agency thresholds; ``train``/``evaluate`` fit and
measure calibrated models from the workspace's own labels; ``predict`` turns a model's
output into explainable triage factors. The federated layer exchanges the same arrays.
"""
