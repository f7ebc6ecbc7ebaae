"""A JSON parser that refuses oversized bodies, deep nesting and text no database can store."""
import json
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils.json import strict_constant

MAX_BODY_BYTES = 64 * 1024
# No request of ours nests more than two levels; 32 leaves room for any
# honest client and keeps the (recursive) decoder far from Python's stack limit.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = format_lazy(_("The request body is larger than {limit} bytes."), limit=MAX_BODY_BYTES)
    default_code = "request_too_large"


class TooDeeplyNested(ParseError):
    default_detail = format_lazy(
        _("JSON parse error - arrays and objects nest deeper than {limit} levels."), limit=MAX_JSON_DEPTH
    )


def _read_bounded(stream) -> bytes:
    """The whole body in one read, or ``RequestTooLarge``."""
    body = stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise RequestTooLarge()
    return body


# The only characters that matter for nesting: brackets, and what starts,
# ends or escapes inside a string.
_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def json_depth(text: str, *, limit: int) -> int:
    """How deeply ``text`` nests arrays and objects, counted up to ``limit + 1``.

    Python's decoder recurses once per level and a body of a few KB can
    exhaust the stack, so this runs first: one regex pass visiting only
    brackets, quotes and backslashes, no recursion, no backtracking.
    Brackets inside strings are not structure. Malformed text gets some
    number; the decoder refuses it anyway, and never descends deeper than
    the brackets counted here.
    """
    depth = deepest = 0
    in_string = False
    escaped_until = -1  # a backslash in a string takes the next character with it
    for match in _STRUCTURE.finditer(text):
        position = match.start()
        if position < escaped_until:
            continue
        char = match.group()
        if in_string:
            if char == "\\":
                escaped_until = position + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = _read_bounded(stream)
        encoding = get_encoding(parser_context or {})  # text encodings only, as DRF's own parser
        try:
            text = body.decode(encoding)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if json_depth(text, limit=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise TooDeeplyNested()
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        # JSON may spell lone UTF-16 surrogates ("\ud800"); no database or hash takes them.
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(_("JSON parse error - the body holds invalid Unicode.")) from None
        return data
