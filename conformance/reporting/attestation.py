"""The conformance attestation: one run's summary issued as a signed Verifiable Credential.

It is an Open Badges 3.0 EndorsementCredential on the VC 2.0 data model, so badge wallets and displayers can show
it as they are, and it uses only terms those two pinned contexts define, so the suite's own checks judge it like any
other credential. The endorsement comment states the run in words; `relatedResource` binds every report file of
the package by its sha384 SRI digest, so a reader holding the files can confirm offline that none changed after
signing. The proof is eddsa-rdfc-2022 by a did:key.

Who signed matters as much as what was signed: a one-time key (`ephemeral_signer`) shows the files are intact but
not who ran the suite, and the credential says so in its issuer's description, so no reader mistakes it for an
operator's key; an operator's own key (`load_signer`) ties the run to whoever holds it, which a reader confirms by
naming that key (`verify-report --trusted-signer`). The suite's public test key is only for tests and the demo:
anyone can sign with it, and the credential says that too.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric import ed25519

from conformance.core.requirements import CatalogError
from conformance.reporting.files import ReportError
from conformance.reporting.scorecard import WEAKEST_FIRST, Tally, overall_tally
from conformance.run.environment import Environment
from conformance.support.schemas import validate_data_file
from conformance.support.securing.keys import (
    KeysError,
    encode_public_multikey,
    key_type_of,
    private_key_from_jwk,
    private_key_from_multikey,
)
from conformance.support.securing.keys.testkeys import suite_key, suite_keys
from conformance.support.securing.proofs import (
    CanonicalizationError,
    ControllerDocumentResolver,
    ProofError,
    sign,
    verify,
)

if TYPE_CHECKING:
    from conformance.support.securing.proofs import Canonicalizer

__all__ = [
    "ATTESTATION_CONTEXTS", "ATTESTATION_TYPES", "EPHEMERAL_KEY_NOTE", "PUBLIC_TEST_KEY_NOTE",
    "AttestationBuildError", "AttestationSigner", "InputCounts", "ResourceProblem", "Signer", "SignerKind",
    "SigningKeyError", "attestation_signer", "build_attestation", "ephemeral_signer", "load_signer",
    "related_file_names", "report_resource_id", "sri_digest", "suite_test_signer", "verify_related_resources",
]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ATTESTATION_CONTEXTS: tuple[str, ...] = (VC_V2, OB_V3)
ATTESTATION_TYPES: tuple[str, ...] = ("VerifiableCredential", "EndorsementCredential")
CRYPTOSUITE = "eddsa-rdfc-2022"
TARGET_URN = "urn:ler-conformance:target:"
REPORT_URN = "urn:ler-conformance:report:"
DEFAULT_VALIDITY = timedelta(days=365)

# A key file is a few hundred bytes; anything far larger is not one, and is not read whole.
MAX_KEY_FILE_BYTES = 64 * 1024
_HASH_CHUNK = 1024 * 1024
# SRI algorithms a verifier may meet; the attestation itself always writes sha384.
_SRI_ALGORITHMS: dict[str, Any] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$")
# The report formats the suite writes. Looked up by suffix; anything else is announced as opaque bytes rather than
# guessed from the platform's MIME database, so two machines attest the same files identically.
_MEDIA_TYPES: dict[str, str] = {
    ".json": "application/json", ".jsonld": "application/ld+json", ".ttl": "text/turtle",
    ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".md": "text/markdown",
    ".xml": "application/xml", ".csv": "text/csv", ".txt": "text/plain", ".svg": "image/svg+xml",
    ".png": "image/png",
}
_OPAQUE = "application/octet-stream"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
# EARL's collapse of several findings of one requirement on one subject: the weakest outcome stands.
_MAX_SHOWN_TARGETS = 3
_MAX_SHOWN_CHARS = 200


# What the credential says of a key nobody can be held to. The issuer's description carries it (a term both pinned
# contexts define), and verify-report matches these exact sentences, so keep them stable across versions.
EPHEMERAL_KEY_NOTE = ("This key was made for this attestation alone and is bound to no operator: the proof shows that "
                      "the report files are unchanged since signing, not who ran the suite.")
PUBLIC_TEST_KEY_NOTE = ("This is the suite's public test key: its secret is published, so anyone can sign with it and "
                        "the proof says nothing about who ran the suite.")


class SigningKeyError(ReportError):
    """A key file cannot be used to sign the attestation. The message names the file and never quotes the key."""


class AttestationBuildError(ReportError):
    """The attestation cannot be produced from these inputs (malformed results, an unreadable report file, a
    context missing from the artifact store); the message says which and where."""


class SignerKind(StrEnum):
    OPERATOR = "operator"          # a key the operator keeps: readers tie it to them by naming it
    EPHEMERAL = "ephemeral"        # made for one attestation: it proves integrity, not who ran the suite
    PUBLIC_TEST = "public-test"    # the suite's published test key: anyone can sign with it


@dataclass(frozen=True, slots=True)
class Signer:
    """An Ed25519 key and the did:key that names it: the attestation's issuer and its proof's verification method."""

    private_key: ed25519.Ed25519PrivateKey = field(repr=False)
    did: str
    verification_method: str
    kind: SignerKind = SignerKind.OPERATOR

    @classmethod
    def from_key(cls, private_key: ed25519.Ed25519PrivateKey, *, kind: SignerKind = SignerKind.OPERATOR) -> Signer:
        public = encode_public_multikey(private_key.public_key())
        return cls(private_key, f"did:key:{public}", f"did:key:{public}#{public}", kind)

    @property
    def ephemeral(self) -> bool:
        return self.kind is SignerKind.EPHEMERAL

    @property
    def note(self) -> str | None:
        """What the credential says of this key, when the key itself cannot vouch for anyone."""
        return {SignerKind.EPHEMERAL: EPHEMERAL_KEY_NOTE, SignerKind.PUBLIC_TEST: PUBLIC_TEST_KEY_NOTE}.get(self.kind)


def ephemeral_signer() -> Signer:
    """A fresh did:key for one attestation. Nobody can tie it to an organization: it shows only that the report
    files are the ones signed, and the attestation says so."""
    return Signer.from_key(ed25519.Ed25519PrivateKey.generate(), kind=SignerKind.EPHEMERAL)


def suite_test_signer() -> Signer:
    """The suite's public test key `report-ed25519`, for tests and `make demo` only: its seed is published, so an
    attestation signed with it proves nothing about anyone."""

    key = suite_key("report-ed25519").private_key
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return Signer.from_key(key, kind=SignerKind.PUBLIC_TEST)


# --- key files -----------------------------------------------------------------------------------------------

def load_signer(path: Path) -> Signer:
    """The Ed25519 signer in `path`: a private JWK (OKP, Ed25519, with "d"), a JSON object with a
    `secretKeyMultibase` (and optionally its `publicKeyMultibase`), or a bare multibase Multikey secret.
    Raises SigningKeyError naming the file; the key material never appears in the message."""
    where = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except IsADirectoryError:
        raise SigningKeyError(f"{where}: expected a key file, found a directory") from None
    except FileNotFoundError:
        raise SigningKeyError(f"{where}: expected a key file, found no such file") from None
    except OSError as exc:
        raise SigningKeyError(f"{where}: the key file cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise SigningKeyError(f"{where}: expected a key file of at most {MAX_KEY_FILE_BYTES} bytes, found a larger "
                              f"file")
    try:
        text = raw.decode("utf-8").strip().removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise SigningKeyError(f"{where}: expected UTF-8 text (a JWK or a multibase secret key), found binary "
                              f"data") from None
    if not text:
        raise SigningKeyError(f"{where}: expected a JWK or a multibase secret key, found an empty file")
    if text.startswith(("{", "[", '"')):
        key = _key_from_json(text, where)
    else:
        key = _key_from_multikey(text, where)
    signer = Signer.from_key(key)
    # a key file may hold one of the suite's published test keys; the credential must not pass it off as an operator's
    return Signer.from_key(key, kind=SignerKind.PUBLIC_TEST) if signer.did in published_test_dids() else signer


@cache
def published_test_dids() -> frozenset[str]:
    """The did:keys of every suite test key: their secrets are in the repository, so they vouch for nobody."""

    return frozenset(key.did for key in suite_keys())


def _key_from_json(text: str, where: str) -> ed25519.Ed25519PrivateKey:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # the position only: the decoder's message never echoes the text
        raise SigningKeyError(f"{where}: expected JSON, found a syntax error at line {exc.lineno} column "
                              f"{exc.colno}") from None
    except RecursionError:
        raise SigningKeyError(f"{where}: expected a JWK, found JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise SigningKeyError(f"{where}: expected a JSON object (a JWK or a Multikey), found a JSON "
                              f"{_json_kind(data)}")
    if "secretKeyMultibase" in data:
        key = _key_from_multikey(data["secretKeyMultibase"], where, member="secretKeyMultibase")
        published = data.get("publicKeyMultibase")
        if published is not None and published != encode_public_multikey(key.public_key()):
            raise SigningKeyError(f"{where}: expected publicKeyMultibase to be the public key of "
                                  f"secretKeyMultibase, found another key")
        return key
    if "kty" not in data:
        raise SigningKeyError(f"{where}: expected a JWK (with kty, crv, x and d) or an object with "
                              f"secretKeyMultibase, found neither")
    if "d" not in data:
        raise SigningKeyError(f"{where}: expected a private JWK, found a public one (it has no 'd' member)")
    try:
        key = private_key_from_jwk(data, what="the JWK")
    except KeysError as exc:
        raise SigningKeyError(f"{where}: {_safe_message(exc)}") from None
    return _ed25519(key, where)


def _key_from_multikey(value: Any, where: str, *, member: str | None = None) -> ed25519.Ed25519PrivateKey:
    what = f"the {member} member" if member else "the multibase secret key"
    if not isinstance(value, str):
        raise SigningKeyError(f"{where}: expected {what} to be a string, found a JSON {_json_kind(value)}")
    try:
        key = private_key_from_multikey(value, what=what)
    except KeysError as exc:
        raise SigningKeyError(f"{where}: {_safe_message(exc)}") from None
    return _ed25519(key, where)


def _ed25519(key: Any, where: str) -> ed25519.Ed25519PrivateKey:
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        try:
            kind = str(key_type_of(key))
        except KeysError:
            kind = type(key).__name__
        raise SigningKeyError(f"{where}: expected an Ed25519 key ({CRYPTOSUITE} signs with Ed25519), found a "
                              f"{kind} key")
    return key


# Where the keys package names the offending character of an encoding, the character belongs to the secret.
_QUOTED_CHARACTER = re.compile(r"character [\d,]+ is .*$")


def _safe_message(exc: KeysError) -> str:
    return _QUOTED_CHARACTER.sub("it holds a character outside that alphabet", exc.message)


def _json_kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


# --- building ------------------------------------------------------------------------------------------------

def sri_digest(path: Path, algorithm: str = "sha384") -> str:
    """The file's Subresource Integrity expression, e.g. `sha384-<base64>`; read in chunks, so size is no issue."""
    digest = _SRI_ALGORITHMS[algorithm]()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return f"{algorithm}-{base64.b64encode(digest.digest()).decode('ascii')}"


