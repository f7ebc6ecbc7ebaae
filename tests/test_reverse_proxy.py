"""nginx with ``deploy/nginx.conf`` in front of two gunicorn servers, as in production.

The file itself runs here (rendered by ``bench.server.Nginx`` with loopback
ports, a throwaway certificate and a temporary directory) in front of two
single-worker gunicorns on the test database and Redis: logins and refreshes
go through it over HTTPS, requests reach both servers, the app sees the
address nginx saw, and slow clients wait in nginx instead of holding the
app's sync workers.

Each request through nginx comes from its own loopback address
(127.x.y.z, the socket's source address): the app sees that address, so the
throttle counters a test creates in Redis are its own.

nginx is required, like Redis: CI installs it (Debian's ``nginx`` package),
and a missing nginx fails these tests; ``GATEHOUSE_SKIP_NGINX_TESTS=1`` skips
them on a machine without it.
"""
import concurrent.futures
import http.client
import json
import os
import secrets
import shlex
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from accounts.api.parsers import MAX_BODY_BYTES
from bench.server import ROOT, Gunicorn, Nginx, free_port, nginx_executable, render_nginx_conf
from tests.servers import (  # noqa: F401 (alice and redis_client are fixtures)
    Server, alice, app_server_env, app_servers, client_ip, current_session, redis_client,
)

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER_BOUND = 10.0  # seconds; gunicorn would keep a request behind a slow client for its 30 s timeout


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, redis_client):
    """Two single-worker gunicorns: two sync workers in all, as a small ``make serve``."""
    # The app's own login limit per address (30/min) is raised here: nginx's limit is what these tests pin.
    with app_servers(app_server_env(LOGIN_RATE_PER_IP="1000/min")) as started:
        yield started


