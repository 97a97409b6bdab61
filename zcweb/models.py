"""The stored records: batches, bodies, users, applicants, uploads, events.

Roster values live in `Applicant.data` (JSON by column key) so that a column
added to the roster definition needs no schema migration.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson

from flask_login import UserMixin
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Node,
    TextField,
)
from playhouse import signals
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db
from .roster import workflow
from .roster.batch import BatchSpec
from .roster.schema import load_schema


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def to_json(value) -> str:
    """Compact UTF-8 JSON text (orjson: a large import encodes every row)."""
    return orjson.dumps(value).decode()


class JSONField(TextField):
    """JSON in a text column (works the same on SQLite and PostgreSQL)."""

    def db_value(self, value):
        return None if value is None else to_json(value)

    def python_value(self, value):
        return None if value is None else orjson.loads(value)


class BaseModel(signals.Model):
    """Saving a row through the model sends playhouse's post_save (zcweb/marks.py listens)."""

    class Meta:
        database = db
        legacy_table_names = False


class Batch(BaseModel):
    """申报批次: one year's call, its rules as data (`settings`)."""

    year = IntegerField(unique=True)
    title = TextField()
    settings = JSONField()
    is_open = BooleanField(default=True)
    is_demo = BooleanField(default=False)
    finalised_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)

    @property
    def spec(self) -> BatchSpec:
        return BatchSpec.from_dict(self.settings)

    @property
    def schema(self):
        return load_schema(self.settings["template"])

    @classmethod
    def current(cls) -> "Batch | None":
        """The batch the pages show: the newest open one, else the newest."""
        return cls.select().order_by(cls.is_open.desc(), cls.year.desc()).first()


class Org(BaseModel):
    """报送单位: a township, department or zone that submits rosters."""

    KINDS = ("街道", "镇", "乡", "部门", "其他")

    name = TextField(unique=True)
    kind = TextField(default="其他")
    sort_order = IntegerField(default=0)
    aliases = JSONField(default=list)
    active = BooleanField(default=True)

    @classmethod
    def ordered(cls):
        return cls.select().order_by(cls.sort_order, cls.id)

    def save(self, *args, **kwargs):
        saved = super().save(*args, **kwargs)
        # Each applicant row keeps its body's order for the review list.
        (Applicant.update(org_order=self.sort_order)
         .where((Applicant.org == self.id) & (Applicant.org_order != self.sort_order)).execute())
        return saved

    @classmethod
    def by_name(cls, name: str) -> "Org | None":
        """A body by its name or one of its old names (崧厦镇 → 崧厦街道)."""
        name = (name or "").strip()
        found = cls.get_or_none(cls.name == name)
        if found:
            return found
        return next((o for o in cls.select() if name in (o.aliases or [])), None)


class User(UserMixin, BaseModel):
    """An officer of the bureau or a contact (联络员) of one body."""

    OFFICER, CONTACT = "officer", "contact"
    ROLES = {OFFICER: "经信局经办人", CONTACT: "报送单位联络员"}

    username = TextField(unique=True)
    display_name = TextField()
    role = CharField()
    org = ForeignKeyField(Org, null=True, backref="users", on_delete="RESTRICT")
    password_hash = CharField()
    phone = TextField(default="")
    active = BooleanField(default=True)
    must_change_password = BooleanField(default=False)
    # A temporary password (new account, reset) logs in once, until then;
    # None once used.
    temporary_until = DateTimeField(null=True)
    created_at = DateTimeField(default=now)
    # Part of the id kept in the session cookie: bumped by logout, a password
    # change or reset, so that every cookie issued before stops working.
    session_version = IntegerField(default=1)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return bool(self.active) and (self.org_id is None or self.org.active)

    @property
    def is_officer(self) -> bool:
        return self.role == self.OFFICER

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class Extension(BaseModel):
    """A body's later upload deadline for one batch (延期报送)."""

    batch = ForeignKeyField(Batch, on_delete="CASCADE")
    org = ForeignKeyField(Org, on_delete="CASCADE")
    until = DateField()
    reason = TextField(default="")

    class Meta:
        indexes = ((("batch", "org"), True),)


