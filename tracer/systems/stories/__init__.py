"""How an example tells its story (:mod:`tracer.story`): chapters cut from its trace, plots drawn
from the numbers it computed, and texts in English, 繁體中文, 简体中文 and Tiếng Việt.

A chapter starts at a step and runs to where the next one starts, so an :class:`Outline` covers
the whole trace by construction: nothing is dropped, nothing is told twice. The story modules
beside this one (one per family of examples) read the trace and its meta and say what the run
showed, with the run's own numbers.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.tensor([[1.0, -2.0]], name="x")
...     y = tracer.relu(x, name="y")
...     z = tracer.exp(y, name="z")
>>> outline = Outline(trace)
>>> outline.add(0, say("ReLU", "ReLU", "ReLU", "ReLU")), outline.add(1, TITLES["forward"], play="summary")
(0, 1)
>>> [(c.steps, c.play) for c in outline.chapters()]
[((0, 0), 'full'), ((1, 1), 'summary')]
"""
from __future__ import annotations

from typing import Callable, Sequence


from tracer.errors import TracerError
from tracer.i18n import LANGUAGES
from tracer.ops.spec import REGISTRY
from tracer.story import Chapter, Plot, Story, Text
from tracer.trace import Trace

from .numbers import SCREEN, const, num, prob, probs, ratio, shown, vector, written  # noqa: F401 (the stories' one way to write a number)


def say(en: str, hant: str, hans: str, vi: str, **values: object) -> Text:
    """One text in the four languages (Chinese with full-width punctuation).

    With ``values``, each text is a template they fill; a value given as a tuple of four differs
    per language (a list joined each language's way, a word with its English gloss):

    >>> say("{n} layers", "{n} 層", "{n} 层", "{n} lớp", n=3)["zh-Hant"]
    '3 層'
    """
    texts = dict(zip(LANGUAGES, (en, hant, hans, vi)))
    if not values:
        return texts
    return {lang: t.format(**{k: v[i] if isinstance(v, tuple) else v for k, v in values.items()})
            for i, (lang, t) in enumerate(texts.items())}


def per_language(make: Callable[[str], str]) -> tuple[str, ...]:
    """``make(lang)`` for each language, as a value for :func:`say`."""
    return tuple(make(lang) for lang in LANGUAGES)


def sentences(*texts: Text) -> Text:
    """Sentences run together: with a space in English and Vietnamese, without one in Chinese."""
    return {lang: ("" if lang.startswith("zh") else " ").join(t[lang] for t in texts) for lang in LANGUAGES}


TITLES: dict[str, Text] = {
    "forward": say("Forward pass", "前向傳播", "前向传播", "Lan truyền xuôi"),
    "loss": say("The loss: how far from the target", "損失：離目標有多遠", "损失：离目标有多远",
                "Hàm mất mát: cách mục tiêu bao xa"),
    "backward": say("Backward pass: every gradient", "反向傳播：每一個梯度", "反向传播：每一个梯度",
                    "Lan truyền ngược: từng gradient"),
    "update": say("Update the weights", "更新權重", "更新权重", "Cập nhật trọng số"),
    "update_one": say("Update one weight matrix: W ← W − η·dW", "更新一個權重矩陣：W ← W − η·dW",
                      "更新一个权重矩阵：W ← W − η·dW", "Cập nhật một ma trận trọng số: W ← W − η·dW"),
    "update_one_adam": say("Update one weight matrix with Adam: m, v and W", "用 Adam 更新一個權重矩陣：m、v 與 W",
                           "用 Adam 更新一个权重矩阵：m、v 与 W", "Cập nhật một ma trận trọng số bằng Adam: m, v và W"),
    "update_one_rmsprop": say("Update one weight matrix with RMSprop: v and W", "用 RMSprop 更新一個權重矩陣：v 與 W",
                              "用 RMSprop 更新一个权重矩阵：v 与 W", "Cập nhật một ma trận trọng số bằng RMSprop: v và W"),
    "update_one_sgd_momentum": say("Update one weight matrix with momentum: v and W", "用動量更新一個權重矩陣：v 與 W",
                                   "用动量更新一个权重矩阵：v 与 W", "Cập nhật một ma trận trọng số với quán tính: v và W"),
    "update_rest": say("The other weights: the same update", "其餘的權重：同樣的更新", "其余的权重：同样的更新",
                       "Các trọng số còn lại: cùng phép cập nhật"),
    "again": say("Training: the same forward pass, fast", "訓練：同樣的前向傳播（快轉）", "训练：同样的前向传播（快进）",
                 "Huấn luyện: lượt xuôi như trên, tua nhanh"),
    "after": say("After training: the same pass once more", "訓練之後：再算一次同樣的前向傳播",
                 "训练之后：再算一次同样的前向传播", "Sau khi huấn luyện: chạy lại lượt xuôi"),
}


