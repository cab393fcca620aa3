from __future__ import annotations

import json

import pytest

from conformance.support.formats import Limits, PayloadError, extract_svg
from tests.support.formats.builders import (
    CREDENTIAL,
    OB3_NAMESPACE,
    baked_svg_json,
    baked_svg_jws,
    build_svg,
    make_jws,
)

JWS = make_jws({"alg": "ES256", "typ": "JWT"}, CREDENTIAL)


def test_extract_svg_cdata_json_form() -> None:
    baking = extract_svg(baked_svg_json())
    assert baking.container == "svg"
    assert baking.embedded_form == "json"
    assert json.loads(baking.credential_text) == CREDENTIAL
    assert baking.png_chunks == ()
    facts = baking.svg
    assert facts is not None
    assert facts.element_count == 1
    assert facts.first_child_of_root is True
    assert facts.namespace_declared_on_root is True
    assert facts.namespace_prefix == "openbadges"
    assert facts.verify_attribute is None
    assert facts.text == baking.credential_text


def test_extract_svg_verify_attribute_form() -> None:
    baking = extract_svg(baked_svg_jws(JWS))
    assert baking.embedded_form == "jws"
    assert baking.credential_text == JWS
    assert baking.svg is not None
    assert baking.svg.verify_attribute == JWS
    assert baking.svg.text is None


def test_extract_svg_verify_attribute_wins_over_text() -> None:
    raw = build_svg(f'<openbadges:credential verify=" {JWS} ">{{"a": 1}}</openbadges:credential>')
    baking = extract_svg(raw)
    assert baking.credential_text == JWS
    assert baking.svg is not None
    assert baking.svg.text == '{"a": 1}'


def test_extract_svg_blank_verify_falls_back_to_text() -> None:
    baking = extract_svg(build_svg('<openbadges:credential verify="  ">{"a": 1}</openbadges:credential>'))
    assert baking.credential_text == '{"a": 1}'
    assert baking.embedded_form == "json"


def test_extract_svg_records_placement_and_count() -> None:
    raw = build_svg(
        "<!-- a comment --><title>t</title>"
        '<g><openbadges:credential verify="a.b.c"/></g>'
        '<openbadges:credential verify="d.e.f"/>'
    )
    baking = extract_svg(raw)
    assert baking.svg is not None
    assert baking.svg.element_count == 2
    assert baking.svg.first_child_of_root is False
    assert baking.credential_text == "a.b.c"


def test_extract_svg_comment_before_credential_does_not_count_as_a_child() -> None:
    raw = build_svg('<!-- baked --><?pi x?><openbadges:credential verify="a.b.c"/>')
    baking = extract_svg(raw)
    assert baking.svg is not None
    assert baking.svg.first_child_of_root is True


def test_extract_svg_namespace_declared_on_the_element_only() -> None:
    raw = build_svg(
        f'<ob:credential xmlns:ob="{OB3_NAMESPACE}">{{"a": 1}}</ob:credential>',
        root_attributes='xmlns="http://www.w3.org/2000/svg"',
    )
    baking = extract_svg(raw)
    assert baking.svg is not None
    assert baking.svg.namespace_declared_on_root is False
    assert baking.svg.namespace_prefix is None
    assert baking.svg.element_count == 1


def test_extract_svg_other_prefix_is_recorded() -> None:
    raw = build_svg(
        '<ob:credential verify="a.b.c"/>',
        root_attributes=f'xmlns="http://www.w3.org/2000/svg" xmlns:ob="{OB3_NAMESPACE}"',
    )
    baking = extract_svg(raw)
    assert baking.svg is not None
    assert baking.svg.namespace_declared_on_root is True
    assert baking.svg.namespace_prefix == "ob"


