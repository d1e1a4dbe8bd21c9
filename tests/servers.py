"""Real servers for tests, started on free loopback ports in temporary folders.

``RedisServer`` runs Debian's ``redis-server`` with ``appendonly yes``, so a :meth:`restart`
(same port, same folder) keeps the data. Use it as a context manager::

    with RedisServer(tmp_path) as redis:
        store = RedisStore.from_url(redis.url, ...)
        redis.restart()

``RedisServer(tls=True)`` listens with TLS only (``--port 0 --tls-port``), with a certificate
from :func:`make_tls_files` (a throwaway CA and a server certificate for ``IP:127.0.0.1``), and
its ``url`` is ``rediss://127.0.0.1:<port>/0?ssl_ca_certs=<ca.crt>``: clients really verify it.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

__all__ = ["RedisServer", "TlsFiles", "free_port", "make_tls_files", "wait_for_port"]

# One OpenSSL config for both certificates; the sections are picked with -extensions.
_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class TlsFiles:
    """PEM files of a throwaway CA and of a server certificate it signed."""

    ca_cert: Path
    cert: Path  # the server certificate, for IP:127.0.0.1 and DNS:localhost
    key: Path  # its private key, unencrypted


def make_tls_files(folder: Path, *, name: str = "test") -> TlsFiles:
    """Write a new CA and a server certificate it signed (P-256, valid 2 days) into ``folder``.

    Uses the ``openssl`` CLI (Debian's ``openssl`` package; scripts/bootstrap installs it). Each
    call makes a different CA, so a second call gives a CA that must *not* verify the first
    server. Takes about 50 ms.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl CLI is not installed (scripts/bootstrap installs it)")
    folder.mkdir(parents=True, exist_ok=True)
    cnf = folder / f"{name}-openssl.cnf"
    cnf.write_text(_OPENSSL_CNF)
    files = TlsFiles(folder / f"{name}-ca.crt", folder / f"{name}-server.crt",
                     folder / f"{name}-server.key")
    ca_key, csr = folder / f"{name}-ca.key", folder / f"{name}-server.csr"
    new_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    for args in (
        ("req", "-x509", *new_key, "-keyout", ca_key, "-out", files.ca_cert, "-days", "2",
         "-subj", f"/CN={name} test CA", "-extensions", "ca_ext"),
        ("req", "-new", *new_key, "-keyout", files.key, "-out", csr, "-subj", "/CN=127.0.0.1"),
        ("x509", "-req", "-in", csr, "-CA", files.ca_cert, "-CAkey", ca_key, "-CAcreateserial",
         "-out", files.cert, "-days", "2", "-extfile", cnf, "-extensions", "server_ext"),
    ):
        config = ("-config", cnf) if args[0] == "req" else ()
        done = subprocess.run([openssl, *map(str, args), *config], capture_output=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace')}")
    return files


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    port: int, deadline_s: float, proc: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll until something accepts on 127.0.0.1:``port``; raise if ``proc`` dies or time is up."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {deadline_s} s")


class RedisServer:
    """A private ``redis-server``; ``url`` is ``redis://[:password@]127.0.0.1:<port>/0``.

    With ``tls=True`` the port speaks TLS only, clients need no certificate of their own, and
    ``url`` is ``rediss://[:password@]127.0.0.1:<port>/0?ssl_ca_certs=<tls.ca_cert>``.
    """

    def __init__(self, folder: Path | None = None, *, password: str | None = None,
                 port: int | None = None, extra_args: tuple[str, ...] = (),
                 tls: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (scripts/bootstrap installs it)")
        self._binary = binary
        self._own_folder = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="redis-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.password = password
        self.port = port or free_port()
        self._extra = extra_args
        self.tls = make_tls_files(self.folder / "tls") if tls else None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        if self.tls is not None:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls.ca_cert}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, deadline_s: float = 10.0) -> None:
        if self.running:
            return
        listen = ("--port", str(self.port)) if self.tls is None else (
            "--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls.cert),
            "--tls-key-file", str(self.tls.key), "--tls-ca-cert-file", str(self.tls.ca_cert),
            "--tls-auth-clients", "no")
        args = [
            self._binary, *listen, "--bind", "127.0.0.1",
            "--dir", str(self.folder), "--appendonly", "yes", "--save", "",
            "--daemonize", "no", "--logfile", str(self.folder / "redis.log"),
            *(("--requirepass", self.password) if self.password else ()), *self._extra,
        ]
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        try:
            wait_for_port(self.port, deadline_s, self._proc)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM (redis flushes its append-only file) and wait; SIGKILL if it hangs."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def kill(self) -> None:
        """SIGKILL, as a crash: only what the append-only file already holds survives."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
