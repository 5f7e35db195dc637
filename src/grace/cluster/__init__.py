"""Optional Dask cluster with mutual TLS (``pip install grace[cluster]``).

Nothing here imports Dask at module level: a grace process loads ``distributed`` only when a
cluster command or function is used.
"""
