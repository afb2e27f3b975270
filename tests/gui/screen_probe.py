"""Run in a subprocess by test_screen_sizes.py: opens the window as the application does on
a screen described by QT_QPA_PLATFORM's offscreen config (and QT_SCALE_FACTOR), and prints
what the test checks, as JSON.

``python screen_probe.py SETTINGS_DIR [big]``: ``big`` saves a geometry larger than the
screen first, as a window left on a bigger screen would have.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QSettings

from emgui.app import build_window, prepare_application
from emgui.features import installed
from emgui.features.teaching.lesson import Lesson


def rect(r) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main() -> None:
    app = prepare_application()
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "probe", "probe")
    if "big" in sys.argv[2:]:
        first = build_window(settings)
        first.show()
        first.resize(3000, 2000)
        first.close()
    window = build_window(settings)
    window.show_with_default_size()
    app.processEvents()
    out = {"available": rect(window.screen().availableGeometry()),
           "frame": rect(window.frameGeometry()),
           "minimum": list(window.minimumSizeHint().toTuple())}
    window.open_sample("heights_weights_gaps")
    app.processEvents()
    installed(window.host, Lesson).e_step_action.trigger()
    for _ in range(5):
        app.processEvents()
    out["teaching_frame"] = rect(window.frameGeometry())
    out["teaching_minimum"] = list(window.minimumSizeHint().toTuple())
    print(json.dumps(out))
    window.close()


if __name__ == "__main__":
    main()
