"""EM Studio: the Qt application (windows, views, dialogs, fit worker)."""