def later_steps(a: int, b: int) -> Text:
    """The title of training steps ``a``..``b`` told fast."""
    if a == b:
        return say(f"Training step {a}, fast", f"第 {a} 步訓練（快轉）", f"第 {a} 步训练（快进）",
                   f"Bước huấn luyện {a}, tua nhanh")
    return say(f"Training steps {a}–{b}, fast", f"第 {a}–{b} 步訓練（快轉）", f"第 {a}–{b} 步训练（快进）",
               f"Các bước huấn luyện {a}–{b}, tua nhanh")


# ---- words -------------------------------------------------------------------------------------------
def count(n: int, one: str, many: str) -> str:
    """``1 step``, ``5 steps`` (English needs the plural; the other languages say it in the template)."""
    return f"{n} {one if n == 1 else many}"


def listing(items: Sequence[str], lang: str) -> str:
    """Items joined as the language lists them (``、`` in Chinese)."""
    return ("、" if lang.startswith("zh") else ", ").join(items)


def glossed(tokens: Sequence[str], glosses: Sequence[str]) -> list[str]:
    """``我 (I)`` for the English texts; the token alone where it has no gloss."""
    return [f"{t} ({g})" if g else t for t, g in zip(tokens, list(glosses) + [""] * len(tokens))]


def in_words(tokens: Sequence[str], glosses: Sequence[str]) -> dict[str, list[str]]:
    """The tokens as each language's texts name them: with their glosses in English."""
    return {lang: glossed(tokens, glosses) if lang == "en" else list(tokens) for lang in LANGUAGES}


# ---- finding steps -------------------------------------------------------------------------------
def first(trace: Trace, name: str = "", phase: str | None = None, after: int = -1, family: str | None = None) -> int:
    """The id of the first step after ``after`` named ``name`` or inside it (``name.…``), of the
    ``phase`` and op ``family`` given."""
    for s in trace.steps[after + 1:]:
        if name and s.name != name and not s.name.startswith(name + "."):
            continue
        if (phase is None or s.phase == phase) and (family is None or REGISTRY[s.op].family == family):
            return s.id
    raise TracerError(f"the story looks for a step {name!r} ({phase or 'any phase'}) after step {after}: there is none")


def maybe(trace: Trace, name: str = "", phase: str | None = None, after: int = -1, family: str | None = None) -> int | None:
    """:func:`first`, or ``None`` when the run recorded no such step (a shorter run)."""
    try:
        return first(trace, name, phase, after, family)
    except TracerError:
        return None


def root(trace: Trace, sid: int) -> int:
    """The id of the step a walkthrough shows that step ``sid`` is part of (a linear layer's
    gradient, for its matmul's): ``sid`` itself when it has no parent."""
    while trace.steps[sid].parent is not None:
        sid = trace.steps[sid].parent
    return sid


def meeting(trace: Trace, after: int = -1, inside: bool = False) -> int | None:
    """The id of the first ``accumulate`` step after ``after`` where two paths of the network meet:
    its gradients came back through different steps (a residual connection, a weight every timestep
    shares, a cell state read twice), not through two parts of one op's own rule (a softmax's, a
    layer norm's). ``inside``: one that a step's parts hold counts too (a linear layer's gradient
    adds the two shares of its input there). ``None`` when there is none."""
    for s in trace.steps[after + 1:]:
        if s.op != "accumulate" or (s.parent is not None and not inside):
            continue
        made_by = [trace.tensors[t].producer for t in s.inputs]
        if len({root(trace, p) for p in made_by if p is not None}) > 1:
            return s.id
    return None


def output(trace: Trace, name: str, k: int = 0) -> str:
    """The tensor id of output ``k`` of the step called ``name``."""
    return trace.step(name).outputs[k]


