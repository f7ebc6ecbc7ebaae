"""No English sentence of the API's errors is left outside gettext.

A scan of the server's code (``ast``, nothing run) for the places an error's
words are written: an exception's ``default_detail``; the message given to an
exception or a validation error, or to ``error_body``; a ``"detail"`` put in
an answer; a module's message constant. Each must be a call of gettext (``_``,
``gettext``, ``gettext_lazy``, ``ngettext``…, or ``format_lazy`` of one), so
the catalogs can translate it.
"""
import ast
import builtins
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCANNED = [ROOT / "backend", ROOT / "accounts"]
# Not the API's words: the admin site's own code, migrations, management commands (operators' terminal).
SKIPPED_PARTS = {"migrations", "management", "admin"}
GETTEXT = {"_", "gettext_noop", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "format_lazy"}
ERROR_CALLS = re.compile(r"(Error|Failed|Denied|NotFound|Invalid|Unavailable|Exception|Throttled|Taken|Required)$")
SENTENCE = re.compile(r"^[A-Z][^\s]*\s.*[.!?:]$", re.S)
# Messages for developers and operators, not for users: what each is and why it stays English.
ALLOWED = {
    "Send Authorization: Bearer <INTROSPECTION_SECRET>.": "introspection: a machine client's configuration error",
    "CORS allows credentials together with {…}.": "a system check (manage.py check) for the operator, like Django's own",
}
# Exceptions whose text no user reads: the database layer's (a 500 or a 503 answers, in its own words), and
# token decoding's (simplejwt answers 401 with its own translated "Given token not valid…", never this text),
# a sign-in provider's metadata that cannot be used (logged; the user reads provider_unavailable's words) and a
# provider's back-channel logout token refused (its reason is for the provider's logs, a machine).
INTERNAL_EXCEPTIONS = {
    "Unavailable", "LogoutTokenInvalid",
    "DatabaseError", "TransactionManagementError", "TokenBackendError", "TokenBackendExpiredToken", "DecodeError",
    "InvalidTokenError",
}


def _python_files():
    for base in SCANNED:
        for path in sorted(base.rglob("*.py")):
            if not SKIPPED_PARTS & set(path.relative_to(ROOT).parts):
                yield path


def _name(node) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _bare_strings(node) -> list[ast.AST]:
    """String literals or f-strings in ``node`` that are not inside a gettext call."""
    if isinstance(node, ast.Call) and _name(node) in GETTEXT:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node] if " " in node.value.strip() else []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _bare_strings(node.left)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [found for element in node.elts for found in _bare_strings(element)]
    if isinstance(node, ast.Dict):
        return [found for value in node.values for found in _bare_strings(value)]
    if isinstance(node, ast.IfExp):
        return _bare_strings(node.body) + _bare_strings(node.orelse)
    return []


def _text(node) -> str:
    if isinstance(node, ast.Constant):
        return node.value
    return "".join(part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values)


