"""Opening and writing files without surprises: what tracer reads is a regular file, what it writes
never replaces an input, and an interrupted write leaves nothing behind.

- :func:`open_regular` opens a regular file only: never a device (``/dev/zero`` would read
  forever), a pipe (it would block) or a folder.
- :func:`check_output` refuses an output path that is one of the command's inputs (``tracer run
  X.yaml -o X.yaml``) or not a regular file (a device, a folder).
- :func:`atomic_write` writes a temporary file beside the target, holding a lock on it, then
  renames it over the target: a failed or interrupted save leaves the previous file as it was.
  SIGINT, SIGTERM and SIGHUP remove the temporary file on their way out; a SIGKILL cannot, so
  the next save to the same target removes what a killed one left (its lock died with it).
- :func:`scratch_dir` does the same for a folder of partial files (a render's parts).

A temporary file or folder is named ``prefix`` + the pid of the process that made it + ``-`` + 8
random characters. Between its creation and its lock it is unlocked, so :func:`remove_stale` removes
one only when its lock is free AND its process has ended: two renders into one folder never remove
each other's fresh scratch folder. Should one go anyway (a process on another machine sharing the
folder), its maker sees it gone once it holds the lock and makes another.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> target = os.path.join(folder, "out.txt")
>>> atomic_write(target, lambda fh: fh.write(b"hello"))
>>> open_regular(target).read(), os.listdir(folder)
(b'hello', ['out.txt'])
>>> check_output(target, inputs=[target])
Traceback (most recent call last):
...
tracer.errors.TracerError: -o .../out.txt: is the input .../out.txt: refusing to overwrite it
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from .errors import TraceFileError, TracerError

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so leftovers are never judged stale and stay
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tmp"
_RANDOM = "[a-z0-9_]{8}"  # what tempfile puts between a prefix and a suffix
_TRIES = 100               # fresh temporary files removed under a maker's feet before it gives up


def _what(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a special file")


# ---- reading ---------------------------------------------------------------------------------------
def open_regular(path: str | os.PathLike[str], error: type[TracerError] = TracerError) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file, else raise ``error`` (one line)."""
    p = os.fspath(path)
    try:
        before = os.stat(p)
    except FileNotFoundError:
        raise error(f"{p}: no such file") from None
    except OSError as e:
        raise error(f"{p}: cannot read: {e.strerror or e}") from None
    if not stat.S_ISREG(before.st_mode):  # refused before it is opened: opening a device can act
        raise error(f"{p}: is {_what(before.st_mode)}, not a regular file")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise error(f"{p}: cannot read: {e.strerror or e}") from None
    now = os.fstat(fd)
    if not stat.S_ISREG(now.st_mode) or not os.path.samestat(before, now):  # swapped in between
        os.close(fd)
        raise error(f"{p}: changed while it was opened")
    return os.fdopen(fd, "rb")


