"""Colour science through coloraide (ΔE2000, WCAG 2.1 contrast): no colour formula is written here."""

from functools import lru_cache

from coloraide import Color


@lru_cache(maxsize=4096)
def color(rgb: tuple[int, int, int]) -> Color:
    return Color("srgb", [c / 255 for c in rgb])


def from_hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def to_hex(rgb) -> str:
    return "#{:02X}{:02X}{:02X}".format(*(int(round(c)) for c in rgb))


def delta_e(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return round(float(color(a).delta_e(color(b), method="2000")), 2)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return round(float(color(a).contrast(color(b), method="wcag21")), 2)
