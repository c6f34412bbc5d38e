"""Text that does not come from the code — plan titles, file names, notes, imported values, link
parameters — shown as plain text wherever Streamlit reads Markdown.

Streamlit renders nearly every string as Markdown (st.markdown, captions, alerts, titles, toasts,
widget and metric labels, tabs, expanders) with GFM, math, directives (``:red[…]``,
``:material/…:``) and emoji shortcodes, and no element but st.text/st.code takes plain text. So
such text goes through :func:`plain` before it is put into any Markdown string:

- every ASCII punctuation character that Markdown, GFM, math or a directive can read is
  backslash-escaped (CommonMark lets any ASCII punctuation be escaped; escapes are resolved
  before rendering, so the reader sees the character itself);
- Streamlit's Markdown also turns *text* into links and emoji after parsing, where escapes no
  longer count (GFM autolink literals ``http://…``, ``www.…``, e-mail addresses; emoji
  ``:name:``); an invisible word joiner (U+2060) after every ``:`` and ``@`` and inside ``www.``
  breaks those patterns.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"

# read by CommonMark/GFM (emphasis, code, links, images, HTML, entities, tables, strikethrough,
# headings, block quotes, footnotes), remark-math ($) and directives (:name[…]{…})
_ALWAYS = re.compile(r"([\\`*_{}\[\]<>()#+!|~$:&^=])")
_ALWAYS_IN_HTML = re.compile(r"([\\`*_{}\[\]()#+!|~$:^=])")  # & < > become entities there
# "-" and "." only start a list, a setext heading or a thematic break at the start of a line or
# in a run (a dash rule, a numbered item); inside a word or a decimal number they are plain, and
# left as they are
_LINE_START = re.compile(r"^(\s*|\s*\d{1,9})([-.])(?=\s|$)", re.M)
_RUNS = re.compile(r"-{2,}|\.{2,}")
_AUTOLINK = re.compile(r"(?i)(www)(\.)")


def plain(text: object, limit: int | None = None, *, html: bool = False) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it exactly as written (``None`` → "").

    With ``limit``, longer text is cut to that many characters and ends with "…". With ``html``,
    for Markdown shown with ``unsafe_allow_html`` whose maker applies ``html.escape`` afterwards
    (the map legend): ``&``, ``<`` and ``>`` are left to it."""
    value = "" if text is None else str(text)
    if limit is not None and len(value) > limit:
        value = value[:limit] + "…"
    value = "\n".join(line.strip() for line in value.splitlines())  # no indented code blocks
    value = (_ALWAYS_IN_HTML if html else _ALWAYS).sub(r"\\\1", value)
    value = _RUNS.sub(lambda m: "".join("\\" + c for c in m.group()), value)
    value = _LINE_START.sub(r"\1\\\2", value)
    value = value.replace(":", ":" + WORD_JOINER).replace("@", "@" + WORD_JOINER)
    return _AUTOLINK.sub(r"\1" + WORD_JOINER + r"\2", value)
