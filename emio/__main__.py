"""``python -m emio fit|predict|select ...`` runs headless, as ``em-studio-cli`` does."""

import sys

from emio.cli import main

sys.exit(main())
