"""The deployment as docs/DEPLOY.md sets it up: an instance folder, ``papi-pulse serve``
(gunicorn) on 127.0.0.1, and a TLS-terminating reverse proxy in front that sets the
``X-Forwarded-*`` headers as the nginx site in DEPLOY.md does.

Every wait is bounded by a deadline; servers are stopped in ``finally`` blocks.
"""

import contextlib
import http.client
import http.server
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAPI_PULSE = str(Path(sys.executable).parent / "papi-pulse")
# Headers a proxy never passes on (RFC 9110 section 7.6.1), and the ones it sets itself.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
SET_BY_PROXY = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on host right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def papi_pulse(env: dict, *args: str) -> str:
    """Run one ``papi-pulse`` command as the operator would; return its output."""
    done = subprocess.run(  # noqa: S603 - fixed command
        [PAPI_PULSE, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"papi-pulse {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def make_instance(folder: Path, config: str) -> dict:
    """Create an instance folder with this config.py, migrated, units loaded; return its env."""
    folder.mkdir(parents=True)
    (folder / "config.py").write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPI_PULSE_", "GUNICORN_"))}
    env["PAPI_PULSE_INSTANCE"] = str(folder)
    papi_pulse(env, "migrate")
    papi_pulse(env, "units", "load")
    return env


@contextlib.contextmanager
def serve(env: dict, arguments: list[str], log_path: Path):
    """Run ``papi-pulse <arguments>`` (``serve --host 127.0.0.1 --port N ...``) until the block
    ends; its logs (gunicorn's and the app's) go to log_path."""
    port = int(arguments[arguments.index("--port") + 1])
    with open(log_path, "wb") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed command
            [PAPI_PULSE, *arguments], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(server, port, log_path)
            yield server
        finally:
            _stop(server)


def _wait_until_up(server: subprocess.Popen, port: int, log_path: Path) -> None:
    """Wait (at most 60 s) until /healthz answers, failing early if the server died."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"papi-pulse serve exited: {log_path.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.1)
    raise TimeoutError(f"papi-pulse serve did not answer in 60 s: {log_path.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn as systemd does (SIGTERM), killing it if it lingers past 30 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a one-day certificate for 127.0.0.1 with the openssl command; return (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - fixed command
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forward one request to the app as nginx's ``proxy_pass`` with DEPLOY.md's headers does."""

    timeout = 30  # seconds a silent client may hold a connection

    def _forward(self) -> None:
        """Send the request upstream with X-Forwarded-* replaced, and relay the answer."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP | SET_BY_PROXY
        }
        # nginx: X-Forwarded-For $remote_addr (replace, never append), Proto $scheme, Host.
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["X-Forwarded-Proto"] = "https"
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Keep quiet: the test reads what it needs from ``server.seen``."""


class _TLSProxy(http.server.ThreadingHTTPServer):
    """A threading HTTP server that speaks TLS, with the handshake in each connection's thread."""

    daemon_threads = True

    def __init__(self, upstream_port: int, context: ssl.SSLContext):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port, self.context, self.seen = upstream_port, context, []

    def finish_request(self, request, client_address):
        """Do the TLS handshake here, in the connection's own thread, then serve it."""
        request.settimeout(_ProxyHandler.timeout)
        try:
            secure = self.context.wrap_socket(request, server_side=True)
        except OSError:
            return
        # wrap_socket took over the connection: socketserver would close only the old object.
        with contextlib.closing(secure), contextlib.suppress(OSError):
            super().finish_request(secure, client_address)

    def handle_error(self, request, client_address):
        """Ignore connections a browser opens and drops (speculative preconnects)."""


@contextlib.contextmanager
def tls_proxy(upstream_port: int, cert: Path, key: Path):
    """Terminate HTTPS on a free 127.0.0.1 port, forwarding to upstream_port; yield the proxy."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    proxy = _TLSProxy(upstream_port, context)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(10)
