"""Procurement profiles: they load and validate, claim only what the catalogs back, and the model keeps the old
selection behaviour."""
from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from conformance.core.profiles import (
    AttestationRequest,
    PlannedFamily,
    Profile,
    load_profiles,
    pattern_prefix,
)
from conformance.core.requirements import Catalog, CatalogError, Level, Principle, Status
from conformance.support.resources import shapes_dir
from conformance.support.schemas import validate_data_file

PROCUREMENT = ("ob30-issuer", "ob30-displayer", "ob30-host", "clr20-host", "ctdl-publisher", "wallet",
               "ler-procurement")
PROFILES = load_profiles(shapes_dir() / "profiles", validate=validate_data_file)
CATALOG = Catalog.load(shapes_dir(), validate=validate_data_file)


def test_every_procurement_profile_ships_beside_the_old_ones() -> None:
    assert set(PROCUREMENT) | {"default", "data-model"} <= set(PROFILES)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_profile_claims_only_what_the_catalog_backs(name: str) -> None:
    assert PROFILES[name].problems(CATALOG) == []


@pytest.mark.parametrize("name", PROCUREMENT)
def test_procurement_profile_states_roles_principles_and_a_procedure(name: str) -> None:
    profile = PROFILES[name]
    assert profile.roles and profile.principles and profile.title and len(profile.procedure) > 40
    assert profile.attestation_items(CATALOG), f"{name} asks for no vendor attestations"


@pytest.mark.parametrize("name", PROCUREMENT)
def test_tested_set_is_non_empty_unless_everything_is_planned(name: str) -> None:
    profile = PROFILES[name]
    tested = profile.tested(CATALOG)
    if not tested:
        assert all(pattern_prefix(p) in profile.planned_prefixes() for p in profile.include), name
    assert all(r.automated for r in tested)
    assert [r.id for r in tested] == list(profile.select(CATALOG))


@pytest.mark.parametrize("name", PROCUREMENT)
def test_every_include_pattern_matches_or_is_planned(name: str) -> None:
    profile = PROFILES[name]
    for pattern in profile.include:
        matched = [r.id for r in CATALOG if r.automated and fnmatchcase(r.id, pattern)]
        assert matched or pattern_prefix(pattern) in profile.planned_prefixes(), f"{name}: {pattern}"


@pytest.mark.parametrize("name", PROCUREMENT)
def test_attestation_items_exist_and_are_manual_cben_items(name: str) -> None:
    profile = PROFILES[name]
    for pattern in profile.attestation.items:
        assert any(fnmatchcase(r.id, pattern) for r in CATALOG.of_standard("CBEN")), f"{name}: {pattern}"
    for item in profile.attestation_items(CATALOG):
        assert item.standard.prefix == "CBEN" and item.status is Status.MANUAL, item.id
        assert not profile.selects(item), f"{item.id} would be counted as tested"
        assert item.principles


def test_ctdl_publisher_plans_every_ctdl_family_and_tests_the_badge_link() -> None:
    profile = PROFILES["ctdl-publisher"]
    assert {"CTDL", "CTDLMIN26", "CTDLREF", "CTDLPATH", "CTDLLER"} <= profile.planned_prefixes()
    assert "OB30-alignment-ctdl-ctid" in profile.select(CATALOG)
    assert profile.roles == ("registry",)


@pytest.mark.parametrize("present, pending", [
    ((), ("XAPI", "YAPI")),
    (("XAPI",), ("YAPI",)),
    (("XAPI", "YAPI"), ()),
])
def test_planned_families_stay_pending_until_their_requirements_arrive(present: tuple[str, ...],
                                                                       pending: tuple[str, ...]) -> None:
    from dataclasses import replace

    from conformance.core.requirements import Standard

    requirements = dict(CATALOG.requirements)
    standards = dict(CATALOG.standards)
    template = CATALOG["CORE-utf8"]
    for prefix in present:
        standard = Standard(prefix=prefix, folder=f"x/{prefix}", name=prefix, version="1")
        standards[prefix] = standard
        requirements[f"{prefix}-thing"] = replace(template, id=f"{prefix}-thing", standard=standard)
    catalog = Catalog(requirements=requirements, standards=standards, specs=CATALOG.specs)
    profile = _profile(include=("XAPI-*", "YAPI-*"), planned=(PlannedFamily("XAPI", "X API", "what X tests"),
                                                            PlannedFamily("YAPI", "Y API", "what Y tests")))
    assert tuple(f.prefix for f in profile.pending(catalog)) == pending
    assert [r.id for r in profile.tested(catalog)] == [f"{p}-thing" for p in present]
    assert profile.problems(catalog) == []


