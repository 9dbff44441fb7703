"""Narration in English, 繁體中文, 简体中文 and Tiếng Việt.

Each op's English narration is declared with the op (:mod:`tracer.ops`); this module holds the same
templates in the other languages and the functions that read every table of words: the op's
narration and formula (:func:`narrate`, :func:`formula`) and the phrases viewers need, chapter
titles and labels (:func:`phrase`; the phrases themselves are in :mod:`tracer.i18n_phrases`).

>>> import tracer
>>> from tracer.i18n import narrate
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
>>> narrate(trace, trace.steps[0], "en")
'ReLU keeps the positive entries of Z and turns the negative ones into 0.'
"""
from __future__ import annotations

from .errors import TracerError
from .i18n_formulas import FORMULAS, GRADS, UNBOUNDED, bounded, worded
from .i18n_phrases import PHRASES
from .ops.spec import REGISTRY
from .ops.templates import named_grads, render, with_along
from .shares import named
from .trace import Step, Trace

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "vi")

# op: (繁體中文, 简体中文, Tiếng Việt) — the same placeholders as the English template
_T = {
    "add": ("把 {b} 逐元素加到 {a} 上。", "把 {b} 逐元素加到 {a} 上。", "Cộng {b} vào {a}, từng phần tử một."),
    "sub": ("從 {a} 逐元素減去 {b}。", "从 {a} 逐元素减去 {b}。", "Lấy {a} trừ {b}, từng phần tử một."),
    "mul": ("把 {a} 與 {b} 逐元素相乘。", "把 {a} 与 {b} 逐元素相乘。", "Nhân {a} với {b}, từng phần tử một."),
    "div": ("把 {a} 逐元素除以 {b}。", "把 {a} 逐元素除以 {b}。", "Chia {a} cho {b}, từng phần tử một."),
    "neg": ("把 {x} 的正負號反過來。", "把 {x} 的正负号反过来。", "Đổi dấu {x}."),
    "pow": ("求 {a} 的 {b} 次方。", "求 {a} 的 {b} 次方。", "Nâng {a} lên lũy thừa {b}."),
    "maximum": ("逐元素取 {a} 與 {b} 中較大的一個。", "逐元素取 {a} 与 {b} 中较大的一个。", "Giữ giá trị lớn hơn giữa {a} và {b}, từng phần tử một."),
    "exp": ("對 {x} 的每個元素求 e 的次方。", "对 {x} 的每个元素求 e 的次方。", "Tính e mũ từng phần tử của {x}."),
    "log": ("對 {x} 的每個元素取自然對數。", "对 {x} 的每个元素取自然对数。", "Lấy logarit tự nhiên của từng phần tử của {x}."),
    "sqrt": ("對 {x} 的每個元素開平方根。", "对 {x} 的每个元素开平方根。", "Lấy căn bậc hai của từng phần tử của {x}."),
    "abs": ("對 {x} 的每個元素取絕對值。", "对 {x} 的每个元素取绝对值。", "Lấy giá trị tuyệt đối của từng phần tử của {x}."),
    "sin": ("對 {x} 的每個元素取正弦（弧度）。", "对 {x} 的每个元素取正弦（弧度）。", "Lấy sin của từng phần tử của {x} (góc tính bằng radian)."),
    "cos": ("對 {x} 的每個元素取餘弦（弧度）。", "对 {x} 的每个元素取余弦（弧度）。", "Lấy cos của từng phần tử của {x} (góc tính bằng radian)."),
    "relu": ("ReLU 保留 {x} 中的正數，把負數變成 0。", "ReLU 保留 {x} 中的正数，把负数变成 0。", "ReLU giữ các phần tử dương của {x} và biến các phần tử âm thành 0."),
    "leaky_relu": ("Leaky ReLU 保留 {x} 中的正數，負數乘上 {alpha}。", "Leaky ReLU 保留 {x} 中的正数，负数乘上 {alpha}。", "Leaky ReLU giữ các phần tử dương của {x} và nhân các phần tử âm với {alpha}."),
    "sigmoid": ("sigmoid 把 {x} 的每個元素壓縮到 0 到 1 之間。", "sigmoid 把 {x} 的每个元素压缩到 0 到 1 之间。", "Hàm sigmoid nén từng phần tử của {x} vào khoảng từ 0 đến 1."),
    "tanh": ("tanh 把 {x} 的每個元素壓縮到 −1 到 1 之間。", "tanh 把 {x} 的每个元素压缩到 −1 到 1 之间。", "Hàm tanh nén từng phần tử của {x} vào khoảng từ −1 đến 1."),
    "gelu": ("GELU 讓 {x} 的正數通過，並柔和地壓低負數。", "GELU 让 {x} 的正数通过，并柔和地压低负数。", "GELU cho các phần tử dương của {x} đi qua và làm giảm nhẹ các phần tử âm."),
    "step": ("{x} 大於閾值 {threshold} 時輸出 1（觸發），否則輸出 0。", "{x} 大于阈值 {threshold} 时输出 1（触发），否则输出 0。", "Kích hoạt (1) khi {x} lớn hơn ngưỡng {threshold}, ngược lại giữ 0."),
    "clip": ("把 {x} 的每個元素截斷到 [{a_min}, {a_max}] 之間。", "把 {x} 的每个元素截断到 [{a_min}, {a_max}] 之间。", "Cắt từng phần tử của {x} vào khoảng [{a_min}, {a_max}]."),
    "matmul": ("矩陣相乘 {a} × {b}：{out} 的每個元素是 {a} 的一列乘上 {b} 的一行，再加總。", "矩阵相乘 {a} × {b}：{out} 的每个元素是 {a} 的一行乘上 {b} 的一列，再求和。", "Nhân ma trận {a} với {b}: mỗi phần tử của {out} là một hàng của {a} nhân với một cột của {b}, rồi cộng lại."),
    "transpose": ("轉置 {x}：列變成行。", "转置 {x}：行变成列。", "Chuyển vị {x}: hàng thành cột."),
    "reshape": ("把 {x} 的元素重新排成形狀 {shape}。", "把 {x} 的元素重新排成形状 {shape}。", "Sắp xếp lại các phần tử của {x} thành hình dạng {shape}."),
    "concat": ("把 {xs} {joined}接成一個張量。", "把 {xs} {joined}接成一个张量。", "Nối {xs} thành một tensor, {joined}."),
    "split": ("把 {x} {joined}切成 {sections} 份。", "把 {x} {joined}切成 {sections} 份。", "Cắt {x} thành {sections} phần, {joined}."),
    "slice": ("取出 {x} 的 {text} 部分。", "取出 {x} 的 {text} 部分。", "Lấy phần {text} của {x}."),
    "gather": ("沿著第 {axis} 軸取出 {table} 中編號 {indices} 的項目。", "沿着第 {axis} 轴取出 {table} 中编号 {indices} 的项目。", "Lấy từ {table} các mục tại {indices}, theo trục {axis}."),
    "where": ("在 {cond} 成立的位置取 {a}，其他位置取 {b}（遮罩）。", "在 {cond} 成立的位置取 {a}，其他位置取 {b}（掩码）。", "Lấy {a} ở những chỗ {cond} đúng và {b} ở chỗ còn lại (mặt nạ)."),
    "sum": ("把 {x} 的元素加總⟦（{along}）⟧。", "把 {x} 的元素求和⟦（{along}）⟧。", "Cộng các phần tử của {x}⟦ {along}⟧."),
    "mean": ("求 {x} 的元素平均⟦（{along}）⟧。", "求 {x} 的元素平均⟦（{along}）⟧。", "Lấy trung bình các phần tử của {x}⟦ {along}⟧."),
    "max": ("取 {x} 中最大的元素⟦（{along}）⟧。", "取 {x} 中最大的元素⟦（{along}）⟧。", "Lấy phần tử lớn nhất của {x}⟦ {along}⟧."),
    "softmax": ("softmax {along}，把分數 {x} 變成機率：取指數、加總、相除。", "softmax {along}，把分数 {x} 变成概率：取指数、求和、相除。", "Softmax biến các điểm số {x} thành xác suất {along}: lấy mũ, cộng lại, rồi chia."),
    "log_softmax": ("log-softmax：{x} 的 softmax 機率取對數，以穩定的方式計算。", "log-softmax：{x} 的 softmax 概率取对数，以稳定的方式计算。", "Log-softmax: logarit của xác suất softmax của {x}, tính theo cách ổn định."),
    "layer_norm": ("層正規化：{along}，讓 {x} 的每個樣本平均為 0、變異數為 1，再乘 γ 加 β。", "层归一化：{along}，让 {x} 的每个样本均值为 0、方差为 1，再乘 γ 加 β。", "Chuẩn hóa lớp: đưa mỗi mẫu của {x} về trung bình 0 và phương sai 1 {along}, rồi nhân γ và cộng β."),
    "batch_norm": ("批次正規化（訓練）：{along}，在整個批次上正規化 {x}，再乘 γ 加 β。", "批归一化（训练）：{along}，在整个批次上归一化 {x}，再乘 γ 加 β。", "Chuẩn hóa theo lô (huấn luyện): chuẩn hóa {x} trên cả lô, {along}, rồi nhân γ và cộng β."),
    "linear": ("線性層：把 {X} 乘上權重 {W}⟦，再加上偏差 {b}（[{W} | {b}] · [{X} ; 1]）⟧。", "线性层：把 {X} 乘上权重 {W}⟦，再加上偏置 {b}（[{W} | {b}] · [{X} ; 1]）⟧。", "Lớp tuyến tính: nhân {X} với trọng số {W}⟦ rồi cộng độ lệch {b} ([{W} | {b}] · [{X} ; 1])⟧."),
    "attention": ("注意力：{Q} 中的每個查詢為 {K} 中的每個鍵打分數，分數除以 √d_k，經 softmax 變成權重，再用權重混合值 {V}。", "注意力：{Q} 中的每个查询为 {K} 中的每个键打分，分数除以 √d_k，经 softmax 变成权重，再用权重混合值 {V}。", "Cơ chế chú ý: mỗi truy vấn trong {Q} chấm điểm mọi khóa trong {K}, điểm được chia cho √d_k và biến thành trọng số bằng softmax, rồi các trọng số trộn các giá trị {V}."),
    "dropout": ("Dropout：隨機把 {x} 中比例 {p} 的元素設為 0（種子 {seed}），其餘放大。", "Dropout：随机把 {x} 中比例 {p} 的元素设为 0（种子 {seed}），其余放大。", "Dropout: đặt ngẫu nhiên một tỉ lệ {p} phần tử của {x} về 0 (hạt giống {seed}) và phóng to phần còn lại."),
    "l2_norm": ("{x}⟦ {along}⟧的長度（L2 範數）。", "{x}⟦ {along}⟧的长度（L2 范数）。", "Độ dài (chuẩn L2) của {x}⟦ {along}⟧."),
    "mse": ("均方誤差：{y} 減去目標 {target}，平方後取平均。", "均方误差：{y} 减去目标 {target}，平方后取平均。", "Sai số bình phương trung bình: lấy {y} trừ mục tiêu {target}, bình phương, rồi lấy trung bình."),
    "sse": ("誤差平方和：{y} 減去目標 {target}，平方後加總。", "误差平方和：{y} 减去目标 {target}，平方后求和。", "Tổng bình phương sai số: lấy {y} trừ mục tiêu {target}, bình phương, rồi cộng lại."),
    "l1": ("L1 懲罰：把 {x} 的絕對值加總，會把大部分元素推向 0（稀疏）。", "L1 惩罚：把 {x} 的绝对值求和，会把大部分元素推向 0（稀疏）。", "Phạt L1: cộng các giá trị tuyệt đối của {x}, đẩy hầu hết chúng về 0 (thưa)."),
    "cross_entropy": ("交叉熵：模型對正確答案 {target} 有多意外，即它給正確答案的機率取負對數，再取平均。", "交叉熵：模型对正确答案 {target} 有多意外，即它给正确答案的概率取负对数，再取平均。", "Entropy chéo: mô hình bất ngờ thế nào trước đáp án đúng {target}, tức là âm logarit của xác suất nó gán cho đáp án đó, lấy trung bình."),
    "binary_cross_entropy": ("機率 {p} 與 0/1 目標 {target} 之間的二元交叉熵。", "概率 {p} 与 0/1 目标 {target} 之间的二元交叉熵。", "Entropy chéo nhị phân giữa xác suất {p} và mục tiêu 0/1 {target}."),
    "sgd": ("梯度下降：讓 {W} 沿梯度 {dW} 的反方向走一步，步長 {lr}。", "梯度下降：让 {W} 沿梯度 {dW} 的反方向走一步，步长 {lr}。", "Hạ gradient: dịch {W} một bước cỡ {lr} ngược chiều gradient {dW}."),
    "sgd_momentum": ("動量：累積過去梯度的方向 {v}，讓 {W} 沿著它移動。", "动量：累积过去梯度的方向 {v}，让 {W} 沿着它移动。", "Quán tính: giữ hướng tích lũy {v} của các gradient trước và dịch {W} theo hướng đó."),
    "adam": ("Adam：對梯度 {dW} 及其平方取移動平均，按兩者的比值更新 {W}，每個權重都有自己的步長。", "Adam：对梯度 {dW} 及其平方取移动平均，按两者的比值更新 {W}，每个权重都有自己的步长。", "Adam: lấy trung bình trượt của gradient {dW} và bình phương của nó, rồi cập nhật {W} theo tỉ số của chúng, mỗi trọng số có bước riêng."),
    "clip_grad_value": ("把每個梯度元素截斷到 [−{clip_value}, {clip_value}]，避免更新爆炸。", "把每个梯度元素截断到 [−{clip_value}, {clip_value}]，避免更新爆炸。", "Cắt từng phần tử gradient vào [−{clip_value}, {clip_value}] để bước cập nhật không bùng nổ."),
    "clip_grad_norm": ("所有梯度合起來的長度是 {norm:.4g}；把它縮小到最多 {max_norm}。", "所有梯度合起来的长度是 {norm:.4g}；把它缩小到最多 {max_norm}。", "Tổng độ dài các gradient là {norm:.4g}; thu nhỏ chúng xuống tối đa {max_norm}."),
    "swish": ("Swish 把 {x} 的每個元素乘上它自己的 sigmoid：正數幾乎原樣通過，負數被平滑地壓低。", "Swish 把 {x} 的每个元素乘上它自己的 sigmoid：正数几乎原样通过，负数被平滑地压低。", "Swish nhân từng phần tử của {x} với sigmoid của chính nó: phần tử dương gần như giữ nguyên, phần tử âm bị giảm nhẹ nhàng."),
    "prelu": ("PReLU 保留 {x} 中的正數，負數乘上學習得到的斜率 {alpha}。", "PReLU 保留 {x} 中的正数，负数乘上学习得到的斜率 {alpha}。", "PReLU giữ các phần tử dương của {x} và nhân các phần tử âm với độ dốc học được {alpha}."),
    "rmsprop": ("RMSprop：對梯度 {dW} 的平方取移動平均 {v}，{W} 的每一步都除以它的平方根，陡峭的方向就走小步。", "RMSprop：对梯度 {dW} 的平方取移动平均 {v}，{W} 的每一步都除以它的平方根，陡峭的方向就走小步。", "RMSprop: giữ trung bình trượt {v} của bình phương gradient {dW} và chia bước cập nhật {W} cho căn bậc hai của nó, để hướng dốc chỉ đi bước nhỏ."),
    "weight_decay": ("L2 權重衰減：把 {weight_decay}·{W} 加到梯度 {dW} 上，讓更新 W ← W − η(dW + λW) 同時把每個權重拉向 0。", "L2 权重衰减：把 {weight_decay}·{W} 加到梯度 {dW} 上，让更新 W ← W − η(dW + λW) 同时把每个权重拉向 0。", "Suy giảm trọng số L2: cộng {weight_decay}·{W} vào gradient {dW}, để bước cập nhật W ← W − η(dW + λW) cũng kéo mọi trọng số về 0."),
    "accumulate": ("{x} 被多個運算使用：把從每個運算傳回來的梯度加起來。", "{x} 被多个运算使用：把从每个运算传回来的梯度加起来。", "{x} được dùng bởi nhiều phép toán: cộng các gradient truyền ngược từ mỗi phép toán."),
    # the NumPy a user writes: special functions, masks, array functions, reductions, contractions
    "grad_total": ("{x} 還留著先前一次 backward() 的梯度：把這次的梯度加上去（梯度會一直累加，直到 zero_grad()）。", "{x} 还留着先前一次 backward() 的梯度：把这次的梯度加上去（梯度会一直累加，直到 zero_grad()）。", "{x} còn giữ gradient của một lần backward() trước: cộng gradient lần này vào (gradient cộng dồn cho đến khi gọi zero_grad())."),
    "erf": ("{x} 每個元素的誤差函數：鐘形曲線下的面積，介於 −1 到 1。", "{x} 每个元素的误差函数：钟形曲线下的面积，介于 −1 到 1。", "Hàm sai số của từng phần tử của {x}: diện tích dưới đường cong hình chuông, từ −1 đến 1."),
    "gelu_tanh": ("GELU（tanh 近似形式，如 GPT-2）讓 {x} 的正數通過，並柔和地壓低負數。", "GELU（tanh 近似形式，如 GPT-2）让 {x} 的正数通过，并柔和地压低负数。", "GELU (dạng tanh, như GPT-2) cho các phần tử dương của {x} đi qua và làm giảm nhẹ các phần tử âm."),
    "log1p": ("對 {x} 的每個元素求 ln(1 + x)，x 很小時也精確。", "对 {x} 的每个元素求 ln(1 + x)，x 很小时也精确。", "Tính ln(1 + x) cho từng phần tử của {x}, chính xác cả khi x rất nhỏ."),
    "softplus": ("Softplus：平滑版的 ReLU，對 {x} 的每個元素求 ln(1 + e^x)。", "Softplus：平滑版的 ReLU，对 {x} 的每个元素求 ln(1 + e^x)。", "Softplus: một ReLU trơn, ln(1 + e^x), cho từng phần tử của {x}."),
    "sign": ("{x} 每個元素的正負號：−1、0 或 1。", "{x} 每个元素的正负号：−1、0 或 1。", "Dấu của từng phần tử của {x}: −1, 0 hoặc 1."),
    "less": ("標出 {a} 小於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 小于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} nhỏ hơn {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "less_equal": ("標出 {a} 不大於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 不大于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} không lớn hơn {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "greater": ("標出 {a} 大於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 大于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} lớn hơn {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "greater_equal": ("標出 {a} 不小於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 不小于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} không nhỏ hơn {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "equal": ("標出 {a} 等於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 等于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} bằng {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "not_equal": ("標出 {a} 不等於 {b} 的位置：成立處為真，其他為假（遮罩）。", "标出 {a} 不等于 {b} 的位置：成立处为真，其他为假（掩码）。", "Đánh dấu chỗ {a} khác {b}: đúng ở đó, sai ở chỗ khác (mặt nạ)."),
    "minimum": ("逐元素取 {a} 與 {b} 中較小的一個。", "逐元素取 {a} 与 {b} 中较小的一个。", "Giữ giá trị nhỏ hơn giữa {a} và {b}, từng phần tử một."),
    "stack": ("沿著新的第 {axis} 軸把 {xs} 疊起來。", "沿着新的第 {axis} 轴把 {xs} 叠起来。", "Xếp chồng {xs} theo một trục mới {axis}."),
    "expand_dims": ("在第 {axis} 個位置給 {x} 加一個長度為 1 的新軸。", "在第 {axis} 个位置给 {x} 加一个长度为 1 的新轴。", "Thêm cho {x} một trục mới dài 1 ở vị trí {axis}."),
    "squeeze": ("去掉 {x} 中長度為 1 的軸（軸：{axis}）。", "去掉 {x} 中长度为 1 的轴（轴：{axis}）。", "Bỏ các trục dài 1 của {x} (trục: {axis})."),
    "broadcast_to": ("沿著長度為 1 的軸重複 {x}，直到形狀為 {shape}。", "沿着长度为 1 的轴重复 {x}，直到形状为 {shape}。", "Lặp lại {x} theo các trục dài 1 cho đến khi có hình dạng {shape}."),
    "tile": ("把 {x} 的副本並排鋪開，沿各軸各 {reps} 次。", "把 {x} 的副本并排铺开，沿各轴各 {reps} 次。", "Đặt các bản sao của {x} cạnh nhau, {reps} lần theo các trục."),
    "repeat": ("沿第 {axis} 軸把 {x} 的每個元素重複 {repeats} 次。", "沿第 {axis} 轴把 {x} 的每个元素重复 {repeats} 次。", "Lặp lại từng phần tử của {x} {repeats} lần theo trục {axis}."),
    "pad": ("在 {x} 周圍補上 {constant_values}：沿每個軸前後各補 {pad_width} 個。", "在 {x} 周围补上 {constant_values}：沿每个轴前后各补 {pad_width} 个。", "Bao quanh {x} bằng các số {constant_values}: {pad_width} phần tử trước và sau theo mỗi trục."),
    "astype": ("把 {x} 的數值轉成 {dtype}。", "把 {x} 的数值转成 {dtype}。", "Các số của {x} dưới dạng {dtype}."),
    "min": ("取 {x} 中最小的元素⟦（{along}）⟧。", "取 {x} 中最小的元素⟦（{along}）⟧。", "Lấy phần tử nhỏ nhất của {x}⟦ {along}⟧."),
    "cumsum": ("⟦{along}，⟧求 {x} 的累計和：每個元素加上它前面的全部。", "⟦{along}，⟧求 {x} 的累计和：每个元素加上它前面的全部。", "Tổng dồn của {x}⟦ {along}⟧: mỗi phần tử cộng với mọi phần tử trước nó."),
    "var": ("{x}⟦ {along}⟧的變異數：元素離平均值有多分散（取平方）。", "{x}⟦ {along}⟧的方差：元素离均值有多分散（取平方）。", "Phương sai của {x}⟦ {along}⟧: các phần tử tản ra quanh trung bình bao xa (bình phương)."),
    "std": ("{x}⟦ {along}⟧的標準差：變異數的平方根。", "{x}⟦ {along}⟧的标准差：方差的平方根。", "Độ lệch chuẩn của {x}⟦ {along}⟧: căn bậc hai của phương sai."),
    "einsum": ("依索引字母 {subscripts} 把 {xs} 逐元素相乘，並對結果不保留的字母加總。", "依索引字母 {subscripts} 把 {xs} 逐元素相乘，并对结果不保留的字母求和。", "Nhân {xs} từng phần tử theo các chữ chỉ số {subscripts}, rồi cộng theo mọi chữ mà kết quả không giữ."),
    "dense": ("全連接層（詞元為列）：把 {x} 乘上權重 {W}⟦，再把偏差 {b} 加到每一列⟧。", "全连接层（词元为行）：把 {x} 乘上权重 {W}⟦，再把偏置 {b} 加到每一行⟧。", "Lớp dày đặc, mỗi token là một hàng: nhân {x} với trọng số {W}⟦ rồi cộng độ lệch {b} vào mỗi hàng⟧."),
    "outer": ("{a} 與 {b} 的外積：{a} 的每個元素乘上 {b} 的每個元素。", "{a} 与 {b} 的外积：{a} 的每个元素乘上 {b} 的每个元素。", "Tích ngoài của {a} và {b}: mỗi phần tử của {a} nhân với mỗi phần tử của {b}."),
}

NARRATION: dict[str, dict[str, str]] = {
    op: dict(zip(LANGUAGES[1:], texts)) for op, texts in _T.items()}

BACKWARD: dict[str, str] = {
    "en": "Send the gradient back through {op}: {grad}",
    "zh-Hant": "把梯度反向傳過 {op}：{grad}",
    "zh-Hans": "把梯度反向传过 {op}：{grad}",
    "vi": "Truyền gradient ngược qua {op}: {grad}",
}


def check_language(lang: str) -> str:
    """``lang`` as one of :data:`LANGUAGES` (any case: ``zh-hant`` is ``zh-Hant``)."""
    for known in LANGUAGES:
        if lang.lower() == known.lower():
            return known
    raise TracerError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")


def narrate(trace: Trace, step: Step, lang: str = "en") -> str:
    """The narration of ``step`` in ``lang``; an op this version has no words for in ``lang`` (a
    trace saved by a newer tracer) is narrated by its name and formula, never in another language."""
    lang = check_language(lang)
    spec = REGISTRY.get(step.op)
    unbounded = step.op in UNBOUNDED and any(step.attrs.get(b) is None for b in UNBOUNDED[step.op])
    if lang == "en" and (spec is not None or step.narration) and not unbounded:
        return step.narration  # as recorded (a saved trace keeps its English narration)
    if step.phase == "backward" and step.grad_of is not None:
        fwd = trace.steps[step.grad_of] if step.grad_of < len(trace.steps) else None
        through = fwd.name.rsplit(".", 1)[-1] if fwd is not None else step.op  # a name, not the op's English one
        return BACKWARD[lang].format(op=through, grad=formula(trace, step, lang))
    template = NARRATION.get(step.op, {}).get(lang) if lang != "en" else spec.narration if spec else None
    if spec is None or template is None:
        return phrase("generic_step", lang, op=step.op, formula=step.formula)
    names = [trace.tensors[t].name for t in step.inputs]
    outs = [trace.tensors[t].name for t in step.outputs]
    fill = with_along(trace, step, spec, lang, bounded(step.op, step.attrs))
    if spec.family == "gradient":  # adding up gradients: the narration names the tensor they are of
        tid = step.attrs.get("tensor")
        fill = {"x": trace.tensors[tid].name if tid in trace.tensors else "?"}
    text = worded(render(template, spec, names, outs, fill, unset=phrase("all", lang)), names + outs, lang)
    return with_shares(trace, step, text, lang) if step.op == "accumulate" else text


def told(trace: Trace, step: Step, lang: str = "en") -> str:
    """The sentence an accumulate step's narration ends with: what each gradient it adds is, the
    way it came back in the words of :func:`tracer.shares.named` (the words the walkthrough's
    titles and the line under each share say too).

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     x = tracer.param([1.0, 2.0], name="x")
    ...     (tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")).sum().backward()
    >>> acc = next(s for s in trace.steps if s.op == "accumulate")
    >>> told(trace, acc, "en")
    'Added here: dx′ (through grown), dx″ (through tripled).'
    """
    lang = check_language(lang)
    items = [phrase("share_way", lang, name=name, way=way) for name, way in named(trace, step, lang)]
    return phrase("shares_added", lang, shares=phrase("share_separator", lang).join(items))


def with_shares(trace: Trace, step: Step, text: str, lang: str = "en") -> str:
    """An accumulate step's narration ``text`` ending with :func:`told`: the one place the
    sentence is joined on, for the narration recorded in English and for every other language."""
    return f"{text}{'' if check_language(lang).startswith('zh') else ' '}{told(trace, step, lang)}"


def formula(trace: Trace, step: Step, lang: str = "en") -> str:
    """The step's formula in ``lang``: as recorded, unless it has words in it (``copied to every
    entry``, ``1 if … else 0``), which :mod:`tracer.i18n_formulas` writes in the other languages
    with the same tensor names.

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     x = tracer.param([1.0, 2.0], name="x")
    ...     tracer.sum(x, name="s").backward()
    >>> formula(trace, trace.step("s.grad"), "en"), formula(trace, trace.step("s.grad"), "zh-Hans")
    ('dx = ds copied to every entry', 'dx = ds，复制到每个元素')
    """
    lang = check_language(lang)
    text = _formula(trace, step, lang)
    return text if lang == "en" else worded(text, _names(trace, step), lang)


def _names(trace: Trace, step: Step) -> list[str]:
    """The names of ``step``'s tensors and, for a gradient step, of its forward step's."""
    fwd = trace.steps[step.grad_of] if step.grad_of is not None and step.grad_of < len(trace.steps) else None
    return [trace.tensors[t].name for s in (step, fwd) if s is not None for t in s.inputs + s.outputs
            if t in trace.tensors]


def _formula(trace: Trace, step: Step, lang: str) -> str:
    spec = REGISTRY.get(step.op)
    if spec is None or (lang == "en" and not (step.phase != "backward" and step.op in UNBOUNDED)):
        return step.formula
    k = LANGUAGES.index(lang) - 1
    if step.phase == "backward":
        fwd = trace.steps[step.grad_of] if step.grad_of is not None and step.grad_of < len(trace.steps) else None
        if step.op not in GRADS or fwd is None or fwd.op != step.op:
            return step.formula
        template, at = GRADS[step.op][k], fwd
    elif step.op in FORMULAS and lang != "en":
        template, at = FORMULAS[step.op][k], step
    elif step.op in UNBOUNDED and any(step.attrs.get(b) is None for b in UNBOUNDED[step.op]):
        template, at = spec.formula, step
    else:
        return step.formula
    names = [trace.tensors[t].name for t in at.inputs]
    outs = [trace.tensors[t].name for t in at.outputs]
    text = render(template, spec, names, outs, bounded(at.op, at.attrs), unset=phrase("all", lang))
    return named_grads(trace, step, text) if step.phase == "backward" else text


def in_language(table: dict[str, dict[str, str]], key: str, lang: str = "en", /, **fill: object) -> str:
    """The entry ``key`` of a four-language ``table`` in ``lang`` (English where a language has
    none), its ``{placeholders}`` filled. Every table of words (viewer phrases, scene and lecture
    words) is read through this one function.

    >>> in_language({"hi": {"en": "step {n}", "vi": "bước {n}"}}, "hi", "vi", n=2)
    'bước 2'
    """
    lang = check_language(lang)
    entry = table.get(key)
    if entry is None:
        raise TracerError(f"no phrase {key!r}")
    text = entry.get(lang) or entry["en"]
    return text.format(**fill) if fill else text


def phrase(key: str, lang: str = "en", **fill: object) -> str:
    """A viewer phrase (``forward``, ``backward``, ``loss`` ...) in ``lang``, placeholders filled."""
    return in_language(PHRASES, key, lang, **fill)
