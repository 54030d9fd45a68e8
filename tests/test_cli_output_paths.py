"""Every command that writes a file refuses an unwritable path in one line, never a traceback."""

import pytest

COMMANDS = [
    ["export", "responses"],
    ["export", "responses", "--format", "xlsx"],
    ["export", "codebook"],
    ["export", "codebook", "--format", "xlsx"],
    ["export", "estimates", "--period", "2026"],
    ["export", "estimates", "--period", "2026", "--format", "xlsx"],
    ["export", "trend", "--from", "papi-pulse-core:1@2026", "--to", "papi-pulse-core:1@2026"],
    ["questionnaire", "export", "--xlsform"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_missing_folder_is_one_line_and_a_non_zero_exit(runner, tmp_path, command):
    target = tmp_path / "no such folder" / "out.file"
    result = runner.invoke(args=[*command, "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError)
    assert result.output.strip().splitlines() == [
        f"Error: Cannot write {target}: No such file or directory."
    ]
