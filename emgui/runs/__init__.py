"""Background work: the one generator worker, the application's thread registry, the fit
controller and the file loader that use them. Import modules from here by their own names."""
