"""The words of the slides, the handout and the deck player, in the four languages.

>>> word("notes", "zh-Hant"), word("steps", "vi", a=3, b=7)
('講者備註', 'Bước 3–7')
"""
from __future__ import annotations

from ..i18n import check_language

WORDS: dict[str, dict[str, str]] = {
    "slide": {"en": "Slide {n} of {total}", "zh-Hant": "第 {n} 張，共 {total} 張",
              "zh-Hans": "第 {n} 张，共 {total} 张", "vi": "Trang {n} / {total}"},
    "steps": {"en": "Steps {a}–{b}", "zh-Hant": "步驟 {a}–{b}", "zh-Hans": "步骤 {a}–{b}", "vi": "Bước {a}–{b}"},
    "one_step": {"en": "Step {a}", "zh-Hant": "步驟 {a}", "zh-Hans": "步骤 {a}", "vi": "Bước {a}"},
    "fast": {"en": "{span} (fast-forwarded, ×{n})", "zh-Hant": "{span}（快轉，×{n}）", "zh-Hans": "{span}（快进，×{n}）",
             "vi": "{span} (tua nhanh, ×{n})"},
    "fast_once": {"en": "{span} (fast-forwarded)", "zh-Hant": "{span}（快轉）", "zh-Hans": "{span}（快进）",
                  "vi": "{span} (tua nhanh)"},
    "notes": {"en": "Speaker notes", "zh-Hant": "講者備註", "zh-Hans": "讲者备注", "vi": "Ghi chú người trình bày"},
    "working": {"en": "Working of {cell}", "zh-Hant": "{cell} 的算式", "zh-Hans": "{cell} 的算式",
                "vi": "Cách tính {cell}"},
    "no_working": {"en": "(no working for this step)", "zh-Hant": "（這一步沒有算式）",
                   "zh-Hans": "（这一步没有算式）", "vi": "(bước này không có cách tính)"},
    "no_still": {"en": "The walkthrough does not draw these steps: no still.",
                 "zh-Hant": "影片沒有畫出這些步驟：沒有截圖。", "zh-Hans": "视频没有画出这些步骤：没有截图。",
                 "vi": "Video không vẽ các bước này: không có ảnh."},
    "contents": {"en": "Slides", "zh-Hant": "投影片", "zh-Hans": "幻灯片", "vi": "Các trang"},
    "recap": {"en": "Recap", "zh-Hant": "重點回顧", "zh-Hans": "要点回顾", "vi": "Tóm tắt"},
    "recap_line": {"en": "Recap: {text}", "zh-Hant": "重點回顧：{text}", "zh-Hans": "要点回顾：{text}",
                   "vi": "Tóm tắt: {text}"},
    "working_of": {"en": "Working of {cell}:", "zh-Hant": "{cell} 的算式：", "zh-Hans": "{cell} 的算式：",
                   "vi": "Cách tính {cell}:"},
    "keys": {"en": "← → or click: move · L: slide list · N: notes · F: full screen",
             "zh-Hant": "← → 或點擊：換頁 · L：投影片列表 · N：備註 · F：全螢幕",
             "zh-Hans": "← → 或点击：翻页 · L：幻灯片列表 · N：备注 · F：全屏",
             "vi": "← → hoặc bấm: chuyển trang · L: danh sách · N: ghi chú · F: toàn màn hình"},
    "previous": {"en": "Previous", "zh-Hant": "上一張", "zh-Hans": "上一张", "vi": "Trang trước"},
    "next": {"en": "Next", "zh-Hant": "下一張", "zh-Hans": "下一张", "vi": "Trang sau"},
    "handout": {"en": "Handout", "zh-Hant": "講義", "zh-Hans": "讲义", "vi": "Tài liệu phát tay"},
    "page": {"en": "page {n} of {total}", "zh-Hant": "第 {n} 頁，共 {total} 頁", "zh-Hans": "第 {n} 页，共 {total} 页",
             "vi": "trang {n} / {total}"},
}


def word(key: str, lang: str = "en", **fill: object) -> str:
    """The phrase ``key`` in ``lang``, its placeholders filled."""
    text = WORDS[key][check_language(lang)]
    return text.format(**fill) if fill else text
