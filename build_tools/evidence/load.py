"""Strict YAML loading: one parse per file, with the line and column of every value.

PyYAML's C parser composes the node tree; we build Python values from it ourselves
instead of using its constructor, because the stock one silently keeps the last of
duplicate keys, follows aliases (alias bombs), honours tags, and applies YAML 1.1
guesses (`NO` -> False, `012345` -> 5349). Here each of those is a located problem.
Plain scalars follow the YAML 1.2 core schema; bare dates stay text so pydantic parses
them as dates in date fields and keeps them literally elsewhere.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

MAX_BYTES = 1024 * 1024
Loc = tuple[str | int, ...]

try:
    from yaml.cyaml import CParser as _Parser  # libyaml: ~9x faster than the pure-Python parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _Resolver(yaml.resolver.BaseResolver):
    """No implicit typing: every untagged node gets the plain str/seq/map tag and we type
    scalars ourselves. Called once per node by the C parser, so it does the least possible."""

    def resolve(self, kind, value, implicit):
        return _STR if kind is yaml.ScalarNode else _SEQ if kind is yaml.SequenceNode else _MAP


class _Composer(_Parser, _Resolver):
    def __init__(self, stream: str):
        _Parser.__init__(self, stream)
        _Resolver.__init__(self)


_STR, _SEQ, _MAP = (
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
)
# First characters a plain scalar needs to be anything but text (number, bool, null, YAML 1.1 forms).
_SPECIAL_START = frozenset("0123456789+-.~nNtTfFyYoO")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_YAML11_BOOL = {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"}
# One pass decides what a digit-led plain scalar is; order matters (int before float).
_NUMBERISH = re.compile(
    r"(?P<int>[-+]?(0|[1-9][0-9]*))"
    r"|(?P<octal>[-+]?0[0-9_]+|[-+]?0[xob][0-9a-fA-F_]+)"
    r"|(?P<float>[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+)([eE][-+]?[0-9]+)?)"
    r"|(?P<sexagesimal>[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?)"
    r"|(?P<special>[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))"
)


# C0/C1 controls but tab and newline, lone surrogates, and the two non-characters XML refuses.
# Written with \u escapes, which Python and ECMAScript regexes read alike: the JSON Schemas use it too.
BAD_CHARACTER = "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\ud800-\\udfff\\ufffe\\uffff]"
_BAD_CHAR = re.compile(BAD_CHARACTER)


@dataclass
class Loaded:
    """One file's data plus where each value and key sits (1-based line, column)."""

    path: str
    data: Any = None
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""  # sha256 of the file's bytes, for incremental builds
    bad_locs: set[Loc] = field(default_factory=set)  # values already reported; schema errors there are noise

    def mark(self, loc: Loc, key: bool = False) -> tuple[int, int]:
        """Nearest known position for a location, walking up to the parent if needed."""
        table = self.key_marks if key else self.marks
        while loc:
            if loc in table:
                return table[loc]
            if loc in self.marks:
                return self.marks[loc]
            loc = loc[:-1]
        return self.marks.get((), (1, 1))