def report_resource_id(name: str, base_url: str | None = None) -> str:
    """The relatedResource id of a report file: its URL under `base_url`, else a URN that carries its name."""
    encoded = quote(name, safe="")
    if base_url is None:
        return REPORT_URN + encoded
    return base_url + encoded if base_url.endswith("/") else f"{base_url}/{encoded}"


def _media_type(path: Path) -> str:
    return _MEDIA_TYPES.get(path.suffix.lower(), _OPAQUE)


def _parse_utc(value: str, member: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AttestationBuildError(f"results document: expected {member} to be a UTC date and time, found "
                                    f"{value[:40]!r}") from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _shown(text: str) -> str:
    return text if len(text) <= _MAX_SHOWN_CHARS else text[:_MAX_SHOWN_CHARS - 3] + "..."


def _targets_phrase(target_ids: Sequence[str]) -> str:
    if not target_ids:
        return "no named target"
    if len(target_ids) <= _MAX_SHOWN_TARGETS:
        return ", ".join(_shown(t) for t in target_ids)
    return f"{len(target_ids)} targets ({', '.join(_shown(t) for t in target_ids[:_MAX_SHOWN_TARGETS])}, ...)"


@dataclass(frozen=True, slots=True)
class InputCounts:
    """How many judged inputs inputs.json lists, and how many of them the package holds for re-judging."""

    listed: int
    archived: int


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _comment(results: Mapping[str, Any], tally: Tally, verdict: str, started: datetime, ended: datetime,
             target_ids: Sequence[str], file_count: int, signer: Signer, inputs: InputCounts | None) -> str:
    suite = results["reproducibility"]["suite"]
    commit = suite.get("commit")
    built = f"commit {commit}" if commit else "an unknown commit"
    subjects = results["summary"]["subjects"]

    def must(outcome: str) -> int:
        return tally.get("must", outcome)

    parts = [
        f"{suite['name']} {suite['version']} ({built}) judged {_plural(subjects, 'subject')} from "
        f"{_targets_phrase(target_ids)} with the {results['profile']} profile, between {_stamp(started)} and "
        f"{_stamp(ended)}.",
        f"Verdict: {verdict}.",
        f"MUST requirements: {must('passed')} passed, {must('failed')} failed, {must('cantTell')} could not be told "
        f"(cantTell), {must('untested')} not tested, {must('error')} could not be evaluated.",
        f"SHOULD requirements: {tally.get('should', 'failed')} failed (warnings).",
        "Counts are per subject and requirement.",
        f"The {_plural(file_count, 'report file')} listed as related resources are bound to this credential by their "
        f"sha384 digests.",
    ]
    if inputs is not None:
        parts.append(f"inputs.json lists the {_plural(inputs.listed, 'judged input')} and the sha256 of each whose "
                     f"bytes were known; {inputs.archived} of them are archived in the package, so they can be judged "
                     f"again.")
    if signer.note is not None:
        parts.append(signer.note)
    return " ".join(parts)


def target_subject_id(target_ids: Iterable[str]) -> str:
    """A stable id for what was tested when the caller names no product or deployment: the sha256 of the sorted
    target ids, one per line."""
    text = "\n".join(sorted(target_ids))
    return TARGET_URN + hashlib.sha256(text.encode("utf-8")).hexdigest()


_OUTCOMES = frozenset(WEAKEST_FIRST)
_LEVELS = frozenset({"must", "should", "may"})


def _check_results(results: Mapping[str, Any]) -> None:
    """The results.json schema over everything but the per-finding arrays, whose members this module reads are
    checked directly: a full schema pass over a large run costs seconds, and the CLI has already made one."""
    if not isinstance(results, Mapping):
        raise AttestationBuildError(f"results document: expected a JSON object, found {type(results).__name__}")
    skeleton = {**results, "results": [], "assertions": []}
    try:
        validate_data_file("results", skeleton, Path("results document"))
    except CatalogError as exc:
        raise AttestationBuildError(str(exc)) from None
    subjects = results.get("results")
    if not isinstance(subjects, list):
        raise AttestationBuildError(f"results document: expected results to be an array, found "
                                    f"{_json_kind(subjects)}")
    for index, result in enumerate(subjects):
        findings = result.get("findings") if isinstance(result, Mapping) else None
        if not isinstance(result, Mapping) or not isinstance(result.get("subject"), str) \
                or not isinstance(findings, list):
            raise AttestationBuildError(f"results document: expected /results/{index} to be an object with a "
                                        f"subject string and a findings array, found {_shown(repr(result))}")
        for position, finding in enumerate(findings):
            if not isinstance(finding, Mapping) or not isinstance(finding.get("requirement"), str) \
                    or finding.get("outcome") not in _OUTCOMES or finding.get("level") not in _LEVELS:
                raise AttestationBuildError(
                    f"results document: expected /results/{index}/findings/{position} to have a requirement, an "
                    f"outcome ({', '.join(WEAKEST_FIRST)}) and a level (must, should, may), found "
                    f"{_shown(repr(finding))}")


def _related(files: Sequence[Path], base_url: str | None) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    seen: dict[str, Path] = {}
    for path in files:
        name = path.name
        if name in seen:
            raise AttestationBuildError(f"expected report files with distinct names (each names its related "
                                        f"resource), found {name} twice: {seen[name]} and {path}")
        seen[name] = path
        try:
            digest = sri_digest(path)
        except OSError as exc:
            raise AttestationBuildError(f"{path}: the report file cannot be read "
                                        f"({exc.strerror or type(exc).__name__})") from None
        entries.append({"id": report_resource_id(name, base_url), "digestSRI": digest,
                        "mediaType": _media_type(path)})
    return entries


def _default_canonicalizer() -> Canonicalizer:

    return Environment.create().verifier.canonicalizer


def _stated_verdict(results: Mapping[str, Any], tally: Tally) -> str:
    """The run's verdict as results.json gives it, once the findings are seen to support it: a signature must not
    lend weight to a summary its own findings contradict."""
    verdict = results["summary"]["verdict"]
    must_failed = tally.get("must", "failed") > 0
    must_undecided = any(tally.get("must", outcome) for outcome in ("cantTell", "untested", "error"))
    if must_failed != (verdict == "fail"):
        found = "a MUST failed" if must_failed else "no MUST failed"
        raise AttestationBuildError(f"results document: expected summary.verdict to agree with the findings, found "
                                    f"{verdict!r} while {found}")
    if verdict == "pass" and must_undecided:
        raise AttestationBuildError("results document: expected summary.verdict to agree with the findings, found "
                                    "'pass' while a MUST is undecided (cantTell, untested or error)")
    return verdict


def build_attestation(results: Mapping[str, Any], files: Sequence[Path], *, signer: Signer,
                      issuer_name: str = "ler-conformance", subject_id: str | None = None,
                      base_url: str | None = None, valid_for: timedelta = DEFAULT_VALIDITY,
                      canonicalizer: Canonicalizer | None = None, signed_at: datetime | None = None,
                      inputs: InputCounts | None = None) -> dict[str, Any]:
    """The signed attestation of the run `results` (a results.json document) over the report `files`.

    The credential states results.json's own verdict (summary.verdict), refusing one its findings contradict.
    `subject_id`: the product or deployment tested (default: a URN from the sha256 of the target ids);
    `base_url`: where the files will be published (default: `urn:ler-conformance:report:<name>` ids);
    `valid_for`: from the run's end to validUntil; `signed_at`: the proof's created time (default: now);
    `inputs`: the counts of inputs.json, when it is among `files`. A one-time or published signer is described as
    such in the issuer, so the claim travels with the credential. The proof is verified once before the credential
    is returned, so a document the suite could not verify is never handed out. Raises AttestationBuildError.
    """

    _check_results(results)
    if valid_for <= timedelta(0):
        raise AttestationBuildError(f"expected a positive validity period, found {valid_for}")
    if not files:
        raise AttestationBuildError("expected at least one report file to attest, found none")
    if not issuer_name.strip():
        raise AttestationBuildError("expected an issuer name, found an empty one")
    if base_url is not None and not _URL.match(base_url):
        raise AttestationBuildError(f"expected the base URL to be an absolute URL (scheme:...), found "
                                    f"{_shown(repr(base_url))}")
    if subject_id is not None and not _URL.match(subject_id):
        raise AttestationBuildError(f"expected the subject id to be an absolute URI (a URL, DID or URN), found "
                                    f"{_shown(repr(subject_id))}")
    started = _parse_utc(results["started"], "started")
    ended = _parse_utc(results["ended"], "ended")
    target_ids = [t["id"] for t in results["targets"]]
    tally = overall_tally(results)
    verdict = _stated_verdict(results, tally)
    related = _related(files, base_url)
    suite = results["reproducibility"]["suite"]
    valid_from = ended.replace(microsecond=0)
    try:
        valid_until = valid_from + valid_for
    except OverflowError:
        raise AttestationBuildError(f"expected a validity period that ends before the year 10000, found "
                                    f"{valid_for.days} days") from None
    credential: dict[str, Any] = {
        "@context": list(ATTESTATION_CONTEXTS),
        "type": list(ATTESTATION_TYPES),
        "name": f"{suite['name']} {suite['version']} conformance attestation ({results['profile']} profile): "
                f"{verdict}",
        "description": "A signed summary of one conformance run. The endorsement comment states what was tested, "
                       "with which suite and profile, and the outcome; each related resource is a report file of "
                       "the run, bound by its sha384 digest so anyone holding the files can check them offline.",
        "issuer": {"id": signer.did, "type": ["Profile"], "name": issuer_name,
                   **({"description": signer.note} if signer.note is not None else {})},
        "validFrom": _stamp(valid_from),
        "validUntil": _stamp(valid_until),
        "credentialSubject": {
            "id": subject_id if subject_id is not None else target_subject_id(target_ids),
            "type": ["EndorsementSubject"],
            "endorsementComment": _comment(results, tally, verdict, started, ended, target_ids, len(files), signer,
                                           inputs),
        },
        "relatedResource": related,
    }
    # the id follows from the content, so attesting the same run and files twice gives the same credential id
    content = hashlib.sha256(json.dumps(credential, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    credential = {"@context": credential.pop("@context"),
                  "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'urn:ler-conformance:attestation:' + content)}",
                  **credential}
    canonicalizer = canonicalizer or _default_canonicalizer()
    created = signed_at or datetime.now(UTC)
    try:
        canonicalizer.check_terms(credential)
        signed = sign(credential, signer.private_key, cryptosuite=CRYPTOSUITE,
                      verification_method=signer.verification_method, purpose="assertionMethod",
                      created=created, canonicalizer=canonicalizer)
    except CanonicalizationError as exc:
        raise AttestationBuildError(f"the attestation cannot be canonicalized: {exc}") from None
    except ProofError as exc:
        raise AttestationBuildError(f"the attestation cannot be signed: {exc.message}") from None
    check = verify(signed, resolver=ControllerDocumentResolver(), canonicalizer=canonicalizer, now=created)
    if not check.verified:
        raise AttestationBuildError(f"expected the freshly signed attestation to verify, found {check.reason} at "
                                    f"{check.pointer}: {check.message}")
    return signed


# --- checking a report package -------------------------------------------------------------------------------

ProblemKind = Literal["malformed", "missing", "unreadable", "changed"]


@dataclass(frozen=True, slots=True)
class ResourceProblem:
    """One related resource that does not match the files on disk. `file` is the name looked for, when known."""

    kind: ProblemKind
    resource: str
    file: str | None
    message: str


def _file_name(resource_id: str) -> str:
    """The report file a resource id names: the last path segment of its URL (or of the report URN), decoded."""
    tail = resource_id.removeprefix(REPORT_URN)
    tail = tail.split("#", 1)[0].split("?", 1)[0]
    return unquote(tail.rsplit("/", 1)[-1])


def _plain_name(name: str) -> bool:
    # a name from a document we did not write must never reach outside the directory checked
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\0")


def _expressions(value: Any) -> list[tuple[str, bytes]] | None:
    if not isinstance(value, str):
        return None
    found: list[tuple[str, bytes]] = []
    for token in value.split():
        match = _SRI.match(token.split("?", 1)[0])
        if match is None:
            return None
        try:
            digest = base64.b64decode(match.group(2), validate=True)
        except ValueError:
            return None
        found.append((match.group(1), digest))
    return found or None


def related_file_names(attestation: Mapping[str, Any]) -> frozenset[str]:
    """The package files the attestation's relatedResource entries name (plain names only)."""
    related = attestation.get("relatedResource")
    entries = related if isinstance(related, list) else [related]
    ids = (entry.get("id") for entry in entries if isinstance(entry, Mapping))
    return frozenset(name for name in (_file_name(i) for i in ids if isinstance(i, str)) if _plain_name(name))


def verify_related_resources(attestation: Mapping[str, Any], directory: Path) -> list[ResourceProblem]:
    """Every relatedResource of `attestation` against the file of the same name in `directory`: each digestSRI
    expression must match the file's bytes. Returns the problems, in the attestation's order (none: all match)."""
    if not isinstance(attestation, Mapping):
        return [ResourceProblem("malformed", "", None, f"expected the attestation to be a JSON object, found "
                                                        f"{type(attestation).__name__}")]
    related = attestation.get("relatedResource")
    entries = related if isinstance(related, list) else [related] if isinstance(related, Mapping) else None
    if not entries:
        return [ResourceProblem("malformed", "", None, "expected relatedResource to list the report files, found "
                                                        f"{'none' if related is None else _json_kind(related)}")]
    problems: list[ResourceProblem] = []
    for index, entry in enumerate(entries):
        where = f"/relatedResource/{index}" if isinstance(related, list) else "/relatedResource"
        resource_id = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(resource_id, str) or not resource_id:
            problems.append(ResourceProblem("malformed", "", None, f"{where}: expected an object with an id, "
                                                                  f"found {_shown(repr(entry))}"))
            continue
        name = _file_name(resource_id)
        if not _plain_name(name):
            problems.append(ResourceProblem("malformed", resource_id, None,
                                            f"{where}: expected the id to end in a plain file name, found "
                                            f"{_shown(repr(name))}"))
            continue
        expressions = _expressions(entry.get("digestSRI"))
        if expressions is None:
            problems.append(ResourceProblem("malformed", resource_id, name,
                                            f"{where}: expected digestSRI to be sha256/sha384/sha512 SRI "
                                            f"expressions for {name}, found {_shown(repr(entry.get('digestSRI')))}"))
            continue
        path = directory / name
        if not path.is_file():
            problems.append(ResourceProblem("missing", resource_id, name,
                                            f"expected {name} in {directory} (named by {where}), found no such "
                                            f"file"))
            continue
        try:
            actual = {algorithm: sri_digest(path, algorithm) for algorithm in {a for a, _ in expressions}}
        except OSError as exc:
            problems.append(ResourceProblem("unreadable", resource_id, name,
                                            f"{path}: the file cannot be read ({exc.strerror or type(exc).__name__})"))
            continue
        for algorithm, digest in expressions:
            expected = f"{algorithm}-{base64.b64encode(digest).decode('ascii')}"
            if actual[algorithm] != expected:
                problems.append(ResourceProblem("changed", resource_id, name,
                                                f"expected {name} to have the digest {expected} ({where}), found "
                                                f"{actual[algorithm]}: the file changed after the attestation was "
                                                f"signed"))
                break
    return problems


# --- who signed ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AttestationSigner:
    """Who signed an attestation, as far as the document and its proof can tell.

    `did`: the DID of the proof's verification method (None when there is none); `issuer`: the issuer id;
    `kind`: PUBLIC_TEST when the key is one of the suite's published test keys (known by value, whatever the
    credential says), EPHEMERAL when the credential says its key was made for it alone, else OPERATOR (a claim only a
    reader who names the key can confirm)."""

    did: str | None
    issuer: str | None
    kind: SignerKind

    @property
    def consistent(self) -> bool:
        """The issuer is the DID whose key signed: otherwise the credential names one party and proves another."""
        return self.did is not None and self.did == self.issuer


def _did_of(verification_method: Any) -> str | None:
    if isinstance(verification_method, Mapping):
        verification_method = verification_method.get("id")
    if not isinstance(verification_method, str) or not verification_method.startswith("did:"):
        return None
    return verification_method.split("#", 1)[0]


def attestation_signer(attestation: Mapping[str, Any]) -> AttestationSigner:
    """The signer of `attestation` from its first proof's verification method and its issuer. Read the result
    only once the proof verifies: before that, every member is what an unverified document claims."""
    proof = attestation.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    did = _did_of(first.get("verificationMethod")) if isinstance(first, Mapping) else None
    issuer = attestation.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    issuer_id = issuer_id if isinstance(issuer_id, str) else None
    description = issuer.get("description") if isinstance(issuer, Mapping) else None
    if did is not None and did in published_test_dids():
        kind = SignerKind.PUBLIC_TEST
    elif description == EPHEMERAL_KEY_NOTE:
        kind = SignerKind.EPHEMERAL
    else:
        kind = SignerKind.OPERATOR
    return AttestationSigner(did, issuer_id, kind)
