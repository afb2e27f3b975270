"""Test configuration shared by every test: Qt renders offscreen, never to a display."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
