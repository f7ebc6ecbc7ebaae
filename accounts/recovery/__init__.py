"""Account recovery by email: password reset (``tokens`` makes and checks the links' tokens, ``flows`` the steps)."""
