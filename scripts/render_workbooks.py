"""Pictures of the generated workbooks, to look at them as a contact would.

Writes the 2024 template for 百官街道 (empty, and a copy pre-filled with
three example rows, review info and error marks), the official 推荐人员汇总表
of forty people, the archive, a body's feedback and the 评审表 checklist,
turns each into a PDF with LibreOffice and each PDF page into a PNG:

    .venv/bin/python scripts/render_workbooks.py [OUTPUT_DIR]   # default out/pictures/

Needs `soffice` and `pdftoppm` on the PATH. Prints the PNG paths.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zcweb.roster.batch import format_date, load_preset
from zcweb.roster.export import build_checklist, build_feedback, build_roster, roster_filename
from zcweb.roster.official import build_official, official_filename
from zcweb.roster.schema import load_schema
from zcweb.roster.template import build_template, template_filename

ORG = "百官街道"
EXAMPLE_ROWS = [
    {
        "seq": 1, "name": "王晓燕", "sex": "女", "id_number": "11010519491231002X", "birth_month": "1949-12",
        "employer": "浙江上虞某某新材料股份有限公司", "employer_type": "企业", "education": "大学本科",
        "degree": "学士", "school": "浙江工业大学", "major": "高分子材料与工程", "graduation": "1972-07",
        "work_start": "1972-08", "current_title": "工程师", "current_title_specialty": "材料",
        "current_title_date": "2016-12-28", "current_post": "新材料研发", "level": "高级工程师",
        "specialty": "材料", "route": "正常", "ce_2022": 96, "ce_2023": 92, "ce_2024": 90,
        "notice_start": "2024-08-26", "notice_end": "2024-08-30", "phone": "13800000001",
    },
    {
        "seq": 2, "name": "李建国", "sex": "男", "id_number": "440524188001010014", "birth_month": "1880-01",
        "employer": "上虞区某某热电有限公司", "employer_type": "企业", "education": "大学专科", "degree": "无",
        "school": "浙江水利水电学院", "major": "热能动力", "graduation": "1901-07", "work_start": "1901-08",
        "current_title": "工程师", "current_title_specialty": "能源", "current_title_date": "2019-12-20",
        "current_post": "锅炉运行管理", "level": "高级工程师", "specialty": "能源", "route": "破格",
        "self_score": 126, "ce_2022": 90, "ce_2023": 90, "ce_2024": 88, "notice_start": "2024-08-26",
        "notice_end": "2024-08-29", "phone": "0575-82212393", "remarks": "=HYPERLINK(\"http://example.com\")",
    },
    {
        "seq": 3, "name": "赵敏", "sex": "女", "id_number": "3.30682199001011E+17", "birth_month": "1990-01",
        "employer": "上虞区某某检测中心", "employer_type": "事业单位", "education": "硕士研究生",
        "degree": "硕士", "school": "浙江大学", "major": "化学工程", "graduation": "2015-06",
        "work_start": "2015-07", "current_title": "高级工程师", "current_title_date": "2018-12-28",
        "current_post": "化工检测", "level": "正高级工程师", "specialty": "石油和化学工程", "route": "正常",
        "ce_2022": 100, "ce_2023": 96, "ce_2024": 90, "notice_start": "2024-08-26",
        "notice_end": "2024-08-30", "post_verified": "是", "phone": "13800000003",
    },
]
INFO = [
    {"status": "拟推荐", "reason": ""},
    {"status": "退回修改", "reason": "单位公示不足5个工作日"},
    {"status": "待审核", "reason": ""},
]
CELL_NOTES = {
    (1, "notice_end"): "公示自2024年8月26日起须至少到2024年8月30日（5个工作日）。",
    (2, "id_number"): "身份证号被Excel存成了数字（3.30682E+17），后三位已丢失，请按文本重新填写。",
}
ROW_NOTES = {1: "公示期不足", 2: "身份证号码须重新填写"}
BUREAU = [
    {"org": ORG, "status": "拟推荐", "reviewer": "裘晶晶", "reviewed_at": dt.datetime(2024, 9, 6, 10, 20),
     "copies": 3},
    {"org": ORG, "status": "退回修改", "reason": "单位公示不足5个工作日", "reviewer": "裘晶晶",
     "reviewed_at": "2024-09-06", "copies": 2},
    {"org": "曹娥街道", "status": "拟推荐", "reviewer": "裘晶晶", "reviewed_at": "2024-09-07", "copies": 3},
]


BODIES = ["百官街道", "曹娥街道", "东关街道", "崧厦街道", "杭州湾上虞经济技术开发区"]
NAMES = ["钱伟明", "郑晓东", "吴建华", "刘洋", "白雪梅", "叶青", "王芳", "马力", "万里鹏", "丁一凡",
         "陈明", "邓华", "金鑫", "方圆", "欧阳振华", "李建国", "张丽", "赵敏", "孙浩", "周杰"]


def official_rows(spec) -> list[dict]:
    """Forty people of both levels from five bodies, as the official roster gets them."""
    rows = []
    for i in range(40):
        level = "正高级工程师" if i % 5 == 0 else "高级工程师"
        specialties = spec.levels[level]
        row = {**EXAMPLE_ROWS[i % 2], "name": NAMES[i % len(NAMES)] + ("" if i < 20 else "二"),
               "level": level, "specialty": specialties[i % len(specialties)],
               "current_title": "高级工程师" if level == "正高级工程师" else "工程师",
               "employer": ["浙江上虞某某新材料股份有限公司", "上虞区某某热电有限公司",
                            "浙江某某精细化工集团有限公司上虞分公司"][i % 3],
               "route": "破格" if i % 7 == 3 and level == "高级工程师" else "正常",
               "remarks": "事业单位，岗位已核定" if i % 9 == 4 else ""}
        rows.append({**row, "org": BODIES[i % 5], "org_order": i % 5})
    return rows


def workbooks() -> dict[str, bytes]:
    spec = load_preset(2024)
    schema = load_schema(spec.template)
    rows = [{**row, **bureau} for row, bureau in zip(EXAMPLE_ROWS, BUREAU)]
    subtitle = f"报送单位：{spec.bureau}　　导出时间：{format_date(dt.date.today())}"
    return {
        template_filename(spec, ORG): build_template(schema, spec, org_name=ORG, token="zcweb1.example.token"),
        template_filename(spec, ORG, "-错误标注"): build_template(
            schema, spec, org_name=ORG, token="zcweb1.example.token", rows=EXAMPLE_ROWS, info=INFO,
            cell_notes=CELL_NOTES, row_notes=ROW_NOTES),
        roster_filename(spec, "全部申报人员存档"): build_roster(
            schema, spec, rows, title=f"{spec.title}申报人员存档", subtitle=subtitle, archive=True),
        official_filename(spec): build_official(spec, official_rows(spec), day=spec.upload_deadline),
        roster_filename(spec, f"审核结果反馈-{ORG}"): build_feedback(schema, spec, ORG, rows, day=dt.date.today()),
        roster_filename(spec, "评审表收件清单"): build_checklist(schema, spec, [(ORG, rows)], day=dt.date.today()),
    }


def render(path: Path, outdir: Path, profile: Path) -> list[Path]:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = outdir / f"{path.stem}.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(outdir / path.stem)], check=True, timeout=180)
    return sorted(outdir.glob(f"{path.stem}-*.png"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", default="out/pictures", type=Path)
    outdir = parser.parse_args().outdir
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="zcweb-soffice-") as profile:
        for name, data in workbooks().items():
            path = outdir / name
            path.write_bytes(data)
            for picture in render(path, outdir, Path(profile)):
                print(picture)


if __name__ == "__main__":
    main()
