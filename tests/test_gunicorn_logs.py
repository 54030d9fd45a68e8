"""gunicorn, run as DEPLOY.md says, never logs a client's address or a survey token.

Malformed requests are sent with a raw socket from 127.0.0.2, so that the client's address
can be told apart from the server's own 127.0.0.1 (which gunicorn rightly logs when it starts
listening). One worker answers the connections in order, so the answer to the last, ordinary
request means every earlier one has been logged.
"""

import socket
import time

import pytest

from survey import points
from tests.serving_support import free_port, make_instance, serve

pytestmark = pytest.mark.slow

CLIENT = "127.0.0.2"


def malformed_requests(token: str) -> list[bytes]:
    """Return requests gunicorn refuses before the app sees them, each with the token inside."""
    path = f"/s/{token}/p/p1"
    return [
        f"GET {path}/\x7f HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        f"GET {path} HTTP/1.1 extra\r\nHost: x\r\n\r\n".encode(),
        f"G@T {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        f"GET {path} HTTP/9.x\r\nHost: x\r\n\r\n".encode(),
        f"GET {path} HTTP/1.1\r\nHost: x\r\nBad Header{token}: 1\r\n\r\n".encode(),
        f"GET {path}?{'x' * 9000} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    ]


def exchange(port: int, data: bytes, answer: bool = True) -> bytes:
    """Send data from CLIENT to the server and return all it answers (within 30 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30, source_address=(CLIENT, 0)) as s:
        s.sendall(data)
        if not answer:
            return b""
        s.shutdown(socket.SHUT_WR)
        chunks, deadline = [], time.monotonic() + 30
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize(
    "gunicorn_args",
    ["", "--log-level debug --access-logfile -"],
    ids=["as-deployed", "debug-and-access-log-on"],
)
def test_gunicorn_logs_no_client_address_and_no_token(tmp_path, gunicorn_args):
    port = free_port()
    env = make_instance(tmp_path / "instance", 'BASE_URL = "https://khaosat.example.vn"\n')
    env["PAPI_PULSE_PROXY_COUNT"] = "1"
    if gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = gunicorn_args
    token = points.new_token()
    log = tmp_path / "server.log"
    arguments = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    with serve(env, arguments, log):
        answers = [exchange(port, request) for request in malformed_requests(token)]
        exchange(port, f"GET /s/{token} HTT".encode(), answer=False)
        last = exchange(port, f"GET /s/{token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert all(answer.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")) for answer in answers), answers
    assert last.startswith(b"HTTP/1.1 404")
    text = log.read_text(encoding="utf-8", errors="replace")
    assert text.count("Refused a malformed request: ") == len(answers), text
    assert '"endpoint":"/s/<token>","status":404' in text
    assert CLIENT not in text and token not in text, text
    # The server's own address appears where gunicorn says where it listens, and in the
    # settings it lists at debug level; nowhere else.
    for line in text.splitlines():
        if "127.0.0.1" in line:
            assert "Listening at: http://127.0.0.1:" in line or (
                gunicorn_args and line.startswith("  ")
            ), line
