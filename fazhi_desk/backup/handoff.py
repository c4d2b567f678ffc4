"""A command-line backup while the window is open: handed to the window over a local connection, no Qt.

The open window keeps SQLite's lock to itself (``locking_mode=EXCLUSIVE``), so
another process cannot read a snapshot: ``fazhi-desk backup create`` (a
scheduled task, say) used to give up after 10 s. While the window is open it
runs a :class:`HandoffServer`: it listens on 127.0.0.1 (a free port) with a
random authentication key, and writes both to ``<data>/backup-handoff.json``
(readable by this user only). :func:`ask_window` finds the file, sends the
request, and the window takes the backup through its own connection (waiting
its turn behind running writes, as any session does) and answers with the
result's text or the Chinese refusal. With no window (no file, the process
gone, nobody listening) the command line backs up by itself.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from multiprocessing.connection import AuthenticationError, Client, Listener
from pathlib import Path
from typing import Any, Callable

from fazhi_desk.errors import UserError
from fazhi_desk.fileio import pid_alive, write_bytes_atomic
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

HANDOFF_FILE = "backup-handoff.json"
ANSWER_WAIT_SECONDS = 6 * 3600  # a backup of many GB to a slow stick takes long; the window always answers


def _file(data: DataDir) -> Path:
    return data.root / HANDOFF_FILE


def _send(conn: Any, value: dict) -> None:
    conn.send_bytes(json.dumps(value, ensure_ascii=False).encode("utf-8"))  # JSON, never pickle


def _recv(conn: Any) -> Any:
    try:
        return json.loads(conn.recv_bytes(1 << 20).decode("utf-8"))
    except ValueError:
        return None


class HandoffServer:
    """Serve ``backup create`` requests for the window's data directory on a background thread."""

    def __init__(self, data: DataDir, get_store: Callable[[], Any]) -> None:
        self.data = data
        self.get_store = get_store
        self._key = secrets.token_bytes(32)
        self._listener: Listener | None = None
        self._closed = threading.Event()
        self._busy = threading.Lock()

    def start(self) -> "HandoffServer":
        self._listener = Listener(("127.0.0.1", 0), authkey=self._key)
        host, port = self._listener.address
        info = {"pid": os.getpid(), "port": port, "key": self._key.hex()}
        write_bytes_atomic(_file(self.data), json.dumps(info).encode("ascii"))
        try:
            os.chmod(_file(self.data), 0o600)
        except OSError:
            pass
        threading.Thread(target=self._serve, name="backup-handoff", daemon=True).start()
        return self

    def _serve(self) -> None:
        assert self._listener is not None
        while not self._closed.is_set():
            try:
                conn = self._listener.accept()
            except (OSError, EOFError, AuthenticationError):
                continue  # a stranger without the key, or the wake-up at close
            threading.Thread(target=self._handle, args=(conn,), name="backup-handoff-request", daemon=True).start()

    def _handle(self, conn: Any) -> None:
        from fazhi_desk.backup.archive import create_backup

        try:
            with conn:
                req = _recv(conn)
                if not isinstance(req, dict) or req.get("cmd") != "create":
                    _send(conn, {"ok": False, "error": "无法识别的请求。"})
                    return
                with self._busy:  # one backup at a time
                    store = self.get_store()
                    if store is None:
                        _send(conn, {"ok": False, "error": "打开的窗口正在恢复数据或正在关闭,无法备份。请稍后重试。"})
                        return
                    try:
                        out = req.get("out")
                        result = create_backup(JobContext(), self.data, out, store=store)
                        _send(conn, {"ok": True, "text": result.text()})
                    except UserError as e:
                        _send(conn, {"ok": False, "error": str(e)})
                    except Exception:  # noqa: BLE001 - a bug: logged here, reported there
                        log.exception("a backup handed over by the command line failed")
                        _send(conn, {"ok": False, "error": "打开的窗口在备份时遇到程序内部错误,没有写入备份。"
                                                         "详细信息已写入日志,请把日志发给技术支持。"})
        except (OSError, EOFError):
            pass  # the command line went away (Ctrl+C): nothing to answer

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                socket.create_connection(listener.address, timeout=1).close()  # wake accept()
            except OSError:
                pass
            listener.close()
        try:
            info = json.loads(_file(self.data).read_text(encoding="ascii"))
            if info.get("pid") == os.getpid():
                _file(self.data).unlink()
        except (OSError, ValueError):
            pass


def ask_window(data: DataDir, out: Path | str | None) -> str | None:
    """Hand ``backup create`` to the open window; its result text, or None when no window listens.

    Raises :class:`UserError` with the window's refusal.
    """
    try:
        info = json.loads(_file(data).read_text(encoding="ascii"))
        pid, port, key = int(info["pid"]), int(info["port"]), bytes.fromhex(info["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not pid_alive(pid):
        return None
    try:
        conn = Client(("127.0.0.1", port), authkey=key)
    except (OSError, EOFError, AuthenticationError):
        return None
    with conn:
        try:
            _send(conn, {"cmd": "create", "out": str(Path(out).resolve()) if out else None})
            if not conn.poll(ANSWER_WAIT_SECONDS):
                raise UserError("打开的窗口没有在规定时间内完成备份。请在窗口中查看\uff0c或关闭窗口后重试。")
            answer = _recv(conn)
        except (OSError, EOFError) as e:
            raise UserError("打开的窗口在备份时关闭了连接\uff08窗口可能已关闭\uff09。请重试。") from e
    if not isinstance(answer, dict):
        raise UserError("打开的窗口给出了无法识别的回答。请重试。")
    if not answer.get("ok"):
        raise UserError(str(answer.get("error") or "打开的窗口没有完成备份。"))
    return str(answer.get("text") or "")
