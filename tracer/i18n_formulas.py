"""Formulas with words in them, in 繁體中文, 简体中文 and Tiếng Việt.

Most formulas are symbols only (``{out} = max(0, {x})``) and read the same in every language; the
ones here carry words (``d{x} = d{out} copied to every entry``, ``{out} = 1 if {x} > {threshold}
else 0``), so a viewer in another language writes them from these templates
(:func:`tracer.i18n.formula`). The placeholders and ``⟦…⟧`` parts are those of the op's English
template; a function name (``reshape``, ``softmax``) is notation, not a word, and stays.
"""
from __future__ import annotations

import re

# op: (繁體中文, 简体中文, Tiếng Việt) — the op's forward formula
FORMULAS: dict[str, tuple[str, str, str]] = {
    "astype": ("{out} = 把 {x} 轉成 {dtype}", "{out} = 把 {x} 转成 {dtype}", "{out} = {x} dưới dạng {dtype}"),
    "broadcast_to": ("{out} = {x} 重複到形狀 {shape}", "{out} = {x} 重复到形状 {shape}",
                     "{out} = {x} lặp lại đến hình dạng {shape}"),
    "cumsum": ("{out} = {x} 的累計和", "{out} = {x} 的累计和", "{out} = tổng dồn của {x}"),
    "dropout": ("{out} = {x} ⊙ 遮罩 / (1 − {p})", "{out} = {x} ⊙ 掩码 / (1 − {p})",
                "{out} = {x} ⊙ mặt nạ / (1 − {p})"),
    "expand_dims": ("{out} = {x} 加上新的第 {axis} 軸", "{out} = {x} 加上新的第 {axis} 轴",
                    "{out} = {x} thêm trục mới {axis}"),
    "squeeze": ("{out} = {x} 去掉長度為 1 的軸", "{out} = {x} 去掉长度为 1 的轴", "{out} = {x} bỏ các trục dài 1"),
    "step": ("{out} = 1（當 {x} > {threshold}），否則為 0", "{out} = 1（当 {x} > {threshold}），否则为 0",
             "{out} = 1 nếu {x} > {threshold}, ngược lại 0"),
    "where": ("{out} = {cond} 成立處取 {a}，否則取 {b}", "{out} = {cond} 成立处取 {a}，否则取 {b}",
              "{out} = {a} ở chỗ {cond} đúng, ngược lại {b}"),
    "var": ("{out} = Σ ({x} − μ)² / (n − {ddof})",) * 3,
    "batch_norm": ("{out} = ⟦{gamma} ⊙ ⟧({x} − μ_B) / √(σ²_B + ε)⟦ + {beta}⟧",) * 3,
}

_COMPARISON = ("無：比較是平的，沒有梯度（遮罩）", "无：比较是平的，没有梯度（掩码）",
               "không có: phép so sánh là phẳng, không có gradient (mặt nạ)")
_SLICES = ("每個輸入取回 d{out} 中屬於它的那一段", "每个输入取回 d{out} 中属于它的那一段",
           "mỗi đầu vào nhận phần của mình trong d{out}")

