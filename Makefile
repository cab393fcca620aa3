# Every target bootstraps .venv on a fresh machine: `make demo` and `make test` need nothing installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Pinned artifacts (JSON-LD contexts, 1EdTech schemas, CTDL encodings): `make demo` and `make test` first fetch the
# missing ones into the user cache (`ler-conformance artifacts fetch`, each sha256-verified), from
# LER_CONFORMANCE_MIRROR when it is set, else from their canonical URLs. A folder that already holds them stands in
# when LER_CONFORMANCE_ARTIFACTS names it; our own CI's is ../shared/standards, used when it exists.
LER_CONFORMANCE_ARTIFACTS ?= $(wildcard $(abspath ../shared/standards))
export LER_CONFORMANCE_ARTIFACTS

# The Node peer (peers/node, Digital Bazaar's VC stack) that the `peer` tests cross-check proofs against.
NODE_PEER := peers/node
# `make demo` fetches this CTID (examples/registry/certificate.json) from the Registry stand-in on this port.
DEMO_REGISTRY_PORT ?= 8765
DEMO_REFERENCE_PORT ?= 8766
DEMO_CTID := ce-1b7a0d3e-52c4-4f1d-9e6b-8a2c3d4e5f60
NODE_STAMP := $(NODE_PEER)/node_modules/.installed

.PHONY: demo test bench clean peers browser artifacts

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench,peer]'
	touch $(STAMP)

# npm ci installs exactly package-lock.json; the stamp sits inside node_modules so deleting that reinstalls too.
$(NODE_STAMP): $(NODE_PEER)/package-lock.json $(NODE_PEER)/package.json
	@command -v npm >/dev/null 2>&1 || \
	  { echo "npm not found on PATH: the peer tests need Node.js 20+ with npm" >&2; exit 1; }
	cd $(NODE_PEER) && npm ci --no-audit --no-fund
	touch $@

peers: $(NODE_STAMP)

# Debian's Chromium for the HTML report's browser tests and for `report --pdf`; installed once, as root or via sudo.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  command -v apt-get >/dev/null 2>&1 || { echo "install Chromium and put it on PATH (or set LER_CONFORMANCE_BROWSER)" >&2; exit 1; }; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	    { $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends chromium; }; }

# Returns at once when every pin is in place; offline with no mirror it stops in one sentence naming the ways out.
artifacts: $(STAMP)
	@$(VENV)/bin/ler-conformance artifacts fetch

# A check's exit code names its verdict (0 pass, 1 fail, 3 incomplete, 4 not judged): the demo goes on for any of
# them and stops only on 2, a run that could not start.
demo: $(STAMP) artifacts browser
	rm -rf reports/demo
	$(VENV)/bin/ler-conformance vectors export reports/demo/vectors --documents reports/demo/documents
	$(VENV)/bin/ler-conformance check reports/demo/vectors --documents reports/demo/documents/documents.toml \
	  --out reports/demo; \
	  status=$$?; [ $$status -ne 2 ] || exit $$status
	$(VENV)/bin/ler-conformance report reports/demo/results.json --earl --html --pdf --matrix --attest \
	  --attestations examples/vendor-attestation.toml --out reports/demo
	$(VENV)/bin/ler-conformance verify-report reports/demo
	$(VENV)/bin/ler-conformance requirements --profile ler-procurement --rfp --out reports/demo
	@# the Registry stand-in serves examples/registry on loopback; `registry` fetches a CTID from it and checks it
	@$(PY) -m conformance.reference.registry examples/registry --port $(DEMO_REGISTRY_PORT) \
	  > reports/demo/registry-stand-in.log 2>&1 & pid=$$!; trap "kill $$pid" EXIT; \
	  for i in $$(seq 50); do grep -q "Registry stand-in" reports/demo/registry-stand-in.log && break; sleep 0.2; done; \
	  $(VENV)/bin/ler-conformance registry $(DEMO_CTID) --registry-base http://127.0.0.1:$(DEMO_REGISTRY_PORT) \
	    --allow-private --out reports/demo/registry; status=$$?; [ $$status -ne 2 ]
	$(VENV)/bin/ler-conformance report reports/demo/registry/results.json --html --out reports/demo/registry
	@# the reference VC API issuer and verifier on loopback; `check targets.toml` tests them live
	@mkdir -p reports/demo/live; \
	  $(VENV)/bin/ler-conformance serve-reference --port $(DEMO_REFERENCE_PORT) > reports/demo/live/targets.toml \
	  2> reports/demo/live/serve-reference.log & pid=$$!; trap "kill $$pid" EXIT; \
	  for i in $$(seq 100); do grep -q "end of the reference targets" reports/demo/live/targets.toml && break; \
	    sleep 0.2; done; \
	  $(VENV)/bin/ler-conformance check reports/demo/live/targets.toml --allow-private \
	    --trust-list examples/reference-trust-list.toml --out reports/demo/live; \
	  status=$$?; [ $$status -ne 2 ]
	$(VENV)/bin/ler-conformance report reports/demo/live/results.json --html --earl --out reports/demo/live
	@echo "demo reports in reports/demo/: results.json, earl.jsonld/.ttl, report.html/.pdf, matrix.md/.html," \
	  "attestation.json, rfp-ler-procurement.md/.html, registry/ (a CTID fetched from the Registry stand-in)," \
	  "live/ (every reference service, wallets included, tested over HTTP)"

test: $(STAMP) artifacts $(NODE_STAMP) browser
	$(PY) -m pytest -n 2 --junitxml=reports/junit.xml

bench: $(STAMP)
	$(PY) benchmarks/bench_documents.py
	$(PY) benchmarks/bench_proofs.py
	$(PY) benchmarks/bench_ctdl_audit.py
	$(PY) benchmarks/bench_protocol.py
	$(PY) benchmarks/bench_hostile.py

clean:
	rm -rf $(VENV) reports/demo reports/junit.xml $(NODE_PEER)/node_modules
