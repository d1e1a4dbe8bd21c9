"""The journal's retention settings, the cue quota and the clip release age: flags, environment,
bad values."""

from __future__ import annotations

import argparse

import pytest

from control.service.settings import SettingsError, add_settings_arguments, load_settings
from control.service.stores import open_store
from control.store.embedded import EmbeddedStore


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser)
    return parser.parse_args(list(argv))


def test_retention_and_cues_from_flags_and_environment(tmp_path) -> None:
    settings = load_settings(_args("--journal-max", "5000", "--journal-max-age", "90m",
                                   "--data-dir", str(tmp_path)),
                             environ={"COMPOSITOR_MAX_CUES": "12",
                                      "COMPOSITOR_JOURNAL_MAX_AGE": "7d"})
    assert (settings.journal_max, settings.journal_max_age_s, settings.max_cues) == (
        5000, 5400.0, 12)
    store = open_store(settings)
    assert isinstance(store, EmbeddedStore)
    assert (store.journal_max, store.journal_max_age_s) == (5000, 5400.0)
    defaults = load_settings(_args(), environ={})
    assert (defaults.journal_max, defaults.journal_max_age_s, defaults.max_cues) == (
        1000, None, 1000)
    assert load_settings(_args("--journal-max-age", "3600"), environ={}).journal_max_age_s == 3600
    assert defaults.clip_release_s == 600.0
    assert load_settings(_args("--clip-release-after", "2h"), environ={}).clip_release_s == 7200
    assert load_settings(_args(), environ={"COMPOSITOR_CLIP_RELEASE_AFTER": "45"}
                         ).clip_release_s == 45


@pytest.mark.parametrize(("argv", "message"), [
    (("--journal-max-age", "soon"), "--journal-max-age: 'soon' is not an age"),
    (("--journal-max-age=-5m",), "--journal-max-age"),
    (("--journal-max-age=0",), "--journal-max-age"),
    (("--clip-release-after", "never"), "--clip-release-after: 'never' is not an age"),
    (("--journal-max", "0"), "--journal-max: must be between 1"),
    (("--max-cues", "many"), "--max-cues: 'many' is not an integer"),
])
def test_bad_values_name_their_flag(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(_args(*argv), environ={})