@pytest.fixture(scope="module")
def nginx_installed():
    if nginx_executable() is None:
        if os.environ.get("GATEHOUSE_SKIP_NGINX_TESTS") == "1":
            pytest.skip("nginx is not installed; skipped on request")
        pytest.fail(
            "These tests need nginx (Debian: apt-get install nginx), or GATEHOUSE_SKIP_NGINX_TESTS=1 to skip them.",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def nginx(nginx_installed, servers):
    with Nginx([gunicorn.address for gunicorn in servers]) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def proxy(nginx):
    return ThroughNginx(nginx)


class ThroughNginx(Server):
    """A client of nginx over HTTPS; ``ip`` is the loopback address its socket speaks from.

    It sends no forwarding header of its own: nginx says who it is.
    """

    def __init__(self, nginx):
        self.address = nginx.address
        self.origin = f"https://127.0.0.1:{nginx.https_port}"
        self.context = ssl.create_default_context(cafile=str(nginx.certificate))

    def connection(self, ip, timeout):
        return http.client.HTTPSConnection(
            *self.address, timeout=timeout, context=self.context, source_address=(ip, 0),
        )

    def client_headers(self, ip):
        return {}

    def socket(self, ip):
        raw = socket.create_connection(self.address, timeout=10, source_address=(ip, 0))
        return self.context.wrap_socket(raw, server_hostname="127.0.0.1")


def loopback_ip():
    """A random address in 127.0.0.0/8 (all of it is loopback on Linux), not 127.0.0.1."""
    return "127." + ".".join(str(secrets.randbelow(254) + 1) for _ in range(3))


def wait_for(condition, *, timeout=30.0, message="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}: not within {timeout:.0f} s")
        time.sleep(0.05)


class SlowClients:
    """Sockets that each send a login POST's headers, then its body one byte a second, until closed.

    The declared body is far longer than a test lasts, so the requests are
    never complete: whoever reads them waits.
    """

    BODY_LENGTH = 4096

    def __init__(self, connect, count, interval=1.0):
        self.connect = connect
        self.count = count
        self.interval = interval
        self.sockets = []
        self.rounds = 0
        self.errors = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._dribble, daemon=True)

    def __enter__(self):
        try:
            for _ in range(self.count):
                sock = self.connect()
                self.sockets.append(sock)
                sock.sendall(
                    b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    # Straight to gunicorn, as if from the load balancer: HTTPS, and a fresh
                    # address for the app's throttles. (nginx replaces both.)
                    + f"X-Forwarded-Proto: https\r\nX-Forwarded-For: {client_ip()}\r\n".encode()
                    + f"Content-Length: {self.BODY_LENGTH}\r\n\r\n{{".encode()
                )
        except BaseException:
            self.close()
            raise
        self._thread.start()
        return self

    def _dribble(self):
        while not self._stop.wait(self.interval):
            with self._lock:
                for sock in self.sockets:
                    try:
                        sock.sendall(b" ")
                    except OSError as error:
                        self.errors.append(error)
                self.rounds += 1

    def wait_for_rounds(self, rounds):
        wait_for(lambda: self.rounds >= rounds, message=f"{rounds} bytes dribbled")

    def still_waiting(self):
        """No answer and no close from the other end, and every byte went out."""
        with self._lock:  # one thread at a time on a TLS connection
            return not self.errors and not any(_answered(sock) for sock in self.sockets)

    def close(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        for sock in self.sockets:
            sock.close()

    def __exit__(self, *exc):
        self.close()


def _answered(sock):
    """Whether the other end has sent anything (an answer, or the end of the connection).

    A read, not ``select``: TLS 1.3 servers send session tickets after the handshake.
    """
    sock.setblocking(False)
    try:
        sock.recv(1)
        return True
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(10)


def timed_health(server, *, timeout):
    started = time.monotonic()
    status, body, _, _ = server.call("GET", "/api/health/", ip=loopback_ip(), timeout=timeout)
    return status, body, time.monotonic() - started


def test_slow_clients_wait_in_nginx_and_do_not_hold_the_app_servers(proxy):
    # Repro: two sockets sending one body byte every few seconds to `make serve` (2 sync workers)
    # made /api/health/ take 32 s. Here four such clients, two sync workers, nginx in front.
    with SlowClients(lambda: proxy.socket(loopback_ip()), count=4) as slow:
        slow.wait_for_rounds(2)
        status, body, elapsed = timed_health(proxy, timeout=ANSWER_BOUND + 5)
        assert status == 200, body
        assert elapsed < ANSWER_BOUND, f"/api/health/ took {elapsed:.1f} s behind four slow clients"
        assert slow.still_waiting(), "the slow clients are still sending when the health check is answered"
        # ... and the app servers answer as fast as ever, more than once.
        for _ in range(4):
            assert timed_health(proxy, timeout=ANSWER_BOUND + 5)[2] < ANSWER_BOUND
        assert slow.still_waiting()


def test_without_nginx_one_slow_client_holds_a_sync_worker(servers):
    # The contrast that motivates nginx: straight to a one-worker gunicorn, a client
    # dribbling its body keeps the worker, and a health check waits behind it.
    server = Server(servers[0])
    with SlowClients(lambda: socket.create_connection(servers[0].address, timeout=10), count=1) as slow:
        slow.wait_for_rounds(1)
        with pytest.raises(TimeoutError):
            server.call("GET", "/api/health/", ip=client_ip(), timeout=2)
        assert slow.still_waiting()
    # Once that client is gone, the worker is free again.
    wait_for(lambda: server.call("GET", "/api/health/", ip=client_ip(), timeout=5)[0] == 200,
             message="the worker serves again")


def test_login_refresh_and_me_through_nginx_as_a_browser(proxy, alice):
    # The app accepts the browser's Origin on the cookie routes only if it sees the scheme
    # (X-Forwarded-Proto) and the Host, port included, that the browser used.
    ip = loopback_ip()
    browser = {"Origin": proxy.origin}
    status, body, cookies, _ = proxy.login(alice.username, ip=ip, headers=browser)
    assert status == 200, body
    status, body, cookies, _ = proxy.refresh(cookies["refresh_token"], ip=ip, headers=browser)
    assert status == 200, body
    assert proxy.me(body["access"], ip=ip) == 200

    status, body, _, _ = proxy.refresh(cookies["refresh_token"], ip=ip, headers={"Origin": "https://elsewhere.example"})
    assert (status, body["code"]) == (403, "origin_not_allowed"), "the check the first two passed is a real one"


def test_the_app_sees_the_address_nginx_saw_not_a_forged_x_forwarded_for(proxy, alice):
    # nginx appends the connecting address to X-Forwarded-For; with TRUSTED_PROXY_COUNT=1
    # the app takes that last entry, so a client cannot name its own address.
    ip = loopback_ip()
    status, body, _, _ = proxy.login(alice.username, ip=ip, headers={"X-Forwarded-For": "203.0.113.7"})
    assert status == 200, body
    assert current_session(proxy, body["access"], ip)["ip_address"] == ip


def test_requests_through_nginx_are_spread_over_both_app_servers(nginx, proxy, servers):
    probe = loopback_ip()  # the access log names the client's address (and no query string)
    for _ in range(6):
        status, body, _, _ = proxy.call("GET", "/api/health/", ip=probe)
        assert status == 200, body
    expected = {f"{host}:{port}" for host, port in (gunicorn.address for gunicorn in servers)}

    def upstreams_seen():
        lines = [line for line in nginx.access_log.read_text().splitlines() if line.startswith(f"{probe} ")]
        return {field.split("=", 1)[1] for line in lines for field in line.split() if field.startswith("upstream=")}

    wait_for(lambda: upstreams_seen() == expected, timeout=10, message=f"both of {sorted(expected)} in the access log")


def redirect_from_plain_http(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return response.status, response.headers["Location"]


def test_plain_http_is_redirected_to_https_on_its_non_standard_port(nginx):
    # Repro: with HTTPS on 127.0.0.1:8443, http://127.0.0.1:8080/x was sent to https://127.0.0.1/x (port 443).
    status, location = redirect_from_plain_http(nginx.http_port, "/api/auth/me/?next=%2Fsessions")

    assert status == 301
    assert location == f"https://127.0.0.1:{nginx.https_port}/api/auth/me/?next=%2Fsessions"


def test_the_https_port_443_is_not_named_in_the_redirect():
    text = render_nginx_conf({**PRODUCTION_VALUES, "HTTPS_PORT": 443})

    assert 'map 443 $gatehouse_https_port_suffix' in text
    assert "return 301 https://$host$gatehouse_https_port_suffix$request_uri;" in text


PRODUCTION_VALUES = {
    "SERVER_NAME": "auth.example.com", "HTTPS_LISTEN": "443", "HTTPS_PORT": 443, "HTTP_LISTEN": "80",
    "TLS_CERTIFICATE": "/etc/ssl/cert.pem", "TLS_CERTIFICATE_KEY": "/etc/ssl/key.pem",
    "UPSTREAMS": "server 10.0.0.11:8000;", "LOG_DIR": "/var/log/nginx", "TEMP_DIR": "/var/lib/nginx",
}


def make_serve_gunicorn_options():
    """The options ``make serve`` gives gunicorn (as ``make -n`` prints them), but its address and workers."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.replace("\\\n", " ")
    words = shlex.split(next(line for line in printed.splitlines() if " backend.wsgi" in line))
    options, rest = [], iter(words[words.index("backend.wsgi") + 1:])
    for word in rest:
        if word in ("--bind", "-b", "--workers", "-w"):
            next(rest)
        else:
            options.append(word)
    return options


SECRET = "SECRETVALUE"


def test_a_secret_in_the_query_string_lands_in_neither_nginx_nor_gunicorns_access_log(
    nginx_installed, django_db_setup, redis_client
):
    # Repro: GET /reset-password?token=… was logged whole by nginx ("$request") and by
    # `make serve`'s gunicorn (--access-logfile - logs the request line); the logged token still worked.
    options = make_serve_gunicorn_options()
    assert any("access" in option or option == "--config" for option in options), options  # it does log
    via_nginx, direct = f"probe-{secrets.token_hex(6)}", f"probe-{secrets.token_hex(6)}"  # user agents, to find the lines
    gunicorn = Gunicorn(app_server_env(), workers=1, name="gunicorn-logged", options=options)
    with gunicorn, Nginx([gunicorn.address], name="nginx-logged") as logged:
        ip = loopback_ip()
        status, body, _, _ = ThroughNginx(logged).call(
            "GET", f"/api/health/?token={SECRET}", ip=ip, headers={"User-Agent": via_nginx},
        )
        assert status == 200, body
        status, body, _, _ = Server(gunicorn).call(
            "GET", f"/api/health/?x=1&token={SECRET}", ip=client_ip(), headers={"User-Agent": direct},
        )
        assert status == 200, body

        def lines(text, marker):
            return [line for line in text.splitlines() if marker(line)]

        wait_for(lambda: lines(logged.access_log.read_text(), lambda line: line.startswith(f"{ip} ")),
                 timeout=10, message="the request in nginx's access log")
        wait_for(lambda: all(lines(gunicorn.log(), lambda line, ua=ua: ua in line) for ua in (via_nginx, direct)),
                 timeout=10, message="both requests in gunicorn's access log")
        nginx_lines = lines(logged.access_log.read_text(), lambda line: line.startswith(f"{ip} "))
        gunicorn_lines = lines(gunicorn.log(), lambda line: via_nginx in line or direct in line)
    assert len(nginx_lines) == 1 and len(gunicorn_lines) == 2
    assert '"GET /api/health/ HTTP/1.1" 200' in nginx_lines[0]
    assert all('"GET /api/health/ HTTP/1.' in line for line in gunicorn_lines), gunicorn_lines
    for line in nginx_lines + gunicorn_lines:
        assert SECRET not in line and "token=" not in line, line


def test_a_body_over_one_megabyte_is_refused_by_nginx_with_json(proxy):
    sock = proxy.socket(loopback_ip())
    try:
        sock.sendall(
            b"POST /api/auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2097152\r\n\r\n"
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        payload = response.read()
    finally:
        sock.close()
    assert response.status == 413
    assert response.headers["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in response.headers, "nginx's answer: the app never saw the body"
    assert json.loads(payload)["code"] == "request_too_large"


def test_a_body_over_the_app_limit_but_under_nginx_limit_reaches_the_app(proxy):
    # 200 KB: more than nginx keeps in memory (it goes through a temporary file) and more than
    # the app's 64 KB, which the app refuses itself.
    assert MAX_BODY_BYTES < 200_000
    body = {"username": "x" * 200_000, "password": "y"}
    status, data, _, headers = proxy.call("POST", "/api/auth/login/", ip=loopback_ip(), body=body)
    assert (status, data["code"]) == (413, "request_too_large")
    assert "Content-Security-Policy" in headers, "the app's answer (nginx's own errors have no such header)"


def test_no_app_server_answering_is_a_json_502(nginx_installed):
    with Nginx([("127.0.0.1", free_port())], name="nginx-no-upstream") as lonely:
        status, body, _, headers = ThroughNginx(lonely).call("GET", "/api/health/", ip=loopback_ip())
    assert status == 502
    assert headers["Content-Type"] == "application/json"
    assert body["code"] == "bad_gateway"


def test_make_nginx_local_serves_the_config_with_its_own_certificate_and_pid_file_and_a_redirect_keeping_the_port(
    nginx_installed, servers
):
    # Repro: there was no way to try deploy/nginx.conf locally (it wants root's pid file and log
    # directory and a certificate), and its redirect dropped a non-standard HTTPS port.
    http_port, https_port = free_port(), free_port()
    host, port = servers[0].address
    output = ROOT / "test-artifacts" / f"nginx-local-{secrets.token_hex(4)}.out"
    output.parent.mkdir(exist_ok=True)
    with open(output, "w+b") as log:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "nginx-local", f"NGINX_HTTPS_PORT={https_port}",
             f"NGINX_HTTP_PORT={http_port}", f"HOST={host}", f"PORT={port}"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_for(lambda: process.poll() is not None or b"Ctrl-C" in output.read_bytes(), timeout=30,
                     message="make nginx-local to start")
            text = output.read_text()
            directory = next(word for word in text.split() if "gatehouse-nginx-" in word).split("/certificate.pem")[0]
            wait_for(lambda: process.poll() is not None or all(_listening(port) for port in (http_port, https_port)),
                     timeout=30, message="nginx to listen")
            assert process.poll() is None, output.read_text()

            context = ssl.create_default_context(cafile=f"{directory}/certificate.pem")
            conn = http.client.HTTPSConnection("127.0.0.1", https_port, timeout=10, context=context)
            try:
                conn.request("GET", "/api/health/")
                response = conn.getresponse()
                assert (response.status, json.loads(response.read())) == (200, {"status": "ok"})
            finally:
                conn.close()
            assert redirect_from_plain_http(http_port, "/login?next=%2F") == (
                301, f"https://127.0.0.1:{https_port}/login?next=%2F"
            )
            assert os.path.exists(f"{directory}/nginx.pid")
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
            process.wait(timeout=30)
    output.unlink()
    assert not os.path.exists(directory), "its temporary directory is removed when it stops"


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


NGINX_REFUSAL = {"detail": "Too many requests from this address. Try again shortly.", "code": "throttled"}


def test_a_flood_of_logins_from_one_address_is_refused_by_nginx_with_json_429_and_other_routes_are_not(proxy):
    # Repro: deploy/nginx.conf had no limit_req/limit_conn: every login of a flood reached gunicorn.
    # Repro of a flake: sent one by one on a busy machine, the logins came slower than nginx's 5/s refill, so the
    # app's own limit (30/min) refused first, with its own Retry-After. The flood now arrives at once (as a flood
    # does), and the servers of this module allow the app's own limit more, so every 429 here is nginx's.
    ip = loopback_ip()
    with concurrent.futures.ThreadPoolExecutor(max_workers=25) as pool:
        answers = list(pool.map(lambda _: proxy.call("POST", "/api/auth/login/", ip=ip, body={}), range(100)))
    statuses = [status for status, _, _, _ in answers]
    assert set(statuses) <= {400, 429}, statuses
    assert statuses.count(400) >= 20, statuses  # the burst reaches the app (an empty body: 400, no hashing)
    assert statuses.count(429) >= 20, statuses
    refusals = {(json.dumps(body, sort_keys=True), headers.get("Retry-After"))
                for status, body, _, headers in answers if status == 429}
    assert refusals == {(json.dumps(NGINX_REFUSAL, sort_keys=True), "1")}
    # The same address meanwhile: authenticated GETs, refreshes and pages are not limited by nginx.
    assert [proxy.call("GET", "/api/health/", ip=ip)[0] for _ in range(40)] == [200] * 40
    assert [proxy.call("GET", "/api/auth/password-rules/", ip=ip)[0] for _ in range(30)] == [200] * 30
    # Another address is not affected.
    assert proxy.call("POST", "/api/auth/login/", ip=loopback_ip(), body={})[0] == 400


def _serve_env(home, **extra):
    env = app_server_env(HOME=str(home), **extra)
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def test_two_make_serve_instances_of_one_user_do_not_share_a_control_socket(
    django_db_setup, redis_client, tmp_path
):
    # Repro: `make serve` left gunicorn's control socket at the per-user default (~/.gunicorn/gunicorn.ctl):
    # a second instance took it over from the first.
    options = make_serve_gunicorn_options()
    shared = tmp_path / ".gunicorn" / "gunicorn.ctl"
    first = Gunicorn(_serve_env(tmp_path), workers=1, name="serve-first", options=options)
    second = Gunicorn(_serve_env(tmp_path), workers=1, name="serve-second", options=options)
    with first, second:
        time.sleep(1)  # gunicorn opens the socket after its first workers are up
        assert not shared.exists()
        assert "control" not in (first.log() + second.log()).lower()

    # Asked for, each instance has a socket of its own.
    own = [tmp_path / "first.ctl", tmp_path / "second.ctl"]
    first = Gunicorn(_serve_env(tmp_path, GUNICORN_CONTROL_SOCKET=str(own[0])), workers=1, name="serve-first",
                     options=options)
    second = Gunicorn(_serve_env(tmp_path, GUNICORN_CONTROL_SOCKET=str(own[1])), workers=1, name="serve-second",
                      options=options)
    with first, second:
        wait_for(lambda: all(path.is_socket() for path in own), timeout=20, message="each instance's socket")
        assert not shared.exists()
