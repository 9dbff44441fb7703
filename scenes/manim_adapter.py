"""Every place the scenes reach into Manim's internals, in one module (pinned by
``tests/test_manim_adapter.py``, which fails when a Manim upgrade moves what they rely on).

- :func:`skip_idle_drawing`: a skipped section draws nothing, so it needs no static background
  and no frame; fully transparent mobjects are not traced by Cairo at all.
- :func:`jump_to_end`: run an animation to its end without ``Scene.play`` (laying out the steps
  before ``--steps`` or a ``--jobs`` chunk).
- :func:`video_time`: seconds of video the scene has written so far (the renderer's clock).
- :func:`grab_frame`: the frame as it stands, drawn in a skipped section too (a still).
- :func:`reuse_paths`: a mobject whose points did not change since the last frame hands Cairo the
  path built then, instead of one call per curve again (a third of the drawing time at 1080p).
- :func:`speed_up_mobjects`: ``Mobject.copy`` (every Transform, fade and copy of a grid) shares
  what no one changes after a mobject is made, instead of deep-copying it: a glyph's parsed SVG
  path, enum members, numbers and strings (it was half the time of a small render); and a
  ``VMobject``'s bounding points (``get_center``, ``get_corner``, ``width`` …) are gathered with
  array slices, not one Python tuple per anchor (a quarter of a layout's time). Same results.
- :func:`drop_svg_parse`: a ``Text`` the scenes keep and hand out copies of forgets its SVG parse,
  which every deep copy walked.

Two behaviours of ``Scene.play`` are relied on, not patched, by
:meth:`scenes.playback.Playback.play` (pinned by the same test): the renderer redraws every frame
everything in the scene's list from the first mobject that moves on (the rest is painted once), and
a play of an ``AnimationGroup`` leaves on the list the group Manim made in place of its members.

Written against manim 0.22 (Cairo renderer).
"""
from __future__ import annotations

import copy
import enum
from typing import Any

import numpy as np
from manim import Animation, Mobject, VMobject
from manim.animation.animation import prepare_animation

__all__ = ["prepare_animation", "skip_idle_drawing", "jump_to_end", "video_time", "finish_now", "grab_frame",
           "reuse_paths", "speed_up_mobjects"]


def skip_idle_drawing(scene) -> None:
    """Patch ``scene``'s renderer and camera: no static frame and no frame in a skipped play, and
    no outline traced for a mobject that is wholly transparent (a number waiting to be revealed,
    a swapped-out work line: Cairo would trace every curve of them, frame after frame)."""
    renderer = scene.renderer
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
        if vmobject.fill_rgbas[:, 3].max() <= 0 and (
                vmobject.stroke_width <= 0 or vmobject.stroke_rgbas[:, 3].max() <= 0) and (
                vmobject.background_stroke_width <= 0 or vmobject.background_stroke_rgbas[:, 3].max() <= 0):
            return camera
        return display(vmobject, ctx)
    camera.display_vectorized = display_vectorized


def jump_to_end(scene, anims) -> None:
    """Run ``anims`` to their end on ``scene`` without a play (nothing is drawn)."""
    for a in map(prepare_animation, anims):
        a._setup_scene(scene)
        a.begin()
        a.finish()
        a.clean_up_from_scene(scene)


def finish_now(anim: Animation) -> None:
    """Put ``anim``'s mobject in its end state at once (a camera cut)."""
    a = prepare_animation(anim)
    a.begin()
    a.finish()


def video_time(scene) -> float:
    """Seconds of video ``scene`` has played so far (skipped sections included)."""
    return float(scene.renderer.time)


def grab_frame(scene):
    """The frame ``scene`` shows now, as an RGBA array: drawn the way Manim draws a still's last
    frame (every mobject, no static background kept from a play), skipped section or not."""
    renderer = scene.renderer
    renderer.static_image = None
    renderer.update_frame(scene, ignore_skipping=True)
    return renderer.get_frame()


def reuse_paths(scene, size: int = 4096) -> None:
    """Patch ``scene``'s camera to keep the Cairo path of the last ``size`` point sets it drew.

    A path is kept in the canvas's own coordinates, so it stays right when the camera moves; it is
    looked up by the exact bytes of the points, so a mobject that moved or changed shape builds
    its path anew."""
    camera = scene.renderer.camera
    build = camera.set_cairo_context_path
    paths: dict[bytes, object] = {}

    def set_cairo_context_path(ctx, vmobject):
        points = vmobject.points
        if len(points) == 0 or not np.isfinite(points).all():   # Manim's own handling
            return build(ctx, vmobject)
        key = points.tobytes()
        path = paths.get(key)
        if path is None:
            build(ctx, vmobject)
            if len(paths) >= size:
                paths.clear()
            paths[key] = ctx.copy_path()
        else:
            ctx.new_path()
            ctx.append_path(path)
        return camera
    camera.set_cairo_context_path = set_cairo_context_path


