"""The words sent to the model for each kind of job, and the labels placed before each input image."""

from __future__ import annotations

from apps.gemini import catalogue


def instruction(kind: str, *, prompt: str, target_language: str = "", original_prompt: str = "") -> str:
    if kind == "edit":
        return f"Edit the provided image as follows: {prompt}\nKeep everything not mentioned exactly as it is: composition, lighting, colours and style."
    if kind == "translate":
        language = catalogue.LANGUAGES[target_language]
        extra = f"\nAlso: {prompt}" if prompt else ""
        return (
            f"Translate every piece of text in the provided image into {language}. Keep the font style, size, "
            f"colour, layout, lighting and everything else exactly as it is; change only the words.{extra}"
        )
    if kind == "upscale":
        extra = f"\nAlso: {prompt}" if prompt else ""
        return (
            "Re-render the provided draft image at full resolution. Keep its composition, subjects, colours and "
            f"text exactly; add fine detail only. The draft was made from this prompt: {original_prompt}{extra}"
        )
    if kind == "compose":
        return f"Combine the provided source images into one image as follows: {prompt}"
    return prompt


def source_label(position: int, total: int) -> str:
    return "Source image:" if total == 1 else f"Source image {position + 1} of {total}:"


def reference_label(*, kind: str, name: str, description: str, position: int, total: int) -> str:
    noun = "character" if kind == "character" else "object"
    about = f" ({description.strip()})" if description.strip() else ""
    return f"Reference image {position + 1} of {total} for the {noun} \"{name}\"{about}. Keep this {noun} looking exactly like this:"