def test_extract_svg_accepts_an_xml_declaration_and_latin1() -> None:
    raw = build_svg(
        '<openbadges:credential>{"n": "caf\u00e9"}</openbadges:credential>',
        prolog='<?xml version="1.0" encoding="ISO-8859-1"?>',
    )
    raw = raw.decode("utf-8").encode("latin-1")
    assert json.loads(extract_svg(raw).credential_text) == {"n": "caf\u00e9"}


def test_extract_svg_accepts_utf16() -> None:
    raw = build_svg('<openbadges:credential verify="a.b.c"/>').decode().encode("utf-16")
    assert extract_svg(raw).credential_text == "a.b.c"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
<openbadges:credential>&xxe;</openbadges:credential></svg>"""

PUBLIC_DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"""


@pytest.mark.parametrize(
    ("raw", "code", "fragment"),
    [
        (BILLION_LAUGHS, "svg-entity-refused", "declares the entity 'lol' at line 3"),
        (EXTERNAL_ENTITY, "svg-entity-refused", "declares the entity 'xxe'"),
        (PUBLIC_DOCTYPE, "svg-no-credential", "no credential element"),    # the DTD itself is no fault
        (PUBLIC_DOCTYPE.replace(b"/>", b"><text>&nbsp;</text></svg>"), "svg-entity-refused",
         "which only its external DTD could declare"),
        (b"", "svg-malformed", "not well-formed"),
        (b"<svg><g></svg>", "svg-malformed", "line 1, column 11: mismatched tag"),
        (b"<svg>&undefined;</svg>", "svg-malformed", "undefined entity"),
        (b"<svg><openbadges:credential/></svg>", "svg-malformed", "unbound prefix"),
        (b"<html><body/></html>", "svg-malformed", "root element is <html>"),
        (b'<?xml version="1.0" encoding="x-unknown-enc"?><svg/>', "svg-malformed", "encoding"),
        (build_svg("<rect/>"), "svg-no-credential", "no credential element"),
        (
            build_svg('<ob:credential xmlns:ob="https://purl.imsglobal.org/ob/v3p0/">x</ob:credential>'),
            "svg-no-credential",
            "https://purl.imsglobal.org/ob/v3p0/",
        ),
        (
            build_svg('<ob:assertion xmlns:ob="http://openbadges.org" verify="x"/>'),
            "svg-no-credential",
            "Open Badges 2.0",
        ),
        (build_svg("<openbadges:credential>   </openbadges:credential>"), "svg-no-credential", "neither"),
    ],
)
def test_extract_svg_rejects(raw: bytes, code: str, fragment: str) -> None:
    with pytest.raises(PayloadError) as caught:
        extract_svg(raw)
    assert caught.value.code == code
    assert fragment in caught.value.message


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    b"<!DOCTYPE svg>",
    b'<!DOCTYPE svg [ <!ATTLIST svg class CDATA "badge"> ]>',
], ids=["public-dtd", "bare", "internal-subset-without-entities"])
def test_extract_svg_reads_past_a_document_type_declaration(doctype: bytes) -> None:
    """Drawing tools write SVG 1.1 files with a DOCTYPE; without entity declarations it is harmless and valid XML."""
    raw = b'<?xml version="1.0" encoding="utf-8"?>\n' + doctype + b"\n" + baked_svg_json()
    assert json.loads(extract_svg(raw).credential_text) == CREDENTIAL


def test_extract_svg_size_limit_comes_first() -> None:
    raw = baked_svg_json()
    assert extract_svg(raw, Limits(max_bytes=len(raw))).embedded_form == "json"
    with pytest.raises(PayloadError) as caught:
        extract_svg(raw, Limits(max_bytes=len(raw) - 1))
    assert caught.value.code == "too-large"


def test_extract_svg_deep_nesting_is_handled() -> None:
    inner = "<g>" * 20_000 + "</g>" * 20_000
    raw = build_svg(inner + '<openbadges:credential verify="a.b.c"/>')
    baking = extract_svg(raw)
    assert baking.svg is not None
    assert baking.svg.first_child_of_root is False
