"""The demo (演示数据): a batch as it looks the week before the deadline.

Everything is made through the paths a real year takes: each body's roster
is a filled copy of its own template, previewed and confirmed by its
contact through `preview` and `confirm`, and the officer's decisions go
through `decisions`, so whatever those paths record (warnings, events,
derived columns) the demo has too. The people are fictional and fixed by a
seed: names drawn from surname and given-name lists, identity numbers with
valid check digits.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from flask import Flask
from peewee import DatabaseError, fn

from ..intake import confirm as confirmation
from ..review import decisions, reconcile, results
from ..intake import preview
from ..db import db
from ..models import Applicant, Batch, Event, Extension, ListUpload, Org, Upload, User
from .provision import Refused, create_batch
from ..roster.batch import BatchSpec, for_year
from ..roster.idcard import check_character
from ..roster.workflow import APPROVED, REJECTED, WITHDRAWN
from ..intake.templates import token_for
from ..outputs import finalise as finalising

SEED = 2024
DAYS_BEFORE_DEADLINE = 7
HISTORY_DAYS = 20  # the uploads and decisions so far are spread over these days
WORKDAY_MINUTES = 9 * 60
# Bodies that have uploaded nothing yet (the dashboard shows them).
LAST_YEAR_REASON = "任职年限不足：取得中级职称未满5年"  # the demo's 不予推荐 of the year before
SILENT = ("下管镇", "岭南乡", "陈溪乡", "丁宅乡", "曹娥江旅游度假区")
# Applicants per uploading body, in the order of the body list (150 in all).
SIZES = (14, 12, 11, 10, 10, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7, 6)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕丁沈任姚卢钟姜崔谭陆范金石廖贾夏韦傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_MEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳亮成建国志文"
GIVEN_WOMEN = "芳娜敏静丽艳娟霞燕玲婷雪琳洁颖倩晶慧莹佳蕾悦梅红萍琴月欣怡璐瑶"
EMPLOYERS = ("化工", "新材料", "热电", "纺织", "印染", "机械", "电机", "光伏", "精细化工", "轴承",
             "电子", "环保科技", "软件", "阀门", "伞业", "医药化工")
SCHOOLS = ("浙江大学", "浙江工业大学", "浙江理工大学", "绍兴文理学院", "宁波大学", "中国计量大学", "杭州电子科技大学")
MAJORS = {"能源": "热能与动力工程", "材料": "材料科学与工程", "轻纺": "纺织工程", "石油和化学工程": "化学工程与工艺",
          "信息技术": "计算机科学与技术", "机电制造": "机械设计制造及其自动化"}
# What the officer decided on rows showing a warning of each rule, as
# (action, reason) in turn (None: not yet decided); rows without warnings
# cycle through CLEAN.
ON_WARNING = {
    "ce.short": [("return", "继续教育学时不足"), (None, None)],
    "notice.short": [("return", "单位公示不足5个工作日"), (None, None)],
    "breakthrough.score": [("reject", "学历资历不符且量化自评分不足120分"), (None, None)],
    "seniority.short": [("reject", "现职称年限不足"), (None, None), (None, None)],
    "post.unverified": [("return", "事业单位无相应岗位(评聘结合)"), (None, None)],
}
CLEAN = [("approve", None), ("approve", None), (None, None), ("approve", None), (None, None),
         ("withdraw", None), ("approve", None), ("return", "信息与证书不一致"), (None, None),
         ("approve", None), ("approve", None), (None, None), ("reject", "业绩超出截止时间"),
         ("approve", None)]
# Paper 评审表 copies received, by decision, in turn.
COPIES = {"approve": [3, 3, 2, 3, 0, 3, 1], None: [0, 3, 0, 1, 0, 2]}
EXISTING_DEMO = "演示数据已存在：{title}。如需重建，请运行 flask --app zcweb seed-demo --reset。"


def id_number(rng: random.Random, birth: dt.date, male: bool) -> str:
    area = rng.choice(("330604", "330604", "330682"))
    sequence = rng.randrange(10, 499) * 2 + (1 if male else 0)
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


@dataclass
class People:
    """The fictional applicants, made one by one from one random stream."""

    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    seen: set = field(default_factory=set)
    count: int = 0
    per_level: dict = field(default_factory=dict)  # level -> applicants so far, to use every specialty

    def name(self, male: bool) -> str:
        while True:
            given = GIVEN_MEN if male else GIVEN_WOMEN
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(self.rng.choice((1, 2))))
            if name not in self.seen:
                self.seen.add(name)
                return name

    def person(self, org: str, levels: dict[str, list[str]], flaw: str | None) -> dict:
        """One applicant's row as the contact types it; `flaw` makes one
        rule warn."""
        rng = self.rng
        self.count += 1
        male = rng.random() < 0.7
        senior = self.count % 4 == 0 and flaw in (None, "ce.short", "notice.short", "post.unverified")
        level = "正高级工程师" if senior else "高级工程师"
        specialties = levels[level]
        turn = self.per_level[level] = self.per_level.get(level, -1) + 1
        specialty = specialties[turn % len(specialties)]
        birth = dt.date(rng.randint(1968, 1990) - (6 if senior else 0), rng.randint(1, 12), rng.randint(1, 28))
        graduation = dt.date(birth.year + 22, 7, 1)
        title_year = rng.randint(max(graduation.year + 5, 2006), 2019 if senior else 2018)
        public = flaw == "post.unverified" or rng.random() < 0.15
        row = {
            "name": self.name(male), "sex": "男" if male else "女", "id_number": id_number(rng, birth, male),
            "birth_month": f"{birth:%Y-%m}",
            "employer": f"浙江上虞{org[:2]}{rng.choice(EMPLOYERS)}{'研究所' if public else '有限公司'}",
            "employer_type": "事业单位" if public else "企业",
            "education": rng.choice(("大学本科", "大学本科", "硕士研究生")), "school": rng.choice(SCHOOLS),
            "major": MAJORS[specialty], "graduation": f"{graduation:%Y-%m}", "work_start": f"{graduation:%Y-%m}",
            "current_title": "高级工程师" if senior else "工程师", "current_title_specialty": specialty,
            "current_title_date": f"{title_year}-12-{rng.randint(20, 30)}", "current_post": f"{specialty}技术管理",
            "level": level, "specialty": specialty, "route": "正常",
            "ce_2022": rng.choice((90, 96, 102, 120)), "ce_2023": rng.choice((90, 92, 96, 108)),
            "ce_2024": rng.choice((90, 96, 100)),
            "notice_start": "2024-08-26", "notice_end": rng.choice(("2024-08-30", "2024-09-02")),
            "phone": f"13{rng.randint(5, 9)}{rng.randint(0, 99999999):08d}",
        }
        row["degree"] = "硕士" if row["education"] == "硕士研究生" else "学士"
        if public:
            row["post_verified"] = "否" if flaw == "post.unverified" else "是"
        if flaw == "seniority.short":
            row["current_title_date"] = f"{rng.choice((2020, 2021, 2022))}-12-28"
        elif flaw == "breakthrough.score":
            row.update(education="大学专科", degree="无", route="破格", self_score=rng.randint(98, 118))
        elif flaw == "breakthrough.ok":
            row.update(education="大学专科", degree="无", route="破格", self_score=rng.randint(121, 140))
        elif flaw == "skills":
            row.update(education="大学专科", degree="无", route="高技能人才",
                       skill_level=f"高级技师 {rng.randint(2012, 2019)}-06")
        elif flaw == "ce.short":
            row[rng.choice(("ce_2022", "ce_2023", "ce_2024"))] = rng.choice((48, 60, 72, 84))
        elif flaw == "notice.short":
            row["notice_end"] = "2024-08-29"
        return row


# Flaws handed out over the 150 applicants (the rest have none).
FLAWS = (["seniority.short"] * 9 + ["breakthrough.score"] * 5 + ["breakthrough.ok"] * 4 + ["skills"] * 3
         + ["ce.short"] * 9 + ["notice.short"] * 7 + ["post.unverified"] * 6)


def rosters(levels: dict[str, list[str]], bodies: list[str]) -> dict[str, list[dict]]:
    """Each uploading body's rows, fixed by the seed."""
    people = People()
    total = sum(SIZES)
    flaws = FLAWS + [None] * (total - len(FLAWS))
    people.rng.shuffle(flaws)
    rows, start = {}, 0
    for body, size in zip(bodies, SIZES):
        rows[body] = [people.person(body, levels, flaw) for flaw in flaws[start:start + size]]
        start += size
    # The same person sent by two bodies (he moved jobs in the summer).
    first, second = bodies[2], bodies[7]
    moved = dict(rows[first][0], employer=f"浙江上虞{second[:2]}机械有限公司")
    rows[second].append(moved)
    return rows


