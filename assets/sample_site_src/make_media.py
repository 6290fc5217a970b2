"""Draw the sample site's pictures with Pillow into media/ (run by hand; the files are committed).

Small real JPEG/PNG files standing in for the portal's photos (a press conference, a dragon-boat
race, a chart …): shapes only, no text, so no font is needed. They are committed rather than drawn
by build.py so that the site's bytes do not depend on the Pillow or zlib build of the machine.

    .venv/bin/python assets/sample_site_src/make_media.py
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
MEDIA_DIR = HERE / "media"
SITE_IMAGES_DIR = HERE / "static" / "2020" / "images" / "public"
SIZE = (480, 320)

# name -> (scene, palette seed)
PHOTOS = {
    "press_1.jpg": ("press", (178, 34, 34)),
    "press_2.jpg": ("press", (25, 70, 140)),
    "press_3.jpg": ("press", (150, 30, 40)),
    "press_4.jpg": ("press", (20, 95, 120)),
    "press_5.jpg": ("press", (190, 60, 20)),
    "press_6.jpg": ("press", (40, 40, 120)),
    "campus.jpg": ("press", (30, 110, 70)),
    "dragon_boat.jpg": ("river", (200, 40, 30)),
    "rain.jpg": ("river", (60, 80, 100)),
    "fair.jpg": ("crowd", (220, 120, 20)),
    "expo.jpg": ("crowd", (30, 120, 180)),
    "mall.jpg": ("crowd", (120, 40, 140)),
    "marathon_1.jpg": ("road", (230, 60, 60)),
    "marathon_2.jpg": ("medal", (212, 175, 55)),
    "lantern.jpg": ("night", (230, 50, 40)),
    "concert.jpg": ("night", (240, 200, 80)),
    "stage.jpg": ("night", (200, 30, 90)),
    "station.jpg": ("road", (40, 90, 160)),
    "basketball.jpg": ("court", (230, 120, 30)),
    "city.jpg": ("river", (40, 140, 90)),
}
CHARTS = {"chart_1.png": (5, (196, 30, 58)), "chart_2.png": (7, (30, 110, 170))}


def _sky(draw: ImageDraw.ImageDraw, top: tuple[int, int, int], bottom: tuple[int, int, int], h: int) -> None:
    for y in range(h):
        t = y / max(1, h - 1)
        draw.line([(0, y), (SIZE[0], y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def _people(draw: ImageDraw.ImageDraw, rng: random.Random, n: int, y: int, scale: int) -> None:
    for _ in range(n):
        x = rng.randint(0, SIZE[0])
        shade = rng.randint(20, 90)
        draw.ellipse([x - scale, y - 3 * scale, x + scale, y - scale], fill=(shade + 120, shade + 90, shade + 70))
        draw.rectangle([x - int(1.6 * scale), y - scale, x + int(1.6 * scale), y + 3 * scale], fill=(shade, shade, shade + 30))


def draw_photo(scene: str, color: tuple[int, int, int], seed: str) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", SIZE, (240, 240, 240))
    d = ImageDraw.Draw(img)
    w, h = SIZE
    if scene == "press":
        d.rectangle([0, 0, w, int(h * 0.62)], fill=color)  # backdrop
        for i in range(6):
            d.rectangle([40 + i * 70, 40, 80 + i * 70, 46], fill=(255, 215, 120))
        d.rectangle([60, int(h * 0.55), w - 60, int(h * 0.72)], fill=(245, 245, 245))  # table
        for i in range(4):
            x = 110 + i * 90
            d.ellipse([x - 14, 120, x + 14, 148], fill=(225, 190, 160))
            d.rectangle([x - 24, 148, x + 24, int(h * 0.56)], fill=(30, 30, 40))
            d.rectangle([x - 10, int(h * 0.56) - 6, x + 10, int(h * 0.56)], fill=(200, 200, 200))
        d.rectangle([0, int(h * 0.72), w, h], fill=(90, 70, 60))
        _people(d, rng, 14, h - 30, 9)
    elif scene == "river":
        _sky(d, (150, 190, 230), (220, 235, 245), int(h * 0.5))
        d.rectangle([0, int(h * 0.5), w, h], fill=(60, 110, 140))
        for y in range(int(h * 0.52), h, 9):
            d.line([(0, y), (w, y + rng.randint(-3, 3))], fill=(90, 140, 170))
        for i in range(3):
            y = int(h * 0.6) + i * 35
            x = rng.randint(20, 120)
            d.polygon([(x, y), (x + 300, y), (x + 280, y + 14), (x + 20, y + 14)], fill=color)
            for k in range(12):
                d.line([(x + 30 + k * 20, y), (x + 22 + k * 20, y + 22)], fill=(250, 220, 60), width=2)
    elif scene == "crowd":
        _sky(d, (250, 250, 250), (230, 230, 235), h)
        for i in range(5):
            d.rectangle([20 + i * 92, 40, 96 + i * 92, 150], fill=tuple(min(255, c + i * 20) for c in color))
        _people(d, rng, 40, h - 40, 8)
        _people(d, rng, 30, h - 10, 10)
    elif scene == "road":
        _sky(d, (160, 200, 240), (235, 240, 250), int(h * 0.45))
        d.polygon([(0, h), (w, h), (int(w * 0.6), int(h * 0.45)), (int(w * 0.4), int(h * 0.45))], fill=(80, 80, 85))
        d.rectangle([0, int(h * 0.3), 90, int(h * 0.45)], fill=(170, 170, 180))
        d.rectangle([w - 120, int(h * 0.25), w, int(h * 0.45)], fill=(150, 160, 175))
        for _ in range(25):
            x, y = rng.randint(80, w - 80), rng.randint(int(h * 0.5), h - 20)
            s = 3 + (y - int(h * 0.5)) // 25
            d.ellipse([x - s, y - 3 * s, x + s, y - s], fill=(230, 190, 160))
            d.rectangle([x - s, y - s, x + s, y + 2 * s], fill=color)
    elif scene == "medal":
        d.rectangle([0, 0, w, h], fill=(30, 40, 70))
        d.polygon([(200, 0), (240, 0), (250, 150), (230, 150)], fill=(200, 30, 40))
        d.polygon([(280, 0), (240, 0), (230, 150), (250, 150)], fill=(30, 90, 180))
        d.ellipse([170, 130, 310, 270], fill=color, outline=(255, 240, 180), width=6)
        d.ellipse([200, 160, 280, 240], outline=(150, 120, 30), width=4)
    elif scene == "night":
        _sky(d, (10, 15, 40), (40, 30, 70), h)
        for _ in range(40):
            x, y = rng.randint(0, w), rng.randint(0, int(h * 0.6))
            r = rng.randint(4, 12)
            d.ellipse([x - r, y - r, x + r, y + r], fill=color)
            d.line([(x, y - r - 8), (x, y - r)], fill=(200, 200, 200))
        _people(d, rng, 30, h - 20, 8)
    elif scene == "court":
        d.rectangle([0, 0, w, h], fill=(40, 40, 50))
        d.rectangle([30, 90, w - 30, h - 20], fill=(205, 140, 80))
        d.line([(w // 2, 90), (w // 2, h - 20)], fill=(255, 255, 255), width=3)
        d.ellipse([w // 2 - 40, (90 + h - 20) // 2 - 40, w // 2 + 40, (90 + h - 20) // 2 + 40], outline=(255, 255, 255), width=3)
        d.ellipse([w // 2 - 12, 100, w // 2 + 12, 124], fill=color)
        _people(d, rng, 10, 220, 9)
        _people(d, rng, 30, 70, 6)
    return img


def draw_chart(bars: int, color: tuple[int, int, int], seed: str) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", SIZE, (255, 255, 255))
    d = ImageDraw.Draw(img)
    w, h = SIZE
    d.line([(40, h - 40), (w - 20, h - 40)], fill=(80, 80, 80), width=2)
    d.line([(40, 20), (40, h - 40)], fill=(80, 80, 80), width=2)
    for y in range(60, h - 40, 50):
        d.line([(42, y), (w - 20, y)], fill=(225, 225, 225))
    step = (w - 80) // bars
    for i in range(bars):
        top = rng.randint(60, h - 90)
        d.rectangle([60 + i * step, top, 60 + i * step + step // 2, h - 42], fill=color)
    return img.quantize(colors=16)


def draw_site_image(name: str) -> Image.Image:
    if name == "logo.png":
        img = Image.new("RGB", (360, 72), (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.ellipse([8, 8, 64, 64], fill=(200, 20, 30))
        d.polygon([(36, 16), (42, 32), (58, 32), (45, 42), (50, 58), (36, 48), (22, 58), (27, 42), (14, 32), (30, 32)], fill=(255, 215, 0))
        for i in range(9):
            d.rectangle([80 + i * 30, 24, 100 + i * 30, 48], fill=(180, 20, 30))
        return img.quantize(colors=8)
    if name == "phone_ewm.png":
        rng = random.Random(name)
        img = Image.new("1", (29, 29), 1)
        for x in range(29):
            for y in range(29):
                if rng.random() < 0.45:
                    img.putpixel((x, y), 0)
        return img.resize((116, 116), Image.Resampling.NEAREST)
    if name == "ba.png":
        img = Image.new("RGB", (20, 20), (255, 255, 255))
        ImageDraw.Draw(img).ellipse([1, 1, 19, 19], fill=(40, 80, 160))
        return img.quantize(colors=4)
    img = Image.new("RGB", (240, 80), (200, 30, 40) if "yshj" in name else (20, 90, 160))
    ImageDraw.Draw(img).rectangle([10, 10, 230, 70], outline=(255, 255, 255), width=3)
    return img.quantize(colors=4)


def main() -> None:
    MEDIA_DIR.mkdir(exist_ok=True)
    SITE_IMAGES_DIR.mkdir(parents=True, exist_ok=True)
    for name, (scene, color) in PHOTOS.items():
        draw_photo(scene, color, name).save(MEDIA_DIR / name, "JPEG", quality=70, optimize=True)
    for name, (bars, color) in CHARTS.items():
        draw_chart(bars, color, name).save(MEDIA_DIR / name, "PNG", optimize=True)
    for name in ("logo.png", "phone_ewm.png", "ba.png", "zt_yshj.png", "zt_bqw.png"):
        draw_site_image(name).save(SITE_IMAGES_DIR / name, "PNG", optimize=True)


if __name__ == "__main__":
    main()
