"""Which of the canvas's grids are on the scene (a mixin of :class:`~scenes.canvas.Canvas`).

Only the grids a view shows whole stay on the scene (Cairo draws every mobject of a scene, seen or
not): :meth:`Culling.cull` parks the others, and a grid a frame cuts fades in or out under a paper
veil. The grids on show and their labels (what the tests audit), a clean page, and what faded out
leaving the scene between plays are here too.
"""
from __future__ import annotations

import numpy as np
from manim import Animation, Arrow, Rectangle, VMobject

from . import anim, label_room, style
from .grid import NumberGrid

Box = tuple[np.ndarray, np.ndarray]   # lower-left and upper-right corners (x, y)
VEIL_Z = 14   # the paper that fades a grid out of view: over the grids, under the markers


def _contains(area: Box, lo: np.ndarray, hi: np.ndarray, slack: float = 1e-6) -> bool:
    return bool((lo >= area[0] - slack).all() and (hi <= area[1] + slack).all())


def _touches(lo: np.ndarray, hi: np.ndarray, area: Box) -> bool:
    return bool((lo < area[1]).all() and (hi > area[0]).all())


class Culling:
    """What of the canvas is on the scene: grids whole in view, veils, a clean page."""

    def on_show(self) -> list[Box]:
        """The outlines (x, y) of the grids on show: on the scene and not veiled out."""
        return [(self.boxes[id(g)][0][:2], self.boxes[id(g)][1][:2]) for g in self.shown_grids()]

    def shown_grids(self) -> list[NumberGrid]:
        """The grids on show: on the scene and not veiled out (see :meth:`on_show`)."""
        return [g for g in self.grids if id(g) in self.boxes and id(g) not in self.parked
                and not self.veils.get(id(g), (None, False))[1]]

    def label_boxes(self) -> list[dict]:
        """Every visible label of the grids on show, with its box (:func:`label_room.label_boxes`),
        and every visible loose arrow between grids on show (:func:`label_room.arrow_boxes`)."""
        shown = self.shown_grids()
        on_show = {id(g): g for g in shown}
        owners = {id(m): [k for k, mobs in self.owned.items() if any(m is o for o in mobs)] for m in self.loose}
        # an arrow leaves (culled, veiled) with any grid it joins: those whose grids are all on show
        arrows = [(m, [on_show[k] for k in owners[id(m)]]) for m in self.loose if isinstance(m, Arrow)
                  and owners[id(m)] and all(k in on_show for k in owners[id(m)])]
        return label_room.label_boxes(shown) + label_room.arrow_boxes(arrows)

    def orphans(self, card=None) -> list[str]:
        """The labels on the scene no grid on show holds (:func:`label_room.orphans`); those of a
        grid under a paper veil (faded out of view in a play) are covered, not left behind, and
        those of a grid drawn on ``card`` (a plot's heat map, up while a step is set up under it)
        are the card's."""
        veiled = [g for g in self.grids if self.veils.get(id(g), (None, False))[1]]
        on_card = [m for m in card.get_family() if hasattr(m, "label_text")] if card is not None else []
        return label_room.orphans(self.scene, self.shown_grids(), covered=veiled + on_card)

    def clear(self) -> list[Animation]:
        """A clean page: every grid and loose mobject fades out (and leaves at the next tidy)."""
        anims: list[Animation] = [anim.Appear(g, out=True, run_time=0.35) for g in self.grids]
        gone = [m for m in self.loose if m.get_fill_opacity() > 0 or m.get_stroke_opacity() > 0]
        if gone:
            anims.append(anim.Reveal(gone, to=0.0, run_time=0.35))
        self.trash += self.grids + self.loose + [v for v, _ in self.veils.values()]
        self.loose, self.veils, self.grids = [], {}, []
        self.boxes, self.owned, self.parked = {}, {}, set()
        return anims

    def tidy(self) -> None:
        """Between plays: what faded out leaves the scene."""
        if self.trash:
            self.scene.remove(*self.trash)
            self.trash = []

    def cull(self, area: Box, seen: list[Box], clip: Box, fade: bool = True,
             arriving: set[int] = frozenset()) -> list[Animation]:
        """Keep on the scene only the grids whole in ``area`` (a view's work area: a grid cut by a
        frame edge, the header strip or the caption band shows stray fragments). ``seen`` are the
        frames a play films: where a camera move starts, then where it ends. A grid a pan brings in
        from beyond the first frame slides in whole, and one it takes beyond the last frame slides
        out whole (a pan never films an empty page between the work left and the work reached); a
        grid the first frame cuts fades in under a paper veil (within ``clip``), and one the last
        frame would cut fades out. The others, and grids ``arriving`` in this play, leave or come
        back at once. Returns the fades, to play with the play that moves the camera."""
        fades: list[Animation] = []
        for g in self.grids:
            key = id(g)
            if key not in self.boxes:
                continue
            lo, hi = self.boxes[key][0][:2], self.boxes[key][1][:2]
            veil, hidden = self.veils.pop(key, (None, False))   # the last play's fade is over
            if veil is not None:
                self.scene.remove(veil)
            parked = key in self.parked
            filmed = fade and key not in arriving
            if _contains(area, lo, hi):
                if parked:
                    self.parked.discard(key)
                    self.scene.add(g, *self.owned.get(key, []))
                if filmed and (hidden or parked and _touches(lo, hi, seen[0])):
                    fades.append(self._veil(g, clip, out=True))
            elif not parked:
                if filmed and not hidden and _touches(lo, hi, seen[-1]):
                    fades.append(self._veil(g, clip, out=False))
                elif not (filmed and not hidden and _touches(lo, hi, seen[0])):   # else: it slides out
                    self.parked.add(key)
                    self.scene.remove(g, *self.owned.get(key, []))
        return fades

    def _veil(self, g: VMobject, clip: Box, out: bool) -> Animation:
        """A paper rectangle over grid ``g`` (within ``clip``: off the caption band and header
        while the camera stands still, when they are drawn as background) fading in (``out``:
        fading away). It leaves the scene at the next play."""
        lo = np.maximum(self.boxes[id(g)][0][:2] - 0.06, clip[0])
        hi = np.minimum(self.boxes[id(g)][1][:2] + 0.06, clip[1])
        size = np.maximum(hi - lo, 0.01)
        veil = Rectangle(width=size[0], height=size[1], stroke_width=0, fill_color=style.PAPER, fill_opacity=1.0)
        veil.move_to([*(lo + hi) / 2, 0]).set_z_index(VEIL_Z)
        self.veils[id(g)] = (veil, not out)
        self.scene.add(veil)
        return anim.Appear(veil, out=out, run_time=0.4)
