"""Two desks on one server store: writes to different items all land; a desk whose view is stale is told
who changed the item and nothing of it is overwritten (the assessment's version column)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from fazhi_desk.services.checklist import StaleEdit, assessment_version, set_fields
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Assessment, ChangeLog

ITEM = "TT2020-01-01"
YEAR = 2025


def _log(store) -> list[tuple[str, str, str]]:  # noqa: ANN001
    with store.session() as s:
        return [(c.user, c.field, c.new_value) for c in s.scalars(
            select(ChangeLog).where(ChangeLog.item_id == ITEM, ChangeLog.year == YEAR).order_by(ChangeLog.id))]


def test_a_stale_view_is_refused_naming_the_other_operator(any_small_store):
    store = any_small_store
    assert assessment_version(store, ITEM, YEAR) == 0
    set_fields(store, ITEM, YEAR, {"owner": "王敏"}, user="王敏", seen_version=0)
    seen = assessment_version(store, ITEM, YEAR)
    assert seen >= 1
    set_fields(store, ITEM, YEAR, {"note": "已组织两次"}, user="李强", seen_version=seen)  # the other desk
    with pytest.raises(StaleEdit) as e:
        set_fields(store, ITEM, YEAR, {"note": "组织了一次"}, user="王敏", seen_version=seen)
    assert "另一台电脑" in str(e.value) and "李强" in str(e.value) and "刚刚修改了此事项" in str(e.value)
    with store.session() as s:
        a = s.scalar(select(Assessment).where(Assessment.item_id == ITEM, Assessment.year == YEAR))
        assert a.note == "已组织两次" and a.version > seen
    assert [u for u, _f, _v in _log(store)] == ["王敏", "李强"]
    # with the new values in view, the save goes through
    set_fields(store, ITEM, YEAR, {"note": "组织了三次"}, user="王敏", seen_version=assessment_version(store, ITEM, YEAR))
    assert _log(store)[-1] == ("王敏", "note", "组织了三次")


@pytest.fixture
def two_desks(pg_templates, tmp_path):
    from tests.pg_fixtures import pg_store_of

    first = pg_store_of(pg_templates, "small", tmp_path / "ev")
    second = Store(first.url, tmp_path / "ev").open()
    yield first, second
    second.close()
    first.close()


@pytest.mark.postgres
def test_a_row_changed_by_another_desk_while_held_raises_instead_of_overwriting(two_desks):
    from sqlalchemy.orm.exc import StaleDataError

    a_desk, b_desk = two_desks
    set_fields(a_desk, ITEM, YEAR, {"owner": "王敏"}, user="王敏")
    with a_desk.session() as s:
        row = s.scalar(select(Assessment).where(Assessment.item_id == ITEM, Assessment.year == YEAR))
        s.commit()  # what desk A read, held in its view
        set_fields(b_desk, ITEM, YEAR, {"owner": "李强"}, user="李强")
        row.owner = "赵丽"
        with pytest.raises(StaleDataError):
            s.commit()
    with b_desk.session() as s:
        assert s.scalar(select(Assessment.owner).where(Assessment.item_id == ITEM, Assessment.year == YEAR)) == "李强"


@pytest.mark.postgres
def test_two_desks_writing_at_once_lose_nothing(two_desks):
    a_desk, b_desk = two_desks
    items = ["TT2020-01-01", "TT2020-01-02", "TT2020-02-01", "TT2020-03-01"]
    errors: list[BaseException] = []
    acked: list[str] = []
    barrier = threading.Barrier(2)

    def desk(store, who: str) -> None:  # noqa: ANN001
        try:
            barrier.wait(10)
            for i in range(10):
                for item in items:
                    # both desks write every item; a refusal names the other desk and is retried on fresh values
                    for _attempt in range(20):
                        try:
                            if set_fields(store, item, YEAR, {"note": f"{who}-{i}"}, user=who,
                                          seen_version=assessment_version(store, item, YEAR)):
                                acked.append(who)
                            break
                        except StaleEdit as e:
                            assert e.who in ("甲", "乙")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=desk, args=(a_desk, "甲")), threading.Thread(target=desk, args=(b_desk, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with a_desk.session() as s:
        logged = list(s.scalars(select(ChangeLog.user).where(ChangeLog.field == "note")))
    # every acknowledged save of either desk is in the change log, under its 操作人; nothing else is
    assert sorted(logged) == sorted(acked) and set(acked) == {"甲", "乙"}
    assert len(acked) == 2 * 10 * len(items)


@pytest.mark.postgres
def test_evidence_clean_up_on_one_desk_waits_for_another_desks_links(two_desks, tmp_path):
    """gc holds the evidence lock exclusively, an attach's transaction shares it: neither removes the other's file."""
    from sqlalchemy import text

    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.evidence import attach
    from fazhi_desk.store.backend import EVIDENCE_LOCK

    a_desk, b_desk = two_desks
    f = tmp_path / "签到表.pdf"
    f.write_bytes(b"%PDF sign-in sheet")
    done: list[object] = []
    with b_desk.engine.connect() as gc_conn:
        gc_conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": EVIDENCE_LOCK})  # clean-up under way
        t = threading.Thread(target=lambda: done.append(attach(JobContext(), a_desk, ITEM, YEAR, [f])))
        t.start()
        t.join(1.5)
        assert t.is_alive() and not done  # the links wait for the clean-up to finish
        gc_conn.commit()
    t.join(30)
    assert done and done[0].added


@pytest.mark.postgres
def test_one_desk_a_day_backs_the_server_store_up(two_desks, tmp_path):
    import datetime as dt

    from fazhi_desk.backup import verify_backup
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.paths import DataDir
    from fazhi_desk.services.location import server_daily_backup

    a_desk, b_desk = two_desks
    a_data, b_data = DataDir(tmp_path / "a").ensure(), DataDir(tmp_path / "b").ensure()
    day = dt.date(2026, 3, 2)
    first = server_daily_backup(JobContext(), a_data, a_desk, today=day)
    assert first is not None and verify_backup(JobContext(), first.backup.path)
    assert server_daily_backup(JobContext(), b_data, b_desk, today=day) is None  # another desk, the same day
    assert server_daily_backup(JobContext(), a_data, a_desk, today=day) is None
    assert not list(b_data.backups.glob("*.fzbak"))
    assert server_daily_backup(JobContext(), b_data, b_desk, today=day + dt.timedelta(days=1)) is not None
