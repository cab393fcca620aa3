"""Find the credential baked into an SVG.

The XML is read with expat event handlers rather than into an ElementTree: the checks need the
namespace declarations on the root element, which ElementTree discards, and streaming keeps memory
proportional to nesting depth instead of document size.

A document type declaration is allowed (SVG 1.1 files from drawing tools carry one naming the SVG
DTD): the external DTD is never read, and the internal subset is read only as far as its first
entity declaration, which stops the parse. So none of the XML entity attacks (exponential or
quadratic expansion, external entities, DTD retrieval) has anything to work with, and a reference
to an entity the unread external DTD might declare stops the parse as well: its text would be
missing. Both stops are the suite's refusal for safety, reported with their own code
(svg-entity-refused), not as malformed XML. Expat never fetches anything from the network by itself.
"""

from __future__ import annotations

from typing import Any
from xml.parsers import expat

from .baking import OB3_NAMESPACE, Baking, SvgBaking, embedded_form_of
from .errors import Limits, PayloadError, as_bytes, too_large

__all__ = ["extract_svg"]

# expat reports a namespaced name as "<uri><separator><local name>".
_SEPARATOR = " "
_CREDENTIAL_NAME = f"{OB3_NAMESPACE}{_SEPARATOR}credential"
_CREDENTIAL_SUFFIX = f"{_SEPARATOR}credential"
_OB2_NAMESPACE = "http://openbadges.org"
_OB2_PREFIX = f"{_OB2_NAMESPACE}{_SEPARATOR}"


class _Refused(Exception):
    """Raised from inside an expat handler to stop parsing; never leaves this module. `code` is the PayloadError
    code: svg-malformed for the document's defect, svg-entity-refused for the suite's safety refusal."""

    def __init__(self, message: str, code: str = "svg-malformed") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class _Reader:
    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.depth = 0
        self.root_seen = False
        self.root_namespaces: list[tuple[str | None, str]] = []
        self.root_children = 0
        self.element_count = 0
        self.first_child_of_root = False
        self.verify_attribute: str | None = None
        self.text_parts: list[str] = []
        self.capture_depth = 0  # depth of the first credential element while inside it, else 0
        self.foreign_credential: str | None = None
        self.ob2_element = False

    def where(self) -> str:
        return f"line {self.parser.CurrentLineNumber:,}, column {self.parser.CurrentColumnNumber + 1:,}"

    def refuse_entity(self, name: str, *_args: Any) -> None:
        raise _Refused(f"the SVG declares the entity {name!r} at {self.where()}; the suite does not expand XML "
                       "entities", "svg-entity-refused")

    def refuse_skipped(self, name: str, _is_parameter: bool) -> None:
        raise _Refused(f"the SVG refers to the entity {name!r} at {self.where()}, which only its external DTD could "
                       "declare; the suite does not read external DTDs", "svg-entity-refused")

    def refuse_external(self, *_args: Any) -> int:
        raise _Refused(f"the SVG refers to an external entity at {self.where()}; the suite does not read external "
                       "entities", "svg-entity-refused")

    def namespace_declared(self, prefix: str | None, uri: str) -> None:
        # Declarations arrive just before the start tag that carries them, so the ones seen before
        # the root's start tag are exactly the root's.
        if not self.root_seen:
            self.root_namespaces.append((prefix, uri))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        # Runs once per element, so the common case (an ordinary drawing element) is kept to a
        # few comparisons: a 16 MB SVG can hold four million elements.
        depth = self.depth + 1
        self.depth = depth
        if name == _CREDENTIAL_NAME and depth > 1:
            self.element_count += 1
            if self.element_count == 1:
                self.first_child_of_root = depth == 2 and self.root_children == 0
                self.verify_attribute = attributes.get("verify")
                self.capture_depth = depth
        elif depth == 1:
            self.root_seen = True
            local = name.rpartition(_SEPARATOR)[2]
            if local != "svg":
                raise _Refused(f"the root element is <{local}>; an SVG document's root is <svg>")
            return
        elif name.endswith(_CREDENTIAL_SUFFIX) or name == "credential":
            if self.foreign_credential is None:
                self.foreign_credential = name.rpartition(_SEPARATOR)[0] or "no namespace"
        elif not self.ob2_element and name.startswith(_OB2_PREFIX):
            self.ob2_element = True
        if depth == 2:
            self.root_children += 1

    def end(self, _name: str) -> None:
        if self.depth == self.capture_depth:
            self.capture_depth = 0
        self.depth -= 1

    def characters(self, text: str) -> None:
        if self.capture_depth:
            self.text_parts.append(text)


