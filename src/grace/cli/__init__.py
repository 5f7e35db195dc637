"""The ``grace`` command: one module per verb, assembled in ``main``."""