def bare_messages(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: text`` for every user-facing message of ``source`` not wrapped in gettext."""
    tree = ast.parse(source, filename=filename)
    found = []
    for node in ast.walk(tree):
        candidates = []
        if isinstance(node, ast.Assign):
            targets = [target.id for target in node.targets if isinstance(target, ast.Name)]
            if "default_detail" in targets:
                candidates = _bare_strings(node.value)
            elif any(name.isupper() for name in targets) and isinstance(node.value, (ast.Constant, ast.JoinedStr)):
                candidates = [c for c in _bare_strings(node.value) if SENTENCE.match(_text(c))]
        elif isinstance(node, ast.Call):
            name = _name(node)
            # Python's own exceptions (ValueError…) are programming errors, never shown to a user.
            if (ERROR_CALLS.search(name) and not hasattr(builtins, name) and name not in INTERNAL_EXCEPTIONS) or (
                name == "error_body"
            ):
                arguments = node.args[:1] + [kw.value for kw in node.keywords if kw.arg in ("detail", "message")]
                candidates = [found for argument in arguments for found in _bare_strings(argument)]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "detail":
                    candidates += _bare_strings(value)
        for candidate in candidates:
            text = _text(candidate)
            if text not in ALLOWED:
                found.append(f"{filename}:{candidate.lineno}: {text}")
    return found


def test_every_api_message_goes_through_gettext():
    found = [hit for path in _python_files() for hit in bare_messages(path.read_text(), str(path.relative_to(ROOT)))]

    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'class Gone(APIException):\n    default_detail = "It is gone."\n',
        'raise NotFound("No such thing.")\n',
        'raise AuthenticationFailed(f"Token {name} is not valid.", code="x")\n',
        'raise serializers.ValidationError({"name": ["Give it a name."]})\n',
        'return JsonResponse(error_body("Bad request.", "bad_request"))\n',
        'SENT = {"detail": "A link is on its way."}\n',
        'NAME_TAKEN = "That name is taken."\n',
        'raise ValidationError(_("Good.") if ok else "Not wrapped here.")\n',
    ],
)
def test_the_scan_finds_a_bare_message(source):
    assert len(bare_messages(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        'class Gone(APIException):\n    default_detail = _("It is gone.")\n',
        'raise NotFound(_("No such %(thing)s.") % {"thing": thing})\n',
        'default_detail = format_lazy(_("At most {n} items."), n=3)\n',
        'raise ValueError(f"Scope {name!r} is declared twice.")\n',
        'CHANNEL = "gatehouse_sessions"\n',
        'raise serializers.ValidationError({"name": [_("Give it a name.")]})\n',
    ],
)
def test_the_scan_leaves_wrapped_and_internal_strings_alone(source):
    assert bare_messages(source) == []


# The admin's forms (issue 25, item 5): the admin speaks Django's translations, and ours for the words we wrote.
ADMIN = ROOT / "accounts" / "admin"
FORM_TEXT = {"label", "help_text"}
MESSAGE_CALLS = {"message_user", "error", "info", "success", "warning", "debug"}
PAGE_TEXT = {"title", "question", "consequences", "site_header"}


def bare_admin_messages(source: str, filename: str = "<source>") -> list[str]:
    """``file:line: text`` for each admin message not in gettext: an error, a form field's label or help text,
    a message shown after an action (``message_user``, ``messages.error(request, …)``), a page's title, question
    and consequences."""
    found = bare_messages(source, filename)
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        candidates = []
        if name.endswith("Field"):
            # A label is words for people even when it is one word ("Code").
            candidates = [kw.value for kw in node.keywords if kw.arg in FORM_TEXT and _is_text(kw.value)]
        elif name in MESSAGE_CALLS and len(node.args) >= 2:
            candidates = _bare_strings(node.args[1])
        elif name == "_confirmation":
            candidates = [hit for kw in node.keywords if kw.arg in PAGE_TEXT for hit in _bare_strings(kw.value)]
        found += [f"{filename}:{candidate.lineno}: {_text(candidate)}" for candidate in candidates]
    for node in ast.walk(ast.parse(source, filename=filename)):
        # A page's title and question, handed to an admin template: {"title": "Two-step sign-in", …}.
        candidates = []
        if isinstance(node, ast.Dict):
            candidates = [value for key, value in zip(node.keys, node.values)
                          if isinstance(key, ast.Constant) and key.value in PAGE_TEXT and _is_text(value)]
        found += [f"{filename}:{candidate.lineno}: {_text(candidate)}" for candidate in candidates]
    return found


def _is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(node.value.strip())
    )


def test_every_admin_form_text_and_message_goes_through_gettext():
    paths = sorted(ADMIN.rglob("*.py"))
    found = [hit for path in paths for hit in bare_admin_messages(path.read_text(), str(path.relative_to(ROOT)))]

    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'password = forms.CharField(label="Your password", strip=False)\n',
        'url = forms.URLField(help_text="Where deliveries go.")\n',
        'raise forms.ValidationError(f"Too many attempts. Try again in {wait} seconds.")\n',
        'self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)\n',
        'messages.error(request, "This sign-in has expired.")\n',
        'code = forms.CharField(label="Code")\n',
        'context = {"title": "Two-step sign-in", "retry_after": wait}\n',
        'self._confirmation(request, queryset, action="x", title=_("T"), question="Deactivate them?", consequences=[])\n',
    ],
)
def test_the_admin_scan_finds_a_bare_label_or_message(source):
    assert len(bare_admin_messages(source)) == 1


@pytest.mark.parametrize(
    "source",
    [
        'password = forms.CharField(label=_("Your password"), strip=False)\n',
        'self.message_user(request, ngettext("%d queued.", "%d queued.", n) % n, messages.SUCCESS)\n',
        'url = forms.URLField(max_length=2000, assume_scheme="https", help_text=endpoints.URL_RULE)\n',
    ],
)
def test_the_admin_scan_leaves_wrapped_and_computed_texts_alone(source):
    assert bare_admin_messages(source) == []