class KeptFile(BaseModel):
    """A file kept byte for byte as it came in or went out: its name, size,
    sha256 and bytes (an uploaded roster or list, a finalised roster)."""

    filename = TextField()
    size = IntegerField()
    sha256 = CharField(max_length=64)
    content = BlobField()

    @staticmethod
    def kept(filename: str, data: bytes) -> dict:
        """The fields that keep `data` under `filename`."""
        return {"filename": (filename or "未命名文件")[:200], "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "content": data}


class Upload(KeptFile):
    """One uploaded file, kept with its bytes and its outcome."""

    PREVIEW, CONFIRMED, CANCELLED, REFUSED = "preview", "confirmed", "cancelled", "refused"
    STATUS_LABELS = {PREVIEW: "待确认", CONFIRMED: "已导入", CANCELLED: "已取消", REFUSED: "被拒收"}

    batch = ForeignKeyField(Batch, backref="uploads", on_delete="RESTRICT")
    org = ForeignKeyField(Org, backref="uploads", on_delete="RESTRICT")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=now)
    status = CharField(default=PREVIEW)
    message = TextField(null=True)
    summary = JSONField(null=True)
    preview = JSONField(null=True)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)


class UploadRow(BaseModel):
    """One row of an uploaded file as the preview found it: its cleaned
    values (already the JSON an applicant keeps), findings and outcome.
    Kept in a table so that a file of tens of thousands of rows is written
    and confirmed in SQL, and shown a page at a time."""

    # Indexed below together with id_number; a second index on upload_id
    # alone would only slow down writing a large preview.
    upload = ForeignKeyField(Upload, backref="rows", on_delete="CASCADE", index=False)
    row = IntegerField()
    id_number = CharField(max_length=40, null=True)
    name = TextField(default="")
    data = TextField()
    findings = JSONField(null=True)
    warnings = TextField(default="[]")
    has_error = BooleanField(default=False)
    outcome = CharField()
    changes = JSONField(null=True)
    status = CharField(null=True)
    # Applicant.INDEXED_VALUES of `data`, worked out by the preview, so that
    # the confirm copies columns instead of reading each row's JSON four times.
    level = TextField(default="")
    specialty = TextField(default="")
    route = TextField(default="")
    employer = TextField(default="")

    class Meta:
        indexes = ((("upload", "id_number"), False),)

    @property
    def values(self) -> dict:
        return orjson.loads(self.data)