def refuse_unless_demo_only() -> None:
    real = [b.title for b in Batch.select().where(Batch.is_demo == False)]  # noqa: E712
    if real:
        raise Refused(
            f"数据库中已有正式批次（{'、'.join(real)}），为免演示数据与正式数据混在一起，不生成演示数据。"
            "请另设 ZCWEB_DATABASE_URL 或 ZCWEB_INSTANCE_PATH，在单独的数据库中运行 seed-demo。")


def remove(batch: Batch) -> None:
    """The demo batch and everything recorded under it."""
    batch.delete_instance(recursive=True, delete_nullable=True)


def build(spec: BatchSpec, bodies: list[tuple[Org, User]], officer: User) -> Batch:
    """The demo batch, filled through the import and the officer's
    decisions; `bodies` are (body, its contact) in list order."""
    from ..roster.template import build_template, template_filename

    with db.atomic():
        batch = create_batch(spec, is_demo=True)
    contacts = dict(bodies)  # body -> its contact
    uploading = [org for org, _ in bodies if org.name not in SILENT]
    by_name = {org.name: org for org in uploading}
    planned = rosters(spec.levels, [org.name for org in uploading])

    def send(org: Org, rows: list[dict], confirm: bool = True, filename: str | None = None,
             token_org: Org | None = None) -> Upload:
        data = build_template(batch.schema, spec, org_name=org.name, token=token_for(batch, token_org or org),
                              rows=[{"seq": n, **row} for n, row in enumerate(rows, start=1)], prepared_rows=50)
        upload = preview.create_preview(batch, org, contacts[org], filename or template_filename(spec, org.name),
                                         data)
        if confirm and upload.status == Upload.PREVIEW:
            confirmation.confirm(upload, contacts[org])
        return upload

    desk = _Desk(officer, {org.id: contact for org, contact in bodies})
    for index, org in enumerate(uploading):
        rows = planned[org.name]
        if index == 0:
            # A first file with mistakes (only its good rows go in), then the corrected one.
            number = rows[0]["id_number"]
            wrong = number[:17] + ("1" if number[17] == "0" else "0")
            bad = [dict(rows[0], id_number=wrong), *rows[1:-2], dict(rows[-2], phone="")]
            send(org, bad, filename="花名册（初稿）.xlsx")
        elif index == 1:
            # Another body's template: refused as a whole, kept in the history.
            send(org, rows, filename="花名册.xlsx", token_org=uploading[0])
        elif index % 4 == 2:
            send(org, rows[: len(rows) // 2], filename="花名册（第一批）.xlsx")
        send(org, rows)
        desk.review(batch, org)
    # A preview the contact has not confirmed yet: a new phone number and two more people.
    late = uploading[3]
    extra = People(rng=random.Random(SEED + 1))
    send(late, [dict(planned[late.name][0], phone="13905750000"), *planned[late.name][1:],
                *(extra.person(late.name, spec.levels, None) for _ in range(2))],
         confirm=False, filename="花名册（补充两人）.xlsx")
    _extension(batch, by_name["章镇镇"], spec.upload_deadline + dt.timedelta(days=7), officer)
    _province_lists(batch, officer)
    _spread_in_time(batch)
    return batch


def last_year(batch: Batch, officer: User) -> Batch:
    """The year before `batch`, so that history shows: a third of this
    year's people applied then too; the officer recommended most of them
    (the rest 不予推荐 with a reason), finalised, and loaded the 高评委's
    passed-only result list, by name and employer, through `results`."""
    spec = for_year(batch.spec, batch.year - 1)
    spec.title = spec.title.replace("（演示数据）", "") + "（演示数据）"
    earlier = create_batch(spec, is_demo=True)
    people = (Applicant.select().where((Applicant.batch == batch) & (Applicant.status != WITHDRAWN))
              .order_by(Applicant.id))
    passed = []
    for index, a in enumerate(people):
        if index % 3:
            continue
        rejected = index % 9 == 3
        Applicant.create(batch=earlier, org=a.org_id, id_number=a.id_number, name=a.name, data=a.data,
                         position=index, status=REJECTED if rejected else APPROVED,
                         reason=LAST_YEAR_REASON if rejected else None)
        if index % 9 == 6:
            passed.append(a)
    finalising.finalise(earlier, officer, day=spec.upload_deadline + dt.timedelta(days=3))
    csv = "\r\n".join(["序号,姓名,工作单位,评审专业"] + [f"{n},{a.name},{a.employer},{a.specialty}"
                                                     for n, a in enumerate(passed, start=1)])
    results.load_results(earlier, officer, f"{earlier.year}年度高级工程师评审通过人员名单.csv", csv.encode("gbk"))
    return earlier


def _spread_in_time(batch: Batch) -> None:
    """Everything above happened within seconds: spread the events, in
    their order, over the weeks before today, and date the uploads and
    applicants by their events, so the history reads like a real run-up."""
    first_day = dt.date.today() - dt.timedelta(days=HISTORY_DAYS)
    ids = [e.id for e in Event.select(Event.id).where(Event.batch == batch).order_by(Event.id)]
    step = HISTORY_DAYS * WORKDAY_MINUTES / max(len(ids), 1)  # office hours, 8:30 to 17:30
    with db.atomic():
        for index, event_id in enumerate(ids):
            day, minute = divmod(int(index * step), WORKDAY_MINUTES)
            at = dt.datetime.combine(first_day + dt.timedelta(days=day), dt.time(8, 30)) + dt.timedelta(
                minutes=minute, seconds=index % 60)
            Event.update(at=at).where(Event.id == event_id).execute()
        of_upload = Event.select(fn.MIN(Event.at)).where(Event.upload == Upload.id)
        Upload.update(created_at=of_upload).where(Upload.batch == batch).execute()
        of_upload = Event.select(fn.MAX(Event.at)).where(Event.upload == Upload.id)
        Upload.update(decided_at=of_upload).where((Upload.batch == batch) & Upload.decided_at.is_null(False)).execute()
        imported = Upload.select(Upload.decided_at).where(Upload.id == Applicant.upload)
        Applicant.update(created_at=imported, updated_at=imported).where(Applicant.batch == batch).execute()
        decided = Event.select(fn.MAX(Event.at)).where(Event.applicant == Applicant.id)
        in_batch = (Applicant.batch == batch) & Applicant.id.in_(Event.select(Event.applicant))
        Applicant.update(updated_at=decided).where(in_batch).execute()
        Applicant.update(reviewed_at=decided).where(in_batch & Applicant.reviewed_at.is_null(False)).execute()
        Batch.update(created_at=dt.datetime.combine(first_day, dt.time(8, 30))).where(Batch.id == batch.id).execute()


def _province_lists(batch: Batch, officer: User) -> None:
    """The province's two lists as the officer downloads and uploads them
    (`reconcile`): a few applicants have not applied online, two applied
    online through no body, one gave another specialty online, and the
    registered hours of some fall short of what their roster says."""
    applicants = list(Applicant.select().where((Applicant.batch == batch) & (Applicant.status != WITHDRAWN))
                      .order_by(Applicant.org, Applicant.position))
    extra = People(rng=random.Random(SEED + 2))
    unreported = [extra.person("百官街道", batch.spec.levels, None) for _ in range(2)]
    platform = [["姓名", "身份证号码", "申报级别", "申报专业", "工作单位", "申报状态"]]
    for index, values in enumerate([a.data for a in applicants] + unreported):
        if index % 30 == 29:
            continue  # not applied online
        specialty = values["specialty"]
        if index == 10:
            specialty = next(s for s in batch.spec.levels[values["level"]] if s != specialty)
        platform.append([values["name"], values["id_number"], values["level"], specialty, values["employer"], "已提交"])
    registry = [["身份证号码", "姓名", "年度", "总学时", "专业科目学时"]]
    for index, a in enumerate(applicants):
        for year in batch.spec.ce_years:
            hours = a.data.get(f"ce_{year}") or 0
            if index % 20 == 7 and year == 2024:
                hours -= 24  # registered fewer than the roster says
            registry.append([a.id_number, a.name, year, hours, min(hours, 64)])
    for kind, rows, filename in ((ListUpload.PLATFORM, platform, "职称平台申报名单.xlsx"),
                                 (ListUpload.REGISTRY, registry, "继续教育学时登记.xlsx")):
        reconcile.load_list(batch, kind, officer, filename, _workbook(rows))


def _workbook(rows: list[list]) -> bytes:
    """A plain one-sheet workbook, as the province's systems export."""
    from ..roster.sheets import stream_workbook, to_bytes
    book = stream_workbook()
    sheet = book.create_sheet("Sheet1")
    for row in rows:
        sheet.append(row)
    return to_bytes(book)


def _extension(batch: Batch, org: Org, until: dt.date, officer: User) -> None:
    reason = "镇公示延后，经分管领导同意"
    with db.atomic():
        Extension.create(batch=batch, org=org, until=until, reason=reason)
        Event.record(officer, "batch.extension", batch=batch, org=org,
                     after={"until": until.isoformat(), "reason": reason},
                     detail=f"{org.name} 延期至 {until.isoformat()}（{reason}）")


class _Desk:
    """The officer's work so far: decisions by each row's warnings, a few
    rows withdrawn by their contact, paper forms ticked off, each rule's
    and the clean rows' choices taken in turn across the bodies."""

    def __init__(self, officer: User, contacts: dict[int, User]):
        self.officer, self.contacts = officer, contacts
        self.turns = dict.fromkeys([*ON_WARNING, None, "copies"], 0)

    def _next(self, key, choices: list):
        self.turns[key] += 1
        return choices[(self.turns[key] - 1) % len(choices)]

    def review(self, batch: Batch, org: Org) -> None:
        applicants = list(Applicant.select().where((Applicant.batch == batch) & (Applicant.org == org))
                          .order_by(Applicant.position, Applicant.id))  # the order of the file
        submitted = Applicant.submitted_by(batch, [a.id_number for a in applicants])
        for applicant in applicants:
            if len(submitted[applicant.id_number]) > 1:
                continue  # sent by two bodies: left for the officer to sort out
            rules = [w["rule"] for w in applicant.warnings or ()]
            rule = next((r for r in ON_WARNING if r in rules), None)
            action, reason = self._next(rule, ON_WARNING[rule] if rule else CLEAN)
            if action == "withdraw":
                applicant = decisions.decide(applicant, self.contacts[applicant.org_id], action, None,
                                             applicant.version)
            elif action:
                applicant = decisions.decide(applicant, self.officer, action, reason, applicant.version)
            if action in COPIES:
                copies = self._next("copies", COPIES[action])
                if copies:
                    decisions.set_copies(applicant, self.officer, copies, applicant.version)


def init_app(app: Flask) -> None:
    @app.context_processor
    def demo_banner():
        """`demo_batch` for the banner every page shows over demo data."""
        try:
            batch = Batch.current()
        except DatabaseError:  # no schema yet: the page says what to run
            return {"demo_batch": None}
        return {"demo_batch": batch if batch is not None and batch.is_demo else None}
