"""The one sanitiser for every string a student controls, used by every renderer and the CSV.

A student decides what their code raises and prints, so those strings reach terminals, XML,
Markdown, spreadsheets and CI logs. Whatever could act there instead of being read is made
visible as an escape (`\\x1b`, `\\u202e`): control characters (ESC and so every terminal escape
sequence, NUL, CR, DEL, the C1 block with its 8-bit CSI), bidi overrides and isolates ("Trojan
Source"), line and paragraph separators, and Unicode non-characters. Lone surrogates, which no
UTF-8 stream can carry, become U+FFFD. Newlines and tabs stay: renderers that need one line
escape those themselves. What is left is valid in UTF-8, in XML 1.0 and in JSON.
"""
from __future__ import annotations

import dataclasses
import re

from grader.engine.model import ComponentResult, ModuleResult, RunResult

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SEPARATORS = "\u2028\u2029"
# C0 controls but tab and newline, DEL, C1; bidi controls; separators; the non-characters
# U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane.
_ACTIVE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + _SEPARATORS + "\ufdd0-\ufdef\ufffe\uffff]"
    + "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    + "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    + "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    + "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean(text) -> str:
    """`text` as a string that can only be read: see the module's docstring."""
    if not isinstance(text, str):
        text = str(text)
    return _ACTIVE.sub(_visible, _SURROGATE.sub("\ufffd", text))


def _clean_value(value):
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: _clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean_value(v) for v in value)
    return value


def _clean_component(c: ComponentResult) -> ComponentResult:
    changes = {f.name: _clean_value(getattr(c, f.name)) for f in dataclasses.fields(c)
               if isinstance(getattr(c, f.name), (str, list, dict)) and f.name != "status"}
    return dataclasses.replace(c, **changes)


def clean_result(result: RunResult) -> RunResult:
    """A copy of `result` with every string in it cleaned: what every renderer starts from."""
    modules = []
    for m in result.modules:
        changes = {f.name: _clean_value(getattr(m, f.name)) for f in dataclasses.fields(m)
                   if isinstance(getattr(m, f.name), (str, dict)) and f.name != "components"}
        modules.append(dataclasses.replace(m, components=[_clean_component(c) for c in m.components], **changes))
    return dataclasses.replace(result, modules=modules)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text) -> str:
    """A cleaned text cell that a spreadsheet shows as text, never runs as a formula (OWASP's
    CSV injection advice: a leading quote before = + - @)."""
    text = clean(text)
    return "'" + text if text.startswith(_FORMULA) else text
