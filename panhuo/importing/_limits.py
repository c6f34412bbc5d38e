"""Limits on what an import reads, and the guards that enforce them before any parsing.

A file over :data:`MAX_FILE_BYTES` is refused unread. Zip containers (XLSX, zipped Shapefiles)
are inspected from their central directory first: a member that would expand past
:data:`MAX_UNPACKED_BYTES` in total, or with a compression ratio over :data:`MAX_RATIO`, is a
zip bomb and the file is refused without inflating anything.
"""

from __future__ import annotations

import io
import zipfile

MAX_FILE_BYTES = 50 * 1024 * 1024  # 50 MB per uploaded file
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # 300 MB once a zip container is unpacked
MAX_RATIO = 200  # compression ratio of one zip member (XML compresses ~10-30×; bombs ~1000×)
MAX_ROWS = 200_000  # data rows of one sheet or layer
MAX_COLUMNS = 500


class ImportFailure(Exception):
    """A file that cannot be imported at all; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_size(data: bytes, filename: str) -> None:
    """Refuse empty files and files over the size limit."""
    if len(data) == 0:
        raise ImportFailure(f"文件 {filename} 是空文件（0 字节）", "请检查是否选错了文件或文件未保存完整")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailure(
            f"文件 {filename} 大小 {_mb(len(data))}，超过上限 {_mb(MAX_FILE_BYTES)}",
            "请按区县或乡镇拆分后分别导入",
        )


def check_zip(data: bytes, filename: str) -> zipfile.ZipFile:
    """Open a zip container after checking it cannot expand beyond the limits (zip bombs)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFailure(
            f"文件 {filename} 不是有效的压缩包或 Excel 文件（{exc}）",
            "请确认文件完整；旧版 .xls 请在 Excel 中另存为 .xlsx",
        ) from exc
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO and info.file_size > 1024 * 1024:
            raise ImportFailure(
                f"文件 {filename} 中的 {info.filename} 压缩比 {ratio:.0f}:1 异常，疑似压缩炸弹，已拒绝",
                "请提供正常导出的文件",
            )
        if total > MAX_UNPACKED_BYTES:
            raise ImportFailure(
                f"文件 {filename} 解压后超过 {_mb(MAX_UNPACKED_BYTES)}，已拒绝",
                "请拆分后分别导入",
            )
    return archive
