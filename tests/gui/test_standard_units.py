"""Run ▸ Fit in Standard Units: offered when scales differ, the fit shown in original units."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from emgui.features import installed
from emgui.features.standardize import StandardUnits
from emio.tables import read_table
from engine.standardize import fit_standardized


def test_differing_scales_bring_the_hint_and_the_fit_is_in_original_units(
        qtbot, window, scales_csv, monkeypatch) -> None:
    feature = installed(window.host, StandardUnits)
    notes = []
    monkeypatch.setattr(window.host, "show_note", notes.append)  # where the hint is said
    window.document.set_data(read_table(scales_csv), scales_csv.name)
    assert feature.hint and "Standard Units" in feature.hint
    assert notes == [feature.hint]
    feature.action.trigger()
    assert window.document.standardize
    options = window.document.options.replace(n_components=2, seed=4, accelerate="none")
    window.document.set_options(options)
    with qtbot.waitSignal(window.controller.run_finished, timeout=30_000):
        with qtbot.assertNotEmitted(window.controller.run_failed):
            window.run_actions.run.trigger()
    result = window.document.result
    expected = fit_standardized(window.document.table.data, result.options,
                                list(window.document.table.columns))
    np.testing.assert_allclose(result.params["means"], expected.params["means"], rtol=1e-9)
    assert result.log_likelihood == pytest.approx(expected.log_likelihood, rel=1e-12)
    # Every snapshot shown is in the data's units too: its means lie among the rows.
    first = window.document.snapshot(0).params["means"]
    assert np.all(first[:, 0] > 1000)


def test_models_that_cannot_be_standardised_turn_it_off(qtbot, window, scales_csv) -> None:
    feature = installed(window.host, StandardUnits)
    window.document.set_data(read_table(scales_csv), scales_csv.name)
    feature.action.setChecked(True)
    window.document.set_options(engine.FitOptions(model="kmeans", n_components=2))
    assert not feature.action.isEnabled()
    assert not window.document.standardize
    assert "Not for this model" in feature.action.toolTip()


@pytest.mark.parametrize(("scales", "hinted"), [((1000.0, 0.01), True), ((1.0, 3.0), False)])
def test_the_hint_judges_a_large_table_on_rows_spread_over_all_of_it(
        window, monkeypatch, scales, hinted) -> None:
    from emgui.features import standardize
    from emio.tables import Table

    feature = installed(window.host, StandardUnits)
    n_rows = 10 * standardize.HINT_ROWS
    X = np.random.default_rng(2).normal(size=(n_rows, 2)) * scales
    # The first rows alone would say the scales are alike: the sample spans the table.
    X[: n_rows // 20] = np.random.default_rng(3).normal(size=(n_rows // 20, 2))
    window.document.set_data(Table(data=X, columns=["a", "b"]), "large")
    assert bool(feature.hint) is hinted


def test_a_sample_whose_model_cannot_be_standardised_turns_it_off(qtbot, window) -> None:
    # A sample's model comes in force with its data (no separate change of settings).
    feature = installed(window.host, StandardUnits)
    window.open_sample("blobs")
    assert feature.action.isEnabled()
    window.open_sample("counts")  # Poisson counts
    assert not feature.action.isEnabled()
    assert "Not for this model" in feature.action.toolTip()
    window.open_sample("heights")
    assert feature.action.isEnabled()