# op: (繁體中文, 简体中文, Tiếng Việt) — the op's gradient formula
GRADS: dict[str, tuple[str, str, str]] = {
    "astype": ("d{x} = d{out}（轉回 {x} 的型別）", "d{x} = d{out}（转回 {x} 的类型）",
               "d{x} = d{out} đổi về kiểu của {x}"),
    "attention": ("依序反向穿過加權和、softmax 與兩次乘積", "依次反向穿过加权和、softmax 与两次乘积",
                  "qua tổng có trọng số, softmax và cả hai phép nhân"),
    "batch_norm": ("反向穿過批次平均、變異數與除法", "反向穿过批均值、方差与除法",
                   "qua trung bình của lô, phương sai và phép chia"),
    "broadcast_to": ("d{x} = d{out} 在各副本上加總", "d{x} = d{out} 在各副本上求和", "d{x} = d{out} cộng qua các bản sao"),
    "clip": ("d{x} = d{out}（{x} 在範圍內時），否則為 0", "d{x} = d{out}（{x} 在范围内时），否则为 0",
             "d{x} = d{out} khi {x} nằm trong khoảng, ngược lại 0"),
    "concat": _SLICES,
    "stack": _SLICES,
    "cumsum": ("d{x} = d{out} 從尾端往前的累計和", "d{x} = d{out} 从末尾往前的累计和",
               "d{x} = tổng dồn của d{out}, tính từ cuối"),
    "dense": ("d{W} = {x}ᵀ·d{out}；d{x} = d{out}·{W}ᵀ⟦；d{b} = Σ d{out}（對各列加總）⟧",
              "d{W} = {x}ᵀ·d{out}；d{x} = d{out}·{W}ᵀ⟦；d{b} = Σ d{out}（对各行求和）⟧",
              "d{W} = {x}ᵀ·d{out};  d{x} = d{out}·{W}ᵀ⟦;  d{b} = Σ d{out} theo các hàng⟧"),
    "dropout": ("d{x} = d{out} ⊙ 遮罩 / (1 − {p})", "d{x} = d{out} ⊙ 掩码 / (1 − {p})",
                "d{x} = d{out} ⊙ mặt nạ / (1 − {p})"),
    "einsum": ("d（每個輸入）= d{out} 與其他輸入的 einsum", "d（每个输入）= d{out} 与其他输入的 einsum",
               "d(mỗi đầu vào) = einsum của d{out} với các đầu vào khác"),
    "equal": _COMPARISON, "not_equal": _COMPARISON, "less": _COMPARISON, "less_equal": _COMPARISON,
    "greater": _COMPARISON, "greater_equal": _COMPARISON,
    "expand_dims": ("d{x} = d{out} 去掉那個軸", "d{x} = d{out} 去掉那个轴", "d{x} = d{out} bỏ trục đó"),
    "layer_norm": ("反向穿過平均、變異數與除法", "反向穿过均值、方差与除法", "qua trung bình, phương sai và phép chia"),
    "leaky_relu": ("d{x} = d{out} ⊙（{x} > 0 時為 1，否則為 {alpha}）", "d{x} = d{out} ⊙（{x} > 0 时为 1，否则为 {alpha}）",
                   "d{x} = d{out} ⊙ (1 nếu {x} > 0, ngược lại {alpha})"),
    "prelu": ("d{x} = d{out} ⊙（{x} > 0 時為 1，否則為 {alpha}）；d{alpha} = Σ d{out} ⊙ min(0, {x})",
              "d{x} = d{out} ⊙（{x} > 0 时为 1，否则为 {alpha}）；d{alpha} = Σ d{out} ⊙ min(0, {x})",
              "d{x} = d{out} ⊙ (1 nếu {x} > 0, ngược lại {alpha});  d{alpha} = Σ d{out} ⊙ min(0, {x})"),
    "max": ("d{x} = d{out} 只給最大值所在處（並列時平分）", "d{x} = d{out} 只给最大值所在处（并列时平分）",
            "d{x} = d{out} chỉ ở chỗ lớn nhất (bằng nhau thì chia đều)"),
    "min": ("d{x} = d{out} 只給最小值所在處（並列時平分）", "d{x} = d{out} 只给最小值所在处（并列时平分）",
            "d{x} = d{out} chỉ ở chỗ nhỏ nhất (bằng nhau thì chia đều)"),
    "maximum": ("較大的輸入得到 d{out}（並列時平分）", "较大的输入得到 d{out}（并列时平分）",
                "đầu vào lớn hơn nhận d{out} (bằng nhau thì chia đều)"),
    "minimum": ("較小的輸入得到 d{out}（並列時平分）", "较小的输入得到 d{out}（并列时平分）",
                "đầu vào nhỏ hơn nhận d{out} (bằng nhau thì chia đều)"),
    "mean": ("d{x} = d{out} / n，複製到每個元素", "d{x} = d{out} / n，复制到每个元素",
             "d{x} = d{out} / n, chép vào mọi phần tử"),
    "sum": ("d{x} = d{out}，複製到每個元素", "d{x} = d{out}，复制到每个元素", "d{x} = d{out}, chép vào mọi phần tử"),
    "outer": ("反向穿過乘積", "反向穿过乘积", "qua phép nhân"),
    "pad": ("d{x} = d{out} 去掉填充的部分", "d{x} = d{out} 去掉填充的部分", "d{x} = d{out} bỏ phần đệm"),
    "repeat": ("d{x} = d{out} 在各次重複上加總", "d{x} = d{out} 在各次重复上求和", "d{x} = d{out} cộng qua các lần lặp"),
    "reshape": ("d{x} = 把 d{out} 重排成 {x} 的形狀", "d{x} = 把 d{out} 重排成 {x} 的形状",
                "d{x} = reshape(d{out}, hình dạng của {x})"),
    "sign": ("d{x} = 0（正負號函數是平的）", "d{x} = 0（符号函数是平的）", "d{x} = 0 (hàm dấu là phẳng)"),
    "slice": ("d{x}{text} += d{out}，其他位置為 0", "d{x}{text} += d{out}，其他位置为 0",
              "d{x}{text} += d{out}, chỗ khác bằng 0"),
    "split": ("d{x} = 把 [d{out}] 接回去", "d{x} = 把 [d{out}] 接回去", "d{x} = [d{out}] nối lại"),
    "squeeze": ("d{x} = d{out} 補回那些軸", "d{x} = d{out} 补回那些轴", "d{x} = d{out} thêm lại các trục đó"),
    "std": ("反向穿過平方根與變異數", "反向穿过平方根与方差", "qua căn bậc hai và phương sai"),
    "step": ("d{x} = 0（階躍函數是平的）", "d{x} = 0（阶跃函数是平的）", "d{x} = 0 (hàm bậc thang là phẳng)"),
    "tile": ("d{x} = d{out} 在各個拼貼副本上加總", "d{x} = d{out} 在各个平铺副本上求和", "d{x} = d{out} cộng qua các bản lát"),
    "var": ("反向穿過加總、平方與平均", "反向穿过求和、平方与平均", "qua tổng, bình phương và trung bình"),
    "where": ("d{a} = {cond} 成立處的 d{out}；d{b} 取其他位置", "d{a} = {cond} 成立处的 d{out}；d{b} 取其他位置",
              "d{a} = d{out} ở chỗ {cond} đúng;  d{b} ở chỗ còn lại"),
}

