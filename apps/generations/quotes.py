"""What a job would cost, and which of its model's guidance it goes past, before it is made: the
Generate form asks this instead of pricing in the browser. The same intake checks as creating a
job run (so a request the API would refuse is refused here with the same error); nothing is
written and no budget is taken."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from apps.generations.models import Delivery
from apps.generations.intake import GenerationInput, generation_prepare


@dataclass(frozen=True)
class Quote:
    estimate_usd: Decimal  # at the delivery asked
    estimates_usd: dict[str, Decimal]  # at every delivery, for a form that offers the choice
    warnings: list[dict]


def generation_quote(*, project, data: GenerationInput) -> Quote:
    """The price (ImageModel.cost) of `data` as it would be made, and its guidance warnings. The
    words do not change either, so a quote needs no prompt yet (a form asks before one is typed)."""
    if not data.prompt.strip():
        data = replace(data, prompt="(quote)")
    prepared = generation_prepare(project=project, data=data)
    model, size = prepared.settings.model, prepared.settings.image_size
    estimates = {delivery: model.cost(size, delivery, data.count) for delivery in Delivery.values}
    return Quote(estimate_usd=estimates[data.delivery], estimates_usd=estimates, warnings=prepared.warnings)
