"""Turn the real seed release (tests/fixtures/seed/) into releases/xwfbh/post_4236888.toml.

Run once; the TOML is committed. The body keeps the seed's text and punctuation exactly; only the
page chrome before the body and after "附件:" is dropped, the photo line becomes the image, and
speaker lines, questions and the Q&A heading become bold paragraphs as on the portal.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parent.parent / "tests" / "fixtures" / "seed" / "press-release-2024-12-12.txt"
OUT = HERE / "releases" / "xwfbh" / "post_4236888.toml"

HEADER = '''post_id = 4236888
title = "2024东莞高层次人才活动周新闻发布会"
published = "2024-12-12 17:14:51"
source = "本网"
keywords = ["人才", "高层次人才活动周", "人才嘉年华"]
description = "12月12日上午,2024东莞高层次人才活动周新闻发布会召开。"
note = "The real seed release (tests/fixtures/seed/), text and punctuation as given (ASCII , : ( ) as extracted). Events: opening 12月20日 (no venue), concert 2024年12月27日晚 with 抖音 live stream."
'''

FOOTER = '''
[[images]]
file = "press_1.jpg"
alt = "合照 (1).jpg"

[[events]]
name = "2024高层次人才活动周暨人才嘉年华系列活动开幕式"
start = "2024-12-20"
evidence = "12月20日我们将隆重举行2024高层次人才活动周暨人才嘉年华系列活动开幕式"

[[events]]
name = "东莞人才之夜——2025东莞草坪新年音乐会"
start = "2024-12-27"
time_of_day = "evening"
venue = "市中心广场东草坪"
online = "抖音官方直播平台"
evidence = "我市拟于2024年12月27日晚在市中心广场东草坪举办“东莞人才之夜——2025东莞草坪新年音乐会”"
'''


def main() -> None:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, s in enumerate(lines) if s.startswith("【字体")) + 1
    stop = next(i for i, s in enumerate(lines) if s.strip() == "附件:")
    body = []
    for raw in lines[start:stop]:
        s = raw.strip()
        if not s:
            continue
        if s == "合照 (1).jpg":
            body.append("{{img:1}}")
        elif s.startswith("【") or re.match(r"^\d、", s):
            body.append("# " + s)
        elif s.endswith(":") and len(s) < 40 or s.startswith("主持人"):
            body.append(f"**{s}**")
        else:
            body.append(s)
    assert all("'''" not in s for s in body)
    OUT.write_text(HEADER + "body = '''\n" + "\n".join(body) + "\n'''\n" + FOOTER, encoding="utf-8")


if __name__ == "__main__":
    main()