def test_ler_procurement_joins_the_other_procurement_profiles() -> None:
    broad = PROFILES["ler-procurement"]
    others = [PROFILES[n] for n in PROCUREMENT if n != "ler-procurement"]
    assert {r for p in others for r in p.roles} <= set(broad.roles)
    assert {r.id for p in others for r in p.tested(CATALOG)} <= {r.id for r in broad.tested(CATALOG)}
    assert set().union(*(p.planned_prefixes() for p in others)) <= broad.planned_prefixes()
    every_item = [r.id for r in CATALOG.of_standard("CBEN") if r.status is Status.MANUAL]
    assert [r.id for r in broad.attestation_items(CATALOG)] == every_item
    assert set(broad.principles) == set(Principle)


def test_issuer_profile_raises_the_current_context_and_leaves_presentations_out() -> None:
    issuer = PROFILES["ob30-issuer"]
    selected = issuer.select(CATALOG)
    assert selected["OB30-context-current"] is Level.MUST
    assert CATALOG["OB30-context-current"].level is Level.SHOULD
    assert not any("-vp-" in rid or rid.startswith(("DI10-presentation-", "TRUST10-")) for rid in selected)
    assert "TRUST10-issuer-listed" in PROFILES["ob30-displayer"].select(CATALOG)


def _profile(**fields: Any) -> Profile:
    return Profile(name="p", description="a test profile", **fields)


@pytest.mark.parametrize("profile, expected", [
    (_profile(include=("CORE-*",)), []),
    (_profile(include=("NOPE-*",)), ["include pattern 'NOPE-*' matches no tested requirement"]),
    (_profile(include=("NOPE-*",), planned=(PlannedFamily("NOPE", "Nope API", "what nope will test"),)), []),
    (_profile(include=("*-nothing-here",)), ["include pattern '*-nothing-here' matches no tested requirement"]),
    (_profile(include=("CBEN-*",)), ["include pattern 'CBEN-*' matches no tested requirement"]),
    (_profile(include=("CORE-*", "OB30-*"), planned=(PlannedFamily("OB30", "Open Badges", "arrived already"),)),
     []),
    (_profile(include=("CORE-*",), planned=(PlannedFamily("NOPE", "Nope API", "what nope will test"),)),
     ["planned family NOPE has no include pattern"]),
    (_profile(include=("CORE-*",), attestation=AttestationRequest(items=("CBEN-no-such-item",))),
     ["attestation item 'CBEN-no-such-item' names no manual CBEN item"]),
    (_profile(include=("CORE-*",), principles=(Principle.ALIGNMENT,)),
     ["principle alignment is claimed but no tested requirement or attestation item"]),
    (_profile(include=("CORE-*",), principles=(Principle.ALIGNMENT,),
              attestation=AttestationRequest(items=("CBEN-results-published",))), []),
])
def test_problems_name_each_unbacked_claim(profile: Profile, expected: list[str]) -> None:
    found = profile.problems(CATALOG)
    assert len(found) == len(expected), found
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start), message


@pytest.mark.parametrize("pattern, prefix", [
    ("OB30-*", "OB30"), ("OB30API-*", "OB30API"), ("OB30-alignment-ctdl-ctid", "OB30"), ("*-vp-*", None),
    ("*", None), ("OB3?-*", None), ("ob30-*", None),
])
def test_pattern_prefix(pattern: str, prefix: str | None) -> None:
    assert pattern_prefix(pattern) == prefix