# ---- chapters ---------------------------------------------------------------------------------------
class Outline:
    """Chapters cut from a trace: each runs from its first step to the step before the next one's."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.marks: list[tuple[int, Text, str, int, bool]] = []

    def add(self, start: int, title: Text, play: str = "full", repeat: int = 1, pause: bool = True) -> int:
        """A chapter from step ``start``; returns its index (for a plot's ``after``). ``pause``
        false: the chapter runs on into the next without a pause point (a slide's end)."""
        if self.marks and start <= self.marks[-1][0]:
            raise TracerError(f"the story's chapters must start in order: step {start} after step {self.marks[-1][0]}")
        if not self.marks and start != 0:
            raise TracerError(f"the story's first chapter starts at step {start}, not 0: steps would be left out")
        self.marks.append((start, title, play, repeat, pause))
        return len(self.marks) - 1

    def at(self, name: str, title: Text, play: str = "full", repeat: int = 1, pause: bool = True) -> int:
        """A chapter from the first step called ``name`` (or inside it) after the last chapter's start."""
        return self.add(first(self.trace, name, after=self.marks[-1][0] if self.marks else -1), title, play, repeat,
                        pause)

    def each(self, chapters: Sequence[tuple[str, Text]]) -> int:
        """A chapter per ``(step name, title)``, worked in full; returns the last one's index."""
        for name, title in chapters:
            last = self.at(name, title)
        return last

    def training(self, prefix: str, first_step: int, count: int, told: bool = False,
                 inside: Sequence[tuple] = ()) -> int:
        """Training steps under ``prefix.K``: the first worked in full (forward, loss, backward,
        one parameter's update; its forward pass fast when it was ``told`` already, within the
        chapter before when that one is fast too; the other parameters' updates summarised), the
        ``count − 1`` after it as one summary. ``inside``:
        chapters the backward pass is cut into (start step, title, play, repeat), to summarise
        what repeats a computation worked already, optionally a pause flag). Returns the last
        chapter's index."""
        start = first(self.trace, f"{prefix}.{first_step}")
        if told and self.marks and self.marks[-1][2] == "summary":   # one fast-forward, not two in a row
            last = len(self.marks) - 1
        else:
            last = self.add(start, *((TITLES["again"], "summary") if told else (TITLES["forward"], "full")))
        for part, key in ((dict(family="loss"), "loss"), (dict(phase="backward"), "backward")):
            last = self.add(first(self.trace, after=start, **part), TITLES[key])
        for part in inside:
            last = self.add(*part)
        update = first(self.trace, after=start, phase="update")
        rest = self.updates_after(update)
        rule = f"update_one_{self.trace.steps[update].op}"   # the rule played, not always W ← W − η·dW
        last = self.add(update, TITLES[(rule if rule in TITLES else "update_one") if rest else "update"])
        if rest:   # one parameter's update worked in full is the lesson; the others only repeat it
            last = self.add(update + 1, TITLES["update_rest"], "summary", rest)
        if count > 1:
            last = self.add(first(self.trace, f"{prefix}.{first_step + 1}"),
                            later_steps(first_step + 2, first_step + count), "summary", count - 1)
        return last

    def updates_after(self, update: int) -> int:
        """How many parameter updates (steps named ``….update``) follow the update step ``update``
        without a break (at least 1 when any update-phase step follows: a clipping, a decay)."""
        steps = []
        for s in self.trace.steps[update + 1:]:
            if s.phase != "update":
                break
            steps.append(s)
        return max(sum(s.name.endswith(".update") for s in steps), 1) if steps else 0

    def chapters(self) -> list[Chapter]:
        ends = [m[0] - 1 for m in self.marks[1:]] + [len(self.trace.steps) - 1]
        return [Chapter(title, (start, end), play, repeat, pause)
                for (start, title, play, repeat, pause), end in zip(self.marks, ends)]


def coverage(trace: Trace, chapters: Sequence[Chapter]) -> None:
    """Check that the chapters tell every step of the trace once, in order.

    Raises
    ------
    TracerError
        A step left out or told twice, named by id.
    """
    expected = 0
    for k, c in enumerate(chapters):
        if c.steps[0] != expected:
            problem = "leaves out" if c.steps[0] > expected else "tells again"
            raise TracerError(f"the story's chapter {k} starts at step {c.steps[0]}: it {problem} step {expected}")
        expected = c.steps[1] + 1
    if expected != len(trace.steps):
        raise TracerError(f"the story ends at step {expected - 1} of {len(trace.steps) - 1}")


# ---- plots -------------------------------------------------------------------------------------------
LOSS = say("Loss per training step", "每一步訓練後的損失", "每一步训练后的损失", "Mất mát theo từng bước huấn luyện")
STEP = say("training step", "訓練步數", "训练步数", "bước huấn luyện")
LOSS_AXIS = say("loss", "損失", "损失", "mất mát")


def loss_curve(history: Sequence[float], after: int | None = None, steps: Sequence[int] | None = None,
               title: Text = LOSS) -> Plot:
    """The loss over training, at the training ``steps`` it was taken (default: every step)."""
    x = range(len(history)) if steps is None else steps
    return Plot("lines", title, STEP, LOSS_AXIS, x=[float(v) for v in x], series={"loss": [float(v) for v in history]},
                after=after)


ATTENDS = say("□ = what each row attends to most", "□ = 每一列最關注的位置", "□ = 每一行最关注的位置",
              "□ = nơi mỗi hàng chú ý nhiều nhất")


def heatmap(trace: Trace, tid: str, title: Text, after: int | None = None, note: Text | None = None) -> Plot:
    """A tensor of the trace as a heat map, named along its axes by its own labels; each row's
    largest entry is boxed when ``note`` says what the box means (:data:`ATTENDS` for attention)."""
    labels = trace.tensors[tid].labels or (None, None)
    return Plot("heatmap", title, tensor=tid, labels=list(labels[-2] or []), cols=list(labels[-1] or []), after=after,
                note=note or {})


def tell(trace: Trace, outline: Outline, **story: object) -> Story:
    """Store the story (title, question, plots, recap) with the outline's chapters in the trace."""
    told = Story(chapters=outline.chapters(), **story)  # type: ignore[arg-type]
    coverage(trace, told.chapters)
    trace.meta["story"] = told.to_meta()
    return told
