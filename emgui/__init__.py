"""EM Studio: the Qt application (see emgui.app, which starts it)."""
