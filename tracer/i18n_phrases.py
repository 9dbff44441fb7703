"""The phrases viewers print around the numbers, in English, 繁體中文, 简体中文 and Tiếng Việt.

Chapter titles and labels, the headings of ``tracer show``, the words inside a working, and the
terminal stepper's status line, messages, prompts and help screen. Read through
:func:`tracer.i18n.phrase`; an op's narration is in :mod:`tracer.i18n` and formulas with words in
them in :mod:`tracer.i18n_formulas`.
"""
from __future__ import annotations

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
    # what an accumulate step adds (tracer.i18n.told): dx′ (through the mean), dx (the sum so far)
    "share_separator": {"en": ", ", "zh-Hant": "、", "zh-Hans": "、", "vi": ", "},
    "shares_added": {"en": "Added here: {shares}.", "zh-Hant": "這裡相加的是：{shares}。",
                     "zh-Hans": "这里相加的是：{shares}。", "vi": "Ở đây cộng: {shares}."},
    # a share and its way, in the words of tracer.shares.named: dx′ (through the output gate o)
    "share_way": {"en": "{name} ({way})", "zh-Hant": "{name}（{way}）", "zh-Hans": "{name}（{way}）", "vi": "{name} ({way})"},
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
