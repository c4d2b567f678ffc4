"""The log file: opened in the data directory, rotated at start once it is large."""

from __future__ import annotations

import logging

from fazhi_desk.logs import BACKUPS, LOG_FILE, MAX_BYTES, setup_logging


def test_a_large_log_is_rotated_when_the_program_starts(data_dir):
    log = data_dir.logs / LOG_FILE
    log.write_bytes(b"x" * (MAX_BYTES + 1))
    for n in range(1, BACKUPS + 1):
        (data_dir.logs / f"{LOG_FILE}.{n}").write_text(f"old {n}")
    try:
        assert setup_logging(data_dir) == log
        logging.getLogger("fazhi_desk.test").info("新的一次启动")
        for h in logging.getLogger("fazhi_desk").handlers:
            h.flush()
        assert "新的一次启动" in log.read_text(encoding="utf-8")
        assert (data_dir.logs / f"{LOG_FILE}.1").stat().st_size == MAX_BYTES + 1
        assert (data_dir.logs / f"{LOG_FILE}.2").read_text() == "old 1"
        assert not (data_dir.logs / f"{LOG_FILE}.{BACKUPS + 1}").exists()  # the oldest is dropped
    finally:
        setup_logging(None)
