"""Sixteen tabs refresh with the same token at the same moment (real threads)."""
import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.models import RefreshSession

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 16


def test_parallel_refreshes_with_one_token_leave_exactly_one_successor(logged_in):
    token = logged_in.refresh_token
    start = threading.Barrier(PARALLEL)
    results = [None] * PARALLEL

    def refresh(slot):
        client = APIClient()
        client.cookies["refresh_token"] = token
        start.wait()
        try:
            response = client.post("/api/auth/refresh/")
            results[slot] = (response.status_code, response.cookies["refresh_token"].value)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh, args=(slot,)) for slot in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in results] == [200] * PARALLEL
    successors = {cookie for _, cookie in results}
    assert len(successors) == 1 and token not in successors
    session = RefreshSession.objects.get()
    assert session.generation == 1 and session.revoked_at is None
    assert session.grace_answers == PARALLEL - 1  # every answer counted, none lost under the lock
    assert logged_in.refresh(successors.pop()).status_code == 200
