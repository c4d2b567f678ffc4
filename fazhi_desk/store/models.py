"""SQLAlchemy ORM models: the schema of the local store (owned by the Alembic migrations).

Identity and wording are separate: an :class:`ItemRow` is the stable 编号; each
catalogue version's wording of it is an :class:`ItemRevision`. An
:class:`Assessment` is one item in one year, linked to the revision it was made
under, so a past year keeps the text it was assessed against.

The models describe the newest migration's schema exactly (a new store is made
from them; a test compares it with a migrated one): a column added here needs its
migration, in the same order. Timestamps are :class:`~fazhi_desk.store.types.Timestamp`
(UTC in the database); ``String(n)`` is at least as long as what the services accept.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fazhi_desk.store.types import Timestamp

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Profile(Base):
    """The office profile (one row, id = 1)."""

    __tablename__ = "profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_name: Mapped[str] = mapped_column(String(200), default="")  # 乡镇/街道 name
    county: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")  # 法制办联系人
    phone: Mapped[str] = mapped_column(String(200), default="")
    # 适用文件: JSON list of the 文件代码 that bind this office; "" = not chosen yet (every document counts)
    binding_documents: Mapped[str] = mapped_column(Text, default="", server_default="")
    leader: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 单位负责人
    deputy: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 分管领导
    preparer: Mapped[str] = mapped_column(String(200), default="", server_default="")  # 填报人


class Document(Base):
    """来源文件 as currently installed (the latest imported catalogue version)."""

    __tablename__ = "document"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    doc_number: Mapped[str] = mapped_column(String(5000), default="")
    issuer: Mapped[str] = mapped_column(String(5000), default="")
    date: Mapped[dt.date] = mapped_column(Date)
    source_text: Mapped[str] = mapped_column(String(5000), default="")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_version.id", use_alter=True), nullable=True
    )
    term_start: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 施行期限 (current version's)
    term_end: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CatalogueVersion(Base):
    """One imported version of one document's catalogue (the version history)."""

    __tablename__ = "catalogue_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_code: Mapped[str] = mapped_column(ForeignKey("document.code"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text, default="")
    doc_number: Mapped[str] = mapped_column(String(5000), default="")
    issuer: Mapped[str] = mapped_column(String(5000), default="")
    date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")  # JSON list of strings
    source_file: Mapped[str] = mapped_column(Text, default="")  # file it came from ("内置" for bundled)
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # e.g. "新增 3,修改 2,退役 1"


class ItemRow(Base):
    """检查事项 identity: the stable 编号 and its current state."""

    __tablename__ = "item"
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_code: Mapped[str] = mapped_column(ForeignKey("document.code"), index=True)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("item_revision.id", use_alter=True), nullable=True
    )
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    retired_in_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_version.id"), nullable=True
    )
    retired_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)  # 条文已更新,请复核

    current_revision: Mapped["ItemRevision | None"] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )


class ItemRevision(Base):
    """One catalogue version's wording of an item."""

    __tablename__ = "item_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalogue_version.id"), index=True)
    chapter: Mapped[str] = mapped_column(Text, default="")
    section: Mapped[str] = mapped_column(Text, default="")
    article_no: Mapped[int] = mapped_column(Integer, default=0)
    article_title: Mapped[str] = mapped_column(Text, default="")
    requirement: Mapped[str] = mapped_column(Text, default="")
    source_passage: Mapped[str] = mapped_column(Text, default="")
    lead_units: Mapped[str] = mapped_column(Text, default="")
    participating_units: Mapped[str] = mapped_column(Text, default="")
    applies_to_township: Mapped[bool] = mapped_column(Boolean, default=True)
    cycle: Mapped[str] = mapped_column(String(10))
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_max: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(5000), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    evidence_hint: Mapped[str] = mapped_column(Text, default="")
    first_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    township_role: Mapped[str] = mapped_column(String(10), default="", server_default="")  # 乡镇角色; "" = from applies_to_township
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # 分值 in a 考核 table
    measure: Mapped[str] = mapped_column(Text, default="", server_default="")  # 计量方式: 逐次登记 or ""


class Assessment(Base):
    """An item's assessment in one year (item × year)."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("item_id", "year"), Index("ix_assessment_year", "year"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"))
    year: Mapped[int] = mapped_column(Integer)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("item_revision.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="未开始")
    actual: Mapped[float | None] = mapped_column(Float, nullable=True)
    owner: Mapped[str] = mapped_column(String(5000), default="")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    na_reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    # Raised on every write, checked by it (version_id_col): a desk whose row was changed by another
    # desk since it read it gets StaleDataError instead of overwriting (migration 0009).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class ChangeLog(Base):
    """变更记录: who changed which field of which assessment (or catalogue), when."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    user: Mapped[str] = mapped_column(String(200), default="")
    item_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")


