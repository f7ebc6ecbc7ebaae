"""The HTTP layer: views, serializers, URLs, cookies, the Origin check, parsers, JSON errors."""
