"""Sign-in by a one-time code mailed to the account's address.

- ``models``: the one live code of an address (a keyed digest of the address and of the code);
- ``codes``: making a code and its digests;
- ``flows``: sending a code and checking one (``send``, ``verify``).

Opening the session is ``accounts.signin.email_code``: this package checks
the credential only, below the one way in.
"""