class EvidenceFile(Base):
    """A stored evidence file, content-addressed by SHA-256."""

    __tablename__ = "evidence_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(200), default="")
    stored_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class EvidenceLink(Base):
    """An evidence file attached to an assessment, under the name it had."""

    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("assessment_id", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_file.sha256"), index=True)
    original_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    doc_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    file_mtime: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    added_by: Mapped[str] = mapped_column(String(200), default="")


class Setting(Base):
    """Small key/value settings that belong with the data (not with the PC)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class AnnualReport(Base):
    """A year's written report (年度报告): its 报送日期 (the sections are :class:`AnnualSection`)."""

    __tablename__ = "annual_report"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    submit_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # 报送日期
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class AnnualSection(Base):
    """One section of a year's written report: the user's text and the draft the program last assembled."""

    __tablename__ = "annual_section"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    draft: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class IndicatorRow(Base):
    """A statistics indicator defined by a catalogue file (the default set lives in domain.statistics)."""

    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    doc_code: Mapped[str] = mapped_column(String(16), default="")  # the catalogue that defined it
    name: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(5000), default="")
    category: Mapped[str] = mapped_column(String(5000), default="")
    items: Mapped[str] = mapped_column(Text, default="")  # item ids it proves, comma-separated
    linked_item: Mapped[str] = mapped_column(String(64), default="")  # item whose 实际值 is this figure
    sort_key: Mapped[int] = mapped_column(Integer, default=0)


class StatisticValue(Base):
    """An indicator's figure in a year (a linked indicator keeps its figure in the item's 实际值 instead)."""

    __tablename__ = "statistic_value"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class EvidenceTrash(Base):
    """回收站: an evidence link that was removed, with everything needed to put it back (kept 30 days).

    No foreign key to ``evidence_file``: clean-up deletes that row and moves the file to
    ``evidence/.trash/``, from where a restore takes it back.
    """

    __tablename__ = "evidence_trash"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(200), default="")
    item_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    doc_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    file_mtime: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    added_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    added_by: Mapped[str] = mapped_column(String(200), default="")
    removed_at: Mapped[dt.datetime] = mapped_column(Timestamp, index=True)
    removed_by: Mapped[str] = mapped_column(String(200), default="")


class ActivityRow(Base):
    """活动记录: one session of counted work (a 集中学法, a 培训, a 讲座) for an item in a year.

    Once an item has sessions in a year, the assessment's 实际值 is their total
    (:func:`fazhi_desk.domain.activity.total`), kept in step by the activity service.
    """

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_item_year", "item_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"))
    year: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[str] = mapped_column(Text, default="")  # 主讲/参加人员
    quantity: Mapped[float] = mapped_column(Float, default=1.0)  # 1, or hours (学时), or attendance (人次)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)


class ActivityEvidence(Base):
    """An evidence link (under the item and year) that belongs to one session (签到表, 照片 of that day)."""

    __tablename__ = "activity_evidence"
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("evidence_link.id", ondelete="CASCADE"), primary_key=True)


class YearSubmission(Base):
    """报送: a year's return as sent to the county, its figures frozen (kind 报送), or sent again after an
    edit with a reason (kind 更正, naming the return it corrects)."""

    __tablename__ = "year_submission"
    __table_args__ = (Index("ix_year_submission_year", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    export_id: Mapped[str] = mapped_column(Text)  # 导出编号 of the return sent
    kind: Mapped[str] = mapped_column(Text)  # 报送 / 更正
    previous_export_id: Mapped[str] = mapped_column(Text, default="")  # the return a 更正 replaces
    reason: Mapped[str] = mapped_column(Text, default="")  # why a sealed year was changed
    figures: Mapped[str] = mapped_column(Text, default="")  # JSON: the year's tally and each item's state
    submitted_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    submitted_by: Mapped[str] = mapped_column(Text, default="")


class PriorWork(Base):
    """An office's one answer for a one-time item due before its 开始使用年度: 以前年度已完成 or 仍需完成."""

    __tablename__ = "prior_work"
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), primary_key=True)
    choice: Mapped[str] = mapped_column(Text)  # domain.completion.Prior value
    due_year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 仍需完成: the year it falls due
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    decided_by: Mapped[str] = mapped_column(Text, default="")


class CarriedField(Base):
    """A field carry-forward copied from an earlier year (沿用自2025年), until someone edits it."""

    __tablename__ = "carried_field"
    item_id: Mapped[str] = mapped_column(ForeignKey("item.item_id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(Text, primary_key=True)
    from_year: Mapped[int] = mapped_column(Integer)
