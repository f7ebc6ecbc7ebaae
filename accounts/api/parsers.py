"""A JSON parser that refuses oversized bodies and text no database can store."""
import json

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 64 * 1024


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"The request body is larger than {MAX_BODY_BYTES} bytes."
    default_code = "request_too_large"


class _BoundedStream:
    """Hands the parser the whole body in one read, or refuses it."""

    def __init__(self, stream):
        self._stream = stream
        self._consumed = False

    def read(self, *args):
        if self._consumed:
            return b""
        self._consumed = True
        body = self._stream.read(MAX_BODY_BYTES + 1)
        if len(body) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        return body


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(_BoundedStream(stream), media_type, parser_context)
        # JSON may spell lone UTF-16 surrogates ("\ud800"); no database or hash takes them.
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError("JSON parse error - the body holds invalid Unicode.") from None
        return data
