"""EM Studio: ``python main.py`` opens the window, ``python main.py fit ...`` runs headless."""

import sys

HEADLESS_COMMANDS = ("fit", "predict", "select", "convert")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in HEADLESS_COMMANDS:
        from emio.cli import main as cli_main

        return cli_main(argv)
    from emgui.app import main as gui_main

    return gui_main(argv)


if __name__ == "__main__":
    sys.exit(main())
