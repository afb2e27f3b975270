"""The window and what it is made of: the document, the host features see, the display of a
fit, the settings panel, opening data. Import modules from here by their own names."""
