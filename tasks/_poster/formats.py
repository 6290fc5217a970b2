"""Poster sizes for the platforms the news office posts to.

Each format has a safe margin (text never comes closer to the edge; platforms crop and round the
corners) and, for the WeChat cover, a key area: WeChat shows the 2.35:1 cover in the chat list but
crops it to the centre square in shares, so the headline must be legible inside that square.
"""

from __future__ import annotations

from dataclasses import dataclass

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, x1/y1 exclusive


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    width: int
    height: int
    safe_margin: int  # px from every edge
    label: str  # for people: platform names
    key_area: Rect | None = None  # where the key content must be (None: the whole safe area)

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def safe_area(self) -> Rect:
        m = self.safe_margin
        return (m, m, self.width - m, self.height - m)


def _centre_square(width: int, height: int) -> Rect:
    side = min(width, height)
    x0 = (width - side) // 2
    y0 = (height - side) // 2
    return (x0, y0, x0 + side, y0 + side)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("portrait", 1080, 1440, 54, "竖版 3:4（微博、小红书、朋友圈）"),
        Format("square", 1080, 1080, 54, "方图 1:1"),
        Format("wechat_cover", 900, 383, 16, "公众号封面 2.35:1", key_area=_centre_square(900, 383)),
        Format("story", 1080, 1920, 64, "竖屏 9:16（抖音、视频号）"),
    )
}
