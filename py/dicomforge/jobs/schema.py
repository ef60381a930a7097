"""Job options described as data: names, kinds, defaults; one check that reports every problem at once.

Each option has one name in Python's snake_case; its JavaScript name is derived by one
rule (:func:`js_name`: ``series_description`` -> ``seriesDescription``), so the page and the
embedding API pass camelCase and the CLI and Python callers pass snake_case, and this module
is the one place that maps between them. A caller says which casing it uses; a name in
the other casing, or misspelt, is refused with the list of valid names in the caller's casing.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Callable

from dicomforge.limits import parse_size
from dicomforge.errors import DicomForgeError

__all__ = ["CASINGS", "Option", "Schema", "js_name", "MEMORY_BUDGET"]

#: How option names are spelt by a caller: Python's snake_case, JavaScript's camelCase, or the
#: command line's flags (given by their Python names, named in messages as ``--series-number``).
CASINGS = ("python", "js", "cli")

_KINDS = {
    "text": (lambda v: isinstance(v, str), "a text"),
    "integer": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, (list, tuple)), "a list"),
    "mapping": (lambda v: isinstance(v, dict), "a mapping"),
    "size": (lambda v: isinstance(v, (int, float, str)) and not isinstance(v, bool), "a size like 800M"),
}


def js_name(name: str) -> str:
    """The JavaScript (camelCase) spelling of a snake_case option name."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def flag_name(name: str) -> str:
    """The command line's flag for a snake_case option name (``--series-number``)."""
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class Option:
    """One option of a job.

    Attributes
    ----------
    name : str
        The Python (snake_case) name; :func:`js_name` gives the JavaScript one.
    kinds : tuple of str
        What values it takes: ``text``, ``integer``, ``number``, ``boolean``, ``list``,
        ``mapping``, ``size``; None is also taken when the default is None.
    default : object
        The value when the option is not given.
    doc : str
        One line for the user (the CLI's help, error messages).
    check : callable, optional
        ``check(value) -> problem text or None``, run on values of the right kind.
    """

    name: str
    kinds: tuple
    default: object = None
    doc: str = ""
    check: Callable[[object], str | None] | None = None

    def problem(self, value, label: str) -> str | None:
        """Why *value* is not a value of this option (named *label*), or None."""
        if not any(_KINDS[kind][0](value) for kind in self.kinds):
            if "integer" in self.kinds and isinstance(value, float) and value.is_integer():
                return None
            wanted = " or ".join(_KINDS[kind][1] for kind in self.kinds)
            return f"{label} must be {wanted}, got {value!r}"
        return self.check(value) if self.check else None

    def convert(self, value):
        """*value* as the job uses it (an integral float for an integer option becomes an int)."""
        if "integer" in self.kinds and isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def _size_problem(value) -> str | None:
    try:
        parse_size(value)
    except DicomForgeError as error:
        return error.message
    return None


#: The option every job takes: the most bytes one volume may take (:mod:`dicomforge.limits`).
MEMORY_BUDGET = Option("memory_budget", ("size",), None, "most bytes one volume may take, e.g. 800M or 2G",
                       _size_problem)


class Schema:
    """The options of one job.

    Parameters
    ----------
    job : str
        The job's name, for messages ("unknown series option(s): ...").
    options : Option
        Every option but ``memory_budget``, which every job takes.
    """

    def __init__(self, job: str, *options: Option) -> None:
        self.job = job
        self.options = {option.name: option for option in (*options, MEMORY_BUDGET)}

    @classmethod
    def of_dataclass(cls, job: str, datatype, *extra: Option, docs: dict | None = None) -> "Schema":
        """The options of dataclass *datatype*'s fields (kinds from their defaults; a field
        with ``metadata={"option": False}`` is left out), then *extra*."""
        derived = []
        for f in fields(datatype):
            if f.metadata.get("option", True) and f.default is not MISSING:
                derived.append(Option(f.name, (_kind_of(f.default),), f.default, (docs or {}).get(f.name, "")))
        return cls(job, *derived, *extra)

    def names(self, casing: str = "python") -> list[str]:
        """Every option's name in *casing*, in declaration order."""
        return [self.label(casing)(n) for n in self.options]

    def label(self, casing: str) -> Callable[[str], str]:
        """A function giving a Python option name as a caller in *casing* spells it."""
        return {"js": js_name, "cli": flag_name}.get(casing, str)

    def parse(self, given: dict | None, casing: str = "python") -> tuple[dict, list[str]]:
        """``(values, problems)``: every option by its Python name (given or default) and, in
        words, every unknown name and wrongly typed value (those keep their default). A value
        of None is an option not given."""
        if casing not in CASINGS:
            raise ValueError(f"casing {casing!r} is not one of {CASINGS}")
        if given is not None and not isinstance(given, dict):
            return {name: option.default for name, option in self.options.items()}, [
                f"{self.job} options must be a mapping of names to values, got {given!r}"]
        label = self.label(casing) if casing != "cli" else str  # (the command line gives Python names)
        shown = self.label(casing)
        by_label = {label(name): option for name, option in self.options.items()}
        given = {name: value for name, value in (given or {}).items() if value is not None}
        problems = []
        unknown = [name for name in given if name not in by_label]
        if unknown:
            problems.append(f"unknown {self.job} option(s): {', '.join(map(str, unknown))} "
                            f"(valid: {', '.join(self.names(casing))})")
        values = {name: option.default for name, option in self.options.items()}
        for name, value in given.items():
            option = by_label.get(name)
            if option is None:
                continue
            problem = option.problem(value, shown(option.name))
            if problem:
                problems.append(problem)
            else:
                values[option.name] = option.convert(value)
        return values, problems

    def describe(self) -> list[dict]:
        """The options as data (``name``, ``jsName``, ``kinds``, ``default``, ``doc``), for hosts."""
        return [{"name": o.name, "jsName": js_name(o.name), "kinds": list(o.kinds),
                 "default": o.default if isinstance(o.default, (str, int, float, bool, type(None))) else None,
                 "doc": o.doc} for o in self.options.values()]


def _kind_of(default) -> str:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, float):
        return "number"
    if isinstance(default, (list, tuple)):
        return "list"
    if isinstance(default, dict):
        return "mapping"
    return "text"
