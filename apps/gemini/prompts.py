"""The words sent to the model for each kind of job (the kinds table in kinds.py picks one), and the
labels placed before each input image."""

from __future__ import annotations

from apps.gemini import catalogue


def generate_instruction(prompt: str, **_) -> str:
    return prompt


def edit_instruction(prompt: str, **_) -> str:
    return f"Edit the provided image as follows: {prompt}\nKeep everything not mentioned exactly as it is: composition, lighting, colours and style."


def translate_instruction(prompt: str, *, target_language: str = "", **_) -> str:
    language = catalogue.LANGUAGES[target_language]
    extra = f"\nAlso: {prompt}" if prompt else ""
    return (
        f"Translate every piece of text in the provided image into {language}. Keep the font style, size, "
        f"colour, layout, lighting and everything else exactly as it is; change only the words.{extra}"
    )


def upscale_instruction(prompt: str, *, source_prompt: str = "", **_) -> str:
    """The draft's own prompt and the user's addition both reach the model."""
    made_from = f" The draft was made from this prompt: {source_prompt}" if source_prompt else ""
    extra = f"\nAlso: {prompt}" if prompt else ""
    return (
        "Re-render the provided draft image at full resolution. Keep its composition, subjects, colours and "
        f"text exactly; add fine detail only.{made_from}{extra}"
    )


def compose_instruction(prompt: str, **_) -> str:
    return f"Combine the provided source images into one image as follows: {prompt}"


def refine_instruction(prompt: str, **_) -> str:
    """A thread's turn is the user's words as typed: the model already has the image and the conversation."""
    return prompt


def source_label(position: int, total: int) -> str:
    return "Source image:" if total == 1 else f"Source image {position + 1} of {total}:"


def reference_label(*, kind: str, name: str, description: str, position: int, total: int) -> str:
    noun = "character" if kind == "character" else "object"
    about = f" ({description.strip()})" if description.strip() else ""
    return f"Reference image {position + 1} of {total} for the {noun} \"{name}\"{about}. Keep this {noun} looking exactly like this:"


def region_edit_instruction(prompt: str, **_) -> str:
    return (
        f"The provided image is a crop of a larger picture. Change only this, inside the crop: {prompt}\n"
        "Keep everything else exactly as it is: the framing, composition, lighting, colours, textures and style."
    )


def region_edit_marked_instruction(prompt: str, *, box_2d: list[int], **_) -> str:
    y1, x1, y2, x2 = box_2d
    return (
        "The first image is the original; the second is the same image with the region to change outlined in magenta. "
        f"The region as box_2d [y1, x1, y2, x2] in 0-1000 of the image: [{y1}, {x1}, {y2}, {x2}].\n"
        f"Change only inside that region: {prompt}\n"
        "Keep everything outside it exactly as it is, and do not draw the outline. Answer with the whole original image, edited."
    )
