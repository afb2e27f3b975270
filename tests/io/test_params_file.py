"""The PARAMS.json codec: documents of bare parameters and of fits, read back with messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

import engine
from emio import params_file
from emio.params_file import SchemaError, params_document, params_from_dict, result_to_dict

STARTS = {
    "gaussian": engine.Params(weights=[0.5, 0.5], means=[[0, 0], [3, 3]],
                              covariances=[[[1, 0], [0, 1]], [[2, 0.5], [0.5, 1]]]),
    "kmeans": engine.Params(weights=[0.5, 0.5], means=[[0, 0], [3, 3]], covariances=[1.5, 1.5]),
    "bernoulli": engine.Params(weights=[0.4, 0.6], probs=[[0.2, 0.9], [0.7, 0.1]]),
    "binomial": engine.Params(weights=[0.4, 0.6], probs=[[0.2, 0.9], [0.7, 0.1]]),
    "poisson": engine.Params(weights=[0.4, 0.6], rates=[[1.0, 9.0], [7.0, 0.5]]),
}


@pytest.mark.parametrize("model", sorted(STARTS))
def test_bare_parameters_read_back_as_written(model):
    options = engine.FitOptions(model=model, n_components=2, trials=(5, 8) if model == "binomial"
                                else None, init=STARTS[model])
    doc = json.loads(params_file.dumps(params_document(STARTS[model], options, ["a", "b"])))
    document = params_from_dict(doc)
    assert document.model == model and document.feature_names == ["a", "b"]
    for name, array in STARTS[model].arrays().items():
        assert getattr(document.params, name).tobytes() == array.tobytes(), name
    assert document.trials == ((5, 8) if model == "binomial" else None)
    assert doc.get("trials") == {"bernoulli": [1, 1], "binomial": [5, 8]}.get(model)


def test_a_fit_document_records_the_settings_and_the_seed_used():
    X = np.random.default_rng(0).normal(size=(60, 2))
    result = engine.fit(X, engine.FitOptions(n_components=2, fixed=frozenset({"weights"})))
    doc = result_to_dict(result, ["a", "b"])
    assert list(doc["settings"]) == [*params_file.SETTINGS, "seed"]
    assert doc["settings"]["seed"] == doc["seed"] == result.seed
    assert doc["settings"]["fixed"] == ["weights"] and doc["settings"]["init"] == "kmeans++"


def test_a_fit_document_needs_one_name_per_column():
    result = engine.fit(np.arange(20.0).reshape(10, 2), engine.FitOptions(n_components=1))
    with pytest.raises(ValueError, match="3 column names were given for 2 columns"):
        result_to_dict(result, ["a", "b", "c"])


def test_a_huge_column_count_is_refused_by_the_arrays_before_names_are_made():
    doc = {"format": "em-studio-params", "version": 1, "model": "poisson", "n_components": 1,
           "n_features": 10**12, "weights": [1.0], "rates": [[1.0]]}
    # Default names for 10**12 columns would take all the memory there is.
    with pytest.raises(SchemaError, match=r"'rates' has shape \[1, 1\] but \[1, 1000000000000\] "
                       r"is needed .*; make the counts and the arrays agree"):
        params_from_dict(doc)


def test_numbers_too_large_for_a_float_from_any_reader_are_a_schema_error():
    doc = {"format": "em-studio-params", "version": 1, "model": "poisson", "n_components": 1,
           "n_features": 1, "weights": [10**400], "rates": [[1.0]]}
    with pytest.raises(SchemaError, match="'weights' must be a \\(nested\\) list of numbers"):
        params_from_dict(doc)


def test_kmeans_covariances_are_one_value_per_component_whatever_the_file_says():
    doc = json.loads(params_file.dumps(params_document(
        STARTS["kmeans"], engine.FitOptions(model="kmeans", n_components=2), ["a", "b"])))
    doc["covariance"] = "full"
    assert params_from_dict(doc).params.covariances.shape == (2,)


def test_array_shapes_follow_scikit_learn():
    shapes = params_file.array_shapes
    assert shapes("gaussian", {"covariance_type": "tied"}, 3, 2) == {
        "weights": (3,), "means": (3, 2), "covariances": (2, 2)}
    assert shapes("gaussian", {"covariance_type": "spherical"}, 3, 2)["covariances"] == (3,)
    assert shapes("kmeans", {"covariance_type": "full"}, 3, 2)["covariances"] == (3,)
    assert shapes("binomial", {}, 3, 2) == {"weights": (3,), "probs": (3, 2)}
    assert shapes("poisson", {}, 3, 2) == {"weights": (3,), "rates": (3, 2)}


def test_truth_values_in_an_array_are_refused_not_read_as_one_and_zero():
    doc = {"format": "em-studio-params", "version": 1, "model": "poisson", "n_components": 1,
           "n_features": 2, "weights": [1.0], "rates": [[True, 2.0]]}
    with pytest.raises(SchemaError) as info:
        params_from_dict(doc)
    assert str(info.value) == "'rates' holds true or false where numbers belong; write numbers"


def test_a_file_without_a_model_says_to_add_one():
    doc = {"format": "em-studio-params", "version": 1, "n_components": 1, "n_features": 1,
           "weights": [1.0], "rates": [[1.0]]}
    with pytest.raises(SchemaError) as info:
        params_from_dict(doc)
    assert str(info.value) == ("the parameters file has no 'model'; add one of gaussian, kmeans, "
                               "bernoulli, binomial, poisson")
