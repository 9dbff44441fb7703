"""The Manim internals :mod:`scenes.manim_adapter` patches or calls are where it expects them, with
the parameters it passes: a Manim upgrade that moves them fails here, not in a render."""
from __future__ import annotations

import inspect

import numpy as np
import pytest

manim = pytest.importorskip("manim")

from manim import RIGHT, AnimationGroup, Circle, FadeIn, Scene, Square, VMobject, tempconfig  # noqa: E402
from manim.animation.animation import Animation  # noqa: E402
from manim.camera.camera import Camera  # noqa: E402
from manim.renderer.cairo_renderer import CairoRenderer  # noqa: E402

from scenes import manim_adapter  # noqa: E402


def params(fn) -> list[str]:
    return [p for p in inspect.signature(fn).parameters if p != "self"]


def test_the_patched_methods_keep_their_signatures():
    assert params(CairoRenderer.save_static_frame_data)[:2] == ["scene", "static_mobjects"]
    assert params(CairoRenderer.render)[:3] == ["scene", "time", "moving_mobjects"]
    assert params(Camera.display_vectorized)[:2] == ["vmobject", "ctx"]
    assert params(Camera.set_cairo_context_path)[:2] == ["ctx", "vmobject"]
    assert "ignore_skipping" in params(CairoRenderer.update_frame)
    for name in ("_setup_scene", "begin", "finish", "clean_up_from_scene"):
        assert callable(getattr(Animation, name)), name
    assert callable(manim_adapter.prepare_animation)


def test_the_mobject_fields_it_reads_exist():
    m = VMobject()
    for name in ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas"):
        assert getattr(m, name).shape[1] == 4, name
    assert isinstance(m.stroke_width, (int, float)) and isinstance(m.background_stroke_width, (int, float))


def test_a_skipped_play_draws_nothing_and_a_transparent_mobject_is_not_traced(tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none"}):
        scene = Scene()
        manim_adapter.skip_idle_drawing(scene)
        renderer = scene.renderer
        assert hasattr(renderer, "skip_animations") and hasattr(renderer, "static_image") and hasattr(renderer, "time")
        renderer.skip_animations = True
        renderer.static_image = "stale"
        assert renderer.save_static_frame_data(scene, []) is None and renderer.static_image is None
        drawn = []
        renderer.camera.display = lambda *a, **k: drawn.append(a)   # anything a render would draw
        renderer.render(scene, 0.0)
        assert drawn == []
        hidden = Circle().set_stroke(opacity=0).set_fill(opacity=0)
        assert renderer.camera.display_vectorized(hidden, None) is renderer.camera   # returned before tracing
        start = manim_adapter.video_time(scene)
        circle = Circle()
        manim_adapter.jump_to_end(scene, [FadeIn(circle)])
        assert circle in scene.mobjects and circle.get_stroke_opacity() == 1.0
        assert manim_adapter.video_time(scene) == start


def test_what_the_stage_relies_on_in_a_play(tmp_path):
    """``Stage.play`` puts what moves at the end of the scene's list (the rest is drawn once) and,
    after the play, takes off the groups Manim made (a grid drawn through one would come back)."""
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none"}):
        scene = Scene()
        a, still, b = Circle(), Square(), Circle()
        scene.add(a, still, b)
        group = AnimationGroup(a.animate.shift(RIGHT), b.animate.shift(-RIGHT), run_time=0.1)
        assert scene.get_moving_mobjects(group) == [a, still, b]   # from the first that moves on
        scene.mobjects = [still, a, b]
        assert scene.get_moving_mobjects(group) == [a, b]          # the still one is drawn once
        scene.play(group)
        assert scene.mobjects == [still, group.group] and list(group.group.submobjects) == [a, b]


def test_a_path_is_built_once_while_its_points_stay_and_draws_the_same_pixels(tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none",
                     "quality": "low_quality"}):
        plain, patched = Scene(), Scene()
        built = []
        real = Camera.set_cairo_context_path
        Camera.set_cairo_context_path = lambda self, ctx, vm: (built.append(len(vm.points)), real(self, ctx, vm))[1]
        try:
            manim_adapter.reuse_paths(patched)
            frames = []
            for shift in (0, 0, 1):   # drawn twice as it is, then moved
                pair = []
                for scene in (plain, patched):
                    circle = Circle().shift([shift, 0, 0])
                    scene.add(circle)
                    pair.append(manim_adapter.grab_frame(scene))
                    scene.remove(circle)
                frames.append(pair)
        finally:
            Camera.set_cairo_context_path = real
        assert len(built) == 3 + 2   # the plain scene builds each time; the patched one for new points only
        for a, b in frames:
            assert a.shape == (480, 854, 4) and abs(a.astype(int) - b).max() <= 8


def _tree(m) -> list:
    return [m] + [x for s in m.submobjects for x in _tree(s)]


def test_a_copy_shares_only_what_no_one_changes():
    """``speed_up_mobjects``: a copy is Manim's deep copy (every mobject, array and list new, the same
    values, shared references kept shared) except that the glyphs' parsed SVG paths, which Manim
    reads only when it makes a glyph, are shared."""
    from manim import Text, VGroup
    from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

    manim_adapter.speed_up_mobjects()
    word = Text("W₁ = 0.25", font="DejaVu Sans")
    glyph = word.submobjects[0]
    assert isinstance(glyph, VMobjectFromSVGPath) and type(glyph.path_obj).__module__ == "svgelements.svgelements"
    group = VGroup(word, Square())
    group.favourite = word            # a second reference to a member
    twin = group.copy()
    assert twin.favourite is twin.submobjects[0] and twin.favourite is not word
    for a, b in zip(_tree(group), _tree(twin), strict=True):
        assert a is not b and type(a) is type(b) and b.original_id == str(id(a))
        assert set(a.__dict__) - {"original_id"} == set(b.__dict__) - {"original_id"}
        for key, value in a.__dict__.items():
            other = b.__dict__[key]
            if isinstance(value, np.ndarray):
                assert other is not value and np.array_equal(other, value), key
            elif isinstance(value, list):
                assert other is not value and len(other) == len(value), key
        if isinstance(a, VMobjectFromSVGPath):
            assert b.path_obj is a.path_obj
    manims = manim_adapter._MANIMS_DEEPCOPY(group, {})   # Manim's own copy: the same points and colours
    for a, b in zip(_tree(manims), _tree(twin), strict=True):
        for key in ("points", "fill_rgbas", "stroke_rgbas"):
            if hasattr(a, key):
                assert np.array_equal(getattr(a, key), getattr(b, key)), key
    twin.submobjects[0].shift(RIGHT)
    assert not np.array_equal(word.get_center(), twin.submobjects[0].get_center())   # moving the copy leaves the original


def test_a_bounding_box_is_manims_to_the_bit():
    from manim import Dot, Line, Text, VGroup

    manim_adapter.speed_up_mobjects()
    single = VMobject()
    single.points = np.array([[0.5, -1.0, 0.0]])   # one point: its own anchor
    shapes = [Text("dW₁ −0.25", font="DejaVu Sans"), Circle().shift(RIGHT * 0.3), Dot(), Line([0, 0, 0], [1, 2, 0]),
              VGroup(Square(), Text("x")), VGroup(), VMobject(), single]
    for m in shapes:
        ours, manims = m.get_points_defining_boundary(), manim_adapter._MANIMS_BOUNDARY(m)
        assert ours.shape == manims.shape and np.array_equal(ours, manims), m
    assert VMobject.get_points_defining_boundary is manim_adapter._boundary
