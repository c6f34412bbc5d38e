"""Settings declared once: name, environment variable, default and help text.

Environment variables override the defaults; the Streamlit layer may override them again from
``st.secrets`` by passing a mapping to :func:`load_settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (field, environment variable, default, help)
SETTINGS_TABLE: list[tuple[str, str, str, str]] = [
    ("data_dir", "PANHUO_DATA_DIR", str(ROOT / "data"), "样例规划数据目录 / folder of the sample plans"),
    (
        "database_url",
        "PANHUO_DATABASE_URL",
        "",
        "数据库地址；空则使用 SQLite 文件 var/panhuo.sqlite / SQLAlchemy URL; empty means the SQLite file",
    ),
    ("sqlite_path", "PANHUO_SQLITE_PATH", str(ROOT / "var" / "panhuo.sqlite"), "默认 SQLite 文件路径"),
    (
        "tile_url",
        "PANHUO_TILE_URL",
        "",
        "底图瓦片地址模板 {z}/{x}/{y}（内网瓦片或天地图）；空则不加载底图 / XYZ tile template; empty = no basemap",
    ),
    (
        "public_mode",
        "PANHUO_PUBLIC",
        "0",
        "公众模式：只有公开视图，没有登录 / public view only, no sign-in (1/0)",
    ),
    (
        "auth",
        "PANHUO_AUTH",
        "local",
        "登录方式：local 本地账户、oidc 统一身份认证（st.login）、header 反向代理请求头",
    ),
    (
        "auth_claim",
        "PANHUO_AUTH_CLAIM",
        "",
        "oidc/header 方式下 st.user 中存放用户名的键；空则 oidc 用 preferred_username、header 用 name",
    ),
    ("session_hours", "PANHUO_SESSION_HOURS", "8", "登录有效时长（小时） / absolute session lifetime, hours"),
    (
        "session_idle_minutes",
        "PANHUO_SESSION_IDLE_MINUTES",
        "60",
        "无操作自动退出（分钟） / idle timeout, minutes",
    ),
    (
        "trust_proxy",
        "PANHUO_TRUST_PROXY",
        "0",
        "登录限制按 X-Forwarded-For 识别客户端（仅在反向代理之后设为 1） / trust X-Forwarded-For (1/0)",
    ),
    (
        "demo",
        "PANHUO_DEMO",
        "1",
        "演示规划：湖州方案的模拟副本，标明“模拟数据（演示用，非真实进展）”；公众模式下不提供 / demo plan (1/0)",
    ),
    (
        "monitor_green",
        "PANHUO_MONITOR_GREEN",
        "100",
        "进展监测绿灯：已完成达到截至当期应完成的百分之几 / green light at this % of the expected value",
    ),
    (
        "monitor_amber",
        "PANHUO_MONITOR_AMBER",
        "80",
        "进展监测黄灯：低于绿灯、不低于应完成的百分之几；再低为红灯 / amber light from this % of expected",
    ),
    (
        "stale_periods",
        "PANHUO_STALE_PERIODS",
        "3",
        "连续几期阶段未变化即预警“停滞” / warn when a record's stage has not changed for this many periods",
    ),
]

AUTH_METHODS = ("local", "oidc", "header")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    sqlite_path: Path
    tile_url: str
    public_mode: bool
    auth: str = "local"
    auth_claim: str = ""
    session_hours: float = 8.0
    session_idle_minutes: float = 60.0
    trust_proxy: bool = False
    # a Settings built in code (tests, the cached store) has no demo unless it asks for one;
    # load_settings takes PANHUO_DEMO, on by default
    demo: bool = False
    monitor_green: float = 100.0
    monitor_amber: float = 80.0
    stale_periods: int = 3

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL to use: the configured one, else the SQLite file."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def demo_enabled(self) -> bool:
        """Whether the demonstration plan is offered: the setting is on and this is not the
        public site (a visitor must never meet simulated figures)."""
        return self.demo and not self.public_mode


def _truthy(text: str) -> bool:
    return str(text).strip().lower() in {"1", "true", "yes", "on", "是"}


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Read settings from defaults, then the environment, then ``overrides`` (e.g. st.secrets)."""
    values: dict[str, str] = {}
    for name, env, default, _help in SETTINGS_TABLE:
        values[name] = os.environ.get(env, default)
        if overrides and overrides.get(name) not in (None, ""):
            values[name] = str(overrides[name])
    return Settings(
        data_dir=Path(values["data_dir"]),
        database_url=values["database_url"],
        sqlite_path=Path(values["sqlite_path"]),
        tile_url=values["tile_url"],
        public_mode=_truthy(values["public_mode"]),
        auth=_choice(values["auth"], AUTH_METHODS, "auth"),
        auth_claim=values["auth_claim"].strip(),
        session_hours=_positive(values["session_hours"], "session_hours"),
        session_idle_minutes=_positive(values["session_idle_minutes"], "session_idle_minutes"),
        trust_proxy=_truthy(values["trust_proxy"]),
        demo=_truthy(values["demo"]),
        monitor_green=_positive(values["monitor_green"], "monitor_green"),
        monitor_amber=_positive(values["monitor_amber"], "monitor_amber"),
        stale_periods=int(_positive(values["stale_periods"], "stale_periods")),
    )


def _choice(text: str, options: tuple[str, ...], name: str) -> str:
    value = str(text).strip().lower()
    if value not in options:
        raise ValueError(f"设置 {name} 的值“{text}”无效，可用：{'、'.join(options)}")
    return value


def _positive(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"设置 {name} 须为正数，现为“{text}”")
    return value
