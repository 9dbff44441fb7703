"""A card over the stage (issue 9): after a card (a chapter fast-forwarded, a plot, the overview)
the next step's work is framed *under* the card, so when the card lifts the learner sees the new
work at once, not the last chapter's grids and then a pan across the canvas to the new ones.

The walkthrough leaves the card up (``Stage.cover``: the card and the camera's view it is in); the
step's first plays that only set the page up (its caption and header, its grids coming, the camera
moving, the stale grids leaving) jump to their end under it, the card following the camera; it lifts
after the play that moves the camera, or before the first play that shows work (a cell worked).
"""
from __future__ import annotations

from manim import ORIGIN, AnimationGroup, FadeIn, FadeOut

from . import anim
from .manim_adapter import jump_to_end


def setting_up(stage, a) -> bool:
    """``a`` only sets the page up: a mobject coming or going, the camera (and what it carries)
    moving, a highlight put away."""
    if isinstance(a, AnimationGroup):   # Succession too
        return all(setting_up(stage, b) for b in a.animations)
    if isinstance(a, anim.Reveal):
        return a.to == 0.0
    return (isinstance(a, (anim.Appear, anim.Follow, FadeIn, FadeOut))
            or getattr(a, "mobject", None) is stage.scene.camera.frame)


def under_cover(stage, anims: list) -> bool:
    """Play ``anims`` under the card covering ``stage`` when they only set the page up (at once:
    nobody sees them) and lift the card once the camera has moved; otherwise lift it first.
    Returns whether ``anims`` were played."""
    camera = stage.camera
    if camera.moved_from is None and not all(setting_up(stage, a) for a in anims):
        lift(stage)
        return False
    fades, stage.leaving = stage.leaving, []     # the stale grids go under the card
    stage.canvas.trash += stage.left
    stage.left, stage.left_boxes = [], []
    jump_to_end(stage.scene, [*fades, *anims])
    camera.played()
    stage.cull(fade=False)
    if camera.view is not stage.cover[1]:   # the camera has moved (or cut) to the step's work
        jump_to_end(stage.scene, stage.header_now())   # it stands there: the chapter's header too
        lift(stage)
    return True


def follow(stage) -> None:
    """The card over ``stage`` into the camera's view (it was put in the view it was shown in)."""
    card, view = stage.cover
    new = stage.camera.view
    if new is not view:
        card.shift(-view.centre).scale(new.scale / view.scale, about_point=ORIGIN).shift(new.centre)
        stage.cover = card, new


def lift(stage) -> None:
    """The card over ``stage`` goes: its words first, then its blank page (the words never fade
    over the grids under it)."""
    if stage.cover is None:
        return
    follow(stage)
    card, _ = stage.cover
    stage.cover = None
    fade_away(stage.scene, card)
    stage.drawn = True


def fade_away(scene, card) -> None:
    """``card`` leaves ``scene``: its words first, then its blank page (the words never fade over
    the grids under it), and every part of it off the scene."""
    page, text = card.submobjects
    scene.play(FadeOut(text, run_time=0.2))
    scene.play(FadeOut(page, run_time=0.2))
    scene.remove(*card.get_family())
