"""Everything the platform knows about the Gemini image models, as data, in one place.

The API validation, the gateway, the emulator and the pages all read these tables; no other
module spells a model id, a size, an aspect ratio, a limit or a price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Pixel sizes at the 1K tier. 2K doubles each side, 4K quadruples, 512 halves (a quarter of the area).
PIXELS_1K: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "2:3": (848, 1264),
    "3:2": (1264, 848),
    "3:4": (896, 1200),
    "4:3": (1200, 896),
    "4:5": (928, 1152),
    "5:4": (1152, 928),
    "9:16": (768, 1376),
    "16:9": (1376, 768),
    "21:9": (1584, 672),
    "1:4": (512, 2048),
    "4:1": (2048, 512),
    "1:8": (384, 3072),
    "8:1": (3072, 384),
}
SIZE_SCALE: dict[str, float] = {"512": 0.5, "1K": 1, "2K": 2, "4K": 4}

STANDARD_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
EXTREME_RATIOS = ("1:4", "4:1", "1:8", "8:1")

THINKING_LEVELS = ("minimal", "high")

DEFAULT_ASPECT_RATIO = "1:1"  # when neither the request nor a source says
# Sizes a draft is re-rendered at by an upscale job.
UPSCALE_SIZES = ("2K", "4K")

MAX_INPUT_IMAGES = 14
MAX_PROMPT_CHARS = 8000
MAX_VARIATIONS = 4

# Batch API: half the interactive price, a 24-hour target turnaround, and requests sent inline
# only while the whole create call stays under 20 MB (beyond it they go up as a JSONL file).
BATCH_TURNAROUND = "up to 24 hours"
BATCH_INLINE_LIMIT_BYTES = 20 * 1024 * 1024

# Target languages for in-image translation: code -> name used in the instruction.
LANGUAGES: dict[str, str] = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
    "hi": "Hindi", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "sv": "Swedish",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese (Simplified)",
}


@dataclass(frozen=True)
class LibraryLimits:
    """What a library entry may hold, whatever model later uses it."""

    images_per_character: int = 4
    images_per_object: int = 10

    def images_per_entry(self, kind: str) -> int:
        return self.images_per_character if kind == "character" else self.images_per_object


LIBRARY_LIMITS = LibraryLimits()


@dataclass(frozen=True)
class ReferenceGuidance:
    """Google's image guide, per request and model: past these numbers the model still answers but
    keeps subjects less faithfully, so a request past them is warned about, never refused (only
    more than `max_input_images` is refused, as the API does)."""

    character_images: int | None = None
    object_images: int | None = None
    input_images: int | None = None

    def warnings(self, *, model_label: str, character_images: int, object_images: int, input_images: int) -> list[dict]:
        checks = (
            ("characters", "character images", self.character_images, character_images),
            ("objects", "object images", self.object_images, object_images),
            ("source_assets", "input images in all", self.input_images, input_images),
        )
        return [
            {
                "code": "past_reference_guidance", "field": field, "limit": limit, "value": value,
                "message": f"{model_label} keeps subjects best with up to {limit} {noun} per request; this job sends {value}.",
            }
            for field, noun, limit, value in checks
            if limit is not None and value > limit
        ]


@dataclass(frozen=True)
class ImageModel:
    alias: str
    model_id: str
    label: str
    sizes: tuple[str, ...]
    default_size: str
    aspect_ratios: tuple[str, ...]
    thinking_levels: tuple[str, ...]  # empty: the model does not take a thinking level
    web_search: bool
    image_search: bool
    price_per_image_usd: dict[str, Decimal]
    batch_price_per_image_usd: dict[str, Decimal]
    guidance: ReferenceGuidance
    max_input_images: int = MAX_INPUT_IMAGES
    # Gemini 3 image models sign their image parts (and first text part); a multi-turn history must
    # send each signature back unchanged, and a signature is valid only for the model that made it.
    thought_signatures: bool = False

    @property
    def supports_size_choice(self) -> bool:
        return len(self.sizes) > 1

    def price(self, image_size: str | None, delivery: str = "interactive") -> Decimal:
        prices = self.batch_price_per_image_usd if delivery == "batch" else self.price_per_image_usd
        return prices[image_size or self.default_size]

    def cost(self, image_size: str | None, delivery: str = "interactive", count: int = 1) -> Decimal:
        """What `count` images cost: the one place price x count is worked out (jobs, estimates,
        budgets, campaign stages and the Generate form's quote all call it)."""
        return self.price(image_size, delivery) * count


MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        alias="nano-banana-2",
        model_id="gemini-3.1-flash-image-preview",
        label="Nano Banana 2",
        sizes=("512", "1K", "2K", "4K"),
        default_size="1K",
        aspect_ratios=STANDARD_RATIOS + EXTREME_RATIOS,
        thinking_levels=THINKING_LEVELS,
        web_search=True,
        image_search=True,
        thought_signatures=True,
        price_per_image_usd={
            "512": Decimal("0.045"), "1K": Decimal("0.067"), "2K": Decimal("0.101"), "4K": Decimal("0.151"),
        },
        batch_price_per_image_usd={
            "512": Decimal("0.0225"), "1K": Decimal("0.0335"), "2K": Decimal("0.0505"), "4K": Decimal("0.0755"),
        },
        guidance=ReferenceGuidance(character_images=4, object_images=10),
    ),
    ImageModel(
        alias="nano-banana-pro",
        model_id="gemini-3-pro-image-preview",
        label="Nano Banana Pro",
        sizes=("1K", "2K", "4K"),
        default_size="1K",
        aspect_ratios=STANDARD_RATIOS,
        thinking_levels=("high",),  # thinking is always on
        web_search=True,
        image_search=False,
        thought_signatures=True,
        price_per_image_usd={"1K": Decimal("0.134"), "2K": Decimal("0.134"), "4K": Decimal("0.24")},
        batch_price_per_image_usd={"1K": Decimal("0.067"), "2K": Decimal("0.067"), "4K": Decimal("0.12")},
        guidance=ReferenceGuidance(character_images=5, object_images=6),
    ),
    ImageModel(
        alias="nano-banana",
        model_id="gemini-2.5-flash-image",
        label="Nano Banana",
        sizes=("1K",),
        default_size="1K",
        aspect_ratios=STANDARD_RATIOS,
        thinking_levels=(),
        web_search=False,
        image_search=False,
        price_per_image_usd={"1K": Decimal("0.039")},
        batch_price_per_image_usd={"1K": Decimal("0.0195")},
        guidance=ReferenceGuidance(input_images=3),
    ),
)

DEFAULT_MODEL = "nano-banana-2"

_BY_NAME: dict[str, ImageModel] = {m.alias: m for m in MODELS} | {m.model_id: m for m in MODELS}


def get_model(name: str) -> ImageModel | None:
    """Look a model up by alias or full id."""
    return _BY_NAME.get(name)


def nearest_ratio(width: int, height: int, ratios: tuple[str, ...] = STANDARD_RATIOS) -> str:
    """The ratio among `ratios` closest to width:height (an upload, or a ratio a model lacks)."""
    return min(ratios, key=lambda r: abs(PIXELS_1K[r][0] / PIXELS_1K[r][1] - width / height))


def pixel_size(aspect_ratio: str, image_size: str) -> tuple[int, int]:
    width, height = PIXELS_1K[aspect_ratio]
    scale = SIZE_SCALE[image_size]
    return round(width * scale), round(height * scale)