# Immutable values a copy may share. svgelements' path is what a glyph (VMobjectFromSVGPath) was
# made from: Manim reads it only when it makes the glyph's points, and deep-copying its segments
# cost more than the rest of a Text's copy together.
_SHARED = frozenset((int, float, bool, str, type(None), complex, np.float64, np.float32, np.int64, np.bool_))
_READ_ONLY_MODULES = frozenset(("svgelements.svgelements",))


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(value, memo)``, with shortcuts for what a mobject's fields mostly hold."""
    kind = type(value)
    if kind in _SHARED or kind.__module__ in _READ_ONLY_MODULES or isinstance(value, enum.Enum):
        return value
    if kind is np.ndarray or kind is list:
        done = memo.get(id(value))
        if done is None:
            if kind is list:  # registered before its items: a list may hold what holds it
                done = memo[id(value)] = []
                done.extend([_copied(x, memo) for x in value])
            else:
                done = memo[id(value)] = value.copy(order="K")   # as deepcopy: its memory order too
        return done
    return copy.deepcopy(value, memo)  # a Mobject comes back through _deepcopy_mobject


def _deepcopy_mobject(self: Mobject, memo: dict[int, Any]) -> Mobject:
    """Manim's ``Mobject.__deepcopy__`` (a new object, every field deep-copied, ``original_id``
    set), sharing the immutable and read-only fields :func:`_copied` knows."""
    result = self.__class__.__new__(self.__class__)
    memo[id(self)] = result
    fields = result.__dict__
    for key, value in self.__dict__.items():
        fields[key] = _copied(value, memo)
    result.original_id = str(id(self))
    return result


# Manim's own methods (each patch keeps the one it replaced: a reload of this module finds them)
_MANIMS_DEEPCOPY = getattr(Mobject.__deepcopy__, "manims", Mobject.__deepcopy__)
_MANIMS_BOUNDARY = getattr(VMobject.get_points_defining_boundary, "manims", VMobject.get_points_defining_boundary)
_MANIMS_ANCHORS = VMobject.get_anchors
_deepcopy_mobject.manims = _MANIMS_DEEPCOPY   # type: ignore[attr-defined]


def _boundary(self: VMobject) -> np.ndarray:
    """Manim's ``VMobject.get_points_defining_boundary``: every curve's start and end anchor,
    interleaved, member by member of the family; built with slices."""
    parts = []
    for member in self.get_family():
        if getattr(type(member), "get_anchors", None) is not _MANIMS_ANCHORS:
            return _MANIMS_BOUNDARY(self)   # a member with its own anchors: Manim's way
        points = member.points
        if len(points) == 1:
            parts.append(points)
            continue
        n = member.n_points_per_cubic_curve
        starts, ends = points[::n], points[n - 1::n]
        if len(starts) != len(ends):
            return _MANIMS_BOUNDARY(self)   # an unfinished curve: Manim raises, say it its way
        both = np.empty((2 * len(starts), points.shape[1]))
        both[0::2], both[1::2] = starts, ends
        parts.append(both)
    if not parts or sum(len(p) for p in parts) == 0:
        return np.array(())
    return np.concatenate(parts)


_boundary.manims = _MANIMS_BOUNDARY   # type: ignore[attr-defined]


def speed_up_mobjects() -> None:
    """Install :func:`_deepcopy_mobject` as every ``Mobject``'s deep copy and :func:`_boundary`
    as ``VMobject``'s bounding points, for the whole process (idempotent; a scene calls it when
    it is made: the results are Manim's, so whatever else the process draws is unchanged)."""
    Mobject.__deepcopy__ = _deepcopy_mobject
    VMobject.get_points_defining_boundary = _boundary


def drop_svg_parse(text: VMobject) -> VMobject:
    """A kept ``Text`` without what Manim keeps of its SVG parse: each glyph's svgelements path (read only
    while the glyph's outline is built) and the SVG's id-to-group table (``Tex`` reads it, ``Text``
    never). Every deep copy walked both, every segment of every glyph: ~55 ms to hand out a long
    sentence, and again in each ``Write`` or ``FadeIn`` of it; without them ~2 ms. The outlines,
    colours and sizes are untouched, so nothing drawn changes."""
    for glyph in text.get_family():
        if hasattr(glyph, "path_obj"):
            glyph.path_obj = None
    text.id_to_vgroup_dict = {}
    return text
