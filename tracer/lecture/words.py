"""The lecture material's own words (sheet headings, instructions, table heads, the slides', the
handout's and the deck player's phrases) in English, 繁體中文, 简体中文 and Tiếng Việt, full-width
punctuation in Chinese. Step narration comes from :func:`tracer.i18n.narrate`.

>>> word("answer_key", "zh-Hant"), word("step", "vi", n=4), word("notes", "zh-Hant")
('解答', 'Bước 4', '講者備註')
"""
from __future__ import annotations

from ..i18n import formula, in_language, narrate
from ..notation import true_minus
from ..story import Story, text
from ..trace import Step, Trace

WORDS: dict[str, dict[str, str]] = {
    "sheet": {"en": "Exercise sheet", "zh-Hant": "練習單", "zh-Hans": "练习单", "vi": "Phiếu bài tập"},
    "answer_key": {"en": "Answer key", "zh-Hant": "解答", "zh-Hans": "解答", "vi": "Đáp án"},
    "name_line": {"en": "Name: ______________________    Date: ____________",
                  "zh-Hant": "姓名：______________________    日期：____________",
                  "zh-Hans": "姓名：______________________    日期：____________",
                  "vi": "Họ tên: ______________________    Ngày: ____________"},
    "instructions": {
        "en": "Work each step by hand. Fill in every empty box: its hint says which numbers to combine. "
              "Round as the grids do.",
        "zh-Hant": "用手算出每一步。把每個空格填上：旁邊的提示說明要把哪些數字算在一起。照表格的位數取整。",
        "zh-Hans": "用手算出每一步。把每个空格填上：旁边的提示说明要把哪些数字算在一起。按表格的位数取整。",
        "vi": "Tính từng bước bằng tay. Điền vào mỗi ô trống: gợi ý bên cạnh cho biết cần kết hợp những số nào. "
              "Làm tròn như các bảng."},
    "key_intro": {"en": "Every empty box, filled in and worked. Every line adds up as printed; where the "
                        "grids' rounded numbers would miss the answer's last digit, the line prints them with "
                        "more digits.",
                  "zh-Hant": "每個空格的答案與計算過程。每一行照印出的數字都算得通；"
                             "表格取整後的數字會算錯答案最後一位時，這一行會多印幾位。",
                  "zh-Hans": "每个空格的答案与计算过程。每一行按印出的数字都算得通；"
                             "表格取整后的数字会算错答案最后一位时，这一行会多印几位。",
                  "vi": "Mọi ô trống, đã điền và có cách tính. Mỗi dòng đều khớp với các số in ra; khi các số "
                        "đã làm tròn trong bảng làm sai chữ số cuối của đáp án, dòng đó in chúng với nhiều chữ số hơn."},
    "given": {"en": "The hints also read these grids (worked inside the step, or earlier):",
              "zh-Hant": "提示還會用到這些表格（在這一步裡面或之前算出）：",
              "zh-Hans": "提示还会用到这些表格（在这一步里面或之前算出）：",
              "vi": "Gợi ý còn dùng các bảng này (tính bên trong bước này hoặc trước đó):"},
    "step": {"en": "Step {n}", "zh-Hant": "第 {n} 步", "zh-Hans": "第 {n} 步", "vi": "Bước {n}"},
    "hints": {"en": "Hints", "zh-Hant": "提示", "zh-Hans": "提示", "vi": "Gợi ý"},
    "seed": {"en": "blanks: {share:.0%} of the computed cells, seed {seed}",
             "zh-Hant": "空格：計算結果的 {share:.0%}，種子 {seed}",
             "zh-Hans": "空格：计算结果的 {share:.0%}，种子 {seed}",
             "vi": "ô trống: {share:.0%} số ô được tính, hạt giống {seed}"},
    "left_out": {"en": "Left out (too large to work by hand): {steps}",
                 "zh-Hant": "略過（太大，不適合手算）：{steps}", "zh-Hans": "略过（太大，不适合手算）：{steps}",
                 "vi": "Bỏ qua (quá lớn để tính bằng tay): {steps}"},
    "more": {"en": "… and {n} more steps: choose fewer with --steps",
             "zh-Hant": "……還有 {n} 步：用 --steps 選少一點", "zh-Hans": "……还有 {n} 步：用 --steps 选少一点",
             "vi": "… và {n} bước nữa: chọn ít hơn bằng --steps"},
    "page": {"en": "page {n}", "zh-Hant": "第 {n} 頁", "zh-Hans": "第 {n} 页", "vi": "trang {n}"},
    # the notebook's step table
    "id": {"en": "id", "zh-Hant": "編號", "zh-Hans": "编号", "vi": "số"},
    "phase": {"en": "phase", "zh-Hant": "階段", "zh-Hans": "阶段", "vi": "giai đoạn"},
    "name": {"en": "name", "zh-Hant": "名稱", "zh-Hans": "名称", "vi": "tên"},
    "op": {"en": "op", "zh-Hant": "運算", "zh-Hans": "运算", "vi": "phép toán"},
    "outputs": {"en": "outputs", "zh-Hant": "輸出", "zh-Hans": "输出", "vi": "đầu ra"},
    "working": {"en": "working of {cell}", "zh-Hant": "{cell} 的計算過程", "zh-Hans": "{cell} 的计算过程",
                "vi": "cách tính {cell}"},
    "steps_total": {"en": "{n} steps, {t} tensors", "zh-Hant": "{n} 步，{t} 個張量", "zh-Hans": "{n} 步，{t} 个张量",
                    "vi": "{n} bước, {t} tensor"},
    "rows_hidden": {"en": "… {n} more steps (trace.step(k) shows one)",
                    "zh-Hant": "……還有 {n} 步（trace.step(k) 顯示其中一步）",
                    "zh-Hans": "……还有 {n} 步（trace.step(k) 显示其中一步）",
                    "vi": "… và {n} bước nữa (trace.step(k) hiện một bước)"},
    # the slides, the handout and the deck player
    "slide": {"en": "Slide {n} of {total}", "zh-Hant": "第 {n} 張，共 {total} 張",
              "zh-Hans": "第 {n} 张，共 {total} 张", "vi": "Trang {n} / {total}"},
    "steps": {"en": "Steps {a}–{b}", "zh-Hant": "步驟 {a}–{b}", "zh-Hans": "步骤 {a}–{b}", "vi": "Bước {a}–{b}"},
    "one_step": {"en": "Step {a}", "zh-Hant": "步驟 {a}", "zh-Hans": "步骤 {a}", "vi": "Bước {a}"},
    "fast": {"en": "{span} (fast-forwarded, ×{n})", "zh-Hant": "{span}（快轉，×{n}）", "zh-Hans": "{span}（快进，×{n}）",
             "vi": "{span} (tua nhanh, ×{n})"},
    "fast_once": {"en": "{span} (fast-forwarded)", "zh-Hant": "{span}（快轉）", "zh-Hans": "{span}（快进）",
                  "vi": "{span} (tua nhanh)"},
    "notes": {"en": "Speaker notes", "zh-Hant": "講者備註", "zh-Hans": "讲者备注", "vi": "Ghi chú người trình bày"},
    "working_title": {"en": "Working of {cell}", "zh-Hant": "{cell} 的算式", "zh-Hans": "{cell} 的算式",
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
    "page_of": {"en": "page {n} of {total}", "zh-Hant": "第 {n} 頁，共 {total} 頁",
                "zh-Hans": "第 {n} 页，共 {total} 页", "vi": "trang {n} / {total}"},
}


def word(key: str, lang: str = "en", **fill: object) -> str:
    """The phrase ``key`` in ``lang`` with its placeholders filled."""
    return in_language(WORDS, key, lang, **fill)


def step_formula(trace: Trace | None, step: Step, lang: str) -> str:
    """A step's formula as the slides, the sheets and the notebook print it: in ``lang``
    (:func:`tracer.i18n.formula` writes the ones with words, ``copied to every entry``, in the other
    languages), every minus sign ``−``, as their numbers (:func:`tracer.notation.true_minus`). A
    step without its trace (copied out of it) has no tensor names to write it with: as recorded.

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     x = tracer.param([1.0, -2.0], name="x")
    ...     tracer.sum(x, name="s").backward()
    >>> step_formula(trace, trace.step("s.grad"), "zh-Hant")
    'dx = ds，複製到每個元素'
    """
    return true_minus(formula(trace, step, lang) if trace is not None else step.formula)


def step_words(trace: Trace, step: Step, lang: str) -> tuple[str, str]:
    """A step's formula (:func:`step_formula`) and narration as the slides, the sheets and the
    notebook print them, every minus sign ``−``."""
    return step_formula(trace, step, lang), true_minus(narrate(trace, step, lang))


def trace_title(trace: Trace, story: Story | None, lang: str) -> str:
    """The title a deck, a sheet or a notebook of ``trace`` carries: its story's in ``lang``, else
    the trace's own (``meta["title"]``), ``""`` when it has none; signed as the text under it, ``−``
    for every minus of a number (:func:`tracer.notation.true_minus`), so a title never mixes ``-``
    and ``−`` with the slides, the blocks or the grids below it.

    >>> import tracer
    >>> with tracer.record(title="ReLU of -2 with eps 1e-05 (pre-norm)") as trace:
    ...     h = tracer.relu(tracer.tensor([-2.0], name="Z"), name="H")
    >>> trace_title(trace, None, "en")
    'ReLU of −2 with eps 1e−05 (pre-norm)'
    """
    return true_minus(text(story.title, lang) if story else str(trace.meta.get("title") or ""))
