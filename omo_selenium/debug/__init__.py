"""The debug view of a solve: a folder per run a person can open.

- :mod:`.recorder`: :class:`DebugRecorder`, the files and their JSON summaries;
- :mod:`.draw`: the annotated capture and the path plot (Pillow);
- :mod:`.pages`: the self-contained HTML pages.
"""

from __future__ import annotations

from .draw import ANNOTATED_MIN_WIDTH, render_annotated, render_path
from .recorder import DebugRecorder

__all__ = ["ANNOTATED_MIN_WIDTH", "DebugRecorder", "render_annotated", "render_path"]
