"""Record classes: the part of :mod:`dataclasses` ssogen uses, at a fraction of its start-up.

``@record`` makes the same class ``@dataclasses.dataclass`` makes for the options ssogen
uses: ``__init__`` (fields in order, ``default``/``default_factory``, ``__post_init__``),
``__repr__`` (without the ``repr=False`` fields, which hold secrets), ``__eq__``,
``__hash__`` for ``frozen`` records (``None`` otherwise), ``__match_args__``, ``frozen``
(assignment raises :class:`FrozenInstanceError`) and ``slots``. :func:`replace` works as
dataclasses' does, :func:`asdict` too except that it copies no values.

Why not dataclasses itself: importing it imports :mod:`inspect` (with ``ast``, ``dis`` and
``tokenize``), and its decorator compiles every method of every class apart. On this
project's 2-core machine that was 35-45 ms and 1.1-1.5 MiB of every ``ssogen sync`` process
(27-31 ms of imports, 21-25 ms for the classes on that path): a quarter of a 1,000-section
``sync --check``. Here each class is compiled once, from one generated source, and nothing
is imported. The type checker reads a record as a dataclass (:pep:`681`).

What dataclasses has that records lack is refused when the class is made, never built
wrong: ``ClassVar``, ``InitVar`` and ``KW_ONLY`` annotations, a record inheriting from a
record, ``frozen`` with ``slots``, a frozen record with its own ``__setattr__``, a mutable
(unhashable) default, a field without a default after one with a default, a field named
as the generated code's own names. One thing the type checker does not see: the field names
given to :func:`replace` (mypy checks only ``dataclasses.replace``); they are checked when it
runs.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: ssogen sync never needs it
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar, overload

    from typing_extensions import dataclass_transform  # typing has it from 3.11 on

    T = TypeVar("T")

__all__ = ["FrozenInstanceError", "asdict", "field", "record", "replace"]


class FrozenInstanceError(AttributeError):
    """An assignment to (or deletion of) a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Field:
    """One field's options, as :func:`field` gives them (read by :func:`record`)."""

    __slots__ = ("default", "default_factory", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, repr: bool) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr


def _field(*, default: Any = MISSING, default_factory: Any = MISSING,
           repr: bool = True) -> Any:
    return Field(default, default_factory, repr)


if TYPE_CHECKING:  # the signatures the type checker reads (typing is not imported at run time)
    @overload
    def field(*, default: T, repr: bool = True) -> T: ...

    @overload
    def field(*, default_factory: Callable[[], T], repr: bool = True) -> T: ...

    @overload
    def field(*, repr: bool = True) -> Any: ...

    def field(*, default: Any = MISSING, default_factory: Any = MISSING,
              repr: bool = True) -> Any:
        """A field's options: its ``default`` or ``default_factory``, and whether ``repr``
        shows it."""
else:
    field = _field


#: names the generated methods use: no field may have them
_RESERVED = ("self", "other", "_FACTORY", "_setattr")


def _refuse(cls: type, what: str) -> TypeError:
    return TypeError(f"{cls.__qualname__}: {what} (ssogen.records does not support it)")


