"""A secret that an administrator copies from a form field once: offered freshly made, then write-only.

The add form of an OpenID client and of a webhook endpoint fills the field
with a new secret to copy into the other side before saving; the server keeps
only what cannot be shown again (a digest, or the secret sealed). On the
change form the field starts empty and replaces the secret only when filled.
"""
from django import forms

KEEP_HELP = "Leave empty to keep the current secret (it is never shown)."


def shown_once_secret_field(*, help_text: str) -> forms.CharField:
    """The form field: plain text (it is to be copied), never filled in by the browser."""
    return forms.CharField(
        required=False, strip=True, widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}),
        help_text=help_text,
    )


def offer_or_replace(form: forms.ModelForm, *, new_secret, field: str = "secret", replace_help: str = KEEP_HELP) -> None:
    """Call from the form's ``__init__``: a new row is offered ``new_secret()``; a saved one gets an empty "New secret"."""
    if form.instance.pk:
        form.fields[field].label = "New secret"
        form.fields[field].help_text = replace_help
    else:
        form.initial.setdefault(field, new_secret())