# ---- writing ---------------------------------------------------------------------------------------
def check_output(path: str | os.PathLike[str], inputs: Any = (), option: str = "-o") -> str:
    """``path`` if it may be written: not one of ``inputs`` (the same file under any name), not a
    device, folder or pipe, and in a folder that exists. Otherwise a one-line TracerError."""
    p = os.fspath(path)
    where = f"{option} {p}"
    if not p or p.endswith(("/", os.sep)):
        raise TracerError(f"{where}: names a folder, not a file")
    try:
        st: os.stat_result | None = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise TracerError(f"{where}: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise TracerError(f"{where}: is {_what(st.st_mode)}, not a regular file: refusing to write there")
    folder = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(folder):
        raise TracerError(f"{where}: there is no folder {folder}")
    for given in inputs:
        try:
            same = st is not None and os.path.samestat(st, os.stat(given))
        except OSError:
            continue
        if same:
            raise TracerError(f"{where}: is the input {os.fspath(given)}: refusing to overwrite it")
    return p


def atomic_write(path: str | os.PathLike[str], write: Callable[[Any], None]) -> None:
    """Call ``write(fh)`` on a locked temporary file beside ``path``, fsync it, rename it over ``path``.

    Temporary files an earlier, killed save to the same ``path`` left are removed first.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = f".{os.path.basename(path)}."
    remove_stale(folder, prefix, TEMP_SUFFIX)
    tmp = None
    with signals_raise():
        try:
            fd, tmp = _make_locked(folder, prefix, TEMP_SUFFIX, is_dir=False)
            os.chmod(tmp, _file_mode(path))  # mkstemp makes it private; a trace is an ordinary file
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
                previous = _hold(path)
                os.replace(tmp, path)  # still open and locked: no other save takes it for stale
            if previous is not None:  # freeing a replaced gigabyte takes a while: not on the caller's time
                threading.Thread(target=previous.close, daemon=True).start()
        except BaseException as e:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            if isinstance(e, OSError) and not isinstance(e, TracerError):
                verb = "cannot write here" if tmp is None else "cannot save"
                raise TraceFileError(f"{path}: {verb}: {e.strerror or e}") from None
            raise


@contextlib.contextmanager
def scratch_dir(folder: str | os.PathLike[str], prefix: str) -> Iterator[Path]:
    """A locked temporary folder in ``folder``, removed at the end (and by the next call, if a
    SIGKILL stopped this one)."""
    remove_stale(folder, prefix)
    fd, path = _make_locked(os.fspath(folder), prefix, "", is_dir=True)
    try:
        with signals_raise():
            yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def _make_locked(folder: str, prefix: str, suffix: str, is_dir: bool) -> tuple[int, str]:
    """A new temporary file (or folder) ``prefix`` + pid + ``-`` + 8 random characters + ``suffix``
    in ``folder``, open and locked: its descriptor and path. Made again if another process removed
    it before this one held the lock (it no longer is at its path once locked)."""
    tagged = f"{prefix}{os.getpid()}-"
    for _ in range(_TRIES):
        if is_dir:
            path = tempfile.mkdtemp(prefix=tagged, suffix=suffix, dir=folder)
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
        else:
            fd, path = tempfile.mkstemp(prefix=tagged, suffix=suffix, dir=folder)
        try:
            _lock(fd)
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd, path
        except OSError:  # locked by a remover, or already removed: it is not ours any more
            pass
        os.close(fd)
    raise OSError(errno.EAGAIN, f"{_TRIES} new temporary files in a row were removed by another process")


def remove_stale(folder: str | os.PathLike[str], prefix: str, suffix: str = "") -> list[str]:
    """Remove the temporary files or folders ``prefix`` + pid + ``-`` + 8 random characters +
    ``suffix`` in ``folder`` whose process has ended and that no process holds locked; returns their
    names. (Names without a pid, from before pids were in them, go when they are not locked.)"""
    if fcntl is None:
        return []
    pattern = re.compile(re.escape(prefix) + r"(?:([0-9]+)-)?" + _RANDOM + re.escape(suffix))
    try:
        found = [(n, m.group(1)) for n in os.listdir(folder) if (m := pattern.fullmatch(n))]
    except OSError:
        return []
    removed = []
    for name, pid in found:
        if pid is not None and _alive(int(pid)):
            continue  # its maker still runs: maybe between making it and locking it
        full = os.path.join(folder, name)
        try:
            fd = os.open(full, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if st.st_uid != os.getuid() or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # locked: a save or a render is still at work on it
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(full, ignore_errors=True)
            else:
                os.unlink(full)
            removed.append(name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a zombie not yet waited for counts; so does another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _lock(fd: int) -> None:
    """Mark a temporary file or folder as in use for as long as this process (or a child) lives."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _raise_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise SystemExit (so ``finally`` clauses clean up)
    instead of ending the process on the spot. Only in the main thread, and only where no handler
    of the program's own is installed."""
    saved: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is not None and signal.getsignal(sig) == signal.SIG_DFL:
                saved[sig] = signal.signal(sig, _raise_exit)
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def _file_mode(path: str) -> int:
    """The mode of the file being replaced, else what ``open()`` would give a new one."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        pass
    try:  # Linux tells the umask without changing it
        with open("/proc/self/status", encoding="ascii") as fh:
            umask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0o022)
        os.umask(umask)
    return 0o666 & ~umask


def _hold(path: str) -> Any:
    """The file about to be replaced, kept open so that its space is released when it is closed."""
    if os.name != "posix":
        return None
    try:
        return open_regular(path)
    except TracerError:
        return None
