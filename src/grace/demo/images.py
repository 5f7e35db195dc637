"""Procedurally drawn benign images and their near-duplicate variants.

Every demo picture is drawn from scratch (houses, trees, suns, hills, patterns, text
cards), so the demo never needs any real photograph. A base image depends only on
``(seed, base index)``, never on draw order, so the output is reproducible. Variants
imitate what happens to a picture as it is shared (re-encoding, resizing, cropping,
mirroring, a watermark, a colour shift): perceptual matching must find them although
their bytes differ. Transform parameters come from small fixed sets so that the same
variant recurs byte-identically, as real re-shares do.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

TRANSFORMS: dict[str, tuple[str, ...]] = {
    "reencode": ("q55", "q70", "q85"),
    "resize": ("0.5", "0.75", "1.25"),
    "crop": ("0.05", "0.1", "0.15"),
    "flip": ("h",),
    "watermark": ("@sharedpics", "funny.example", "via ChatterApp"),
    "colour_shift": ("warm", "cool", "bright"),
}
CARD_TEXTS = (
    "MONDAY AGAIN?",
    "When the wifi finally connects",
    "Me waiting for the bus",
    "Keep calm and water your plants",
    "Weekend mode: ON",
    "Nobody:  My cat at 3am:",
)
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in rng.integers(lo, hi, size=3))
    return r, g, b


def _gradient(
    w: int, h: int, top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    rows = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    return Image.fromarray(np.repeat(rows, w, axis=1).astype(np.uint8), "RGB")


def _scene(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Sky, sun, hills, a few houses and trees."""
    img = _gradient(w, h, _colour(rng, 60, 200), _colour(rng, 170, 256))
    draw = ImageDraw.Draw(img)
    sx, sy, sr = int(rng.integers(0, w)), int(rng.integers(0, h // 3)), int(rng.integers(15, 50))
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, int(rng.integers(190, 240)), 60))
    horizon = int(h * rng.uniform(0.55, 0.75))
    for _ in range(int(rng.integers(1, 4))):
        cx, rx = int(rng.integers(0, w)), int(rng.integers(w // 4, w))
        draw.ellipse(
            (cx - rx, horizon - rx // 4, cx + rx, horizon + rx), fill=_colour(rng, 40, 160)
        )
    draw.rectangle((0, horizon, w, h), fill=_colour(rng, 30, 140))
    for _ in range(int(rng.integers(1, 5))):
        hw, hh = int(rng.integers(w // 10, w // 4)), int(rng.integers(h // 10, h // 4))
        x = int(rng.integers(0, max(1, w - hw)))
        y = horizon - hh + int(rng.integers(0, h // 8))
        draw.rectangle((x, y, x + hw, y + hh), fill=_colour(rng))
        draw.polygon(
            [(x - 6, y), (x + hw + 6, y), (x + hw // 2, y - hh // 2)], fill=_colour(rng, 80)
        )
        dw = max(4, hw // 5)
        draw.rectangle(
            (x + hw // 2 - dw // 2, y + hh - hh // 2, x + hw // 2 + dw // 2, y + hh),
            fill=_colour(rng, 0, 120),
        )
    for _ in range(int(rng.integers(0, 6))):
        x, y, r = (
            int(rng.integers(0, w)),
            horizon + int(rng.integers(0, h // 6)),
            int(rng.integers(10, 40)),
        )
        draw.rectangle((x - r // 5, y - r, x + r // 5, y + r), fill=(110, 70, 30))
        draw.ellipse(
            (x - r, y - 2 * r, x + r, y),
            fill=(int(rng.integers(20, 90)), int(rng.integers(110, 200)), 40),
        )
    return img


def _field(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Smooth random greyscale 'cloud' noise: coarse random grids blown up and summed.

    PDQ sees only the lowest frequencies, so this is what keeps pictures apart: each base
    gets its own layout of light and dark regions. Octaves of halving strength give the
    1/f spectrum of a photograph, which is what makes the hash survive re-encoding and
    resizing (a drawing of sharp shapes alone leaves most of PDQ's bits to chance).
    """
    gx, gy = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    sw, sh = max(8, w // 4), max(8, h // 4)  # summed small, then blown up once: fast
    total = np.zeros((sh, sw), np.float32)
    for octave in range(4):
        grid = rng.random((gy << octave, gx << octave)).astype(np.float32)
        layer = Image.fromarray(grid, "F").resize((sw, sh), Image.Resampling.BICUBIC)
        total += np.asarray(layer) / (1 << octave)
    total -= total.min()
    total *= 255 / max(1e-6, float(total.max()))  # full contrast
    small = Image.fromarray(total.astype(np.uint8), "L")
    return small.resize((w, h), Image.Resampling.BICUBIC)


def _clouds(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Two contrasting colours (one dark, one light) mixed by a random smooth field."""
    dark, light = _colour(rng, 0, 110), _colour(rng, 150, 256)
    if rng.random() < 0.5:
        dark, light = light, dark
    return Image.composite(
        Image.new("RGB", (w, h), dark), Image.new("RGB", (w, h), light), _field(rng, w, h)
    )


def _blobs(rng: np.random.Generator, img: Image.Image) -> None:
    """A few large dark or light shapes at random places: more low-frequency layout."""
    draw, (w, h) = ImageDraw.Draw(img), img.size
    for _ in range(int(rng.integers(2, 5))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        rx, ry = int(rng.integers(w // 8, w // 3)), int(rng.integers(h // 8, h // 3))
        shape = draw.ellipse if rng.random() < 0.6 else draw.rectangle
        lo, hi = (0, 90) if rng.random() < 0.5 else (170, 256)
        shape((x - rx, y - ry, x + rx, y + ry), fill=_colour(rng, lo, hi))


def _pattern(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Stripes, checks or scattered shapes tinting part of a random cloudy backdrop."""
    img = _clouds(rng, w, h)
    _blobs(rng, img)
    mask = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(mask)
    style = int(rng.integers(0, 3))
    step = int(rng.integers(16, 64))
    if style == 0:
        slope = h if rng.random() < 0.5 else -h
        for x in range(-h, w + h, step):
            draw.line((x, 0, x + slope, h), fill=255, width=step // 3)
    elif style == 1:
        for y in range(0, h, step):
            for x in range((y // step % 2) * step, w, 2 * step):
                draw.rectangle((x, y, x + step, y + step), fill=255)
    else:
        for _ in range(int(rng.integers(10, 40))):
            x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(8, 60))
            shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
            shape((x - r, y - r, x + r, y + r), fill=255)
    # Half-strength, and only inside a random window: the backdrop's layout, not the
    # repetitive pattern (identical in every picture of its style), decides the hash.
    x0, y0 = int(rng.integers(0, w // 2)), int(rng.integers(0, h // 2))
    x1, y1 = x0 + int(rng.integers(w // 3, w)), y0 + int(rng.integers(h // 3, h))
    arr = np.asarray(mask, dtype=np.uint16) * int(rng.integers(90, 150)) // 255
    window = np.zeros((h, w), bool)
    window[y0:y1, x0:x1] = True
    alpha = Image.fromarray(np.where(window, arr, 0).astype(np.uint8), "L")
    return Image.composite(Image.new("RGB", (w, h), _colour(rng)), img, alpha)


def _card(rng: np.random.Generator, w: int, h: int, text: str) -> Image.Image:
    """A meme-style text card: the kind of harmless picture that goes viral."""
    if rng.random() < 0.5:
        img = _pattern(rng, w, h)
    else:
        img = _clouds(rng, w, h)
        _blobs(rng, img)
    draw = ImageDraw.Draw(img)
    font = _font(max(16, w // 14))
    box = draw.textbbox((0, 0), text, font=font)
    tx, ty = (w - (box[2] - box[0])) // 2, int(h * 0.78)
    draw.rectangle((0, ty - 8, w, ty + (box[3] - box[1]) + 16), fill=(0, 0, 0))
    draw.text((max(4, tx), ty), text, font=font, fill=(255, 255, 255))
    return img


def render_base(seed: int, index: int, kind: str) -> tuple[Image.Image, str]:
    """Draw base image ``index`` of kind scene/pattern/card; return it and its format."""
    rng = np.random.default_rng([seed, index, 7])
    w, h = int(rng.integers(400, 641)), int(rng.integers(400, 641))
    if kind == "card":
        img = _card(rng, w, h, CARD_TEXTS[index % len(CARD_TEXTS)])
    elif kind == "pattern":
        img = _pattern(rng, w, h)
    else:
        img = _scene(rng, w, h)
    fmt = str(rng.choice(["JPEG"] * 6 + ["PNG"] * 3 + ["WEBP"]))
    return img, fmt


def encode(img: Image.Image, fmt: str, quality: int = 88) -> bytes:
    """Encode deterministically (no timestamps, fixed settings)."""
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(buf, "JPEG", quality=quality)
    elif fmt == "WEBP":
        img.convert("RGB").save(buf, "WEBP", quality=quality, method=2)
    else:
        img.save(buf, "PNG", optimize=False, compress_level=1)
    return buf.getvalue()


def transform(img: Image.Image, fmt: str, name: str, param: str) -> tuple[bytes, str]:
    """Apply one near-duplicate transform and encode; returns bytes and format."""
    img = img.convert("RGB")
    w, h = img.size
    if name == "reencode":
        return encode(img, "JPEG", int(param[1:])), "JPEG"
    if name == "resize":
        # Nobody shrinks a thumbnail further: below 64 pixels PDQ has nothing left to see.
        s = max(float(param), min(1.0, 64 / min(w, h)))
        img = img.resize((max(16, int(w * s)), max(16, int(h * s))), Image.Resampling.BILINEAR)
    elif name == "crop":
        m = float(param)
        img = img.crop((int(w * m), int(h * m), w - int(w * m / 2), h - int(h * m / 2)))
    elif name == "flip":
        img = ImageOps.mirror(img)
    elif name == "watermark":
        draw = ImageDraw.Draw(img)
        draw.text(
            (8, h - max(14, h // 18) - 8),
            param,
            font=_font(max(12, h // 18)),
            fill=(255, 255, 255),
            stroke_width=1,
            stroke_fill=(0, 0, 0),
        )
    elif name == "colour_shift":
        if param == "bright":
            img = ImageEnhance.Brightness(img).enhance(1.2)
        else:
            arr = np.asarray(img).astype(np.int16)
            delta = np.array([18, 0, -18] if param == "warm" else [-18, 0, 18], np.int16)
            img = Image.fromarray(np.clip(arr + delta, 0, 255).astype(np.uint8), "RGB")
    else:
        raise ValueError(f"unknown transform {name}")
    return encode(img, fmt), fmt


def decode(data: bytes) -> Image.Image:
    """Open encoded bytes (a conformance photo) as an RGB image."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.convert("RGB")
