"""Chinese words the screens show for what the store keeps: dataset names, where a version
came from, an import's result, and the rows of the version and import lists.

Kept apart from the store so the store holds data and the screens hold wording.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.store import VersionInfo

DATASET_LABELS = {
    "parcels": "地块", "zones": "片区", "targets": "目标", "schedules": "时序安排", "milestones": "时间节点",
    "measures": "措施", "departments": "成员单位", "tables": "公开表格", "facts": "文字数据",
}  # fmt: skip
ORIGIN_LABELS = {"sample": "样例数据", "import": "导入", "restore": "恢复", "demo": "演示副本（模拟）"}
STATUS_LABELS = {"imported": "已导入", "partial": "部分导入", "failed": "未导入"}


def dataset_label(dataset: str) -> str:
    """The Chinese name of a dataset (the key itself when unknown)."""
    return DATASET_LABELS.get(dataset, dataset)


def version_title(version: VersionInfo) -> str:
    """One line naming a version, e.g. "地块 第 2 版（a.csv）"."""
    return f"{dataset_label(version.dataset)} 第 {version.number} 版（{version.source_name}）"


def version_row(version: VersionInfo) -> dict:
    """A version as a row of the version list, with Chinese column names (times in 北京时间)."""
    from panhuo.audit import to_beijing  # here: panhuo.audit imports the store, which imports this

    return {
        "版本": version.number,
        "数据集": dataset_label(version.dataset),
        "时间（北京时间）": to_beijing(version.created_at),
        "操作人": version.created_by_label or version.created_by or "（未记录）",
        "来源": ORIGIN_LABELS.get(version.origin, version.origin),
        "文件": version.source_name,
        "SHA-256": version.source_sha256,
        "行数": version.row_count,
        "当前": "是" if version.is_current else "",
        "说明": version.note,
    }


def report_rows(reports: list[dict]) -> list[dict]:
    """Import attempts (``Store.reports``) as rows with Chinese column names (北京时间)."""
    from panhuo.audit import to_beijing

    return [
        {
            "时间（北京时间）": to_beijing(r["created_at"]),
            "文件": r["source_name"],
            "结果": STATUS_LABELS.get(r["status"], r["status"]),
            "说明": r["summary"],
            "问题数": len(r["problems"]),
        }
        for r in reports
    ]
