"""The Manim scene that plays a plan: one ``next_section()`` per trace step.

A scene can animate a window of the plan's beats (``start``..``stop``): the beats before the window
still run, in sections Manim skips (no frame is drawn), so the canvas, the camera and the captions
are exactly where they would be; this is how ``--steps`` and ``--jobs`` render a part of a
walkthrough.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from manim import FadeIn, MovingCameraScene, Succession, VGroup, VMobject, config

from . import anim, glyphs, style
from .caption import card_said, on_screen
from .cover import fade_away, lift
from .cards import paper, recap_page, summary_page, title_page
from .manim_adapter import grab_frame, reuse_paths, skip_idle_drawing, speed_up_mobjects, video_time
from .plan import Beat, Plan, caption_of
from .players import play
from .overview import overview_page
from .plots import plot_page
from .stage import Stage

CARD_Z = 30   # a card covers everything on the canvas, the caption band included


@dataclass
class Mark:
    """When a beat played, in seconds of this scene's video: ``pause`` marks a chapter's end (a
    pause point: the lecture tools make it a slide's end)."""

    name: str
    kind: str          # step, title, summary, plot or recap
    start: float
    end: float
    pause: bool = False


class Walkthrough(MovingCameraScene):
    """Plays ``plan.beats[start:stop]`` (earlier beats are laid out in skipped sections)."""

    def __init__(self, plan: Plan, start: int = 0, stop: int | None = None,
                 on_beat: Callable[[int], None] | None = None, stills: Iterable[int] = (), **kwargs) -> None:
        self.plan, self.start, self.stop = plan, start, len(plan.beats) if stop is None else stop
        self.on_beat = on_beat
        self.stills = frozenset(stills)    # beats after which a still is taken (a still render)
        self.frames: dict[int, object] = {}   # those stills, RGBA arrays
        self.still_card = None
        self.held = None                   # a card left up for the next card to cover (no stage between)
        self.stage: Stage | None = None
        self.timeline: list[Mark] = []     # every beat played, with its times
        self.cards: list[list[str]] = []   # the words (and numbers) of every card shown, in order
        self.looked: set[int] = set()      # the pictures shown (a second showing is a glance)
        self.skipping = False
        self.captions_shown: list[tuple[float, str]] = []   # (time, text): the subtitles
        super().__init__(**kwargs)
        speed_up_mobjects()       # copies and bounding boxes without Manim's Python per point
        skip_idle_drawing(self)   # a skipped section draws nothing (scenes.manim_adapter)
        reuse_paths(self)         # nor builds again the path of a mobject that did not change

    def pause(self, seconds: float) -> None:
        if not self.skipping:
            self.wait(seconds)

    def construct(self) -> None:
        with glyphs.language(self.plan.lang):   # the CJK of its labels in its language's face
            self._construct()

    def _construct(self) -> None:
        self.camera.background_color = style.PAPER
        self.stage = Stage(self, self.plan.trace, self.plan.lang, self.plan.mode, self.plan.pace,
                           phases=frozenset(b.step.phase for b in self.plan.step_beats))
        self.stage.hints.update(self.plan.hints)
        for k, beat in enumerate(self.plan.beats[:self.stop]):
            self.skipping = k < self.start or config.save_last_frame
            self.next_section(beat.name, skip_animations=k < self.start)
            self.last_beat = k == self.stop - 1 or k in self.stills
            self.card_next = k + 1 < len(self.plan.beats) and self.plan.beats[k + 1].step is None
            self.step_next = k + 1 < len(self.plan.beats) and self.plan.beats[k + 1].step is not None
            self.after_card = k > 0 and self.plan.beats[k - 1].step is None
            self.opens_next = k == self.start - 1   # its caption is on screen as this part opens
            if k == self.start and self.after_card and not self.skipping:
                self.open_on(self.plan.beats[k - 1])   # the part before ended on a card left up
            start = video_time(self)
            later = self.plan.beats[k + 1:]
            ends = next((j for j, b in enumerate(later) if b.step is None), len(later))
            self.stage.ahead = [b.step for b in later[:ends]]
            self.stage.revisited = {b.step.grad_of for b in later if b.step is not None and b.step.grad_of is not None}
            self.play_beat(beat)
            if k in self.stills:
                self.frames[k] = self.take_still()
            if k >= self.start:
                kind = "step" if beat.step is not None else beat.card
                self.timeline.append(Mark(beat.name, kind, start, video_time(self), beat.pause))
                if self.on_beat is not None:
                    self.on_beat(k)
        if config.save_last_frame and self.stage is not None:  # the still shows no cut grid either
            self.stage.cull(fade=False)
            self.stage.camera.close_up()

    def take_still(self):
        """The frame a still ending on this beat shows (no cut grid); its card is then put away."""
        self.stage.cull(fade=False)
        with self.stage.camera.closed_up():
            frame = grab_frame(self)
        if self.still_card is not None:
            self.put_away(self.still_card)
            self.still_card = None
        return frame

    @property
    def on_screen(self) -> list[str]:
        """The words of the last card shown (the recap, at the end of a story)."""
        return self.cards[-1] if self.cards else []

    @property
    def pause_points(self) -> list[float]:
        """The times (seconds into this scene's video) where a chapter ends: a slide's end."""
        return [m.end for m in self.timeline if m.pause]

    def play_beat(self, beat: Beat) -> None:
        stage = self.stage
        if beat.step is None:
            return self.play_card(beat)
        stage.step = beat.step
        intro = []
        if self.plan.mode == "paging":
            intro += stage.page()
        if not self.skipping or self.last_beat or self.opens_next:   # a caption nobody sees is not built
            formula, narration = caption_of(self.plan.trace, beat.step, self.plan.lang)
            intro += stage.camera.set_caption(formula, narration)
        stage.play(*intro)
        if beat.chapter or self.after_card:   # the work before is done with: the camera centres on
            stage.camera.reframe = True        # this step's, and its chapter's header shows once
        stage.heading = beat.chapter or None   # the camera stands there (not over the last grids)
        stage.tidy()
        stage.retire()   # the stale grids fade with the step's first play (as its work is reached)
        stage.step, stage.step_start = beat.step, video_time(self)
        stage.camera.step_begins()
        play(stage, beat.step)
        if stage.leaving:   # a step that played nothing: its stale grids fade now
            stage.play()
        stage.play(*stage.header_now())   # (nor its header)
        lift(stage)   # (a step that showed no work)
        if stage.hints.get("audit"):
            stage.framings.append(stage.framing(beat.step))

    def put_away(self, card: VMobject) -> None:
        """Take ``card`` off the scene, every part of it: playing its numbers' fills adds a group
        of them, and Manim splits the card into its parts to keep them out of it (``Scene.remove``
        of the card alone would leave its title and badge drawn over the steps after)."""
        self.remove(*card.get_family())

    def play_card(self, beat: Beat) -> None:
        """A card: the title (with the colour legend, once per video), a chapter fast-forwarded,
        a plot, or the recap (which stays to the end)."""
        pace = self.plan.pace
        if self.skipping and not self.last_beat:   # the last beat of a still is drawn (its card)
            if beat.card in ("plot", "overview"):   # (seen: shown again later, it is a glance)
                self.looked.add(id(beat.data))
            return
        card, words, fills = self.card_of(beat)
        self.cards.append(words + [f.text for f in fills if hasattr(f, "text")])
        if self.skipping:   # a still: the card it ends on (a story's recap, the gallery's plot)
            for f in fills:     # its numbers filled in, as at the end of the card
                f.set_fill(opacity=1.0)
            self.add(card)
            self.still_card = card
            return
        repeat = beat.data.chapter.repeat if beat.card == "summary" else 1
        on_screen(self, card_said(beat.card, beat.title, beat.subtitle, repeat, self.plan.lang))   # its gist
        cover, text = card.submobjects   # a clean page first, the card's words on it: no step's
        self.play(FadeIn(cover, run_time=0.25))   # grids (nor the card before) faint under its words
        self.play(FadeIn(text, run_time=0.25))
        if self.held is not None:
            self.put_away(self.held)
            self.held = None
        if fills:
            step = min(0.5, 4.0 / len(fills))
            self.play(Succession(*[anim.Reveal([f], run_time=step) for f in fills]))
        said = " ".join(words)
        if beat.card == "recap":   # the video ends on it: read, then taken in
            self.wait(pace.recap(said))
            return
        long = beat.card in ("plot", "overview")   # a picture to look at, not just words to read
        again = long and id(beat.data) in self.looked
        self.looked.add(id(beat.data))
        self.wait(2.0 * pace.hold if again else pace.looking(said) if long else pace.reading(said))
        if self.card_next:   # the next card covers this one: the stage never shows between
            self.held = card
            return
        if self.step_next:   # the next step's work is framed under it: it lifts on that work
            self.stage.cover = card, self.stage.camera.view
            return
        fade_away(self, card)

    def open_on(self, beat: Beat) -> None:
        """This part of the video opens where the part before it (another process's, with
        ``--jobs``) ended: on ``beat``'s card, whole, left up for this part's card to cover (a
        plot, then the overview: not a blank page, which cut the plot off at the join), or for
        this part's first step to set its work up under (:mod:`scenes.cover`)."""
        card, _, fills = self.card_of(beat)
        for f in fills:    # its numbers filled in, as at the end of the card
            f.set_fill(opacity=1.0)
        if self.plan.beats[self.start].step is not None:
            self.stage.cover = card, self.stage.camera.view
        else:
            self.held = card
        self.add(card)

    def card_of(self, beat: Beat) -> tuple[VMobject, list[str], list]:
        """``beat``'s card (paper and page, in the camera's view), its words and the numbers
        filled in as it shows."""
        lang, stage = self.plan.lang, self.stage
        fills: list = []
        if beat.card == "title":
            page = title_page(beat.title, beat.subtitle, lang)
            words = [beat.title, beat.subtitle]
        elif beat.card == "summary":
            fast = beat.data
            page, fills = summary_page(self.plan.trace, beat.title, fast.chapter.repeat, fast.losses(self.plan.trace),
                                       fast.result(self.plan.trace), lang)
            words = [beat.title, f"×{fast.chapter.repeat}"]
        elif beat.card == "overview":
            page = overview_page(beat.data, beat.title, lang)
            words = [beat.title, *page.names]
        elif beat.card == "plot":
            page = plot_page(beat.data, self.plan.trace, lang)
            words = [beat.title]
        else:   # the story's result drawn beside the recap's words
            result = plot_page(beat.data, self.plan.trace, lang) if beat.data is not None else None
            page = recap_page(beat.title, beat.subtitle, lang, result)
            words = [beat.title, *page.recap_lines]
        card = VGroup(paper(), page)
        return stage.camera.to_view(card).set_z_index(CARD_Z), words, fills
