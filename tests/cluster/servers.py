"""Throw-away servers for the cluster tests and bench/cluster.py: Redis, PostgreSQL, nginx.

Each binds 127.0.0.1 on a free port, keeps its data in a temporary folder and is stopped
(and the folder removed) when its context ends. Debian's packages: ``redis-server``,
``nginx``, ``postgresql`` (``make test-cluster`` installs them when run as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "free_port",
    "missing",
    "nginx_server",
    "postgres_server",
    "redis_server",
    "wait_for_port",
]

REDIS_BIN = "redis-server"
NGINX_BIN = "/usr/sbin/nginx"
POSTGRES_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, within_s: float, process: subprocess.Popen[bytes] | None) -> None:
    """Wait until 127.0.0.1:``port`` accepts connections.

    Raises:
        RuntimeError: If the process exits first or the port stays closed.
    """
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited ({process.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} within {within_s} s")


def missing() -> list[str]:
    """The Debian packages the cluster layout needs that are not installed."""
    needed = {
        "redis-server": shutil.which(REDIS_BIN) is not None,
        "nginx": Path(NGINX_BIN).exists(),
        "postgresql": bool(POSTGRES_BINS),
    }
    return [name for name, present in needed.items() if not present]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def redis_server(port: int | None = None) -> Iterator[str]:
    """A redis-server without persistence; yields its URL ``redis://127.0.0.1:PORT/0``."""
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="alver-redis-") as folder:
        process = subprocess.Popen(
            [REDIS_BIN, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_port(port, 15, process)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            _stop(process)


def _as_postgres(command: Sequence[str]) -> list[str]:
    """Run as the ``postgres`` user when root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return list(command)
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL cluster (initdb in a temp folder); yields a superuser URL."""
    if not POSTGRES_BINS:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql")
    bin_dir = POSTGRES_BINS[-1]
    port = free_port()
    folder = tempfile.mkdtemp(prefix="alver-pg-")
    data = Path(folder) / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    process = subprocess.Popen(
        _as_postgres([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                      "-h", "127.0.0.1", "-k", folder, "-c", "fsync=off",
                      "-c", "max_connections=200"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, 30, process)
        time.sleep(0.5)  # accepting TCP a moment before it accepts logins
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream alver {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://alver;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # Above the long-poll (LONG_POLL_SECONDS, at most 55 s).
      proxy_read_timeout 65s;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


@contextmanager
def nginx_server(upstream_ports: Sequence[int]) -> Iterator[int]:
    """nginx in front of ``upstream_ports`` (round robin); yields its port."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="alver-nginx-") as folder:
        servers = "\n".join(
            f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstream_ports
        )
        conf = Path(folder) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(folder=folder, servers=servers, port=port))
        process = subprocess.Popen(
            [NGINX_BIN, "-p", folder, "-c", str(conf), "-e", f"{folder}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, 15, process)
            yield port
        finally:
            _stop(process)
