"""Imported by the forkserver before it forks any worker (see pipeline.parallel).

Importing this warms the extractors once; every worker is then a cheap
copy-on-write fork that starts in milliseconds, so replacing a worker killed
for a timeout costs nothing, and the main process stays light (a rerun that
has nothing to do never imports spaCy).
"""
from pipeline.worker import warm

warm()
