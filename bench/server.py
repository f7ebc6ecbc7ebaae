"""Start and stop a real gunicorn server on a loopback port (for bench/load.py and the tests).

Only what this module starts is stopped: gunicorn runs in a new process group
and that group alone is signalled.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn backend.wsgi`` with ``env``, bound to 127.0.0.1 on a free port.

    Use as a context manager; ``stop()`` is idempotent and always reaps the
    whole process group (master and workers).
    """

    def __init__(self, env, *, workers=2, port=None, startup_timeout=60.0, name="gunicorn"):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.startup_timeout = startup_timeout
        self.name = name
        self.process = None
        self._log = None

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    def start(self):
        self._log = tempfile.NamedTemporaryFile(prefix=f"{self.name}-", suffix=".log", delete=False)
        command = [
            sys.executable, "-m", "gunicorn", "backend.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", "sync",
            "--timeout", "30",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            if self._healthy():
                return self
            time.sleep(0.1)
        log = self.log()
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /api/health/ within {self.startup_timeout:.0f} s:\n{log}")

    def _healthy(self):
        try:
            connection = http.client.HTTPConnection(*self.address, timeout=2)
            connection.request("GET", "/api/health/")
            ok = connection.getresponse().status == 200
            connection.close()
            return ok
        except OSError:
            return False

    def log(self):
        if self._log is None:
            return ""
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-4000:]

    def stop(self):
        if self.process is not None:
            # The group is the one gunicorn's master leads (start_new_session):
            # its workers too, even if the master has already gone.
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            self.process = None
        if self._log is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
