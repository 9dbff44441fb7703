"""Room for a grid's labels (issue 9): where its name, row names, column names and the line under
a share of a sum (its way back, :mod:`scenes.players.sums`) lie on the canvas, where the loose
arrows between grids lie, and which labels are left on the scene without their grid (an "orphan":
the old name of a grid renamed in place, or a name whose grid has left). Tests read them through
the stage's framing: no label or arrow over a cell of another grid or over another label, and no
orphan."""
from __future__ import annotations

import numpy as np
from manim import VMobject

Box = tuple[np.ndarray, np.ndarray]
# the least room between two names of one grid's columns (side by side on a line: more than a
# word space, ~0.2, or 'once' 'upon' read as one phrase) and of its rows (stacked: a line's gap)
MIN_GAP = {"col": 0.28, "row": 0.1}


def label_parts(grid) -> list[tuple[str, VMobject]]:
    """The grid's labels, each with what it is: its name, each row name, each column name, and
    the way a share came back (``path``: the line under a share of a sum)."""
    out = [("name", grid.name_label)] if grid.name_label is not None else []
    for kind, group in (("row", grid.row_labels), ("col", grid.col_labels)):
        out += [(kind, m) for m in (group.submobjects if group is not None else [])]
    path = getattr(grid, "path_line", None)
    return out + ([("path", path)] if path is not None else [])


def visible(m: VMobject) -> bool:
    """Some part of ``m`` is drawn (not faded out)."""
    return any(p.get_fill_opacity() > 0.01 or p.get_stroke_opacity() > 0.01 and p.get_stroke_width() > 0
               for p in m.get_family() if p.has_points())


def corners(m: VMobject) -> Box:
    """``m.get_corner(DL)[:2], m.get_corner(UR)[:2]``, from one pass over the family's boundary
    points (each corner made its own: the audits ask for thousands of boxes a walkthrough)."""
    points = m.get_points_defining_boundary()
    if len(points) == 0:
        return np.zeros(2), np.zeros(2)   # Manim's corner of a mobject with no points
    return points[:, :2].min(axis=0), points[:, :2].max(axis=0)


def overlap(a: Box, b: Box, slack: float = 0.02) -> bool:
    """The boxes share more than ``slack`` both ways."""
    return bool(min(a[1][0], b[1][0]) - max(a[0][0], b[0][0]) > slack
                and min(a[1][1], b[1][1]) - max(a[0][1], b[0][1]) > slack)


def label_boxes(grids: list) -> list[dict]:
    """Every visible label of ``grids`` (those on show): its grid's name, what it is, its text
    box, and the box of its grid's cells and brackets."""
    out = []
    for g in grids:
        cells = corners(g.frame_box())
        for kind, m in label_parts(g):
            if visible(m):
                out.append({"grid": id(g), "name": g.label_text, "kind": kind, "box": corners(m), "cells": cells,
                            "text": getattr(m, "axis_name", g.label_text)})
    return out


def arrow_boxes(arrows: list[tuple[VMobject, list]]) -> list[dict]:
    """Every visible loose arrow, each given with the grids it joins (``(arrow, owners)``), as
    :func:`label_boxes` gives a label: it may lie over no label and no cells but its own grids'."""
    return [{"grid": id(a), "name": " → ".join(g.label_text for g in owners) or "a loose", "kind": "arrow",
             "box": corners(a), "cells": None, "owners": {id(g) for g in owners}, "text": ""}
            for a, owners in arrows if visible(a)]


def gap(a: Box, b: Box) -> float:
    """How far apart the boxes are: the wider of the horizontal and the vertical gap between
    them (negative when they overlap)."""
    return float(max(max(a[0][0], b[0][0]) - min(a[1][0], b[1][0]),
                     max(a[0][1], b[0][1]) - min(a[1][1], b[1][1])))


def crowded(labels: list[dict]) -> list[str]:
    """Each label (or arrow, :func:`arrow_boxes`) over a cell of another grid (an arrow: of a grid
    it does not join) or over another label, and each two names of one grid's rows (or of its
    columns) closer than MIN_GAP, said in words."""
    out = []
    for i, a in enumerate(labels):
        for j, b in enumerate(labels):
            mine = a.get("owners", {a["grid"]})
            if b["cells"] is not None and b["grid"] not in mine and overlap(a["box"], b["cells"]):
                out.append(f"{a['name']}'s {a['kind']} label over the cells of {b['name']}")
            if j <= i:
                continue
            if overlap(a["box"], b["box"]):
                out.append(f"{a['name']}'s {a['kind']} label over {b['name']}'s {b['kind']} label")
            elif a["grid"] == b["grid"] and a["kind"] == b["kind"] in MIN_GAP and gap(a["box"], b["box"]) < MIN_GAP[a["kind"]]:
                out.append(f"{a['name']}'s {a['kind']} names {a['text']!r} and {b['text']!r} "
                           f"{gap(a['box'], b['box']):.2f} apart (less than {MIN_GAP[a['kind']]})")
    return sorted(set(out))


def orphans(scene, grids: list, covered: list = ()) -> list[str]:
    """The labels drawn on the scene that no grid on show holds: a grid's old name taken out of
    it (``NumberGrid.rename``) and still visible, the labels of a grid not on show (unless
    ``covered``: under a veil, with its grid), or a grid's name label that is no part of the grid."""
    shown = {id(g) for g in [*grids, *covered]}
    # a name drawn over a grid but not part of it would stay behind when the grid moves or leaves
    out = [g.label_text for g in grids if g.name_label is not None and g.name_label not in g.get_family()]
    for m in scene.get_mobject_family_members():
        owner = getattr(m, "label_of", None)
        if owner is None or not visible(m):
            continue
        held = any(m is part for _, part in label_parts(owner))
        if not held or id(owner) not in shown:
            out.append(getattr(m, "label_text", owner.label_text))
    return out