# tensor names that are words, not symbols (the positional encoding's mask, "even rows"): a
# formula or narration in another language writes them in it, as it writes its template's words
NAMES: dict[str, tuple[str, str, str]] = {
    "even rows": ("偶數列", "偶数行", "hàng chẵn"),
}
_OTHER_LANGUAGES = ("zh-Hant", "zh-Hans", "vi")   # the order of every tuple here
CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"   # Chinese characters and punctuation (a regex class's ranges)


def worded(text: str, names: list[str], lang: str) -> str:
    """``text`` with each of ``names`` (a step's tensor names) that is words written in ``lang``
    (:data:`NAMES`); a symbol (``PE``, ``sin``) stays.

    >>> worded("PE = even rows 成立處取 sin，否則取 cos", ["even rows", "sin", "cos", "PE"], "zh-Hant")
    'PE = 偶數列成立處取 sin，否則取 cos'
    """
    if lang not in _OTHER_LANGUAGES:
        return text
    k = _OTHER_LANGUAGES.index(lang)
    for name in dict.fromkeys(names):
        if name in NAMES:  # in Chinese, no space left between two Chinese words (在偶數列成立的位置)
            spaced = rf"(?:(?<=[{CJK}]) )?{re.escape(name)}(?: (?=[{CJK}]))?" if lang != "vi" else re.escape(name)
            text = re.sub(spaced, NAMES[name][k], text)
    return text


# attributes left at None that mean "no bound" rather than "all": what a formula or narration says
UNBOUNDED: dict[str, dict[str, str]] = {"clip": {"a_min": "−∞", "a_max": "∞"}}


def bounded(op: str, attrs: dict) -> dict:
    """``attrs`` with an unset bound written as ``−∞`` / ``∞`` (``clip(x, 1e-09, ∞)``)."""
    bounds = UNBOUNDED.get(op, {})
    return {**attrs, **{k: v for k, v in bounds.items() if attrs.get(k, None) is None}}
