"""The composition root: what one run is made of and how it goes.

`environment.py` wires a run's services (catalog, profiles, artifact store, JSON-LD and schema engines, the verifier)
and imports every standard so that it registers; `runner.py` turns targets into subjects and findings; `targets/`
reads what the person named (files, folders, URLs, a targets.toml with its live services); `vectors.py` and
`evaluation.py` build and judge the suite's own test vectors. Only the faces and the reports sit above this layer.
"""
