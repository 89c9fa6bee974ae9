"""OMRChecker's syrupy snapshot of expected results, read into typed records.

The snapshot and test excerpts below follow OMRChecker's src/tests/__snapshots__/test_all_samples.ambr
and src/tests/test_all_samples.py (https://github.com/Udayraj123/OMRChecker, MIT licence, © Udayraj
Deshmukh and contributors), shortened.
"""

from __future__ import annotations

import pytest

from tools.peers.omrchecker_expected import expected_results, parse_snapshot, sample_paths, template_folder

TESTS = '''
def test_run_sample1(mocker, snapshot):
    sample_outputs = run_sample(mocker, "sample1")
    assert snapshot == sample_outputs


def test_run_community_UPSC_mock(mocker, snapshot):
    sample_outputs = run_sample(mocker, "community/UPSC-mock")
    assert snapshot == sample_outputs
'''

SNAPSHOT = '''# serializer version: 1
# name: test_run_community_UPSC_mock
  dict({
    'Manual/ErrorFiles.csv': \'\'\'
      "file_id","input_path","output_path","score","Roll","q1"

    \'\'\',
    'Results/Results_05AM.csv': \'\'\'
      "file_id","input_path","output_path","score","Roll","q1"
      "answer_key.jpg","samples/community/UPSC-mock/answer_key.jpg","outputs/x.jpg","200.0","","C"

    \'\'\',
    'scan-angles/Manual/MultiMarkedFiles.csv': \'\'\'
      "file_id","input_path","output_path","score","Roll","q1"
      "angle-2.jpg","samples/community/UPSC-mock/scan-angles/angle-2.jpg","outputs/y.jpg","0","","AB"

    \'\'\',
    'scan-angles/Results/Results_05AM.csv': \'\'\'
      "file_id","input_path","output_path","score","Roll","q1"
      "angle-1.jpg","samples/community/UPSC-mock/scan-angles/angle-1.jpg","outputs/z.jpg","70.6","0123","D"

    \'\'\',
  })
# ---
# name: test_run_sample1
  dict({
    'MobileCamera/Results/Results_05AM.csv': \'\'\'
      "file_id","input_path","output_path","score","Roll","q1"
      "sheet1.jpg","samples/sample1/MobileCamera/sheet1.jpg","outputs/s.jpg","0","E503110026","B"

    \'\'\',
    'note.txt': 'one line',
  })
# ---
'''


def test_snapshot_keys_and_multiline_values_are_read() -> None:
    tests = parse_snapshot(SNAPSHOT)
    assert list(tests) == ["test_run_community_UPSC_mock", "test_run_sample1"]
    assert tests["test_run_sample1"]["note.txt"] == "one line"
    assert tests["test_run_sample1"]["MobileCamera/Results/Results_05AM.csv"].splitlines()[1].startswith('"sheet1.jpg"')


def test_each_results_csv_is_one_folder_of_expected_answers() -> None:
    assert sample_paths(TESTS) == {"test_run_sample1": "samples/sample1",
                                   "test_run_community_UPSC_mock": "samples/community/UPSC-mock"}
    folders = {f.folder: f for f in expected_results(SNAPSHOT, TESTS)}
    assert list(folders) == ["samples/community/UPSC-mock", "samples/community/UPSC-mock/scan-angles",
                             "samples/sample1/MobileCamera"]
    upsc = folders["samples/community/UPSC-mock"]
    assert upsc.columns == ("Roll", "q1") and upsc.results == {"answer_key.jpg": {"Roll": "", "q1": "C"}}
    assert upsc.error_files == () and upsc.multi_marked_files == ()
    angles = folders["samples/community/UPSC-mock/scan-angles"]
    assert angles.results["angle-1.jpg"]["Roll"] == "0123" and angles.multi_marked_files == ("angle-2.jpg",)
    assert angles.input_paths["angle-1.jpg"] == "samples/community/UPSC-mock/scan-angles/angle-1.jpg"
    sample1 = folders["samples/sample1/MobileCamera"]
    assert sample1.test_name == "test_run_sample1" and sample1.question_count == 2


def test_a_snapshot_test_missing_from_the_tests_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="test_run_community_UPSC_mock is not run by"):
        expected_results(SNAPSHOT, TESTS.split("def test_run_community")[0])


def test_images_use_the_nearest_template_folder() -> None:
    dirs = {"samples/sample3/colored-thick-sheet", "samples/sample1"}
    assert template_folder("samples/sample1/MobileCamera", dirs) == "samples/sample1"
    assert template_folder("samples/sample3/colored-thick-sheet", dirs) == "samples/sample3/colored-thick-sheet"
    assert template_folder("samples/sample9", dirs) is None
