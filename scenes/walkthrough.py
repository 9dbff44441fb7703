"""The Manim scene that plays a plan: one ``next_section()`` per trace step.

A scene can animate a window of the plan's beats (``start``..``stop``): the beats before the window
still run, in sections Manim skips (no frame is drawn), so the canvas, the camera and the captions
are exactly where they would be; this is how ``--steps`` and ``--jobs`` render a part of a
walkthrough.
"""
from __future__ import annotations

from typing import Callable

from manim import FadeIn, FadeOut, MovingCameraScene, config

from . import style
from .caption import on_screen, title_card
from .plan import Beat, Plan, caption_of
from .players import play
from .stage import Stage


class Walkthrough(MovingCameraScene):
    """Plays ``plan.beats[start:stop]`` (earlier beats are laid out in skipped sections)."""

    def __init__(self, plan: Plan, start: int = 0, stop: int | None = None,
                 on_beat: Callable[[int], None] | None = None, **kwargs) -> None:
        self.plan, self.start, self.stop = plan, start, len(plan.beats) if stop is None else stop
        self.on_beat = on_beat
        self.stage: Stage | None = None
        self.skipping = False
        self.captions_shown: list[tuple[float, str]] = []   # (time, text): the subtitles
        super().__init__(**kwargs)
        self._skip_static_frames_when_skipping()

    def _skip_static_frames_when_skipping(self) -> None:
        """A skipped play draws nothing, so it needs no static background either (Manim draws one
        for every play; laying out skipped beats is then most of the cost of ``--steps``)."""
        renderer = self.renderer
        original = renderer.save_static_frame_data

        def save_static_frame_data(scene, static_mobjects):
            if renderer.skip_animations:
                renderer.static_image = None
                return None
            return original(scene, static_mobjects)
        renderer.save_static_frame_data = save_static_frame_data
        draw = renderer.render

        def render(scene, time, moving_mobjects=None):
            if not renderer.skip_animations:  # a skipped play would draw one frame and drop it
                draw(scene, time, moving_mobjects)
        renderer.render = render
        camera = renderer.camera
        display = camera.display_vectorized

        def display_vectorized(vmobject, ctx):
            # numbers waiting to be revealed and swapped-out work lines are fully transparent:
            # Cairo would still trace every curve of their outlines, frame after frame
            if vmobject.fill_rgbas[:, 3].max() <= 0 and (
                    vmobject.stroke_width <= 0 or vmobject.stroke_rgbas[:, 3].max() <= 0) and (
                    vmobject.background_stroke_width <= 0 or vmobject.background_stroke_rgbas[:, 3].max() <= 0):
                return camera
            return display(vmobject, ctx)
        camera.display_vectorized = display_vectorized

    def pause(self, seconds: float) -> None:
        if not self.skipping:
            self.wait(seconds)

    def construct(self) -> None:
        self.camera.background_color = style.PAPER
        self.stage = Stage(self, self.plan.trace, self.plan.lang, self.plan.mode, self.plan.pace,
                           phases=frozenset(b.step.phase for b in self.plan.step_beats))
        self.stage.hints.update(self.plan.hints)
        for k, beat in enumerate(self.plan.beats[:self.stop]):
            self.skipping = k < self.start or config.save_last_frame
            self.next_section(beat.name, skip_animations=k < self.start)
            self.last_beat = k == self.stop - 1
            self.play_beat(beat)
            if k >= self.start and self.on_beat is not None:
                self.on_beat(k)
        if config.save_last_frame and self.stage is not None:  # the still shows no cut grid either
            self.stage.cull(fade=False)

    def play_beat(self, beat: Beat) -> None:
        stage = self.stage
        if beat.step is None:
            card = title_card(beat.title, beat.subtitle, self.plan.lang)
            if self.skipping:
                return
            on_screen(self, f"{beat.title}\n{beat.subtitle}")
            self.play(FadeIn(card, run_time=0.6))
            self.wait(1.2)
            self.play(FadeOut(card, run_time=0.4))
            return
        intro = []
        if self.plan.mode == "paging":
            intro += stage.page()
        if beat.chapter:
            intro += stage.set_header(beat.chapter)
        if not self.skipping or self.last_beat:  # a caption nobody sees is not built
            formula, narration = caption_of(self.plan.trace, beat.step, self.plan.lang)
            intro += stage.set_caption(formula, narration)
        stage.play(*intro)
        stage.tidy()
        stage.step = beat.step
        play(stage, beat.step)
        if stage.hints.get("audit"):
            stage.framings.append(stage.framing(beat.step))
