"""A synthetic portal of any size (10,000 releases, 500 list pages) served on 127.0.0.1, for scale.

Every page is made on request from a seed with the sample site's own templates
(assets/sample_site_src/sitegen.py: ``render_list_page``, ``render_article_page``), so nothing is
written to disk and the same seed always serves the same bytes (same ETag, same 304 answers).
Releases alternate between the sample site's two columns (新闻发布会, 政策解读), 20 to a list page
as the issue asks (10,000 releases: 2 columns × 250 pages), newest first. Their text is varied,
plausible Chinese: a press-conference or policy-reading body with officials, figures and, for most
press conferences and some policy readings, one to three upcoming events (date, time, venue; some in
a schedule table), so parsing, extraction, posters and drafts all get real work. A few pages are
GBK, as on the real portal.

    with SyntheticPortal(releases=1000) as portal:
        profile = portal.profile()                 # a SiteProfile for portal.url, no rate limit
        spec = portal.release(0)                   # the oldest release's ReleaseSpec (ground truth)
        portal.request_count("/zwgk/jdhy/xwfbh/")  # requests the server answered for that path

From the command line (the scale benchmark serves it from a separate process, so the server's page
rendering does not share the pipeline's interpreter)::

    .venv/bin/python -m tasks.synthetic_portal --releases 10000 [--port 0] [--profile out.toml]

prints ``url=http://127.0.0.1:PORT/`` once it listens. ``GET /__stats__`` answers a JSON object of
request counts per path; ``POST /__stats__`` resets them. Standard library only; no Prefect.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import importlib.util
import json
import random
import sys
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SITEGEN_PATH = PROJECT_ROOT / "assets" / "sample_site_src" / "sitegen.py"
ROBOTS_PATH = PROJECT_ROOT / "assets" / "sample_site" / "robots.txt"

PER_PAGE = 20  # items per list page: 10,000 releases make 500 list pages (issue 8)
COLUMN_KEYS = ("xwfbh", "zcjd")  # sitegen.COLUMNS; release i goes to COLUMN_KEYS[i % 2]
FIRST_POST_ID = 5_000_000
STEP = timedelta(hours=7, minutes=13)  # between two releases: 10,000 span about 8 years
NEWEST = datetime(2025, 6, 27, 16, 30)  # default publication time of the newest release
EVENT_SHARE = {"xwfbh": 0.75, "zcjd": 0.3}  # releases that announce upcoming events
GBK_SHARE = 0.03  # pages served as GBK (charset in the header or only in the page)
STATS_PATH = "/__stats__"
PAGE_CACHE = 512  # rendered pages kept (list pages are asked for twice in a poll + backfill)

_WEEKDAYS = "一二三四五六日"


def load_sitegen() -> ModuleType:
    """The sample site's page generator, imported from its file (it is not a package)."""
    name = "sample_sitegen"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SITEGEN_PATH)
    if spec is None or spec.loader is None:  # pragma: no cover - the file ships with the project
        raise ImportError(f"Cannot load {SITEGEN_PATH}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


# ---- text pools: plausible Dongguan press material -------------------------------------------

_TOPICS = (
    # (subject, department, official's title, keywords)
    ("高层次人才活动周", "市委人才办", "副主任", ("人才", "活动周")),
    ("文化旅游消费季", "市文化广电旅游体育局", "副局长", ("文旅", "消费")),
    ("中小学招生工作", "市教育局", "副局长", ("教育", "招生")),
    ("春季大型招聘会", "市人力资源和社会保障局", "副局长", ("就业", "招聘")),
    ("国际马拉松赛", "市文化广电旅游体育局", "局长", ("马拉松", "体育")),
    ("制造业高质量发展", "市工业和信息化局", "副局长", ("制造业", "产业")),
    ("松山湖科技创新", "松山湖管委会", "副主任", ("科技", "创新")),
    ("城市更新三年行动", "市自然资源局", "副局长", ("城市更新", "规划")),
    ("生态环境保护", "市生态环境局", "副局长", ("生态", "环保")),
    ("基层医疗卫生服务", "市卫生健康局", "副局长", ("医疗", "卫生")),
    ("外贸企业拓内销", "市商务局", "副局长", ("外贸", "内销")),
    ("轨道交通建设", "市交通运输局", "副局长", ("交通", "地铁")),
    ("非遗保护传承", "市文化馆", "馆长", ("非遗", "文化")),
    ("营商环境优化", "市发展和改革局", "副局长", ("营商环境", "改革")),
    ("安全生产月", "市应急管理局", "副局长", ("安全生产", "应急")),
    ("全民阅读", "东莞图书馆", "馆长", ("阅读", "图书馆")),
)
_POLICIES = (
    "东莞市促进先进制造业发展若干措施", "东莞市住房公积金贷款管理办法", "东莞市普惠性托育服务实施方案",
    "东莞市支持企业上市扶持办法", "东莞市人才安居办法", "东莞市老旧小区改造实施细则",
    "东莞市新能源汽车推广应用方案", "东莞市促进消费若干措施", "东莞市职业技能提升行动方案",
    "东莞市农村集体资产管理办法", "东莞市科技创新券管理办法", "东莞市生活垃圾分类管理办法",
)
_TOWNS = (
    "莞城街道", "东城街道", "南城街道", "万江街道", "石龙镇", "虎门镇", "长安镇", "厚街镇", "常平镇",
    "塘厦镇", "樟木头镇", "中堂镇", "麻涌镇", "寮步镇", "大朗镇", "松山湖",
)
_VENUES = (
    "东莞市民广场", "东莞市民服务中心", "东莞市文化馆", "东莞图书馆", "东莞市博物馆", "东莞体育中心",
    "广东现代国际展览中心", "东莞国际商务区", "东莞市人力资源市场", "华阳湖国家湿地公园",
    "可园博物馆", "东莞篮球中心", "东莞理工学院松山湖校区", "东莞玉兰大剧院", "东城文化中心广场",
    "市中心广场东草坪",
)
_EVENT_KINDS = (
    "开幕式", "启动仪式", "专场招聘会", "主题展览", "文艺晚会", "政策宣讲会", "现场咨询会", "音乐会",
    "签约仪式", "推介会", "志愿服务活动", "体验日活动", "颁奖典礼", "分享会",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯叶钟"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰文斌辉"
_FILLER = (
    "据介绍，今年以来，全市各部门围绕{subject}工作目标，强化统筹协调，推动各项任务落地见效。",
    "{dept}{title}{person}表示，下一步将继续加大工作力度，确保各项措施惠及更多市民群众。",
    "数据显示，全市已累计投入资金{money}亿元，惠及企业和群众{count}万人次，同比增长{pct}%。",
    "{town}相关负责人介绍了本镇街的具体做法，并回答了记者提问。",
    "下一步，{dept}将会同各镇街（园区）细化工作方案，做好宣传引导和服务保障工作。",
    "市民可通过“莞家政务”小程序或拨打12345政务服务热线咨询相关事宜。",
    "此次{subject}工作坚持问题导向，聚焦群众急难愁盼，共推出{n}项具体举措。",
    "在{town}，{subject}试点工作已取得阶段性成效，{count}家企业参与其中。",
)
_POLICY_FILLER = (
    "一、起草背景。为贯彻落实省、市有关工作部署，进一步{aim}，市政府制定了《{policy}》。",
    "二、主要内容。《{policy}》共{n}条，明确了适用范围、支持方式和申报程序。",
    "三、支持标准。对符合条件的企业，最高给予{money}万元奖励，所需资金由市、镇两级财政按比例分担。",
    "四、实施时间。本办法自印发之日起施行，有效期{years}年。",
    "五、咨询方式。具体事宜可咨询{dept}，联系电话：0769-{phone}。",
    "《{policy}》的出台，有利于{aim}，为高质量发展提供有力支撑。",
)
_AIMS = ("优化营商环境", "促进产业升级", "保障和改善民生", "激发市场活力", "提升公共服务水平")


class SyntheticPortal:
    """The portal's list and article pages for ``releases`` releases, made on request.

    Release ``i`` (0 is the oldest) has post id ``FIRST_POST_ID + i``, sits in column
    ``COLUMN_KEYS[i % 2]`` and is published ``STEP`` after release ``i - 1``; the newest is
    published at ``newest``. Use as a context manager (a server thread), or call ``page(path)``
    directly for the bytes of a path.
    """

    def __init__(
        self,
        releases: int,
        *,
        seed: int = 0,
        newest: datetime = NEWEST,
        per_page: int = PER_PAGE,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if releases < 1 or per_page < 1:
            raise ValueError("releases and per_page must be at least 1")
        self.releases = releases
        self.seed = seed
        self.newest = newest.replace(second=0, microsecond=0)
        self.per_page = per_page
        self.sitegen = load_sitegen()
        self.columns = [self.sitegen.COLUMNS[k] for k in COLUMN_KEYS]
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.page = lru_cache(maxsize=PAGE_CACHE)(self._page)  # type: ignore[method-assign]

    # ---- the site's shape ---------------------------------------------------------------------

    def column_indices(self, key: str) -> range:
        """Indices of a column's releases, newest first."""
        k = COLUMN_KEYS.index(key)
        last = self.releases - 1
        newest = last - ((last - k) % len(COLUMN_KEYS))
        return range(newest, -1, -len(COLUMN_KEYS)) if newest >= 0 else range(0)

    def page_count(self, key: str) -> int:
        return max(1, -(-len(self.column_indices(key)) // self.per_page))

    def list_pages(self) -> int:
        """List pages of all columns together (500 for 10,000 releases)."""
        return sum(self.page_count(k) for k in COLUMN_KEYS)

    def list_paths(self) -> list[str]:
        """The first list page of every column, as the profile names it (``/zwgk/jdhy/xwfbh/``)."""
        return ["/" + c.path for c in self.columns]

    def article_url_path(self, i: int) -> str:
        column = self.sitegen.COLUMNS[COLUMN_KEYS[i % len(COLUMN_KEYS)]]
        return "/" + self.sitegen.article_path(column, FIRST_POST_ID + i)

    def published(self, i: int) -> datetime:
        return self.newest - STEP * (self.releases - 1 - i)

    @cached_property
    def _paths(self) -> dict[str, tuple[str, int]]:
        """Path of every list page -> (column key, page number). Article paths are computed."""
        out: dict[str, tuple[str, int]] = {}
        for key, column in zip(COLUMN_KEYS, self.columns):
            out["/" + column.path] = (key, 1)
            for n in range(1, self.page_count(key) + 1):
                out["/" + column.path + self.sitegen.list_page_name(n)] = (key, n)
        return out

    # ---- releases -----------------------------------------------------------------------------

    def release(self, i: int) -> Any:
        """Release ``i`` as a sitegen ``ReleaseSpec`` (its ``events`` are the ground truth)."""
        if not 0 <= i < self.releases:
            raise IndexError(f"release {i} not in 0..{self.releases - 1}")
        return _make_release(self.sitegen, i, seed=self.seed, published=self.published(i))

    def _list_page(self, key: str, n: int) -> bytes:
        sg = self.sitegen
        column = sg.COLUMNS[key]
        indices = self.column_indices(key)[(n - 1) * self.per_page : n * self.per_page]
        page_file = column.path + sg.list_page_name(n)
        specs = [self.release(i) for i in indices]
        entries = sg.column_entries(column, specs, (), from_page=page_file)
        html = sg.render_list_page(column, entries, page=n, page_count=self.page_count(key))
        return html.encode("utf-8")

    def _article(self, i: int) -> tuple[bytes, str | None]:
        sg = self.sitegen
        spec = self.release(i)
        column = sg.COLUMNS[spec.column]
        siblings = [j for j in (i - 2, i + 2, i + 4) if 0 <= j < self.releases]
        related = sg.column_entries(
            column, [self.release(j) for j in siblings], (), style="root"
        )
        text = sg.render_article_page(spec, column=column, related=related)
        return sg.encode_page(text, spec.variant), sg.content_type_for(spec.variant)

    def _page(self, path: str) -> tuple[bytes, str, datetime] | None:
        """(body, content type, last modified) of a path, or None (404)."""
        if path == "/robots.txt":
            return ROBOTS_PATH.read_bytes(), "text/plain; charset=utf-8", self.published(0)
        if path in self._paths:
            key, n = self._paths[path]
            newest_on_page = self.column_indices(key)[(n - 1) * self.per_page]
            return self._list_page(key, n), "text/html; charset=utf-8", self.published(newest_on_page)
        stem = path.rsplit("/post_", 1)
        if len(stem) == 2 and stem[1].endswith(".html") and stem[1][:-5].isdigit():
            i = int(stem[1][:-5]) - FIRST_POST_ID
            if 0 <= i < self.releases and self.article_url_path(i) == path:
                body, content_type = self._article(i)
                return body, content_type or "text/html; charset=utf-8", self.published(i)
        return None

    # ---- serving ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("The portal is not serving: use it as a context manager or start()")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def request_count(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    def reset_counts(self) -> None:
        with self._lock:
            self.counts.clear()

    def profile_data(self, base_url: str | None = None) -> dict[str, Any]:
        """A site profile for the portal (``SiteProfile(**data)``; write it with ``profile_toml``)."""
        return {
            "name": "synthetic",
            "title": self.sitegen.SITE.name,
            "office": "东莞市人民政府新闻办公室",
            "base_url": base_url or self.url,
            "hosts": ["127.0.0.1", "localhost"],
            "allow_private": True,
            "min_request_interval": 0.0,  # loopback: no politeness delay
            "note": f"Synthetic portal of {self.releases} releases (seed {self.seed}) for scale tests.",
            "columns": [
                {"name": c.name, "path": c.path, "breadcrumb": c.breadcrumb_text, "verified": True}
                for c in self.columns
            ],
        }

    def profile(self) -> Any:
        from tasks.settings import SiteProfile

        return SiteProfile(**self.profile_data())

    def start(self) -> SyntheticPortal:
        self._httpd = _QuietServer((self._host, self._port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="synthetic-portal", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SyntheticPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def profile_toml(data: dict[str, Any]) -> str:
    """A site profile as TOML (flows take ``site=<path to this file>``)."""
    lines = []
    for key, value in data.items():
        if key != "columns":
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for column in data["columns"]:
        lines.append("\n[[columns]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in column.items()]
    return "\n".join(lines) + "\n"


# ---- release text ------------------------------------------------------------------------------


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _md_week(d: date) -> str:
    return f"{d.month}月{d.day}日（周{_WEEKDAYS[d.weekday()]}）"


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2))))


def _event_lines(
    rng: random.Random, published: datetime, *, subject: str, count: int, event_spec: type
) -> tuple[list[str], list[Any]]:
    """Body lines announcing ``count`` upcoming events, and their ground truth."""
    lines: list[str] = []
    events: list[Any] = []
    table: list[tuple[str, str, str]] = []
    day = published.date()
    for _ in range(count):
        start = day + timedelta(days=rng.randint(2, 45))
        venue = rng.choice(_VENUES)
        name = f"{subject}{rng.choice(_EVENT_KINDS)}"
        form = rng.randrange(5)
        if form == 0:  # 12月20日（周五）上午9:30，X将在Y举行
            hour, minute = rng.choice(((9, 0), (9, 30), (10, 0), (14, 30), (15, 0)))
            half = "上午" if hour < 12 else "下午"
            shown = hour if hour <= 12 else hour - 12
            evidence = f"{_md_week(start)}{half}{shown}:{minute:02d}，{name}将在{venue}举行"
            events.append(event_spec(
                name=name, start=f"{start.isoformat()}T{hour:02d}:{minute:02d}",
                time_of_day="morning" if hour < 12 else "afternoon", venue=venue, evidence=evidence,
            ))
            lines.append(evidence + "，欢迎广大市民参加。")
        elif form == 1:  # X将于12月20日至22日举行，活动地点：Y
            end = start + timedelta(days=rng.randint(1, 6))
            end_text = f"{end.day}日" if end.month == start.month else _md(end)
            evidence = f"{name}将于{_md(start)}至{end_text}举行，活动地点：{venue}"
            events.append(event_spec(
                name=name, start=start.isoformat(), end=end.isoformat(), venue=venue,
                evidence=evidence,
            ))
            lines.append(evidence + "。")
        elif form == 2:  # 我市定于12月20日（周五）19:30在Y举办X
            hour, minute = rng.choice(((19, 30), (20, 0), (19, 0)))
            evidence = f"我市定于{_md_week(start)}{hour}:{minute:02d}在{venue}举办{name}"
            events.append(event_spec(
                name=name, start=f"{start.isoformat()}T{hour:02d}:{minute:02d}",
                time_of_day="evening", venue=venue, evidence=evidence,
            ))
            lines.append(evidence + "，届时将进行网络直播。")
        elif form == 3:  # a row of a schedule table, written below
            end = start + timedelta(days=rng.randint(0, 3))
            when = _md(start) if end == start else (
                f"{_md(start)}至{end.day}日" if end.month == start.month else f"{_md(start)}至{_md(end)}"
            )
            table.append((when, name, venue))
            events.append(event_spec(
                name=name, start=start.isoformat(),
                end=end.isoformat() if end != start else None, venue=venue,
                evidence=f"{when} {name} {venue}",  # sitegen.body_text joins cells with a space
            ))
        else:  # 活动时间：12月20日至1月5日 (may cross months)
            end = start + timedelta(days=rng.randint(7, 40))
            evidence = f"{name}活动时间：{_md(start)}至{_md(end)}"
            events.append(event_spec(
                name=name, start=start.isoformat(), end=end.isoformat(), evidence=evidence,
            ))
            lines.append(evidence + f"，地点设在{venue}。")
    if table:
        lines.append("主要活动安排如下：")
        lines.append("| 时间 | 活动名称 | 地点 |")
        lines += [f"| {when} | {name} | {venue} |" for when, name, venue in table]
    return lines, events


def _make_release(sg: ModuleType, i: int, *, seed: int, published: datetime) -> Any:
    rng = random.Random(seed * 1_000_003 + i)
    key = COLUMN_KEYS[i % len(COLUMN_KEYS)]
    subject, dept, title, keywords = rng.choice(_TOPICS)
    person = _person(rng)
    town = rng.choice(_TOWNS)
    values = dict(
        subject=subject, dept=dept, title=title, person=person, town=town,
        money=rng.randint(2, 60), count=rng.randint(3, 90), pct=rng.randint(2, 30),
        n=rng.randint(5, 30), policy=rng.choice(_POLICIES), aim=rng.choice(_AIMS),
        years=rng.choice((3, 5)), phone=f"{rng.randint(2200_0000, 2899_9999)}",
    )
    year = published.year
    if key == "xwfbh":
        release_title = rng.choice((
            f"{year}年东莞市{subject}新闻发布会",
            f"东莞市{subject}工作新闻发布会",
            f"“{subject}”专题新闻发布会",
            f"{town}{subject}新闻发布会",
            f"{year}年{subject}系列活动新闻发布会（第{values['n']}场）",
            f"市政府新闻办举行{town}{subject}新闻发布会",
        ))
        opening = (
            f"{_md(published)}{'上午' if published.hour < 12 else '下午'}，东莞市召开{subject}新闻发布会。"
            f"{dept}{title}{person}介绍了有关情况，{town}相关负责人出席发布会。"
        )
        filler = _FILLER
    else:
        release_title = rng.choice((
            f"《{values['policy']}》政策解读", f"图文解读：{values['policy']}",
            f"一图读懂《{values['policy']}》", f"{dept}解读《{values['policy']}》",
        ))
        opening = f"近日，市政府印发《{values['policy']}》。为便于理解和执行，现将有关内容解读如下。"
        filler = _POLICY_FILLER
    lines = [opening]
    for template in rng.sample(filler, k=rng.randint(3, len(filler))):
        lines.append(template.format(**values))
    events: list[Any] = []
    if rng.random() < EVENT_SHARE[key]:
        event_lines, events = _event_lines(
            rng, published, subject=subject, count=rng.choice((1, 1, 1, 2, 3)),
            event_spec=sg.EventSpec,
        )
        lines[2:2] = ["# 活动安排", *event_lines]
    lines.append(f"（记者 {_person(rng)} 通讯员 {_person(rng)}）")
    variant = "utf8"
    roll = rng.random()
    if roll < GBK_SHARE:
        variant = rng.choice(("gbk-header", "gbk-meta"))
    spec = sg.ReleaseSpec(
        post_id=FIRST_POST_ID + i,
        column=key,
        title=release_title,
        published=published,
        body="\n".join(lines),
        source=dept if rng.random() < 0.5 else "本网",
        keywords=keywords,
        variant=variant,
        style=rng.choice(sorted(sg.BODY_STYLES)),
        events=tuple(events),
    )
    if variant != "utf8":
        try:
            sg.encode_page(sg.render_article_page(spec, column=sg.COLUMNS[key]), variant)
        except UnicodeEncodeError:  # a character GBK lacks: serve this one as UTF-8
            spec = sg.ReleaseSpec(**{**_fields(spec), "variant": "utf8"})
    return spec


def _fields(spec: Any) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in spec.__dataclass_fields__}


# ---- HTTP --------------------------------------------------------------------------------------


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _make_handler(portal: SyntheticPortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SyntheticPortal/1.0"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass

        def do_POST(self) -> None:
            if urlsplit(self.path).path == STATS_PATH:
                portal.reset_counts()
                self._send(204, b"", "text/plain")
            else:
                self._send(405, b"", "text/plain")

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path == STATS_PATH:
                with portal._lock:
                    body = json.dumps(dict(portal.counts)).encode()
                self._send(200, body, "application/json")
                return
            with portal._lock:
                portal.counts[path] += 1
            found = portal.page(path)
            if found is None:
                self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
                return
            body, content_type, modified = found
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            stamp = int(modified.timestamp())
            last_modified = email.utils.formatdate(stamp, usegmt=True)
            headers = {"ETag": etag, "Last-Modified": last_modified}
            if self._not_modified(etag, stamp):
                self._send(304, b"", None, headers)
                return
            self._send(200, body, content_type, headers)

        def _not_modified(self, etag: str, stamp: int) -> bool:
            inm = self.headers.get("If-None-Match")
            if inm is not None:
                return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            ims = self.headers.get("If-Modified-Since")
            if ims:
                try:
                    return stamp <= email.utils.parsedate_to_datetime(ims).timestamp()
                except (TypeError, ValueError):
                    return False
            return False

        def _send(
            self, status: int, body: bytes, content_type: str | None,
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def fetch_stats(base_url: str, *, reset: bool = False) -> dict[str, int]:
    """Request counts per path from a portal served by another process (and reset them)."""
    from urllib.request import Request, urlopen

    url = base_url.rstrip("/") + STATS_PATH
    with urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
        counts = json.loads(response.read())
    if reset:
        urlopen(Request(url, method="POST"), timeout=10).close()  # noqa: S310
    return counts


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - exercised by the benchmark
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--newest", help="publication time of the newest release, ISO (default %(default)s)",
                        default=NEWEST.isoformat(timespec="minutes"))
    parser.add_argument("--profile", type=Path, help="write a site profile (TOML) for the portal here")
    args = parser.parse_args(argv)
    portal = SyntheticPortal(
        args.releases, seed=args.seed, port=args.port, newest=datetime.fromisoformat(args.newest)
    )
    with portal:
        if args.profile:
            args.profile.write_text(profile_toml(portal.profile_data()), encoding="utf-8")
        print(f"url={portal.url}", flush=True)
        sys.stdin.read()  # serve until stdin closes: the parent ended or closed the pipe


if __name__ == "__main__":  # pragma: no cover
    main()
