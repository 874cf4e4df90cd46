"""Where shipped data files live: the source tree, an installed wheel, or a PyInstaller bundle."""

import functools
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@functools.cache  # shipped files do not move while the program runs; autosave asks on every save
def resource_path(*parts: str) -> Path:
    """Path of a shipped file or folder, such as `resource_path("forms")` or `resource_path("resources", "x")`."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = []
    if bundle:
        candidates.append(Path(bundle).joinpath(*parts))
    candidates += [_PACKAGE_DIR.joinpath("_data", *parts), _PACKAGE_DIR.parent.joinpath(*parts)]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]
