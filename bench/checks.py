"""Brand checks: CPU per image, peak memory of a checks worker process, and accuracy on rendered copy.

    .venv/bin/python -m bench.checks [--repeat 3]

- CPU: every check on one emulator-rendered image (German copy, the house mark, a product shot),
  the median of `--repeat` runs after a warm-up, counting this process and the Tesseract process it
  runs (RUSAGE_CHILDREN): at 1K (1024×1024) and at 4K (5504×3072, read downscaled for OCR).
- Memory: a fresh process that, like a checks worker, loads every model once and checks every image
  of the accuracy set and the 4K one; its peak RSS (and the Tesseract process's apart, by time(1)).
- Accuracy: 5 phrases × 8 languages (German umlauts, French, Spanish, English, Russian, Japanese,
  Arabic, Hebrew), each drawn correctly and with [fault:typo], alternating 1:1 and 16:9, = 80 images.
  Per language: the share of correct copy wrongly failed, and of wrong copy passed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHRASES = {
    "de": ["Jetzt entdecken und sparen", "Größe zählt für Bäume", "Frische Brötchen jeden Morgen", "Die neue Kollektion ist da", "Sommerzeit heißt Eiszeit"],
    "fr": ["Découvrez la nouvelle collection", "Le goût de l'été", "Achetez maintenant à prix réduit", "Fraîcheur garantie chaque jour", "Une qualité exceptionnelle"],
    "es": ["Descubre la nueva colección", "El sabor del verano", "Compra ahora con descuento", "Frescura garantizada cada día", "Calidad excepcional"],
    "en": ["Discover the new collection", "The taste of summer", "Shop now and save", "Freshness every single day", "Quality without compromise"],
    "ru": ["Купить сейчас со скидкой", "Новая коллекция уже здесь", "Вкус настоящего лета", "Свежесть каждый день", "Качество без компромиссов"],
    "ja": ["今すぐ購入してください", "新しいコレクション登場", "夏の味をお楽しみください", "毎日新鮮なパン", "品質にこだわりました"],
    "ar": ["اشتر الآن بسعر رائع", "المجموعة الجديدة هنا", "طعم الصيف الحقيقي", "انتعاش كل يوم", "جودة بلا حدود"],
    "he": ["קנו עכשיו במחיר מעולה", "הקולקציה החדשה כאן", "הטעם של הקיץ", "רעננות בכל יום", "איכות ללא פשרות"],
}
SIZES = [(1024, 1024), (1376, 768)]  # the catalogue's 1:1 and 16:9 at 1K


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _kit():
    from apps.checks.models import BrandKit
    from apps.gemini.emulator import copy_render

    return BrandKit(palette=copy_render.HOUSE_PALETTE, min_brand_share=0.5, logo_required=True)


def _product():
    import io

    from PIL import Image

    from apps.gemini.emulator.render import render_photo

    return Image.open(io.BytesIO(render_photo(width=400, height=400)))


def _render(phrase: str, size: tuple[int, int], *, typo: bool, seed: str):
    from apps.gemini.emulator import copy_render

    text = f'Reference image 1 of 1 for the object "Bottle". Poster with the headline "{phrase}"' + (" [fault:typo]" if typo else "")
    return copy_render.render_copy(width=size[0], height=size[1], request_text=text, inputs=[_product()], seed=seed)


def _check(image, phrase: str, language: str):
    from apps.checks import runner
    from apps.checks.pixels.common import Expected
    from apps.gemini.emulator import copy_render

    expected = Expected(copy=[phrase], language=language, size=image.size)
    results, _ = runner.run_all(image, expected=expected, kit=_kit(), logos=[copy_render.mark()])
    return {r["check"]: r for r in results}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_figures(repeat: int) -> dict:
    figures = {}
    for label, size in (("1K", (1024, 1024)), ("4K", (5504, 3072))):
        image = _render("Jetzt entdecken und sparen", size, typo=False, seed=label)
        _check(image, "Jetzt entdecken und sparen", "de")  # warm: dictionaries, SIFT of the mark, langid
        runs, per_check = [], []
        for _ in range(repeat):
            started = _cpu()
            results = _check(image, "Jetzt entdecken und sparen", "de")
            runs.append(_cpu() - started)
            per_check.append({name: r["figures"]["cpu_seconds"] for name, r in results.items()})
        runs.sort()
        figures[label] = {"cpu_seconds_median": round(runs[len(runs) // 2], 3), "runs": [round(r, 3) for r in runs],
                          "outcomes": {n: r["outcome"] for n, r in results.items()}, "in_process_per_check": per_check[-1]}
    return figures


def accuracy(folder: Path | None = None) -> dict:
    table = {}
    for language, phrases in PHRASES.items():
        counts = {"correct": 0, "correct_failed": 0, "wrong": 0, "wrong_passed": 0, "language_failed": 0, "spelling_failed_correct": 0}
        for i, phrase in enumerate(phrases):
            for typo in (False, True):
                size = SIZES[(i + typo) % 2]
                image = _render(phrase, size, typo=typo, seed=f"{language}{i}{typo}")
                if folder:
                    image.save(folder / f"{language}-{i}-{int(typo)}.png")
                results = _check(image, phrase, language)
                copy = results["copy"]["outcome"]
                if typo:
                    counts["wrong"] += 1
                    counts["wrong_passed"] += copy == "pass"
                else:
                    counts["correct"] += 1
                    counts["correct_failed"] += copy != "pass"
                    counts["language_failed"] += results["language"]["outcome"] == "fail"
                    counts["spelling_failed_correct"] += results["spelling"]["outcome"] == "fail"
                    if copy != "pass":
                        counts.setdefault("misread", []).append(results["copy"]["figures"].get("read"))
        table[language] = counts
    return table


def child_memory(folder: str) -> None:
    """The worker's life in one fresh process: load once, check every stored image. Peak from
    VmHWM (ru_maxrss would carry the parent's peak across fork and exec)."""
    _setup()
    from PIL import Image

    from bench._common import memory_kib

    before = memory_kib(os.getpid(), "VmHWM")
    for path in sorted(Path(folder).glob("*.png")):
        language = path.name.split("-")[0]
        index = int(path.name.split("-")[1]) if language in PHRASES else 0
        phrase = PHRASES.get(language, PHRASES["de"])[index]
        _check(Image.open(path), phrase, language if language in PHRASES else "de")
    # Tesseract's own peak, on the heaviest case (Japanese, a page at the OCR size), measured by time(1).
    page = next(Path(folder).glob("ja-0-0.png"))
    tesseract = subprocess.run(["/usr/bin/time", "-f", "%M", "tesseract", str(page), "stdout", "-l", "jpn", "--oem", "1", "--psm", "6"],
                               capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    print(json.dumps({
        "peak_rss_mib": round(memory_kib(os.getpid(), "VmHWM") / 1024, 1),
        "rss_after_django_mib": round(before / 1024, 1),
        "tesseract_peak_mib": round(int(tesseract.stderr.strip().splitlines()[-1]) / 1024, 1),
    }))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _setup()
    cpu = cpu_figures(args.repeat)
    for label, figures in cpu.items():
        print(f"[checks] all checks on a {label} image: {figures['cpu_seconds_median']} s CPU (median of {args.repeat}; runs {figures['runs']})")
        print(f"         in-process CPU per check: {figures['in_process_per_check']}")
        print(f"         outcomes: {figures['outcomes']}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        table = accuracy(Path(folder))
        images = sum(c["correct"] + c["wrong"] for c in table.values())
        print(f"[checks] accuracy on {images} rendered images in {len(table)} languages ({time.monotonic() - started:.0f} s):")
        print("         lang  correct-wrongly-failed  wrong-passed  (language check failed on correct, spelling failed on correct)")
        total_cf = total_c = total_wp = total_w = 0
        for language, c in table.items():
            total_cf, total_c, total_wp, total_w = total_cf + c["correct_failed"], total_c + c["correct"], total_wp + c["wrong_passed"], total_w + c["wrong"]
            print(f"         {language:4}  {c['correct_failed']}/{c['correct']} = {c['correct_failed'] / c['correct']:.0%}"
                  f"{'':14}{c['wrong_passed']}/{c['wrong']} = {c['wrong_passed'] / c['wrong']:.0%}"
                  f"      ({c['language_failed']}, {c['spelling_failed_correct']})" + (f"  misread: {c.get('misread')}" if c.get("misread") else ""))
        print(f"         all   {total_cf}/{total_c} = {total_cf / total_c:.1%}{'':12}{total_wp}/{total_w} = {total_wp / total_w:.1%}")
        _render("Jetzt entdecken und sparen", (5504, 3072), typo=False, seed="4K").save(Path(folder) / "de4k-0-0.png")
        memory = subprocess.run([sys.executable, "-m", "bench.checks", "--child-memory", folder], capture_output=True, text=True, check=True)
        figures = json.loads(memory.stdout.strip().splitlines()[-1])
        print(f"[checks] a fresh checks process over all {images + 1} images: peak RSS {figures['peak_rss_mib']} MiB "
              f"(after Django setup {figures['rss_after_django_mib']} MiB); Tesseract's own process (Japanese page) {figures['tesseract_peak_mib']} MiB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child-memory":
        child_memory(sys.argv[2])
    else:
        main()
