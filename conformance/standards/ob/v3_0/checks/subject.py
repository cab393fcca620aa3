"""AchievementSubject and IdentityObject (OB 3.0 §B.1.2, §B.1.11)."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from conformance.core.checks import CheckContext, check
from conformance.core.findings import Finding
from conformance.core.predicates import (
    is_datetime,
)
from conformance.core.subject import Subject
from conformance.standards.ob.v3_0 import _shapes as s

Findings = Iterator[Finding]

from conformance.standards.ob.v3_0.checks.common import (
    get_value,
    is_one_of,
    nodes_or_inapplicable,
    nonempty_string,
    pointer_join,
    present,
    type_rule,
)


@check("OB30-achievementsubject-type")
def achievement_subject_type(subject: Subject, ctx: CheckContext) -> Findings:
    """The credentialSubject of an achievement credential is an object typed AchievementSubject."""
    if s.kind(subject) != "achievement":
        yield ctx.inapplicable("an endorsement credential")
        return
    nodes = list(s.achievement_subjects(subject))
    # no credentialSubject: VCDM's rule fails it; nothing of OB's to judge here (never a silent pass)
    yield from type_rule(ctx, nodes, "AchievementSubject", "credentialSubject")


@check("OB30-subject-id-or-identifier")
def subject_identified(subject: Subject, ctx: CheckContext) -> Findings:
    """The AchievementSubject has an id or a non-empty identifier list."""
    nodes = [(at, n) for at, n in s.achievement_subjects(subject) if isinstance(n, Mapping)]
    yield from nodes_or_inapplicable(ctx, nodes, "AchievementSubject object")
    for at, node in nodes:
        if not present(node, "id") and not present(node, "identifier"):
            yield ctx.fail(at, expected="an id or at least one identifier entry for the learner",
                           message=f"{at} has neither id nor identifier; expected an id or at least one identifier "
                                   f"entry for the learner")


@check("OB30-subject-achievement-present")
def subject_has_achievement(subject: Subject, ctx: CheckContext) -> Findings:
    """The AchievementSubject has an achievement object."""
    nodes = [(at, n) for at, n in s.achievement_subjects(subject) if isinstance(n, Mapping)]
    yield from nodes_or_inapplicable(ctx, nodes, "AchievementSubject object")
    for at, node in nodes:
        if not isinstance(node.get("achievement"), Mapping):
            yield ctx.fail(at + "/achievement", expected="an Achievement object", found=get_value(node, "achievement"))


@check("OB30-activity-dates-datetime")
def activity_dates(subject: Subject, ctx: CheckContext) -> Findings:
    """activityStartDate and activityEndDate are XML Schema date-times."""
    judged = False
    for at, node in s.achievement_subjects(subject):
        for key in ("activityStartDate", "activityEndDate"):
            if isinstance(node, Mapping) and key in node:
                judged = True
                if not is_datetime(node[key]):
                    yield ctx.fail(pointer_join(at, key), expected="a date-time", found=node[key])
    if not judged:
        yield ctx.inapplicable("no activity dates")




@check("OB30-identityobject-required")
def identity_object_required(subject: Subject, ctx: CheckContext) -> Findings:
    """hashed is a boolean, identityHash a string, identityType present."""
    nodes = [(at, n) for at, n in s.identity_objects(subject) if isinstance(n, Mapping)]
    yield from nodes_or_inapplicable(ctx, nodes, "IdentityObject")
    for at, node in nodes:
        if not isinstance(node.get("hashed"), bool):
            yield ctx.fail(at + "/hashed", expected="true or false", found=get_value(node, "hashed"))
        if not nonempty_string(node.get("identityHash")):
            yield ctx.fail(at + "/identityHash", expected="a string", found=get_value(node, "identityHash"))
        if not present(node, "identityType"):
            yield ctx.fail(at + "/identityType", expected="an identityType", found=get_value(node, "identityType"))




@check("OB30-identityhash-format")
def identity_hash_format(subject: Subject, ctx: CheckContext) -> Findings:
    """A hashed identity is algorithm$hex, with sha256 or md5 and the matching digest length."""
    hashed = [(at, n) for at, n in s.identity_objects(subject) if isinstance(n, Mapping) and n.get("hashed") is True]
    yield from nodes_or_inapplicable(ctx, hashed, "hashed IdentityObject")
    for at, node in hashed:
        value = node.get("identityHash")
        if not (isinstance(value, str) and s.IDENTITY_HASH.match(value)):
            yield ctx.fail(at + "/identityHash", expected="sha256$<64 hex digits> or md5$<32 hex digits>",
                           found=get_value(node, "identityHash"))




_LEAKY_IDENTITY_TYPES = frozenset({"emailAddress", "nationalIdentityNumber"})


@check("OB30-identityhash-recommended")
def identity_hashed_when_personal(subject: Subject, ctx: CheckContext) -> Findings:
    """emailAddress and nationalIdentityNumber identities are hashed (our reading of 'strongly recommended')."""
    leaky = [(at, n) for at, n in s.identity_objects(subject)
             if isinstance(n, Mapping) and is_one_of(n.get("identityType"), _LEAKY_IDENTITY_TYPES)]
    yield from nodes_or_inapplicable(ctx, leaky, "email or national identity number entry")
    for at, node in leaky:
        if node.get("hashed") is not True:
            yield ctx.fail(at + "/hashed", expected=f"true for a {node['identityType']} identity",
                           found=get_value(node, "hashed"))
