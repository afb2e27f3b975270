"""``python -m bench.gui``: the window's load time, GUI-thread gaps and redraw cost (see ``__main__``)."""
