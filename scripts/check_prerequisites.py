"""Say, before a long test run starts, what this machine lacks for `make test`.

Run by `make test` with the system Python (before the virtualenv exists), so
it uses the standard library only. Every missing piece is listed at once,
each with the Debian package or variable that provides it.
"""
import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlparse


def node_problem():
    node = shutil.which("node")
    if node is None:
        return "Node.js 20 or newer (frontend unit tests): apt-get install nodejs"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0] or 0)
    return None if major >= 20 else f"Node.js 20 or newer (found {version}): apt-get install nodejs"


def npm_problem():
    if shutil.which("npm"):
        return None
    return "npm (the client package's tarball and type check, the OpenID test peers): apt-get install npm"


def chromium_problem():
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.access(path, os.X_OK):
        return None
    return f"Chromium at {path} (browser tests): apt-get install chromium, or set CHROMIUM_PATH"


def redis_problem():
    if os.environ.get("GATEHOUSE_SKIP_REDIS_TESTS") == "1":
        return None
    url = urlparse(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2).close()
    except OSError:
        return (
            f"Redis at {url.hostname}:{url.port or 6379} (several-server tests): apt-get install redis-server "
            "and start it, set REDIS_URL, or GATEHOUSE_SKIP_REDIS_TESTS=1"
        )
    return None


def nginx_problem():
    if os.environ.get("GATEHOUSE_SKIP_NGINX_TESTS") == "1":
        return None
    if shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK):
        return None
    return "nginx (reverse-proxy tests): apt-get install nginx, or GATEHOUSE_SKIP_NGINX_TESTS=1"


def gettext_problem():
    if shutil.which("msgfmt"):
        return None
    return "GNU gettext's msgfmt (compiles the translation catalogs in locale/): apt-get install gettext"


def python_problem():
    return None if sys.version_info >= (3, 11) else f"Python 3.11 or newer (found {sys.version.split()[0]})"


def main():
    problems = [
        p for p in (python_problem(), node_problem(), npm_problem(), chromium_problem(), redis_problem(), nginx_problem(),
                    gettext_problem())
        if p
    ]
    if problems:
        print("make test: this machine lacks what the suite needs:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print("(.ci/run installs and starts all of them on a fresh Debian machine.)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
