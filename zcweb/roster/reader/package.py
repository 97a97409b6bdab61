"""The parts of an Open XML package (xlsx, xlsm, xlsb), found as Excel
finds them: by following the relationships, not by assuming a layout.

Exports of some systems name their parts `xl\\worksheets\\sheet1.xml`,
put `workbook.xml` at the top without docProps, or use the namespaces of
Strict Open XML; python-calamine reads all of these, and so must the
checks that run before it. Part names are kept normalised: "/" between
folders, no leading "/", lower case (`part_name`).
"""

from __future__ import annotations

import posixpath
import zipfile
from xml.etree import ElementTree

from .refusals import CORRUPT, RosterRefused
from .zipped import inflate

# Where a workbook, document or presentation sits when the package has no
# root relationships to say so.
_USUAL_MAIN_PARTS = ("xl/workbook.xml", "xl/workbook.bin", "workbook.xml",
                     "word/document.xml", "ppt/presentation.xml")


def part_name(name: str) -> str:
    """A zip member's name as a package part: `xl\\Workbook.xml` → `xl/workbook.xml`."""
    return name.replace("\\", "/").lstrip("/").lower()


def members_by_part(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members by part name. Two members with one part name (`a/b.xml`
    and `a\\B.xml`) make the package invalid: the checks could look at one
    while python-calamine reads the other."""
    members = {part_name(info.filename): info for info in archive.infolist()}
    if len(members) < len(archive.infolist()):
        raise RosterRefused(CORRUPT)
    return members


def main_part(data: bytes, members: dict[str, zipfile.ZipInfo]) -> str | None:
    """The package's main part (its workbook, document or presentation)."""
    for target in relationships(data, members, "", "officeDocument").values():
        if target in members:
            return target
    return next((name for name in _USUAL_MAIN_PARTS if name in members), None)


def relationships(data: bytes, members: dict[str, zipfile.ZipInfo], source: str,
                  kind: str | None = None) -> dict[str, str]:
    """Relationship id → target part of `source` ("" for the package),
    only those of type `kind` (the type's last word) when given."""
    folder, name = posixpath.split(source)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in members:
        return {}
    found = {}
    for element in parse(data, members[rels]).iter():
        if local(element.tag) != "Relationship" or element.get("TargetMode") == "External":
            continue
        if kind is None or element.get("Type", "").rpartition("/")[2] == kind:
            found[element.get("Id")] = _resolve(folder, element.get("Target", ""), members)
    return found


def _resolve(folder: str, target: str, members: dict[str, zipfile.ZipInfo]) -> str:
    """A target relative to its source's folder, or, as some writers put
    it and calamine accepts, to the package's root."""
    target = target.replace("\\", "/")
    path = target if target.startswith("/") else posixpath.join("/", folder, target)
    resolved = part_name(posixpath.normpath(path))
    return resolved if resolved in members or part_name(target) not in members else part_name(target)


def parse(data: bytes, info: zipfile.ZipInfo) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(inflate(data, info))
    except ElementTree.ParseError:
        raise RosterRefused(CORRUPT) from None


def local(tag: str) -> str:
    """A tag or attribute name without its namespace, which differs between
    transitional and Strict Open XML."""
    return tag.rpartition("}")[2]


def relationship_id(element: ElementTree.Element) -> str | None:
    """The r:id of a <sheet>, in whichever namespace r: stands for."""
    return next((value for key, value in element.attrib.items()
                 if key.startswith("{") and local(key) == "id"), None)
