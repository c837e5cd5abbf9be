"""The brand kit's rules for a valid value, in one place for REST and the admin: every refusal names
the field (a path such as `palette[2].hex`), the limit and the value given."""

from __future__ import annotations

import re

from apps.checks.models import ColourRole
from apps.checks.pixels.languages import NAMES
from apps.core.exceptions import ValidationFailed

HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")
MAX_COLOURS = 24
MAX_NAME_CHARS = 60
MAX_TERMS = 50
MAX_TERM_CHARS = 100
RANGES = {"tolerance": (0.5, 50.0), "min_brand_share": (0.0, 1.0), "min_contrast": (1.0, 21.0), "min_contrast_large": (1.0, 21.0)}


def _refuse(field: str, message: str, value) -> None:
    raise ValidationFailed(message, field=field, details={"value": value})


def _hex(field: str, value) -> str:
    if not isinstance(value, str) or not HEX.match(value):
        _refuse(field, f"{field} must be a colour as #RRGGBB; got {value!r}.", value)
    return value.upper()


def _number(field: str, value, *, nullable: bool = False):
    if value is None and nullable:
        return None
    low, high = RANGES[field]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        _refuse(field, f"{field} must be a number from {low:g} to {high:g}{' or null' if nullable else ''}; got {value!r}.", value)
    return float(value)


def _palette(value) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_COLOURS:
        _refuse("palette", f"palette must be a list of at most {MAX_COLOURS} colours; got {len(value) if isinstance(value, list) else repr(value)}.", value)
    out = []
    for i, entry in enumerate(value):
        where = f"palette[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"name", "hex", "role"}:
            _refuse(where, f'{where} must be {{"name", "hex", "role"}}; got {entry!r}.', entry)
        name = entry.get("name", "")
        if not isinstance(name, str) or len(name) > MAX_NAME_CHARS:
            _refuse(f"{where}.name", f"{where}.name must be text of at most {MAX_NAME_CHARS} characters.", name)
        role = entry.get("role", ColourRole.PRIMARY)
        if role not in ColourRole.values:
            _refuse(f"{where}.role", f"{where}.role must be one of {', '.join(ColourRole.values)}; got {role!r}.", role)
        out.append({"name": name.strip(), "hex": _hex(f"{where}.hex", entry.get("hex")), "role": role})
    return out


def _terms(value) -> dict:
    if not isinstance(value, dict):
        _refuse("terms", 'terms must be {language or "*": {"required": [...], "forbidden": [...]}}.', value)
    out = {}
    for language, rule in value.items():
        where = f"terms.{language}"
        if language != "*" and language not in NAMES:
            _refuse(where, f"{where}: unknown language {language!r}. Allowed: *, {', '.join(sorted(NAMES))}.", language)
        if not isinstance(rule, dict) or set(rule) - {"required", "forbidden"}:
            _refuse(where, f'{where} must be {{"required": [...], "forbidden": [...]}}; got {rule!r}.', rule)
        out[language] = {}
        for kind in ("required", "forbidden"):
            items = rule.get(kind, [])
            if not isinstance(items, list) or len(items) > MAX_TERMS:
                _refuse(f"{where}.{kind}", f"{where}.{kind} must be a list of at most {MAX_TERMS} terms.", items)
            for j, term in enumerate(items):
                if not isinstance(term, str) or not term.strip() or len(term) > MAX_TERM_CHARS:
                    _refuse(f"{where}.{kind}[{j}]", f"{where}.{kind}[{j}] must be text of 1 to {MAX_TERM_CHARS} characters; got {term!r}.", term)
            out[language][kind] = [term.strip() for term in items]
    return out


def validate(data: dict) -> dict:
    """The cleaned fields of a (partial) change; raises ValidationFailed on the first bad one."""
    cleaned = {}
    for field, value in data.items():
        if field == "palette":
            cleaned[field] = _palette(value)
        elif field == "forbidden_colours":
            if not isinstance(value, list) or len(value) > MAX_COLOURS:
                _refuse(field, f"forbidden_colours must be a list of at most {MAX_COLOURS} colours.", value)
            cleaned[field] = [_hex(f"forbidden_colours[{i}]", v) for i, v in enumerate(value)]
        elif field == "terms":
            cleaned[field] = _terms(value)
        elif field == "logo_required":
            if not isinstance(value, bool):
                _refuse(field, f"logo_required must be true or false; got {value!r}.", value)
            cleaned[field] = value
        elif field in RANGES:
            cleaned[field] = _number(field, value, nullable=field == "min_brand_share")
        else:
            _refuse(field, f"Unknown field {field!r}. Allowed: {', '.join(['palette', 'forbidden_colours', 'terms', 'logo_required', *RANGES])}.", field)
    return cleaned
