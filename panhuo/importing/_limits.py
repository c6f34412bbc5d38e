"""Limits on what an import reads, and the guards that enforce them before any parsing.

A file over :data:`MAX_FILE_BYTES` is refused unread. Zip containers (XLSX, zipped Shapefiles)
are inspected from their central directory first: a member that would expand past
:data:`MAX_UNPACKED_BYTES` in total, or with a compression ratio over :data:`MAX_RATIO`, is a
zip bomb and the file is refused without inflating anything. A member that is encrypted or
compressed with a method Python cannot inflate is refused there too, with a Chinese reason.
"""

from __future__ import annotations

import io
import zipfile

MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024  # 2 GB per file: a province's survey database
MAX_UNPACKED_BYTES = 6 * 1024 * 1024 * 1024  # 6 GB once a zip container is unpacked
MAX_RATIO = 200  # compression ratio of one zip member (XML compresses ~10-30×; bombs ~1000×)
MAX_ROWS = 5_000_000  # data rows of one sheet or layer (a national roll-up is about 1,000,000)
MAX_COLUMNS = 500
# methods zipfile inflates; others (Deflate64 = 9, zstd = 93, PPMd = 98 …) raise NotImplementedError
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
_ZIP_METHOD_NAMES = {
    9: "Deflate64",
    93: "Zstandard",
    95: "XZ",
    96: "JPEG",
    97: "WavPack",
    98: "PPMd",
    99: "AES",
}


class ImportFailure(Exception):
    """A file that cannot be imported at all; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


def too_many_columns(filename: str, row: int, sheet: str = "") -> ImportFailure:
    """The refusal of a row wider than :data:`MAX_COLUMNS`, worded alike for CSV and XLSX."""
    where = f"文件 {filename}" + (f"（工作表“{sheet}”）" if sheet else "")
    return ImportFailure(
        f"{where}第 {row} 行超过 {MAX_COLUMNS} 列，超出上限",
        "请删除多余的列（或不需要的工作表），或把表格拆分后分别导入",
    )


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
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
        # NotImplementedError: a damaged header claims a zip version zipfile does not know
        raise ImportFailure(
            f"文件 {filename} 不是有效的压缩包或 Excel 文件（文件已损坏或格式不对）",
            "请确认文件完整；旧版 .xls 请在 Excel 中另存为 .xlsx",
        ) from exc
    total = 0
    for info in archive.infolist():
        check_zip_member(info, filename)
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


def check_zip_member(info: zipfile.ZipInfo, filename: str) -> None:
    """Refuse a member that is password-protected or compressed in a way zipfile cannot inflate.

    Reading such a member raises ``RuntimeError`` (encrypted) or ``NotImplementedError``
    (compression method); both are caught here from the central directory, before any reading.
    """
    if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: "strong encryption"
        raise ImportFailure(
            f"文件 {filename} 设置了解压密码（{info.filename} 已加密），无法读取",
            "请不设密码重新压缩（或另存）后再导入",
        )
    if info.flag_bits & 0x20:  # "compressed patched data": a PKWARE extension zipfile cannot read
        raise ImportFailure(
            f"文件 {filename} 中的 {info.filename} 使用了不支持的压缩方式（补丁数据压缩）",
            "请用常规的 zip 压缩（Deflate，即“标准”或“普通”压缩）重新打包后再导入",
        )
    if info.compress_type not in _ZIP_METHODS:
        method = _ZIP_METHOD_NAMES.get(info.compress_type, f"编号 {info.compress_type}")
        raise ImportFailure(
            f"文件 {filename} 中的 {info.filename} 使用了不支持的压缩方式（{method}）",
            "请用常规的 zip 压缩（Deflate，即“标准”或“普通”压缩）重新打包后再导入",
        )
