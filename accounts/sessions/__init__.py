"""Sessions: refresh-token crypto, the lifecycle, access-token keys, bearer authentication."""
