"""The brand kit page's form, read into the same change dict the REST PATCH takes; the rules that
check it live in apps.checks.kit (one place for REST, the admin and this page)."""

from __future__ import annotations

from apps.checks.models import ColourRole
from apps.checks.pixels.languages import NAMES

EMPTY_PALETTE_ROWS = 3
EMPTY_TERM_ROWS = 2


def _split(text: str) -> list[str]:
    """Comma- or line-separated items, blanks dropped."""
    return [item.strip() for line in (text or "").splitlines() for item in line.split(",") if item.strip()]


def _number(text: str):
    """A number typed in a field: the value as a float, None when empty, the text itself when not a
    number (kit.validate refuses it naming the field and the value)."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def kit_changes(post) -> dict:
    """The posted page as kit fields. Blank palette and term rows are ignored; a ticked "remove" drops a row."""
    palette = []
    for index in range(int(post.get("palette_rows") or 0)):
        name, hex_value = post.get(f"palette-{index}-name", "").strip(), post.get(f"palette-{index}-hex", "").strip()
        if post.get(f"palette-{index}-remove") or not (name or hex_value):
            continue
        if hex_value and not hex_value.startswith("#"):
            hex_value = f"#{hex_value}"
        palette.append({"name": name, "hex": hex_value, "role": post.get(f"palette-{index}-role", ColourRole.PRIMARY)})
    terms: dict = {}
    for index in range(int(post.get("term_rows") or 0)):
        language = post.get(f"terms-{index}-language", "").strip()
        required, forbidden = _split(post.get(f"terms-{index}-required", "")), _split(post.get(f"terms-{index}-forbidden", ""))
        if not language or not (required or forbidden):
            continue
        rule = terms.setdefault(language, {"required": [], "forbidden": []})
        rule["required"] += required
        rule["forbidden"] += forbidden
    share = _number(post.get("min_brand_share", ""))
    changes = {
        "palette": palette,
        "forbidden_colours": [value if value.startswith("#") else f"#{value}" for value in _split(post.get("forbidden_colours", ""))],
        "logo_required": post.get("logo_required") == "on",
        "terms": terms,
        # The page asks for a percentage; the kit keeps a share from 0 to 1.
        "min_brand_share": share / 100 if isinstance(share, float) else share,
    }
    for field in ("tolerance", "min_contrast", "min_contrast_large"):
        value = _number(post.get(field, ""))
        if value is not None:
            changes[field] = value
        else:
            changes[field] = ""  # refused by kit.validate with the field's range
    return changes


def palette_rows(palette: list[dict]) -> list[dict]:
    return [*palette, *({"name": "", "hex": "", "role": ColourRole.PRIMARY} for _ in range(EMPTY_PALETTE_ROWS))]


def term_rows(terms: dict) -> list[dict]:
    rows = [{"language": language, "required": ", ".join(rule.get("required", [])), "forbidden": ", ".join(rule.get("forbidden", []))}
            for language, rule in sorted(terms.items())]
    return [*rows, *({"language": "", "required": "", "forbidden": ""} for _ in range(EMPTY_TERM_ROWS))]


def language_choices() -> list[tuple[str, str]]:
    return [("*", "Every language"), *sorted(NAMES.items(), key=lambda item: item[1])]


ROLE_CHOICES = ColourRole.choices
