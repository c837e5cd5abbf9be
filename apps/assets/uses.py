"""Whether an asset may go out for a use (download, sign, export), and in which territory or channel.
The rules are the rights' (apps.rights, above assets): RightsConfig.ready() registers them here, so
the file endpoints, Content Credentials and exports below rights ask without importing rights.
With no rules registered every asset may go."""

from __future__ import annotations

_rules: dict = {}


def uses_register(*, check, refusals, scope) -> None:
    """`check(asset, use=, territory=, channel=)` raises a refusal (409) or returns what allowed it;
    `refusals(assets, territory=, channel=)` gives {asset id: refusal}; `scope(territory=, channel=)`
    checks an export's territory and channel."""
    _rules.update(check=check, refusals=refusals, scope=scope)


def use_check(asset, *, use: str, territory: str | None = None, channel: str | None = None):
    return _rules["check"](asset, use=use, territory=territory, channel=channel) if _rules else None


def use_refusals(assets, *, territory: str | None = None, channel: str | None = None) -> dict:
    return _rules["refusals"](assets, territory=territory, channel=channel) if _rules else {}


def use_scope(*, territory: str = "", channel: str = "") -> dict:
    return _rules["scope"](territory=territory, channel=channel) if _rules else {"territory": None, "channel": None}


def left_out_entry(asset, refusal) -> dict:
    """An export manifest's `left_out` line."""
    return {"asset": str(asset.pk), "code": refusal.code, "message": refusal.message, "details": refusal.details}
