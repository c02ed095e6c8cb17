"""Draws the phone app's icons once (committed as PNG): python scripts/make_app_icons.py."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "ui" / "pwa" / "icons"
BRAND = (11, 93, 91)


def draw_icon(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), BRAND)
    draw = ImageDraw.Draw(image)
    inset = size * (0.22 if maskable else 0.14)
    box = (inset, inset + size * 0.08, size - inset, size - inset)
    draw.rounded_rectangle(box, radius=size * 0.08, outline="white", width=max(2, size // 24))
    lens = size * (0.16 if maskable else 0.19)
    centre = (size / 2, size / 2 + size * 0.04)
    draw.ellipse(
        (centre[0] - lens, centre[1] - lens, centre[0] + lens, centre[1] + lens),
        outline="white",
        width=max(2, size // 24),
    )
    bar = size * 0.035
    draw.rectangle(
        (centre[0] - bar, centre[1] - lens * 0.55, centre[0] + bar, centre[1] + lens * 0.55),
        fill="white",
    )
    draw.rectangle(
        (centre[0] - lens * 0.55, centre[1] - bar, centre[0] + lens * 0.55, centre[1] + bar),
        fill="white",
    )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    draw_icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw_icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw_icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    draw_icon(180, maskable=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
