"""Engine construction, configuration and the error hierarchy."""

import json

import pytest

import convolens
from conftest import EXAMPLE_CONFIG


def test_default_engine_is_empty():
    engine = convolens.Engine()
    assert engine.report()["input"]["lines"] == 0
    assert engine.config["time_zone"] == "UTC"
    assert repr(engine) == '<convolens.Engine time_zone="UTC" lines=0>'


@pytest.mark.parametrize("config", [None, {}, "{}", '{"time_zone": "UTC"}'])
def test_config_forms(config):
    assert convolens.Engine(config).config == convolens.Engine().config


def test_config_dict_round_trips():
    cfg = {"time_zone": "Europe/Berlin", "currency": "EUR", "inactivity_timeout_hours": 12}
    engine = convolens.Engine(cfg)
    got = engine.config
    assert {k: got[k] for k in cfg} == cfg
    # The full config dict is itself a valid config.
    assert convolens.Engine(got).config == got


def test_unknown_key_is_a_config_error_naming_it():
    with pytest.raises(convolens.ConfigError) as info:
        convolens.Engine({"time_zone": "UTC", "colour": "red"})
    assert info.value.key == "colour"
    assert "colour" in str(info.value)
    assert isinstance(info.value, convolens.ConvolensError)


def test_bad_value_names_the_key():
    with pytest.raises(convolens.ConfigError) as info:
        convolens.Engine({"time_zone": "Mars/Olympus_Mons"})
    assert info.value.key == "time_zone"
    assert "Mars/Olympus_Mons" in str(info.value)


def test_nested_key_path():
    with pytest.raises(convolens.ConfigError) as info:
        convolens.Engine({"attribution": {"model": 7}})
    assert info.value.key == "attribution.model"


def test_unserialisable_config_is_a_config_error():
    with pytest.raises(convolens.ConfigError) as info:
        convolens.Engine({"time_zone": object()})
    assert info.value.key == ""


def test_invalid_json_text():
    with pytest.raises(convolens.ConfigError):
        convolens.Engine("{not json")


def test_from_config_file():
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    # The config's rate card path is relative to the file; given as a dict, it is read
    # relative to the current directory, so spell it out in full.
    cfg = json.loads(EXAMPLE_CONFIG.read_text())
    cfg["rate_card"] = str(EXAMPLE_CONFIG.parent / cfg["rate_card"])
    assert engine.config == convolens.Engine(cfg).config
    assert isinstance(engine.config["rate_card"], list) and engine.config["rate_card"]
    assert convolens.Engine.from_config_file(str(EXAMPLE_CONFIG)).config == engine.config


def test_from_config_file_missing():
    with pytest.raises(FileNotFoundError):
        convolens.Engine.from_config_file("/nonexistent/config.json")


def test_rate_card_path_is_read_relative_to_the_config_file(tmp_path):
    (tmp_path / "rates.csv").write_text(
        "market,category,price,currency,effective_from\nGermany,marketing,0.1365,EUR,2025-07-01\n"
    )
    (tmp_path / "config.json").write_text(json.dumps({"rate_card": "rates.csv"}))
    engine = convolens.Engine.from_config_file(tmp_path / "config.json")
    rates = engine.config["rate_card"]
    assert isinstance(rates, list) and len(rates) == 1
    assert rates[0]["price"] == 0.1365


def test_missing_rate_card_file_is_a_config_error(tmp_path):
    with pytest.raises(convolens.ConfigError) as info:
        convolens.Engine({"rate_card": str(tmp_path / "nope.csv")})
    assert info.value.key == "rate_card"


def test_exception_hierarchy():
    for exc in (convolens.ParseError, convolens.ConfigError, convolens.ReportError,
                convolens.SnapshotError):
        assert issubclass(exc, convolens.ConvolensError)
        assert exc.__module__ == "convolens"
    assert issubclass(convolens.ConvolensError, Exception)
