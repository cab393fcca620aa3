"""One judgement stated by two standards is reported once (catalog `reported_under`, run/runner.py): VCDM 2.0's
defined-terms rule and OB 3.0's safe-mode rule judge the same undefined term with the same code."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance.core.findings import Outcome
from conformance.core.profiles import Profile
from conformance.core.requirements import Catalog, CatalogError, Level
from conformance.run.environment import Environment
from conformance.run.runner import Runner
from conformance.run.targets.files import BytesTarget
from conformance.support.resources import shapes_dir

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
OB_MINIMAL = json.loads((VECTORS / "ob/3.0/valid/minimal.json").read_text(encoding="utf-8"))
SAFE_MODE_RULES = ("VCDM20-terms-defined", "OB30-jsonld-safe-mode", "CLR20-jsonld-safe-mode")
POINTER = "reported under OB30-jsonld-safe-mode: the document's own standard states the same rule, and each defect " \
          "is reported once"


def with_undefined_term(document: dict[str, Any]) -> bytes:
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["hoursOfStudy"] = 12
    changed.pop("proof", None)          # unsigned: the proof rules are not what these tests are about
    return json.dumps(changed).encode()


def safe_mode(env: Environment, profile: Profile, data: bytes) -> list[tuple[str, str, str, str]]:
    (result,) = Runner(env, profile).run([BytesTarget("t", data, "t.json")])
    return [(f.requirement, str(f.outcome), f.location, f.message if f.outcome is Outcome.INAPPLICABLE else "")
            for f in result.findings if f.requirement in SAFE_MODE_RULES and f.subject == ""]   # the document, not an embedded one


def test_the_catalog_entry_names_the_owners(env: Environment) -> None:
    assert env.catalog["VCDM20-terms-defined"].reported_under == ("OB30-jsonld-safe-mode", "CLR20-jsonld-safe-mode")


def test_an_undefined_term_of_an_open_badge_fails_once_under_its_own_standard(env: Environment) -> None:
    found = safe_mode(env, env.profile("default"), with_undefined_term(OB_MINIMAL))
    assert sorted(found) == [
        ("OB30-jsonld-safe-mode", "failed", "/credentialSubject/hoursOfStudy", ""),
        ("VCDM20-terms-defined", "inapplicable", "", POINTER),
    ]


def test_the_owner_out_of_scope_leaves_the_failure_with_vcdm(env: Environment) -> None:
    vc_only = Profile("vc-only", "VCDM 2.0 alone", include=("CORE-*", "VCDM20-*"))
    found = safe_mode(env, vc_only, with_undefined_term(OB_MINIMAL))
    assert found == [("VCDM20-terms-defined", "failed", "/credentialSubject/hoursOfStudy", "")]


def test_an_owner_at_a_weaker_level_does_not_take_the_failure(env: Environment) -> None:
    lenient = Profile("lenient-ob", "OB safe mode as a should", include=("CORE-*", "VCDM20-*", "OB30-*"),
                      levels={"OB30-jsonld-safe-mode": Level.SHOULD})
    found = safe_mode(env, lenient, with_undefined_term(OB_MINIMAL))
    assert sorted(found) == [
        ("OB30-jsonld-safe-mode", "failed", "/credentialSubject/hoursOfStudy", ""),
        ("VCDM20-terms-defined", "failed", "/credentialSubject/hoursOfStudy", ""),
    ]


def test_a_plain_credential_keeps_the_failure_with_vcdm(env: Environment) -> None:
    document = json.loads(with_undefined_term(OB_MINIMAL))
    document["@context"] = document["@context"][:1]
    document["type"] = ["VerifiableCredential"]
    document["credentialSubject"] = {"id": "did:example:learner", "hoursOfStudy": 12}
    document["issuer"] = document["issuer"]["id"] if isinstance(document["issuer"], dict) else document["issuer"]
    found = safe_mode(env, env.profile("default"), json.dumps(document).encode())
    assert found == [("VCDM20-terms-defined", "failed", "/credentialSubject/hoursOfStudy", "")]


def test_a_conformant_open_badge_passes_both_and_vcdm_points_to_ob(env: Environment) -> None:
    document = dict(OB_MINIMAL)
    document.pop("proof", None)
    found = safe_mode(env, env.profile("default"), json.dumps(document).encode())
    assert sorted(found) == [("OB30-jsonld-safe-mode", "passed", "", ""), ("VCDM20-terms-defined", "inapplicable", "", POINTER)]


def test_an_unknown_owner_is_a_catalog_error(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    (shapes / "x" / "1.0").mkdir(parents=True)
    (shapes / "specs.toml").write_text((shapes_dir() / "specs.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (shapes / "x" / "1.0" / "requirements.toml").write_text(
        '[standard]\nprefix = "X10"\nname = "X"\nversion = "1.0"\nspec = "vcdm20"\n\n'
        '[[requirement]]\nid = "X10-a-rule"\nsummary = "A rule that points to nothing."\nlevel = "must"\n'
        'anchor = ""\nprinciples = ["open-standards"]\nreported_under = ["Y10-missing"]\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="X10-a-rule is reported_under Y10-missing, which no catalog defines"):
        Catalog.load(shapes)
