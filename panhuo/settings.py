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
    ("public_mode", "PANHUO_PUBLIC", "0", "公众模式：隐藏敏感信息与导入页 / public mode (1/0)"),
]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    sqlite_path: Path
    tile_url: str
    public_mode: bool

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL to use: the configured one, else the SQLite file."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"


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
    )
