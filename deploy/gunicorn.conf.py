"""Gunicorn's settings for ``make serve`` (``--config deploy/gunicorn.conf.py``): the access log.

The access log names the path without its query string (``%(U)s``, not the
request line ``%(r)s`` nor ``%(q)s``), and not the ``Referer``, which carries
another page's query string: a secret sent in a URL (a link's token, an
``?access_token=``) must not land in a log that outlives it. The method,
path, protocol, status, size, duration and user agent are enough to read
traffic. The bind address and the workers stay on ``make serve``'s command line.
"""

accesslog = "-"
access_log_format = '%(h)s [%(t)s] "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
