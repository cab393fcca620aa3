"""Snapshots of every finding the suite gives on its vectors and on every fault-switch run of the reference, taken
before the issue-14 move (one house per standard): the move must not change a single finding. `findings.py` reads
and compares them; `python -m tests.snapshots.update` takes them again (only for a change meant to alter findings,
with the reason in the commit message)."""
