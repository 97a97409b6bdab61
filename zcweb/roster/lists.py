"""A roster row against the province's lists (与省平台名单核对): the
职称管理服务平台's list of online applications and the 继续教育学时登记
system's registered hours, each found by identity number. Pure: the same
findings for the review table, the review filters' marks (zcweb/marks.py)
and the reconciliation page (zcweb/review/reconcile.py)."""

from __future__ import annotations

from . import rulenames
from .findings import Finding, warning
from .normalize import compared, format_number

COMPARED = ("level", "specialty", "employer")  # roster keys the platform list also has


def platform_findings(data: dict, entry: dict | None, schema) -> list[Finding]:
    """平台未申报, or the compared columns that differ from the platform."""
    if entry is None:
        return [warning(None, "平台未申报：职称管理服务平台的申报名单中没有此人，个人网上申报未完成将不被受理",
                        rulenames.PLATFORM_MISSING)]
    return [warning(key, f"{schema[key].header}与平台不一致（花名册：{data.get(key)}，平台：{entry[key]}）",
                    rulenames.PLATFORM_DIFFERS)
            for key in differing(data, entry)]


def differing(data: dict, entry: dict) -> list[str]:
    """The compared columns the platform has and the roster writes otherwise."""
    return [key for key in COMPARED
            if entry.get(key) and data.get(key) != entry[key] and compared(data.get(key)) != compared(entry[key])]


def ce_findings(data: dict, entry: dict | None, spec, schema) -> list[Finding]:
    """The batch's CE rule against the registered hours, and self-declared
    hours that differ from them."""
    if entry is None:
        return [warning(None, "登记学时不足：继续教育学时登记系统中没有此人的登记记录", rulenames.CE_REGISTRY_SHORT)]
    findings = []
    for year in spec.ce_years:
        key = f"ce_{year}"
        header = schema[key].header if key in schema else f"{year}年继续教育学时"
        total, professional = entry["hours"].get(str(year), [0, None])
        if total < spec.ce_min_hours:
            findings.append(warning(key, f"{header}：登记学时不足（{year}年登记{format_number(total)}学时，"
                                         f"不足{format_number(spec.ce_min_hours)}学时）", rulenames.CE_REGISTRY_SHORT))
        elif professional is not None and professional < spec.ce_min_professional_hours:
            findings.append(warning(key, f"{header}：登记学时不足（{year}年专业科目登记{format_number(professional)}"
                                         f"学时，不足{format_number(spec.ce_min_professional_hours)}学时）",
                                    rulenames.CE_REGISTRY_SHORT))
        declared = data.get(key)
        if declared is not None and declared != total:
            findings.append(warning(key, f"{header}：自填学时与登记系统不符 (自填 {format_number(declared)}, "
                                         f"登记 {format_number(total)})", rulenames.CE_REGISTRY_DIFFERS))
    return findings


def findings(data: dict, id_number: str, platform: dict | None, registry: dict | None, spec,
             schema) -> list[Finding]:
    """A row's findings from the current lists (`platform`, `registry`:
    identity number → entry, None without such a list)."""
    found = []
    if platform is not None:
        found += platform_findings(data, platform.get(id_number), schema)
    if registry is not None:
        found += ce_findings(data, registry.get(id_number), spec, schema)
    return found


def shown_stored(warnings: list[dict], registry: dict | None) -> list[dict]:
    """The stored warnings the desk shows: with a registry, its hours
    replace the self-declared hours' check."""
    return [w for w in warnings if registry is None or w["rule"] != rulenames.CE_SHORT]
