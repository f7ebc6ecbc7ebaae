"""Gunicorn's settings for ``make serve`` (``--config deploy/gunicorn.conf.py``): threads, the access log.

Each worker runs ``GUNICORN_THREADS`` threads (``gthread``, default 4). With
sync workers a request waited for whatever its worker was doing: behind a
login's password hash (tens of milliseconds of CPU), an authenticated GET
that needs a millisecond waited for all of it, and a flood of logins put a
hash in front of every GET (p99 21 ms alone, 480 ms during the flood on two
CPUs). With threads a GET is served beside a hash (Argon2 runs outside the
GIL); the hashes themselves are bounded across the deployment
(``PASSWORD_HASH_SLOTS``, ``accounts.limits.admission``). Each thread keeps
a database connection of its own: ``WEB_CONCURRENCY`` x ``GUNICORN_THREADS``
per server must fit PostgreSQL's ``max_connections``.

The access log names the path without its query string (``%(U)s``, not the
request line ``%(r)s`` nor ``%(q)s``), and not the ``Referer``, which carries
another page's query string: a secret sent in a URL (a link's token, an
``?access_token=``) must not land in a log that outlives it. The method,
path, protocol, status, size, duration and user agent are enough to read
traffic. The bind address and the workers stay on ``make serve``'s command line.

The control socket (gunicorn ≥ 25.1, for ``gunicornc``) is off: its default
path is per user (``$XDG_RUNTIME_DIR/gunicorn.ctl`` or
``~/.gunicorn/gunicorn.ctl``), so two instances of one user took the same
socket and commands reached whichever started last. ``GUNICORN_CONTROL_SOCKET``
names a path of this instance's own to turn it on.
"""
import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

accesslog = "-"
access_log_format = '%(h)s [%(t)s] "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True
