"""Creating batches and accounts: the domain operations behind the command
line, the batch form, the demo and the tests. A refusal raises `Refused`
with what to fix, in Chinese; each caller shows it its own way."""

from __future__ import annotations

from ..models import Batch, Event, Org, User
from ..roster.batch import BatchSpec, for_year
from ..roster.schema import load_schema


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def create_batch(spec: BatchSpec, is_demo: bool = False, user: User | None = None) -> Batch:
    load_schema(spec.template)  # refuse a preset naming a template that does not exist
    if Batch.get_or_none(Batch.year == spec.year):
        raise Refused(f"{spec.year}年度批次已存在。")
    batch = Batch.create(year=spec.year, title=spec.title, settings=spec.to_dict(), is_demo=is_demo)
    Event.record(user, "batch.created", batch=batch, detail=spec.title)
    return batch


def copy_batch(origin_year: int, year: int, user: User | None = None) -> Batch:
    """A batch for `year` with the settings of `origin_year`'s, its dates moved along."""
    origin = Batch.get_or_none(Batch.year == origin_year)
    if origin is None:
        raise Refused(f"没有{origin_year}年度的批次可复制。")
    return create_batch(for_year(origin.spec, year), user=user)


def create_user(username: str, role: str, org: Org | None, password: str, display_name: str = "",
                phone: str = "") -> User:
    if User.get_or_none(User.username == username):
        raise Refused(f"用户名“{username}”已存在。")
    user = User(username=username, display_name=display_name or username, role=role, org=org, phone=phone)
    user.set_password(password)
    user.save()
    return user
