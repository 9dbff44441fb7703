"""Narration in English, 繁體中文, 简体中文 and Tiếng Việt.

Each op's English narration is declared with the op (:mod:`tracer.ops`); this module holds the same
templates in the other languages and the few phrases viewers need (chapter titles, labels).

>>> import tracer
>>> from tracer.i18n import narrate
>>> with tracer.record() as trace:
...     h = tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")
>>> narrate(trace, trace.steps[0], "en")
'ReLU keeps the positive entries of Z and turns the negative ones into 0.'
"""
from __future__ import annotations

from .errors import TracerError
from .i18n_formulas import FORMULAS, GRADS, UNBOUNDED, bounded
from .ops.spec import REGISTRY
from .ops.templates import render
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
    "concat": ("沿著第 {axis} 軸把 {xs} 接成一個張量。", "沿着第 {axis} 轴把 {xs} 接成一个张量。", "Nối {xs} thành một tensor theo trục {axis}."),
    "split": ("沿著第 {axis} 軸把 {x} 切成 {sections} 份。", "沿着第 {axis} 轴把 {x} 切成 {sections} 份。", "Cắt {x} thành {sections} phần theo trục {axis}."),
    "slice": ("取出 {x} 的 {text} 部分。", "取出 {x} 的 {text} 部分。", "Lấy phần {text} của {x}."),
    "gather": ("沿著第 {axis} 軸取出 {table} 中編號 {indices} 的項目。", "沿着第 {axis} 轴取出 {table} 中编号 {indices} 的项目。", "Lấy các mục {indices} của {table} theo trục {axis}."),
    "where": ("在 {cond} 成立的位置取 {a}，其他位置取 {b}（遮罩）。", "在 {cond} 成立的位置取 {a}，其他位置取 {b}（掩码）。", "Lấy {a} ở những chỗ {cond} đúng và {b} ở chỗ còn lại (mặt nạ)."),
    "sum": ("把 {x} 的元素加總⟦（沿第 {axis} 軸）⟧。", "把 {x} 的元素求和⟦（沿第 {axis} 轴）⟧。", "Cộng các phần tử của {x}⟦ theo trục {axis}⟧."),
    "mean": ("求 {x} 的元素平均⟦（沿第 {axis} 軸）⟧。", "求 {x} 的元素平均⟦（沿第 {axis} 轴）⟧。", "Lấy trung bình các phần tử của {x}⟦ theo trục {axis}⟧."),
    "max": ("取 {x} 中最大的元素⟦（沿第 {axis} 軸）⟧。", "取 {x} 中最大的元素⟦（沿第 {axis} 轴）⟧。", "Lấy phần tử lớn nhất của {x}⟦ theo trục {axis}⟧."),
    "softmax": ("softmax 沿第 {axis} 軸把分數 {x} 變成機率：取指數、加總、相除。", "softmax 沿第 {axis} 轴把分数 {x} 变成概率：取指数、求和、相除。", "Softmax biến các điểm số {x} thành xác suất theo trục {axis}: lấy mũ, cộng lại, rồi chia."),
    "log_softmax": ("log-softmax：{x} 的 softmax 機率取對數，以穩定的方式計算。", "log-softmax：{x} 的 softmax 概率取对数，以稳定的方式计算。", "Log-softmax: logarit của xác suất softmax của {x}, tính theo cách ổn định."),
    "layer_norm": ("層正規化：沿第 {axis} 軸讓 {x} 的每個樣本平均為 0、變異數為 1，再乘 γ 加 β。", "层归一化：沿第 {axis} 轴让 {x} 的每个样本均值为 0、方差为 1，再乘 γ 加 β。", "Chuẩn hóa lớp: đưa mỗi mẫu của {x} về trung bình 0 và phương sai 1 theo trục {axis}, rồi nhân γ và cộng β."),
    "batch_norm": ("批次正規化（訓練）：沿第 {axis} 軸在整個批次上正規化 {x}，再乘 γ 加 β。", "批归一化（训练）：沿第 {axis} 轴在整个批次上归一化 {x}，再乘 γ 加 β。", "Chuẩn hóa theo lô (huấn luyện): chuẩn hóa {x} trên cả lô theo trục {axis}, rồi nhân γ và cộng β."),
    "linear": ("線性層：把 {X} 乘上權重 {W}⟦，再加上偏差 {b}（[{W} | {b}] · [{X} ; 1]）⟧。", "线性层：把 {X} 乘上权重 {W}⟦，再加上偏置 {b}（[{W} | {b}] · [{X} ; 1]）⟧。", "Lớp tuyến tính: nhân {X} với trọng số {W}⟦ rồi cộng độ lệch {b} ([{W} | {b}] · [{X} ; 1])⟧."),
    "attention": ("注意力：{Q} 中的每個查詢為 {K} 中的每個鍵打分數，分數除以 √d_k，經 softmax 變成權重，再用權重混合值 {V}。", "注意力：{Q} 中的每个查询为 {K} 中的每个键打分，分数除以 √d_k，经 softmax 变成权重，再用权重混合值 {V}。", "Cơ chế chú ý: mỗi truy vấn trong {Q} chấm điểm mọi khóa trong {K}, điểm được chia cho √d_k và biến thành trọng số bằng softmax, rồi các trọng số trộn các giá trị {V}."),
    "dropout": ("Dropout：隨機把 {x} 中比例 {p} 的元素設為 0（種子 {seed}），其餘放大。", "Dropout：随机把 {x} 中比例 {p} 的元素设为 0（种子 {seed}），其余放大。", "Dropout: đặt ngẫu nhiên một tỉ lệ {p} phần tử của {x} về 0 (hạt giống {seed}) và phóng to phần còn lại."),
    "l2_norm": ("{x}⟦ 沿第 {axis} 軸⟧的長度（L2 範數）。", "{x}⟦ 沿第 {axis} 轴⟧的长度（L2 范数）。", "Độ dài (chuẩn L2) của {x}⟦ theo trục {axis}⟧."),
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
    "min": ("取 {x} 中最小的元素（軸：{axis}）。", "取 {x} 中最小的元素（轴：{axis}）。", "Lấy phần tử nhỏ nhất của {x} (trục: {axis})."),
    "cumsum": ("沿第 {axis} 軸求 {x} 的累計和：每個元素加上它前面的全部。", "沿第 {axis} 轴求 {x} 的累计和：每个元素加上它前面的全部。", "Tổng dồn của {x} theo trục {axis}: mỗi phần tử cộng với mọi phần tử trước nó."),
    "var": ("{x} 沿第 {axis} 軸的變異數：元素離平均值有多分散（取平方）。", "{x} 沿第 {axis} 轴的方差：元素离均值有多分散（取平方）。", "Phương sai của {x} theo trục {axis}: các phần tử tản ra quanh trung bình bao xa (bình phương)."),
    "std": ("{x} 沿第 {axis} 軸的標準差：變異數的平方根。", "{x} 沿第 {axis} 轴的标准差：方差的平方根。", "Độ lệch chuẩn của {x} theo trục {axis}: căn bậc hai của phương sai."),
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

