"""The fonts a sheet embeds (subsets, so the PDF stays small): DejaVu Sans for text, JetBrains
Mono for numbers and workings (the video's number font), DejaVu Sans Mono for the few signs it
lacks (‖, ᵀ), Noto Sans CJK for Chinese (its Traditional or Simplified face), found on disk.

Why JetBrains Mono: the PDF is written without text shaping, glyph after glyph by its advance, so
a combining mark sits where its font draws it. JetBrains Mono draws its combining circumflex with
no advance, over the letter before it (x̂); DejaVu Sans Mono gives it a cell of its own, and the
hat stood apart from the x (``x ^``). Unicode has no precomposed x̂ to use instead.

Debian's fonts-dejavu-core, fonts-jetbrains-mono and fonts-noto-cjk hold them (``make system``
installs them).
"""
from __future__ import annotations

import os
from functools import lru_cache

from ..errors import TracerError

FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.local/share/fonts"),
           os.path.expanduser("~/.fonts"))
FILES = {"sans": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf", "mono": "JetBrainsMono-Regular.ttf",
         "mono_more": "DejaVuSansMono.ttf", "cjk": "NotoSansCJK-Regular.ttc"}
FALLBACKS = ("mono_more", "cjk")   # tried in order for a glyph the font in use lacks
CJK_FACE = {"zh-Hans": 2}   # the face of the collection: 2 Simplified (SC), 3 Traditional (TC)
CJK_DEFAULT_FACE = 3


@lru_cache(maxsize=1)
def font_files() -> dict[str, str]:
    """The path of each font by role; a TracerError naming the packages when one is missing."""
    wanted = {name: role for role, name in FILES.items()}
    found: dict[str, str] = {}
    for folder in FOLDERS:
        for root, _, names in os.walk(folder):
            for name in names:
                if name in wanted and wanted[name] not in found:
                    found[wanted[name]] = os.path.join(root, name)
    missing = [FILES[r] for r in FILES if r not in found]
    if missing:
        raise TracerError(f"the sheet needs the fonts {', '.join(missing)}: install Debian's fonts-dejavu-core, "
                          "fonts-jetbrains-mono and fonts-noto-cjk (make system does)")
    return found


def cjk_face(lang: str) -> int:
    """Which face of the Noto CJK collection writes ``lang``'s characters."""
    return CJK_FACE.get(lang, CJK_DEFAULT_FACE)
