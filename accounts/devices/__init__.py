"""The devices an account signs in from: a login from one it never used is mailed to its owner.

``models`` keeps a keyed digest per device (user-agent family and network),
``detection`` computes it and checks a login against it.
"""