# viewer phrases: key -> language -> text
PHRASES: dict[str, dict[str, str]] = {
    "forward": {"en": "Forward pass", "zh-Hant": "前向傳播", "zh-Hans": "前向传播", "vi": "Lan truyền xuôi"},
    "backward": {"en": "Backward pass", "zh-Hant": "反向傳播", "zh-Hans": "反向传播", "vi": "Lan truyền ngược"},
    "update": {"en": "Update", "zh-Hant": "更新參數", "zh-Hans": "更新参数", "vi": "Cập nhật tham số"},
    "loss": {"en": "Loss", "zh-Hant": "損失", "zh-Hans": "损失", "vi": "Hàm mất mát"},
    "step": {"en": "Step", "zh-Hant": "步驟", "zh-Hans": "步骤", "vi": "Bước"},
    "inputs": {"en": "Inputs", "zh-Hant": "輸入", "zh-Hans": "输入", "vi": "Đầu vào"},
    "outputs": {"en": "Outputs", "zh-Hant": "輸出", "zh-Hans": "输出", "vi": "Đầu ra"},
    "formula": {"en": "Formula", "zh-Hant": "公式", "zh-Hans": "公式", "vi": "Công thức"},
    "gradient": {"en": "Gradient", "zh-Hant": "梯度", "zh-Hans": "梯度", "vi": "Gradient"},
    "weights": {"en": "Weights", "zh-Hant": "權重", "zh-Hans": "权重", "vi": "Trọng số"},
    "bias": {"en": "Bias", "zh-Hant": "偏差", "zh-Hans": "偏置", "vi": "Độ lệch"},
    "learning_rate": {"en": "Learning rate", "zh-Hant": "學習率", "zh-Hans": "学习率", "vi": "Tốc độ học"},
    "encoder": {"en": "Encoder", "zh-Hant": "編碼器", "zh-Hans": "编码器", "vi": "Bộ mã hóa"},
    "decoder": {"en": "Decoder", "zh-Hant": "解碼器", "zh-Hans": "解码器", "vi": "Bộ giải mã"},
    "attention": {"en": "Self-attention", "zh-Hant": "自注意力", "zh-Hans": "自注意力", "vi": "Tự chú ý"},
    "autoencoder": {"en": "Autoencoder", "zh-Hant": "自編碼器", "zh-Hans": "自编码器", "vi": "Bộ tự mã hóa"},
    "sparse_autoencoder": {"en": "Sparse autoencoder", "zh-Hant": "稀疏自編碼器", "zh-Hans": "稀疏自编码器", "vi": "Bộ tự mã hóa thưa"},
    "backprop": {"en": "Backpropagation", "zh-Hant": "反向傳播", "zh-Hans": "反向传播", "vi": "Lan truyền ngược"},
    "prediction": {"en": "Prediction", "zh-Hant": "預測", "zh-Hans": "预测", "vi": "Dự đoán"},
    "target": {"en": "Target", "zh-Hant": "目標", "zh-Hans": "目标", "vi": "Mục tiêu"},
    # what `tracer show` and the stepper print around the grids
    "h_inputs": {"en": "inputs", "zh-Hant": "輸入", "zh-Hans": "输入", "vi": "đầu vào"},
    "h_outputs": {"en": "outputs", "zh-Hant": "輸出", "zh-Hans": "输出", "vi": "đầu ra"},
    "h_cell": {"en": "cell", "zh-Hant": "這一格的算式", "zh-Hans": "这一格的算式", "vi": "cách tính ô này"},
    "h_source": {"en": "source", "zh-Hant": "程式碼", "zh-Hans": "代码", "vi": "mã nguồn"},
    "h_gradient_of": {"en": "gradient of", "zh-Hant": "求梯度的步驟", "zh-Hans": "求梯度的步骤", "vi": "gradient của"},
    "h_made_of": {"en": "made of", "zh-Hant": "組成步驟", "zh-Hans": "组成步骤", "vi": "gồm các bước"},
    "phase_forward": {"en": "forward", "zh-Hant": "前向", "zh-Hans": "前向", "vi": "xuôi"},
    "phase_backward": {"en": "backward", "zh-Hant": "反向", "zh-Hans": "反向", "vi": "ngược"},
    "phase_update": {"en": "update", "zh-Hant": "更新", "zh-Hans": "更新", "vi": "cập nhật"},
    "kind_input": {"en": "input", "zh-Hant": "輸入", "zh-Hans": "输入", "vi": "đầu vào"},
    "kind_param": {"en": "param", "zh-Hant": "參數", "zh-Hans": "参数", "vi": "tham số"},
    "kind_activation": {"en": "activation", "zh-Hant": "激活值", "zh-Hans": "激活值", "vi": "kích hoạt"},
    "kind_grad": {"en": "grad", "zh-Hant": "梯度", "zh-Hans": "梯度", "vi": "gradient"},
    "kind_const": {"en": "const", "zh-Hant": "常數", "zh-Hans": "常数", "vi": "hằng số"},
    "kind_state": {"en": "state", "zh-Hant": "狀態", "zh-Hans": "状态", "vi": "trạng thái"},
    "showing": {"en": "showing", "zh-Hant": "顯示", "zh-Hans": "显示", "vi": "đang hiện"},
    "empty": {"en": "(empty)", "zh-Hant": "（空）", "zh-Hans": "（空）", "vi": "(trống)"},
    "too_large": {"en": "(no working: the tensors are too large to work by hand)",
                  "zh-Hant": "（沒有算式：張量太大，無法手算）", "zh-Hans": "（没有算式：张量太大，无法手算）",
                  "vi": "(không có cách tính: các tensor quá lớn để tính tay)"},
    "no_working": {"en": "(no working: {why})", "zh-Hant": "（沒有算式：{why}）", "zh-Hans": "（没有算式：{why}）",
                   "vi": "(không có cách tính: {why})"},
    "nonfinite": {"en": "{n} NaN/Inf value(s) in the output", "zh-Hant": "輸出中有 {n} 個 NaN/Inf 值",
                  "zh-Hans": "输出中有 {n} 个 NaN/Inf 值", "vi": "{n} giá trị NaN/Inf ở đầu ra"},
    "rounded": {"en": "(≈: the numbers shown are rounded)", "zh-Hant": "（≈：顯示的數字經過四捨五入）",
                "zh-Hans": "（≈：显示的数字经过四舍五入）", "vi": "(≈: các số hiển thị đã được làm tròn)"},
    "col_id": {"en": "id", "zh-Hant": "編號", "zh-Hans": "编号", "vi": "số"},
    "col_phase": {"en": "phase", "zh-Hant": "階段", "zh-Hans": "阶段", "vi": "giai đoạn"},
    "col_name": {"en": "name", "zh-Hant": "名稱", "zh-Hans": "名称", "vi": "tên"},
    "col_op": {"en": "op", "zh-Hant": "運算", "zh-Hans": "运算", "vi": "phép toán"},
    "col_outputs": {"en": "outputs", "zh-Hant": "輸出", "zh-Hans": "输出", "vi": "đầu ra"},
    "all": {"en": "all", "zh-Hant": "全部", "zh-Hans": "全部", "vi": "tất cả"},
    "generic_step": {"en": "{op}: {formula}", "zh-Hant": "運算 {op}：{formula}", "zh-Hans": "运算 {op}：{formula}",
                     "vi": "Phép toán {op}: {formula}"},
    # words inside a working
    "keep_it": {"en": "keep it", "zh-Hant": "保留", "zh-Hans": "保留", "vi": "giữ lại"},
    "terms": {"en": "{n} terms:", "zh-Hant": "{n} 項：", "zh-Hans": "{n} 项：", "vi": "{n} số hạng:"},  # [94 terms: 12.25]
    # the terminal stepper (tracer step): its status line, messages, prompts, tree and help
    "step_id": {"en": "step {id}", "zh-Hant": "步驟 {id}", "zh-Hans": "步骤 {id}", "vi": "bước {id}"},
    "step_of": {"en": "step {id} ({k} of {n})", "zh-Hant": "步驟 {id}（第 {k} 步，共 {n} 步）",
                "zh-Hans": "步骤 {id}（第 {k} 步，共 {n} 步）", "vi": "bước {id} ({k} trên {n})"},
    "no_steps": {"en": "this trace has no steps", "zh-Hant": "這份追蹤沒有任何步驟",
                 "zh-Hans": "这份追踪没有任何步骤", "vi": "bản ghi này không có bước nào"},
    "last_step": {"en": "this is the last step", "zh-Hant": "這是最後一步", "zh-Hans": "这是最后一步",
                  "vi": "đây là bước cuối cùng"},
    "first_step": {"en": "this is the first step", "zh-Hant": "這是第一步", "zh-Hans": "这是第一步",
                   "vi": "đây là bước đầu tiên"},
    "no_step": {"en": "no step {key}: give an id 0–{last} or a step name",
                "zh-Hant": "沒有步驟 {key}：請輸入編號 0–{last} 或步驟名稱",
                "zh-Hans": "没有步骤 {key}：请输入编号 0–{last} 或步骤名称",
                "vi": "không có bước {key}: nhập số 0–{last} hoặc tên bước"},
    "no_match": {"en": "no step name contains {text}", "zh-Hant": "沒有步驟名稱包含 {text}",
                 "zh-Hans": "没有步骤名称包含 {text}", "vi": "không có tên bước nào chứa {text}"},
    "match": {"en": "match {k} of {n} for {text}  (n / N: next / previous)",
              "zh-Hant": "{text}：第 {k} 個，共 {n} 個（n / N：下一個／上一個）",
              "zh-Hans": "{text}：第 {k} 个，共 {n} 个（n / N：下一个／上一个）",
              "vi": "kết quả {k} trên {n} cho {text}  (n / N: tiếp / trước)"},
    "no_search": {"en": "nothing searched yet: press / and type part of a step name",
                  "zh-Hant": "還沒有搜尋：按 / 再輸入步驟名稱的一部分",
                  "zh-Hans": "还没有搜索：按 / 再输入步骤名称的一部分",
                  "vi": "chưa tìm gì: nhấn / rồi gõ một phần tên bước"},
    "no_partner": {"en": "step {id} has no gradient step or forward step to jump to",
                   "zh-Hant": "步驟 {id} 沒有可跳轉的梯度步驟或前向步驟",
                   "zh-Hans": "步骤 {id} 没有可跳转的梯度步骤或前向步骤",
                   "vi": "bước {id} không có bước gradient hay bước xuôi để nhảy tới"},
    "no_partner_twin": {"en": "step {id} has no gradient; step {twin}, the same op in a later pass, has one",
                        "zh-Hant": "步驟 {id} 沒有梯度；之後同一運算的步驟 {twin} 有",
                        "zh-Hans": "步骤 {id} 没有梯度；之后同一运算的步骤 {twin} 有",
                        "vi": "bước {id} không có gradient; bước {twin}, cùng phép tính ở lượt sau, thì có"},
    "no_chain": {"en": "step {id} reads no gradient: w works on backward and update steps",
                 "zh-Hant": "步驟 {id} 不讀取梯度：w 用於反向與更新步驟",
                 "zh-Hans": "步骤 {id} 不读取梯度：w 用于反向与更新步骤",
                 "vi": "bước {id} không đọc gradient: w dùng cho bước ngược và bước cập nhật"},
    "one_output": {"en": "step {id} has one output: o switches between the outputs of a step with several",
                   "zh-Hant": "步驟 {id} 只有一個輸出：o 用於在有多個輸出的步驟中切換輸出",
                   "zh-Hans": "步骤 {id} 只有一个输出：o 用于在有多个输出的步骤中切换输出",
                   "vi": "bước {id} chỉ có một đầu ra: o chuyển giữa các đầu ra của bước có nhiều đầu ra"},
    "output_of": {"en": "output {k} of {n}: {name}", "zh-Hant": "第 {k} 個輸出（共 {n} 個）：{name}",
                  "zh-Hans": "第 {k} 个输出（共 {n} 个）：{name}", "vi": "đầu ra {k} trên {n}: {name}"},
    "prompt_goto": {"en": "go to step (id or name): ", "zh-Hant": "跳到步驟（編號或名稱）：",
                    "zh-Hans": "跳到步骤（编号或名称）：", "vi": "đến bước (số hoặc tên): "},
    "prompt_search": {"en": "search step names: ", "zh-Hant": "搜尋步驟名稱：", "zh-Hans": "搜索步骤名称：",
                      "vi": "tìm tên bước: "},
    "keys_tree": {"en": "→ next  ← back  Tab: detail pane  / search  ? keys  q quit",
                  "zh-Hant": "→ 下一步  ← 上一步  Tab：詳細窗格  / 搜尋  ? 按鍵  q 離開",
                  "zh-Hans": "→ 下一步  ← 上一步  Tab：详细窗格  / 搜索  ? 按键  q 退出",
                  "vi": "→ tiếp  ← lùi  Tab: khung chi tiết  / tìm  ? phím  q thoát"},
    "keys_panel": {"en": "↑ ↓ PgUp PgDn: scroll  Tab: step list  → next  ← back  ? keys",
                   "zh-Hant": "↑ ↓ PgUp PgDn：捲動  Tab：步驟清單  → 下一步  ← 上一步  ? 按鍵",
                   "zh-Hans": "↑ ↓ PgUp PgDn：滚动  Tab：步骤列表  → 下一步  ← 上一步  ? 按键",
                   "vi": "↑ ↓ PgUp PgDn: cuộn  Tab: danh sách  → tiếp  ← lùi  ? phím"},
    "keys_practice": {"en": "type the value of {cell}, then enter   ? keys",
                      "zh-Hant": "輸入 {cell} 的值，再按 Enter   ? 按鍵",
                      "zh-Hans": "输入 {cell} 的值，再按 Enter   ? 按键",
                      "vi": "gõ giá trị của {cell} rồi nhấn Enter   ? phím"},
    "repeat.iteration": {"en": "iteration {k}", "zh-Hant": "第 {k} 次迭代", "zh-Hans": "第 {k} 次迭代",
                         "vi": "vòng lặp {k}"},
    "repeat.iteration.of": {"en": "iteration {k} of {n}", "zh-Hant": "第 {k} 次迭代（共 {n} 次）",
                            "zh-Hans": "第 {k} 次迭代（共 {n} 次）", "vi": "vòng lặp {k} trên {n}"},
    "repeat.pass": {"en": "pass {k}", "zh-Hant": "第 {k} 趟", "zh-Hans": "第 {k} 趟", "vi": "lượt {k}"},
    "repeat.pass.of": {"en": "pass {k} of {n}", "zh-Hant": "第 {k} 趟（共 {n} 趟）",
                       "zh-Hans": "第 {k} 趟（共 {n} 趟）", "vi": "lượt {k} trên {n}"},
    "repeat.epoch": {"en": "epoch {k}", "zh-Hant": "第 {k} 輪", "zh-Hans": "第 {k} 轮", "vi": "epoch {k}"},
    "repeat.epoch.of": {"en": "epoch {k} of {n}", "zh-Hant": "第 {k} 輪（共 {n} 輪）",
                        "zh-Hans": "第 {k} 轮（共 {n} 轮）", "vi": "epoch {k} trên {n}"},
    "chain_title": {"en": "Where the gradients of step {id} came from", "zh-Hant": "步驟 {id} 的梯度從哪裡來",
                    "zh-Hans": "步骤 {id} 的梯度从哪里来", "vi": "Gradient của bước {id} đến từ đâu"},
    "chain_seed": {"en": "the loss: the backward pass starts here with gradient 1",
                   "zh-Hant": "損失：反向傳播從這裡開始，梯度為 1",
                   "zh-Hans": "损失：反向传播从这里开始，梯度为 1",
                   "vi": "hàm mất mát: lan truyền ngược bắt đầu ở đây với gradient 1"},
    "chain_seen": {"en": "traced above (step {id})", "zh-Hant": "上面已回溯過（步驟 {id}）",
                   "zh-Hans": "上面已回溯过（步骤 {id}）", "vi": "đã truy ở trên (bước {id})"},
    "chain_more": {"en": "… cut here: the chain goes on", "zh-Hant": "……在此截斷：鏈還沒結束",
                   "zh-Hans": "……在此截断：链还没结束", "vi": "… cắt ở đây: chuỗi còn tiếp"},
    "practice_ask": {"en": "What is {cell}? Type its value (digits, - or .) and press enter.",
                     "zh-Hant": "{cell} 是多少？輸入它的值（數字、- 或 .）再按 Enter。",
                     "zh-Hans": "{cell} 是多少？输入它的值（数字、- 或 .）再按 Enter。",
                     "vi": "{cell} bằng bao nhiêu? Gõ giá trị (chữ số, - hoặc .) rồi nhấn Enter."},
    "practice_right": {"en": "✓ right: {cell} = {value}", "zh-Hant": "✓ 答對了：{cell} = {value}",
                       "zh-Hans": "✓ 答对了：{cell} = {value}", "vi": "✓ đúng: {cell} = {value}"},
    "practice_wrong": {"en": "✗ not quite: you typed {typed}, {cell} = {value}",
                       "zh-Hant": "✗ 不對：你輸入 {typed}，{cell} = {value}",
                       "zh-Hans": "✗ 不对：你输入 {typed}，{cell} = {value}",
                       "vi": "✗ chưa đúng: bạn gõ {typed}, {cell} = {value}"},
    "practice_nan": {"en": "not a number: {typed} (type digits, - or .)",
                     "zh-Hant": "這不是數字：{typed}（請輸入數字、- 或 .）",
                     "zh-Hans": "这不是数字：{typed}（请输入数字、- 或 .）",
                     "vi": "không phải số: {typed} (gõ chữ số, - hoặc .)"},
    "practice_answered": {"en": "{cell} is answered: h j k l pick another cell, → the next step",
                          "zh-Hant": "{cell} 已經答過：h j k l 換一格，→ 下一步",
                          "zh-Hans": "{cell} 已经答过：h j k l 换一格，→ 下一步",
                          "vi": "{cell} đã trả lời: h j k l chọn ô khác, → bước tiếp"},
    "practice_none": {"en": "this step has no output cell to practise on",
                      "zh-Hant": "這一步沒有可練習的輸出格", "zh-Hans": "这一步没有可练习的输出格",
                      "vi": "bước này không có ô đầu ra để luyện tập"},
    "score": {"en": "score {right} of {tried}", "zh-Hant": "得分 {right}／{tried}",
              "zh-Hans": "得分 {right}／{tried}", "vi": "điểm {right}/{tried}"},
    "practice_done": {"en": "Practice over: {right} of {tried} right",
                      "zh-Hant": "練習結束：{tried} 題答對 {right} 題",
                      "zh-Hans": "练习结束：{tried} 题答对 {right} 题",
                      "vi": "Hết giờ luyện tập: đúng {right} trên {tried}"},
    "any_key_quit": {"en": "Press any key to quit.", "zh-Hant": "按任意鍵離開。", "zh-Hans": "按任意键退出。",
                     "vi": "Nhấn phím bất kỳ để thoát."},
    "help": {
        "en": """\
[b]tracer step[/b]: keys

  → or space    next step            ← or backspace  previous step
  ↑ ↓           move in the step list, or scroll the detail pane
  Tab           switch between the step list and the detail pane
  PgUp PgDn     scroll the detail pane; Home End: its top and bottom
  enter         fold / unfold a composite step
  g             go to a step (its id or name)
  /             search step names; n / N: next / previous match
  b             jump between a step and its gradient step
  w             where a gradient came from, back to the loss
  h j k l       move the selected output cell; its working is below
  o             the next output of a step with several (dW, dX, db)
  ?             this help            q               quit

[b]Practice[/b] (tracer step --practice): the selected cell is hidden.
Type its value (digits, - or .) and press enter: right or wrong to the
printed precision, then its working. The score shows when you quit.

The mouse works too: click a step, ▶ to unfold, a cell; the wheel scrolls.
Press any key to close.""",
        "zh-Hant": """\
[b]tracer step[/b]：按鍵

  → 或空白鍵    下一步               ← 或退格鍵      上一步
  ↑ ↓           在步驟清單中移動，或捲動詳細窗格
  Tab           在步驟清單與詳細窗格之間切換
  PgUp PgDn     捲動詳細窗格；Home End：到頂端、到底部
  Enter         展開／收合組合步驟
  g             跳到某一步（編號或名稱）
  /             搜尋步驟名稱；n / N：下一個／上一個符合項
  b             在一步與它的梯度步驟之間跳轉
  w             梯度從哪裡來：一路回溯到損失
  h j k l       移動選取的輸出格；它的計算過程在下方
  o             有多個輸出的步驟：換下一個輸出（dW、dX、db）
  ?             這份說明             q               離開

[b]練習模式[/b]（tracer step --practice）：選取的格子會被隱藏。
輸入它的值（數字、- 或 .）再按 Enter：依顯示的精度判斷對錯，
接著顯示計算過程。離開時顯示分數。

滑鼠也能用：點步驟、點 ▶ 展開、點格子；滾輪捲動。
按任意鍵關閉。""",
        "zh-Hans": """\
[b]tracer step[/b]：按键

  → 或空格键    下一步               ← 或退格键      上一步
  ↑ ↓           在步骤列表中移动，或滚动详细窗格
  Tab           在步骤列表与详细窗格之间切换
  PgUp PgDn     滚动详细窗格；Home End：到顶端、到底部
  Enter         展开／收起组合步骤
  g             跳到某一步（编号或名称）
  /             搜索步骤名称；n / N：下一个／上一个匹配项
  b             在一步与它的梯度步骤之间跳转
  w             梯度从哪里来：一路回溯到损失
  h j k l       移动选中的输出格；它的计算过程在下方
  o             有多个输出的步骤：换下一个输出（dW、dX、db）
  ?             这份说明             q               退出

[b]练习模式[/b]（tracer step --practice）：选中的格子会被隐藏。
输入它的值（数字、- 或 .）再按 Enter：按显示的精度判断对错，
然后显示计算过程。退出时显示分数。

鼠标也能用：点步骤、点 ▶ 展开、点格子；滚轮滚动。
按任意键关闭。""",
        "vi": """\
[b]tracer step[/b]: các phím

  → hoặc Space  bước tiếp            ← hoặc Backspace  bước trước
  ↑ ↓           di chuyển trong danh sách bước, hoặc cuộn khung chi tiết
  Tab           chuyển giữa danh sách bước và khung chi tiết
  PgUp PgDn     cuộn khung chi tiết; Home End: lên đầu, xuống cuối
  Enter         mở / gập một bước ghép
  g             đến một bước (số hoặc tên của nó)
  /             tìm tên bước; n / N: kết quả tiếp / trước
  b             nhảy giữa một bước và bước gradient của nó
  w             gradient đến từ đâu, ngược về hàm mất mát
  h j k l       chuyển ô đầu ra được chọn; cách tính nằm bên dưới
  o             đầu ra tiếp theo của bước có nhiều đầu ra (dW, dX, db)
  ?             trợ giúp này         q                 thoát

[b]Luyện tập[/b] (tracer step --practice): ô được chọn bị ẩn. Gõ giá trị
của nó (chữ số, - hoặc .) rồi nhấn Enter: đúng hay sai theo độ chính xác
đang hiển thị, rồi đến cách tính. Điểm hiện ra khi bạn thoát.

Chuột cũng dùng được: bấm một bước, ▶ để mở, một ô; con lăn để cuộn.
Nhấn phím bất kỳ để đóng.""",
    },
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
    fill = bounded(step.op, step.attrs)
    if spec.family == "gradient":  # adding up gradients: the narration names the tensor they are of
        tid = step.attrs.get("tensor")
        fill = {"x": trace.tensors[tid].name if tid in trace.tensors else "?"}
    return render(template, spec, names, outs, fill, unset=phrase("all", lang))


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
    return render(template, spec, names, outs, bounded(at.op, at.attrs), unset=phrase("all", lang))


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
