"""The validated-config cache: reused while the file, its environment and the schema hold;
never for a config with errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from govwatch import config as config_module
from govwatch import config_cache
from govwatch.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent

COUNTY = """\
county: 缓存县
settings:
  data_dir: ${CACHE_TEST_DIR:-data/cache-test}
units:
  - code: A01
    name: 城关镇
    category: A
    columns:
      - name: 通知公告
        url: http://www.example.gov.cn/a01/tzgg/
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every config is 'big' here, and the cache lives in the test's folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(config_cache.CACHE_ENV, str(folder))
    monkeypatch.setattr(config_cache, "MIN_BYTES", 0)
    monkeypatch.delenv("CACHE_TEST_DIR", raising=False)
    return folder


def _count_validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = config_module.load_yaml_model

    def counting(file: Path, *args: object, **kwargs: object) -> object:
        calls.append(file)
        return real(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(config_module, "load_yaml_model", counting)
    return calls


def test_a_cached_config_keeps_its_digest(cache: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest the database sync compares is pickled with the config, not recomputed."""
    file = tmp_path / "county.yaml"
    file.write_text(COUNTY, encoding="utf-8")
    digest = load_config(file).digest()
    dumps: list[int] = []
    real = config_module.CountyConfig.model_dump_json

    def counting(self: config_module.CountyConfig, **kwargs: object) -> str:
        dumps.append(1)
        return real(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(config_module.CountyConfig, "model_dump_json", counting)
    again = load_config(file)
    assert again.digest() == digest and dumps == []
    renamed = again.model_copy(update={"county": "另一县"})
    assert renamed.digest() != digest and dumps == [1]


def test_a_known_config_comes_from_the_cache(cache: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "county.yaml"
    file.write_text(COUNTY, encoding="utf-8")
    calls = _count_validations(monkeypatch)
    first = load_config(file)
    second = load_config(file)
    assert second == first and second.units[0].columns[0].name == "通知公告"
    assert len(calls) == 1 and len(list(cache.glob("config-*.pickle"))) == 1


def test_a_changed_file_or_environment_is_validated_again(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "county.yaml"
    file.write_text(COUNTY, encoding="utf-8")
    calls = _count_validations(monkeypatch)
    # (a relative data_dir is the config file's folder's)
    assert load_config(file).settings.data_dir == tmp_path / "data" / "cache-test"
    monkeypatch.setenv("CACHE_TEST_DIR", "data/elsewhere")
    assert load_config(file).settings.data_dir == tmp_path / "data" / "elsewhere"
    file.write_text(COUNTY.replace("城关镇", "河西镇"), encoding="utf-8")
    assert load_config(file).units[0].name == "河西镇"
    assert len(calls) == 3


def test_a_config_with_errors_is_never_cached(cache: Path, tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(COUNTY.replace("http://www", "htp://www"), encoding="utf-8")
    for _ in range(2):  # the second load reports the error again, in Chinese
        with pytest.raises(ConfigError) as err:
            load_config(file)
        assert "网址" in err.value.report()
    assert not list(cache.glob("config-*.pickle"))


def test_a_damaged_entry_is_ignored(cache: Path, tmp_path: Path) -> None:
    file = tmp_path / "county.yaml"
    file.write_text(COUNTY, encoding="utf-8")
    load_config(file)
    (entry,) = cache.glob("config-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_config(file).county == "缓存县"


def test_small_files_and_cache_off_skip_the_cache(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config_cache.CACHE_ENV, str(tmp_path / "cache"))
    load_config(ROOT / "config" / "demo.yaml")  # far below MIN_BYTES
    assert not (tmp_path / "cache").exists()
    monkeypatch.setenv(config_cache.CACHE_ENV, "off")
    monkeypatch.setattr(config_cache, "MIN_BYTES", 0)
    assert config_cache.cache_dir() is None
    assert load_config(ROOT / "config" / "demo.yaml").county