def _where(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_yaml(path: Path, display: str) -> Loaded:
    """Read and parse one file; never raises for bad content."""
    out = Loaded(display)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        out.problems.append(Problem(display, 0, 0, "", f"cannot read file ({exc.strerror})", "check the file exists and is readable", "unreadable-file"))
        return out
    out.digest = hashlib.sha256(raw).hexdigest()
    return parse_yaml(raw, display, out)


def parse_yaml(raw: bytes, display: str, out: Loaded | None = None) -> Loaded:
    out = out or Loaded(display)

    def fail(line: int, col: int, problem: str, fix: str, rule: str) -> Loaded:
        out.problems.append(Problem(display, line, col, "", problem, fix, rule))
        return out

    if len(raw) > MAX_BYTES:
        return fail(0, 0, f"file is {len(raw):,} bytes, over the 1 MiB limit", "split it or shorten the long text fields", "file-too-large")
    if b"\x00" in raw:
        return fail(*_where(raw.decode("latin-1"), raw.index(b"\x00")), "file contains a NUL byte (binary data?)", "save it as plain UTF-8 text", "binary-file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return fail(*_where(raw.decode("latin-1"), exc.start), f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", "save the file as UTF-8", "not-utf8")
    if not text.strip():
        return fail(1, 1, "file is empty", "copy a template from evidence/_template/", "empty-file")

    composer = _Composer(text)
    # libyaml stops at nesting depth 1000 with a located error; make sure Python's recursion
    # limit (the composer recurses) is not hit first, whatever the caller's stack depth.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if "single document" in str(exc.context or ""):
            return fail(line, col, "file holds more than one YAML document ('---')", "keep one entry per file and remove the extra '---'", "multiple-documents")
        return fail(line, col, f"invalid YAML: {exc.problem}", "check indentation, colons and quotes near this line", "yaml-syntax")
    except yaml.reader.ReaderError as exc:
        return fail(*_where(text, exc.position), f"invalid character {exc.character!r}", "remove the control character", "control-character")
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        return fail(0, 0, f"invalid YAML: {exc}", "check the file's syntax", "yaml-syntax")
    except RecursionError:  # pragma: no cover - only the pure-Python parser
        return fail(0, 0, "nesting is too deep", "flatten the structure", "yaml-syntax")
    finally:
        composer.dispose()
        sys.setrecursionlimit(limit)

    if node is None:  # only comments
        return fail(1, 1, "file holds no fields, only comments", "copy a template from evidence/_template/", "empty-file")
    # Aliases need an anchor (&name); without one in the text there is nothing to track.
    seen: set[int] | None = set() if "&" in text else None
    out.data = _build(node, (), out, seen)
    if not isinstance(out.data, dict):
        kind = "a list" if isinstance(out.data, list) else "a single value"
        out.problems.append(Problem(display, *out.marks.get((), (1, 1)), "", f"file holds {kind}, not a mapping of fields", "start the file with `id: …` as in the template", "not-a-mapping"))
        out.data = None
    return out


def _build(node: yaml.Node, loc: Loc, out: Loaded, seen: set[int] | None) -> Any:
    # Hot path (every node of every file): keep it flat; problems are rare and go to _flag.
    mark = node.start_mark
    out.marks[loc] = (mark.line + 1, mark.column + 1)
    if seen is not None:
        if id(node) in seen:  # an alias: report it where it is used (its key), not at the anchor
            out.marks[loc] = out.key_marks.get(loc, out.marks[loc])
            return _flag(out, loc, "YAML aliases (*name) are not allowed", "write the value out in full", "yaml-alias")
        seen.add(id(node))
    kind = type(node)
    if kind is yaml.ScalarNode:
        if node.tag is not _STR and node.tag != _STR:
            return _flag(out, loc, f"YAML tag {node.tag!r} is not allowed", "remove the tag", "yaml-tag")
        value = node.value
        if node.style == '"' and _BAD_CHAR.search(value):  # only escapes can put them there (the reader refuses raw ones)
            return _flag(out, loc, f"text contains the control character U+{ord(_BAD_CHAR.search(value).group()):04X}",
                         "remove it; write a line break as a real new line, not an escape", "control-character", value)
        if node.style or (value and value[0] not in _SPECIAL_START):
            return value  # quoted/block text, or plain text that cannot be a number, bool or null
        return _plain(value, loc, out)
    if node.tag != (_SEQ if kind is yaml.SequenceNode else _MAP):
        return _flag(out, loc, f"YAML tag {node.tag!r} is not allowed", "remove the tag", "yaml-tag")
    if kind is yaml.SequenceNode:
        return [_build(item, loc + (i,), out, seen) for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
            _flag(out, loc, "mapping keys must be plain names", "use `name: value`", "yaml-key")
            continue
        key = key_node.value
        if key_node.style == '"' and _BAD_CHAR.search(key):
            at = key_node.start_mark
            out.problems.append(Problem(out.path, at.line + 1, at.column + 1, field_name(loc), "a field name contains the control "
                                        f"character U+{ord(_BAD_CHAR.search(key).group()):04X}", "write the name without escapes", "control-character"))
            continue
        key_loc = loc + (key,)
        kmark = key_node.start_mark
        if key in first_line:
            out.problems.append(Problem(out.path, kmark.line + 1, kmark.column + 1, field_name(key_loc), f"duplicate key '{key}' (first at line {first_line[key]})", "keep one and delete the other", "duplicate-key"))
            continue
        first_line[key] = kmark.line + 1
        out.key_marks[key_loc] = (kmark.line + 1, kmark.column + 1)
        result[key] = _build(value_node, key_loc, out, seen)
    return result


def _flag(out: Loaded, loc: Loc, message: str, fix: str, rule: str, value: Any = None) -> Any:
    """Record a problem at loc's value; returns `value` to use in its place."""
    out.bad_locs.add(loc)
    out.problems.append(Problem(out.path, *out.marks[loc], field_name(loc), message, fix, rule))
    return value


def _plain(value: str, loc: Loc, out: Loaded) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema; YAML 1.1-only readings are problems."""
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if value in _YAML11_BOOL:
        return _flag(out, loc, f"'{value}' is read as true/false by some YAML tools", f"quote it ('{value}') if you mean text, or write true or false", "ambiguous-bool", value)
    if value[0].isalpha():
        return value
    match = _NUMBERISH.fullmatch(value)
    form = match.lastgroup if match else None
    if form == "int":
        if len(value) > 19 and (len(value) > 30 or abs(int(value)) >= 2**63):  # SQLite stores integers in 64 bits
            return _flag(out, loc, f"{value[:12]}… is too large a whole number to store", "check the figure; write a large value with an exponent, e.g. 1.5e20", "out-of-range")
        return int(value)
    if form == "float":
        number = float(value)
        if math.isinf(number):
            return _flag(out, loc, f"'{value[:20]}' is too large to be a number", "write a finite number, or leave the field out", "non-finite-number")
        return number
    if form == "octal":
        return _flag(out, loc, f"'{value}' would be read as a number in another base (YAML 1.1)", f"quote it ('{value}') if you mean text, or drop the leading zero", "ambiguous-number", value)
    if form == "sexagesimal":
        return _flag(out, loc, f"'{value}' would be read as a base-60 number (YAML 1.1)", f"quote it ('{value}')", "ambiguous-number", value)
    if form == "special":
        return _flag(out, loc, f"'{value}' is not a usable number", "write a finite number, or leave the field out", "non-finite-number")
    return value  # text, including bare dates


def field_name(loc: Loc) -> str:
    """('ratings', 0, 'url') -> 'ratings[0].url'"""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
