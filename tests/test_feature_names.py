"""Feature and cassette names: one per document, bounded, never written through a link."""

from __future__ import annotations

from pathlib import Path

from conftest import RULE_FIXTURES
from doctract.project import MAX_NAME, cassette_name, flat_name
from doctract.replay.generate import generate

DOC = (RULE_FIXTURES / "json-syntax" / "pass.md").read_text(encoding="utf-8")


def test_ordinary_paths_keep_their_readable_names() -> None:
    assert flat_name("examples/docs/flow-service/look-up-specs") == (
        "examples__docs__flow-service__look-up-specs"
    )
    assert cassette_name("examples/docs/defects/contract-defects.md") == (
        "examples__docs__defects__contract-defects"
    )


def test_a_folder_and_a_file_that_would_meet_get_different_features(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "a" / "b.md").write_text(DOC, encoding="utf-8")
    (docs / "a__b.md").write_text(DOC.replace("# JSON", "# Other JSON"), encoding="utf-8")
    out = tmp_path / "features"
    result = generate([str(docs)], out, root=tmp_path)
    assert result.problems == [] and len(set(result.written)) == 2
    assert len(list(out.glob("*.feature"))) == 2
    assert cassette_name("docs/a/b.md") != cassette_name("docs/a__b.md")


def test_a_very_deep_path_gives_a_bounded_name(tmp_path: Path) -> None:
    deep = tmp_path / "docs" / "/".join(["section-" + "x" * 30] * 12)
    deep.mkdir(parents=True)
    (deep / "tutorial.md").write_text(DOC, encoding="utf-8")
    out = tmp_path / "features"
    result = generate([str(tmp_path / "docs")], out, root=tmp_path)
    assert result.problems == [] and len(result.written) == 1
    assert len(result.written[0].name.encode()) <= MAX_NAME + len(".feature")
    assert len(cassette_name(str(deep / "tutorial.md"), tmp_path).encode()) <= MAX_NAME


def test_a_linked_feature_file_is_replaced_not_written_through(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "t.md").write_text(DOC, encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    out = tmp_path / "features"
    out.mkdir()
    (out / "t.feature").symlink_to(outside)
    generate([str(docs)], out, root=tmp_path)
    assert outside.read_text(encoding="utf-8") == "keep me\n"
    assert not (out / "t.feature").is_symlink() and "Feature:" in (out / "t.feature").read_text()