def test_manual_requirements_are_never_selected() -> None:
    everything = _profile(include=("*",))
    assert not any(r.status is Status.MANUAL for r in everything.tested(CATALOG))
    assert not _profile(include=("CBEN-*",)).tested(CATALOG)


def test_attestation_items_by_role_and_by_pattern() -> None:
    by_role = _profile(attestation=AttestationRequest(roles=("wallet",))).attestation_items(CATALOG)
    assert by_role and all("wallet" in item.applies_to for item in by_role)
    assert "CBEN-key-management" not in {i.id for i in by_role}          # issuer and host only
    both = _profile(attestation=AttestationRequest(roles=("wallet",), items=("CBEN-key-management",)))
    ids = [i.id for i in both.attestation_items(CATALOG)]
    assert "CBEN-key-management" in ids and len(ids) == len(set(ids)) == len(by_role) + 1


def test_old_profiles_read_with_empty_procurement_fields() -> None:
    default = PROFILES["default"]
    assert (default.roles, default.principles, default.planned, default.procedure) == ((), (), (), "")
    assert default.attestation == AttestationRequest() and default.label == "default"


def test_from_toml_reads_every_field() -> None:
    data = tomllib.loads('''
name = "x"
title = "X buyer"
description = "a profile with every field"
include = ["CORE-*", "XAPI-*"]
roles = ["issuer", "host"]
principles = ["alignment"]
procedure = "Run the suite on the product."
[levels]
"CORE-utf8" = "should"
[[planned]]
prefix = "XAPI"
name = "X API"
covers = "what the X API family will test"
[attestation]
roles = ["host"]
items = ["CBEN-exit-plan"]
''')
    validate_data_file("profile", data, Path("x.toml"))
    profile = Profile.from_toml(data)
    assert profile.label == "X buyer" and profile.roles == ("issuer", "host")
    assert profile.principles == (Principle.ALIGNMENT,) and profile.levels == {"CORE-utf8": Level.SHOULD}
    assert profile.planned == (PlannedFamily("XAPI", "X API", "what the X API family will test"),)
    assert profile.attestation == AttestationRequest(("host",), ("CBEN-exit-plan",))


@pytest.mark.parametrize("extra, where", [
    ('roles = ["teacher"]', "/roles/0"),
    ('principles = ["speed"]', "/principles/0"),
    ('[[planned]]\nprefix = "lower"\nname = "Lower"\ncovers = "what lower will test"', "/planned/0/prefix"),
    ('[[planned]]\nprefix = "XAPI"\nname = "X API"', "/planned/0"),
    ('[attestation]\nitems = ["OB30-proof-verifies"]', "/attestation/items/0"),
    ('[attestation]\nwho = ["host"]', "/attestation"),
    ('colour = "red"', "at /:"),
])
def test_schema_rejects_malformed_procurement_fields(extra: str, where: str) -> None:
    data = tomllib.loads(f'name = "x"\ndescription = "a profile under test"\n{extra}\n')
    with pytest.raises(CatalogError, match="profile schema") as raised:
        validate_data_file("profile", data, Path("x.toml"))
    assert where in str(raised.value)


@pytest.mark.parametrize("content, message", [
    (b'name = "broken"\ndescription = ', "broken.toml"),
    (b"\xff\xfe not utf-8", "broken.toml"),
    (b'name = "broken"\n', "broken.toml"),                          # no description: schema
    (b'name = "other"\ndescription = "the wrong name"\n', "differs from the file name"),
])
def test_malformed_profile_files_give_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "broken.toml").write_bytes(content)
    with pytest.raises(CatalogError) as raised:
        load_profiles(tmp_path, validate=validate_data_file)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_malformed_profile_without_a_schema_still_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('name = "broken"\ndescription = "x"\nprinciples = ["speed"]\n')
    with pytest.raises(CatalogError, match="broken.toml: not a valid profile"):
        load_profiles(tmp_path)
