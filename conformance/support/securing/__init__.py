"""What secures a credential, checked without judging: Data Integrity proofs (proofs/), JOSE (jose/), keys and DID
resolution (keys/), status lists (status/), trust lists (trust/), one run's verifier wiring them (verifier.py), and
signing with the suite's fixed-seed test keys (signing.py). The standards turn these results into findings."""
