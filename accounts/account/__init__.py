"""The account's own data, in its owner's hands: profile, export, deletion (keyword-only flows).

The HTTP layer (``accounts/api/account.py``) and the admin call these; they
never import either.
"""