def extract_svg(raw: bytes, limits: Limits = Limits()) -> Baking:
    """Read an SVG and record the facts about its openbadges:credential element(s).

    Raises PayloadError: too-large, svg-malformed (not well-formed, a root other than <svg>),
    svg-entity-refused (an entity declaration, or a reference to an entity only the unread external
    DTD could declare), svg-no-credential (no credential element, or one with neither a verify
    attribute nor text).
    """
    data = as_bytes(raw)
    if len(data) > limits.max_bytes:
        raise too_large(len(data), limits.max_bytes)

    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    reader = _Reader(parser)
    # Joins adjacent character data so a long CDATA section arrives in few pieces.
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = reader.refuse_entity
    parser.UnparsedEntityDeclHandler = reader.refuse_entity
    parser.SkippedEntityHandler = reader.refuse_skipped
    parser.ExternalEntityRefHandler = reader.refuse_external
    parser.StartNamespaceDeclHandler = reader.namespace_declared
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.characters
    try:
        parser.Parse(data, True)
    except _Refused as refusal:
        raise PayloadError(refusal.code, refusal.message) from None
    except expat.ExpatError as exc:
        raise PayloadError(
            "svg-malformed",
            f"the SVG is not well-formed XML at line {exc.lineno:,}, column {exc.offset + 1:,}: "
            f"{expat.ErrorString(exc.code)}",
        ) from None
    except (ValueError, LookupError) as exc:
        # Declared encodings expat cannot handle surface as codec errors rather than ExpatError.
        raise PayloadError("svg-malformed", f"the SVG cannot be read as XML: {exc}") from None
    except MemoryError:
        raise PayloadError("too-large", "the SVG needs more memory to read than is available") from None

    if reader.element_count == 0:
        raise PayloadError("svg-no-credential", _missing_credential_message(reader))

    prefix = _prefix_for(reader.root_namespaces, OB3_NAMESPACE)
    text = "".join(reader.text_parts).strip() or None
    facts = SvgBaking(
        element_count=reader.element_count,
        first_child_of_root=reader.first_child_of_root,
        namespace_declared_on_root=prefix is not None,
        verify_attribute=reader.verify_attribute,
        text=text,
        namespace_prefix=prefix,
    )
    verify = (reader.verify_attribute or "").strip()
    credential_text = verify or text
    if not credential_text:
        raise PayloadError(
            "svg-no-credential",
            "the openbadges:credential element has neither a verify attribute nor text content",
        )
    return Baking(
        container="svg",
        credential_text=credential_text,
        embedded_form=embedded_form_of(credential_text),
        svg=facts,
    )


def _prefix_for(declarations: list[tuple[str | None, str]], uri: str) -> str | None:
    for prefix, declared in declarations:
        if declared == uri:
            return prefix or ""
    return None


def _missing_credential_message(reader: _Reader) -> str:
    message = f"the SVG has no credential element in the namespace {OB3_NAMESPACE}"
    if reader.foreign_credential is not None:
        return f"{message}; it has a credential element in {reader.foreign_credential}"
    if reader.ob2_element:
        return f"{message}; it has elements in the Open Badges 2.0 namespace {_OB2_NAMESPACE}"
    return message