class Applicant(BaseModel):
    """申报人: one row of a body's roster in a batch."""

    batch = ForeignKeyField(Batch, backref="applicants", on_delete="RESTRICT")
    org = ForeignKeyField(Org, backref="applicants", on_delete="RESTRICT")
    id_number = CharField(max_length=18)
    name = TextField()
    data = JSONField()
    warnings = JSONField(default=list)
    status = CharField(default=workflow.PENDING)
    reason = TextField(null=True)
    result = CharField(null=True)  # the 高评委's result of a 已推荐 row: results.PASSED / FAILED, None: not out
    version = IntegerField(default=1)
    copies = IntegerField(default=0)
    position = IntegerField(default=0)
    reviewer = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    reviewed_at = DateTimeField(null=True)
    # The upload that last wrote the row. Only a confirm inserts a row with
    # one: the insert triggers leave such a row to the confirm, which adds
    # it to the search table and the counts itself (migration 0014).
    upload = ForeignKeyField(Upload, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)
    # Copies of values in `data` and of the body's sort order, kept in
    # indexed columns so that the review list filters, sorts and pages in
    # the index instead of reading every row's JSON.
    level = CharField(default="")
    specialty = CharField(default="")
    route = CharField(default="")
    employer = TextField(default="")
    org_order = IntegerField(default=0)

    INDEXED_VALUES = ("level", "specialty", "route", "employer")
    # The 提示 filter and the earlier years' filters read the rows' marks (ApplicantMark, zcweb/marks.py).

    class Meta:
        indexes = (
            (("batch", "org", "id_number"), True),
            (("batch", "id_number"), False),
            # a status in the default order; among 已推荐, 评审通过 / 未通过 / 未出结果 by the result
            (("batch", "status", "org_order", "org", "position", "id", "result"), False),
            (("batch", "org_order", "org", "position", "id"), False),  # the default order
            (("batch", "org", "status", "position", "id", "copies"), False),  # a body's rows by status, in order
            (("batch", "level", "specialty"), False),
            (("batch", "route"), False),
            # a name search of one or two characters, scanned alone (listing.named)
            (("batch", "name", "status", "org_order", "org", "position", "id"), False),
            (("batch", "employer"), False),
            (("batch", "updated_at"), False),
            (("id_number",), False),  # history across batches
            (("batch", "result"), False),
            (("batch", "level", "org_order", "org", "position", "id"), False),  # a level in the default order
        )

    @classmethod
    def indexed_values(cls, data: dict) -> dict:
        """The indexed columns' values for roster values `data`."""
        return {key: str(data.get(key) or "") for key in cls.INDEXED_VALUES}

    def save(self, *args, **kwargs):
        for key, value in self.indexed_values(self.data or {}).items():
            setattr(self, key, value)
        org = Org.get_or_none(Org.id == self.org_id)  # none: the foreign key refuses the row
        if org:
            self.org_order = org.sort_order
        return super().save(*args, **kwargs)

    @property
    def status_label(self) -> str:
        return workflow.label(self.status)

    @classmethod
    def submitted_by(cls, batch, id_numbers=None) -> dict[str, set[str]]:
        """id number → names of the bodies that submitted it in `batch`
        (withdrawn rows aside), for the same person sent by two bodies."""
        query = (cls.select(cls.id_number, Org.name).join(Org)
                 .where((cls.batch == batch) & (cls.status != workflow.WITHDRAWN)))
        if id_numbers is not None:
            query = query.where(cls.id_number.in_(list(id_numbers)))
        found: dict[str, set[str]] = {}
        for id_number, name in query.tuples():
            found.setdefault(id_number, set()).add(name)
        return found

    def other_bodies(self, submitted: dict[str, set[str]]) -> list[str]:
        return sorted(submitted.get(self.id_number, set()) - {self.org.name})


class ApplicantCount(BaseModel):
    """How many applicants share a (batch, body, level, specialty, status,
    评审表 copies received), kept by database triggers on `applicant`
    (migration 0003_b) so that every writer, SQL included, keeps them true,
    except for the rows a confirm inserts, which it counts itself with one
    grouped statement (a row inserted with an upload is not counted by the
    trigger: migration 0014): counts and sums for lists and the home page
    without scanning the batch (a few thousand rows at most, whatever the
    number of applicants)."""

    batch = ForeignKeyField(Batch, on_delete="CASCADE", index=False)
    org = ForeignKeyField(Org, on_delete="CASCADE", index=False)
    level = CharField()
    specialty = CharField()
    status = CharField()
    copies = IntegerField()
    applicants = IntegerField(default=0)

    class Meta:
        indexes = ((("batch", "org", "level", "specialty", "status", "copies"), True),)


class ApplicantMark(BaseModel):
    """A mark of an applicant row for the review filters (zcweb/marks.py):
    a warning rule the desk shows on it, any or none, or an earlier
    year's record. The row's status, body and place in the default order
    are copied alongside, kept by a trigger (migration 0015), so that one
    index range gives a filter's page and its counts per status."""

    applicant = ForeignKeyField(Applicant, on_delete="CASCADE", index=False)
    mark = CharField()
    batch = ForeignKeyField(Batch, on_delete="CASCADE", index=False)
    status = CharField()
    org = ForeignKeyField(Org, on_delete="CASCADE", index=False)
    org_order = IntegerField()
    position = IntegerField()

    class Meta:
        primary_key = CompositeKey("applicant", "mark")
        indexes = ((("batch", "mark", "org_order", "org", "position", "applicant", "status"), False),
                   (("batch", "mark", "status", "org"), False))  # counts per status (of a body)