def _fields_of(cls: type) -> tuple[Field, ...]:
    """The fields the class annotates, in order; each class attribute that held a default
    is removed or set to that default, as dataclasses does. What records do not support is
    refused here, when the class is made, rather than built wrong."""
    if any(hasattr(base, "__record_fields__") for base in cls.__mro__[1:]):
        raise _refuse(cls, "a record that inherits from a record")
    fields: list[Field] = []
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect is what we avoid
    for name, annotation in own.items():
        text = annotation if isinstance(annotation, str) else str(annotation)
        kind = text.split("[")[0].rsplit(".")[-1]
        if type(annotation).__name__ == "_KW_ONLY_TYPE":  # dataclasses.KW_ONLY, evaluated
            kind = "KW_ONLY"
        if kind in ("ClassVar", "InitVar", "KW_ONLY"):
            raise _refuse(cls, f"field {name!r} is a {kind}")
        if name in _RESERVED or name.startswith(("_factory_", "_default_")):
            raise _refuse(cls, f"a field named {name!r}")
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value, MISSING, True)
        spec.name = name
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(f"{cls.__qualname__}.{name}: mutable default "
                             f"{type(spec.default).__name__}: use default_factory")
        if isinstance(value, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if fields and spec.default is spec.default_factory is MISSING and (
                fields[-1].default is not MISSING or fields[-1].default_factory is not MISSING):
            raise TypeError(f"{cls.__qualname__}: field {name!r} without a default follows "
                            "a field with one")
        fields.append(spec)
    return tuple(fields)


def _source(cls: type, fields: tuple[Field, ...], frozen: bool,
            namespace: dict[str, Any]) -> str:
    """The methods' source, compiled once; names it uses are put into ``namespace``."""
    params, body = ["self"], []
    for f in fields:
        n = f.name
        if f.default_factory is not MISSING:
            namespace[f"_factory_{n}"] = f.default_factory
            params.append(f"{n}=_FACTORY")
            body.append(f"    if {n} is _FACTORY: {n} = _factory_{n}()")
        elif f.default is not MISSING:
            namespace[f"_default_{n}"] = f.default
            params.append(f"{n}=_default_{n}")
        else:
            params.append(n)
    if frozen:  # the instance's own __setattr__ refuses: write as object does
        body += [f"    _setattr(self, {f.name!r}, {f.name})" for f in fields]
    else:
        body += [f"    self.{f.name} = {f.name}" for f in fields]
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    values = "".join(f"self.{f.name}, " for f in fields)
    others = "".join(f"other.{f.name}, " for f in fields)
    shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
    lines = [f"def __init__({', '.join(params)}):", *(body or ["    pass"]),
             "def __repr__(self):",
             f"    return f'{{self.__class__.__qualname__}}({shown})'",
             "def __eq__(self, other):",
             "    if other.__class__ is self.__class__:",
             f"        return ({values}) == ({others})",
             "    return NotImplemented",
             "def __hash__(self):",
             f"    return hash(({values}))"]
    return "\n".join(lines) + "\n"


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _make(cls: type, frozen: bool, slots: bool) -> type:
    if frozen and slots:  # copy and pickle would need __getstate__/__setstate__
        raise _refuse(cls, "frozen=True with slots=True")
    own = cls.__dict__
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise _refuse(cls, "a frozen record with its own __setattr__/__delattr__")
    fields = _fields_of(cls)
    namespace: dict[str, Any] = {"_FACTORY": MISSING, "_setattr": object.__setattr__}
    exec(_source(cls, fields, frozen, namespace), namespace)
    # dataclasses' rules: __init__/__repr__/__eq__ only where the class has none; the hash
    # of the fields for a frozen record (unless the class defines __hash__ itself), else None
    # where __eq__ is generated
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    methods: dict[str, Any] = {"__init__": namespace["__init__"],
                               "__repr__": namespace["__repr__"],
                               "__eq__": namespace["__eq__"]}
    if frozen and not explicit_hash:
        methods["__hash__"] = namespace["__hash__"]
    elif "__eq__" not in own and not explicit_hash:
        methods["__hash__"] = None
    methods["__match_args__"] = tuple(f.name for f in fields)
    methods["__record_fields__"] = fields
    if frozen:
        methods["__setattr__"] = _frozen_setattr
        methods["__delattr__"] = _frozen_delattr
    for name, method in methods.items():
        if name not in own or (name == "__hash__" and not explicit_hash):
            if name in ("__init__", "__repr__", "__eq__") or (name == "__hash__" and frozen):
                method.__qualname__ = f"{cls.__qualname__}.{name}"
                method.__module__ = cls.__module__
            setattr(cls, name, method)
    if slots:
        body = {k: v for k, v in own.items() if k not in ("__dict__", "__weakref__")}
        for f in fields:
            body.pop(f.name, None)
        body["__slots__"] = tuple(f.name for f in fields)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, body)
        cls.__qualname__ = qualname
    return cls


def _record(cls: Any = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
    if cls is None:
        return lambda c: _make(c, frozen, slots)
    return _make(cls, frozen, slots)


if TYPE_CHECKING:
    @overload
    @dataclass_transform(field_specifiers=(field,))
    def record(cls: type[T], /) -> type[T]: ...

    @overload
    def record(*, frozen: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]:
        ...

    def record(cls: Any = None, /, *, frozen: bool = False, slots: bool = False) -> Any:
        """``@record``, ``@record(frozen=True)``, ``@record(slots=True)``: see the module."""
else:
    record = _record


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (field names) applied."""
    # set on the class by @record, which mypy cannot see: T is any record type
    fields = type(obj).__record_fields__  # type: ignore[attr-defined]
    unknown = set(changes) - {f.name for f in fields}
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    values = {f.name: changes.get(f.name, getattr(obj, f.name)) for f in fields}
    return type(obj)(**values)


def asdict(obj: object) -> dict[str, Any]:
    """The record ``obj`` as a dict, records in its fields (also in lists, tuples and dict
    values) turned into dicts too. Other values are not copied."""
    def convert(value: Any) -> Any:
        fields = getattr(type(value), "__record_fields__", None)
        if fields is not None:
            return {f.name: convert(getattr(value, f.name)) for f in fields}
        if isinstance(value, (list, tuple)):
            return type(value)(convert(v) for v in value)
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    if getattr(type(obj), "__record_fields__", None) is None:
        raise TypeError(f"asdict() takes a record, not {type(obj).__qualname__}")
    result: dict[str, Any] = convert(obj)
    return result
