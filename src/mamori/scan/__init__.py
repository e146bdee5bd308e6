"""Scanning a platform's stored content with the detection model on a Dask cluster (issue 15).

`mamori detect scan INPUT --out OUT [--cluster ADDRESS] [--workers N]`: the input (Parquet, or JSON
lines, of any size) is cut into chunks (Parquet row groups; byte ranges of whole lines); each chunk is a
task that screens its posts through the detection cascade and writes the flagged ones (id, text,
categories, scores, spans) as one Parquet part, atomically. A part that exists is done: a scan that
stopped (a crash, a killed worker, Ctrl-C) is resumed by running the same command again, and the result
is the same as a run in one process. Without --cluster, a local cluster of --workers processes runs on
this machine; with an address (tcp://scheduler:8786) the same tasks run on a real cluster, whose
workers need mamori installed and read INPUT and write OUT at the same paths (a shared volume).
"""
