"""A small library (a character and products with reference images) and campaign bodies for tests."""

from apps.library.models import EntryKind
from tests.factories import LibraryEntryFactory, reference_image


def library(project, products: int = 1):
    """(character, [products]) each with one reference image."""
    character = LibraryEntryFactory(project=project, kind=EntryKind.CHARACTER, name="Mia", description="a runner with red hair")
    reference_image(character, colour=(200, 40, 40))
    made = []
    for i in range(products):
        product = LibraryEntryFactory(project=project, kind=EntryKind.OBJECT, name=f"Trail shoe {i + 1}", description="a teal running shoe")
        reference_image(product, colour=(20, 160 + i * 20, 160))
        made.append(product)
    return character, made


def campaign_body(character, products, **overrides) -> dict:
    return {
        "name": "Spring run",
        "products": [str(p.pk) for p in products],
        "characters": [str(character.pk)],
        "scenes": ["morning run in a city park"],
        "formats": ["4:5"],
        "languages": ["de"],
        "copy": "Run brighter",
        "variations": 2,
        "draft": {"model": "nano-banana-2", "image_size": "512"},
        "final": {"model": "nano-banana-2", "image_size": "2K"},
    } | overrides
