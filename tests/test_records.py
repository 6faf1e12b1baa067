"""ssogen.records: each record behaves as the dataclass of the same declaration does (the
two are built side by side and compared), and no process start pays for dataclasses."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from ssogen.records import FrozenInstanceError, asdict, field, record, replace


def _pair(frozen: bool = False, slots: bool = False) -> tuple[type, type]:
    """The same class declared as a record and as a dataclass."""
    made = []
    for deco, fld in ((record, field), (dataclasses.dataclass, dataclasses.field)):
        class Item:
            name: str
            count: int = 0
            tags: list[str] = fld(default_factory=list)
            secret: str = fld(default="s3cr3t", repr=False)

            def label(self) -> str:
                return f"{self.name}:{self.count}"

        made.append(deco(frozen=frozen, slots=slots)(Item))  # type: ignore[call-overload]
    return made[0], made[1]


@pytest.mark.parametrize(("frozen", "slots"), [(False, False), (True, False), (False, True)])
def test_a_record_behaves_as_the_dataclass_of_the_same_declaration(frozen: bool,
                                                                    slots: bool) -> None:
    rec, dc = _pair(frozen, slots)
    for args, kwargs in [(("a",), {}), (("a", 2), {"tags": ["x"]}),
                         ((), {"name": "b", "secret": "other"})]:
        r, d = rec(*args, **kwargs), dc(*args, **kwargs)
        assert repr(r) == repr(d)
        assert "s3cr3t" not in repr(r) and "other" not in repr(r)
        assert r.label() == d.label()
        assert (r.name, r.count, r.tags, r.secret) == (d.name, d.count, d.tags, d.secret)
        assert r == rec(*args, **kwargs) and r != rec("zz")
        assert (r == d) is False  # another class: never equal, as between two dataclasses
    if frozen:  # the same hash as the dataclass's: one of the tuple of the fields
        assert hash(rec("h", tags=("x",))) == hash(dc("h", tags=("x",)))
        assert len({rec("h", tags=()), rec("h", tags=()), rec("i", tags=())}) == 2
    else:
        assert rec.__hash__ is None and dc.__hash__ is None
    assert rec("a").tags is not rec("a").tags  # the factory runs once per instance
    assert rec.__match_args__ == dc.__match_args__ == ("name", "count", "tags", "secret")
    assert rec.__qualname__ == dc.__qualname__
    assert hasattr(rec("a"), "__dict__") is hasattr(dc("a"), "__dict__") is (not slots)
    with pytest.raises(TypeError):
        rec()  # the field without a default is required
    with pytest.raises(TypeError):
        rec("a", 1, [], "s", "too many")


def test_frozen_records_refuse_assignment_and_deletion() -> None:
    rec, _ = _pair(frozen=True)
    item = rec("a")
    with pytest.raises(FrozenInstanceError):
        item.count = 3
    with pytest.raises(AttributeError):  # FrozenInstanceError is one, as dataclasses' is
        del item.name
    assert item.count == 0


def test_replace_and_asdict_work_as_dataclasses_does() -> None:
    rec, dc = _pair(frozen=True)
    r = replace(rec("a", 1, ["t"]), count=5)
    d = dataclasses.replace(dc("a", 1, ["t"]), count=5)
    assert (r.name, r.count, r.tags) == (d.name, d.count, d.tags) == ("a", 5, ["t"])
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(r, nope=1)

    @record
    class Outer:
        inner: object
        items: list[object]

    nested = Outer(rec("i"), [rec("j", 2), 7])
    assert asdict(nested) == {
        "inner": {"name": "i", "count": 0, "tags": [], "secret": "s3cr3t"},
        "items": [{"name": "j", "count": 2, "tags": [], "secret": "s3cr3t"}, 7]}
    with pytest.raises(TypeError, match="takes a record"):
        asdict(7)


def test_post_init_runs_and_what_the_class_defines_itself_stays() -> None:
    @record
    class Counted:
        values: list[int]
        total: int = 0

        def __post_init__(self) -> None:
            self.total = sum(self.values)

        def __repr__(self) -> str:
            return "mine"

    assert Counted([1, 2]).total == 3
    assert repr(Counted([])) == "mine"


def test_what_records_do_not_support_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="is a ClassVar"):
        @record
        class WithClassVar:
            limit: ClassVar[int] = 3  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(ValueError, match="both default and default_factory"):
        field(default=1, default_factory=list)

    @record
    class Base:
        a: int

    refused: list[tuple[str, type[Exception], str]] = [
        ("class Sub(Base):\n    b: int = 0", TypeError, "inherits from a record"),
        ("class K:\n    a: int\n    _: KW_ONLY\n    b: int = 0", TypeError, "is a KW_ONLY"),
        ("class R:\n    self: int", TypeError, "a field named 'self'"),
        ("class R:\n    _setattr: int", TypeError, "a field named '_setattr'"),
        ("class R:\n    _factory_x: int", TypeError, "a field named '_factory_x'"),
        ("class M:\n    tags: list = field(default=[])", ValueError, "mutable default list"),
        ("class M:\n    tags: dict = {}", ValueError, "mutable default dict"),
    ]
    for source, error, message in refused:
        namespace = {"Base": Base, "field": field, "KW_ONLY": dataclasses.KW_ONLY,
                     "__name__": "scratch"}
        exec(source, namespace)  # the class under test, its annotations evaluated
        cls = next(v for k, v in namespace.items() if isinstance(v, type) and k not in (
            "Base", "KW_ONLY"))
        with pytest.raises(error, match=message):
            record(cls)
    with pytest.raises(TypeError, match="frozen=True with slots=True"):
        @record(frozen=True, slots=True)
        class FrozenSlots:
            a: int

    with pytest.raises(TypeError, match="its own __setattr__"):
        @record(frozen=True)
        class OwnSetattr:
            a: int

            def __setattr__(self, name: str, value: object) -> None: ...


def test_hash_and_post_init_follow_the_rules_of_dataclasses() -> None:
    """A frozen record with its own __eq__ is still hashable (by its fields); one with its
    own __hash__ keeps it; a __post_init__ from a plain base class runs."""
    for deco in (record, dataclasses.dataclass):
        @deco(frozen=True)  # type: ignore[operator]
        class OwnEq:
            a: int

            def __eq__(self, other: object) -> bool:
                return isinstance(other, OwnEq) and other.a == self.a

        @deco(frozen=True)  # type: ignore[operator]
        class OwnHash:
            a: int

            def __hash__(self) -> int:
                return 7

        class Mixin:
            def __post_init__(self) -> None:
                self.seen = True  # type: ignore[attr-defined]

        @deco  # type: ignore[operator]
        class WithMixin(Mixin):
            a: int

        assert hash(OwnEq(3)) == hash((3,)) and OwnEq(3) == OwnEq(3)
        assert hash(OwnHash(1)) == 7
        assert WithMixin(1).seen is True


def test_importing_every_ssogen_module_on_the_sync_path_imports_neither_dataclasses_nor_typing(
) -> None:
    code = ("import sys, ssogen.cli, ssogen.commands.sync, ssogen.app.sync, ssogen.ui.render; "
            "print(sorted({'dataclasses', 'typing', 'inspect'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
