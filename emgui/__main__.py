"""``python -m emgui`` opens the window, as the ``em-studio`` command does."""

import sys

from emgui.app import main

sys.exit(main())
