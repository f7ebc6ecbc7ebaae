"""Start and stop real servers on loopback ports (for bench/load.py and the tests).

``Gunicorn`` runs the app; ``Nginx`` runs ``deploy/nginx.conf`` in front of
gunicorns. Only what this module starts is stopped: each server runs in a new
process group and that group alone is signalled.
"""
import datetime
import http.client
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process):
    """Stop the process group ``process`` leads (``start_new_session``), workers
    included, even if the leader has already gone: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue


class Gunicorn:
    """``gunicorn backend.wsgi`` with ``env``, bound to 127.0.0.1 on a free port.

    Use as a context manager; ``stop()`` is idempotent and always reaps the
    whole process group (master and workers).
    """

    def __init__(self, env, *, workers=2, port=None, startup_timeout=60.0, name="gunicorn", options=()):
        self.env = env
        self.options = list(options)  # more command-line options, after the ones above
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
            # Sync workers unless a --config (deploy/gunicorn.conf.py: threads) or the options say otherwise.
            *([] if "--config" in self.options or "--worker-class" in self.options else ["--worker-class", "sync"]),
            "--timeout", "30",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
            # Not the per-user default control socket, which concurrent instances would share
            # (deploy/gunicorn.conf.py decides when it is given).
            *([] if "--config" in self.options else ["--no-control-socket"]),
            *self.options,
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
            stop_group(self.process)
            self.process = None
        if self._log is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def render_nginx_conf(values, template=NGINX_TEMPLATE) -> str:
    """``deploy/nginx.conf`` with each ``{{NAME}}`` replaced by ``values[NAME]``; every one must be given."""
    text = Path(template).read_text()
    placeholders = set(re.findall(r"\{\{([A-Z_]+)\}\}", text))
    if placeholders != set(values):
        raise ValueError(f"{template} has placeholders {sorted(placeholders)}, given {sorted(values)}")
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda match: str(values[match.group(1)]), text)


def self_signed_certificate(directory, host="127.0.0.1"):
    """A throwaway certificate and key for ``host`` (an IP address), as PEM files; returns their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = Path(directory)
    certificate_path, key_path = directory / "certificate.pem", directory / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return certificate_path, key_path


def nginx_executable():
    """Debian installs nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


class Nginx:
    """nginx running ``deploy/nginx.conf`` in front of ``upstreams`` ((host, port) pairs).

    Everything it writes (configuration, certificate, logs, temporary files,
    pid) is in a temporary directory, removed by ``stop()``; HTTPS on
    ``https_port`` with a throwaway certificate for 127.0.0.1 (``certificate``
    is the file a client trusts), plain HTTP on ``http_port``. It stays in the
    foreground (``daemon off``) in its own process group, so ``stop()`` reaps
    the master and its workers.
    """

    def __init__(self, upstreams, *, startup_timeout=30.0, name="nginx"):
        self.upstreams = list(upstreams)
        self.startup_timeout = startup_timeout
        self.name = name
        self.https_port = self.http_port = None
        self.process = None
        self.directory = None
        self._log = None

    @property
    def address(self):
        return ("127.0.0.1", self.https_port)

    @property
    def certificate(self):
        return self.directory / "certificate.pem"

    @property
    def access_log(self):
        return self.directory / "logs" / "gatehouse-access.log"

    def start(self):
        executable = nginx_executable()
        if executable is None:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        self.directory = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        # The workers run as www-data when nginx starts as root: they must reach the temporary files.
        self.directory.chmod(0o755)
        (self.directory / "logs").mkdir()
        (self.directory / "temp").mkdir()
        certificate, key = self_signed_certificate(self.directory)
        try:
            for _ in range(3):  # another process may take a free port before nginx binds it
                self.http_port, self.https_port = free_port(), free_port()
                if self._start_once(executable, certificate, key):
                    return self
        except BaseException:
            self.stop()
            raise
        log = self.log()
        self.stop()
        raise RuntimeError(f"{self.name} could not bind its ports:\n{log}")

    def _start_once(self, executable, certificate, key):
        conf = self.directory / "nginx.conf"
        conf.write_text(render_nginx_conf({
            "SERVER_NAME": "127.0.0.1",
            "HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "HTTPS_PORT": self.https_port,
            "HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "TLS_CERTIFICATE": certificate,
            "TLS_CERTIFICATE_KEY": key,
            "UPSTREAMS": " ".join(f"server {host}:{port};" for host, port in self.upstreams),
            "LOG_DIR": self.directory / "logs",
            "TEMP_DIR": self.directory / "temp",
        }))
        if self._log is not None:
            self._log.close()
        self._log = open(self.directory / "nginx.out", "w+b")
        self.process = subprocess.Popen(
            [executable, "-p", f"{self.directory}/", "-c", str(conf),
             "-g", f"daemon off; pid {self.directory / 'nginx.pid'};"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log()
                self.process = None
                if "Address already in use" in log:
                    return False
                raise RuntimeError(f"{self.name} exited with an error:\n{log}")
            if all(_accepts(("127.0.0.1", port)) for port in (self.https_port, self.http_port)):
                return True
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not listen within {self.startup_timeout:.0f} s:\n{self.log()}")

    def log(self):
        """What nginx printed and its error log, the end of them."""
        if self.directory is None:
            return ""
        parts = []
        for path in (self.directory / "nginx.out", self.directory / "logs" / "error.log"):
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def stop(self):
        if self.process is not None:
            stop_group(self.process)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _accepts(address):
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False
