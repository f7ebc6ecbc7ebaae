"""Django's database sessions, stored under a keyed digest of the session key.

The admin is the only user of Django's sessions, and a row of
``django_session`` used to be a working admin cookie: with a read-only copy
of the database, ``Cookie: sessionid=<session_key>`` opened ``/admin/`` as
whoever the row belonged to. Here the cookie keeps the real key and the table
holds only ``stored_key(key)``, an HMAC-SHA256 keyed from ``SECRET_KEY``: the
rule that holds for refresh tokens holds for admin sessions too, the database
alone yields no usable cookie. Every operation that names a key (load, save,
``exists``, ``delete``, and so ``create`` and ``cycle_key``) goes through the
digest. A row is found by an index lookup on the digest of whatever cookie
was sent, so its timing tells nothing about any stored key.

Configured with ``SESSION_ENGINE = "accounts.admin.session_store"``. Changing
``SECRET_KEY`` ends every admin session, as it ends every refresh token.
"""
from django.contrib.sessions.backends import db
from django.utils import timezone
from django.utils.crypto import salted_hmac

_SALT = "gatehouse.admin-session-key"
# django_session.session_key holds 40 characters: 160 bits of the digest, in hex.
_STORED_KEY_LENGTH = 40


class SessionStore(db.SessionStore):
    @staticmethod
    def stored_key(session_key):
        """The column value for the cookie value ``session_key``."""
        return salted_hmac(_SALT, session_key, algorithm="sha256").hexdigest()[:_STORED_KEY_LENGTH]

    def _live_rows(self):
        return self.model.objects.filter(
            session_key=self.stored_key(self.session_key), expire_date__gt=timezone.now()
        )

    def _get_session_from_db(self):
        row = self._live_rows().first() if self.session_key is not None else None
        if row is None:
            self._session_key = None
        return row

    async def _aget_session_from_db(self):
        row = await self._live_rows().afirst() if self.session_key is not None else None
        if row is None:
            self._session_key = None
        return row

    def exists(self, session_key):
        return super().exists(self.stored_key(session_key))

    async def aexists(self, session_key):
        return await super().aexists(self.stored_key(session_key))

    def create_model_instance(self, data):
        row = super().create_model_instance(data)
        row.session_key = self.stored_key(row.session_key)
        return row

    async def acreate_model_instance(self, data):
        row = await super().acreate_model_instance(data)
        row.session_key = self.stored_key(row.session_key)
        return row

    def delete(self, session_key=None):
        session_key = self.session_key if session_key is None else session_key
        if session_key is not None:
            super().delete(self.stored_key(session_key))

    async def adelete(self, session_key=None):
        session_key = self.session_key if session_key is None else session_key
        if session_key is not None:
            await super().adelete(self.stored_key(session_key))
