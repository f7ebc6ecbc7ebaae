"""Throttles, login backoff, the counters they keep, and who the client is."""
