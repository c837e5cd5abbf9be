"""What a campaign costs interactive vs through the Batch API, from the catalogue's prices.

    .venv/bin/python -m bench.batch_cost                       # the 36-final campaign
    .venv/bin/python -m bench.batch_cost --products 20 --scenes 3 --formats 3 --languages 4

A campaign of P products x S scenes x F formats in (1 + L) languages: drafts at 512 (one variation
per cell), translations of each draft into the L languages at 512, then every cell and language
finalised at 4K on one model.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

from apps.gemini import catalogue  # pure data: no Django setup needed


def stages(products: int, scenes: int, formats: int, languages: int, variations: int) -> list[tuple[str, int, str]]:
    cells = products * scenes * formats
    return [
        ("drafts", cells * variations, "512"),
        ("translations", cells * languages, "512"),
        ("finals", cells * (1 + languages), "4K"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=3)
    parser.add_argument("--scenes", type=int, default=2)
    parser.add_argument("--formats", type=int, default=2)
    parser.add_argument("--languages", type=int, default=2, help="besides the source language")
    parser.add_argument("--variations", type=int, default=1, help="drafts per cell")
    parser.add_argument("--model", default="nano-banana-2")
    args = parser.parse_args()
    model = catalogue.get_model(args.model)

    print(f"{args.products} products x {args.scenes} scenes x {args.formats} formats x (1+{args.languages}) languages on {model.label}")
    print(f"{'stage':<14}{'images':>7}{'size':>6}{'interactive':>14}{'batch':>12}{'saved':>12}")
    total_interactive = total_batch = Decimal(0)
    for name, images, size in stages(args.products, args.scenes, args.formats, args.languages, args.variations):
        interactive, batch = model.price(size) * images, model.price(size, "batch") * images
        total_interactive, total_batch = total_interactive + interactive, total_batch + batch
        print(f"{name:<14}{images:>7}{size:>6}{f'${interactive:.3f}':>14}{f'${batch:.3f}':>12}{f'${interactive - batch:.3f}':>12}")
    saved = total_interactive - total_batch
    print(f"{'total':<14}{'':>7}{'':>6}{f'${total_interactive:.3f}':>14}{f'${total_batch:.3f}':>12}{f'${saved:.3f}':>12}"
          f"  ({saved / total_interactive:.0%} saved; batch turnaround {catalogue.BATCH_TURNAROUND})")


if __name__ == "__main__":
    main()
