"""EM Studio input/output: data files in, results out, and the command line.

:mod:`~emio.tables` reads data, and :mod:`~emio.sources` streams files too large
to read (:mod:`~emio.convert` makes them from text); :mod:`~emio.params_file` is PARAMS.json,
:mod:`~emio.session` the session file and :mod:`~emio.exports` everything
else a person takes away from a fit; none of them names a model: they read the
models' declarations (:mod:`engine.models`), and :mod:`~emio.param_layout`
lays any model's parameters out flat. :mod:`~emio.jsonfile` reads any JSON a
person gives us; :mod:`~emio.jsontext` and :mod:`~emio.csvtext` are how our
own files look, and :mod:`~emio.atomic` writes every one of them.
:mod:`~emio.cli` is the headless command line.
"""