class Event(BaseModel):
    """The audit trail: who did what, when, with the values before and after."""

    at = DateTimeField(default=now)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = CharField()
    batch = ForeignKeyField(Batch, null=True, on_delete="CASCADE")
    org = ForeignKeyField(Org, null=True, on_delete="SET NULL")
    applicant = ForeignKeyField(Applicant, null=True, on_delete="CASCADE", backref="events")
    upload = ForeignKeyField(Upload, null=True, on_delete="SET NULL")
    before = JSONField(null=True)
    after = JSONField(null=True)
    detail = TextField(default="")
    address = CharField(max_length=64, null=True)  # the client's IP, for logins

    class Meta:
        indexes = ((("action", "at"), False),)

    @classmethod
    def record(cls, user, action: str, **fields) -> "Event":
        return cls.create(user=user, action=action, **fields)


class PreviewEdit(BaseModel):
    """A cell of an upload's preview corrected in the browser (在线更正):
    the file's bytes stay as uploaded, the correction is kept beside them."""

    upload = ForeignKeyField(Upload, backref="edits", on_delete="CASCADE")
    row = IntegerField()
    column = CharField()
    old_value = TextField(null=True)
    new_value = TextField(default="")
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = DateTimeField(default=now)


class ListUpload(KeptFile):
    """A list exported from a provincial system (外部名单): the platform's
    applications (职称管理服务平台) or the CE-hours registry (继续教育学时
    登记), kept like a roster upload; the newest accepted one of each kind
    is `current` for the batch."""

    PLATFORM, REGISTRY, RESULTS = "platform", "registry", "results"
    KIND_LABELS = {PLATFORM: "职称平台申报名单", REGISTRY: "继续教育学时登记名单", RESULTS: "高评委评审结果"}
    CURRENT, REPLACED, REFUSED = "current", "replaced", "refused"
    STATUS_LABELS = {CURRENT: "使用中", REPLACED: "已被新名单替换", REFUSED: "被拒收"}

    batch = ForeignKeyField(Batch, on_delete="CASCADE")
    kind = CharField()
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=now)
    status = CharField(default=CURRENT)
    message = TextField(null=True)
    rows = IntegerField(default=0)

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)

    @classmethod
    def current(cls, batch) -> dict[str, "ListUpload"]:
        """The batch's current list of each kind."""
        query = cls.select().where((cls.batch == batch) & (cls.status == cls.CURRENT))
        return {entry.kind: entry for entry in query}

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)


class ListRow(BaseModel):
    """One person of an external list, by identity number: the platform's
    columns, or the registry's hours by year."""

    list = ForeignKeyField(ListUpload, backref="entries", on_delete="CASCADE", index=False)
    id_number = CharField(max_length=18)
    data = JSONField()

    class Meta:
        indexes = ((("list", "id_number"), False),)

    @classmethod
    def by_number(cls, entry: ListUpload, numbers=None) -> dict[str, dict]:
        """The list's people by identity number (only `numbers`, when given)."""
        query = cls.select(cls.id_number, cls.data).where(cls.list == entry)
        if numbers is not None:  # a collection, or a subquery
            query = query.where(cls.id_number.in_(numbers if isinstance(numbers, Node) else list(numbers)))
        return {number: orjson.loads(values) for number, values in db.execute(query)}  # a whole list: 100,000 rows


class FinalRoster(KeptFile):
    """定稿上报: the exact official roster produced when a batch was
    finalised, kept to be downloaded again ever after."""

    batch = ForeignKeyField(Batch, backref="final_rosters", on_delete="RESTRICT")
    created_at = DateTimeField(default=now)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    rows = IntegerField(default=0)

    @classmethod
    def latest(cls, batch) -> "FinalRoster | None":
        return cls.select().where(cls.batch == batch).order_by(cls.created_at.desc(), cls.id.desc()).first()


MODELS = [Batch, Org, User, Extension, Upload, UploadRow, Applicant, ApplicantCount, ApplicantMark, Event, PreviewEdit,
          ListUpload, ListRow, FinalRoster]
