"""The README's promises: CI runs its test command, and its quick start runs as printed."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

pytestmark = pytest.mark.skipif(not README.exists(), reason="not run from a source checkout")


def readme_commands() -> list[str]:
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(), re.S).group(1)
    return [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    commands = readme_commands()
    assert len(commands) == 2
    assert "steepest bench" in commands[0]
    assert "pytest" in commands[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert commands[1] in ci_lines


def test_readme_python_examples_run_in_order():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) >= 2
    namespace: dict = {}
    for block in blocks:  # later examples build on the quick start's X and y
        exec(compile(block, str(README), "exec"), namespace)


def test_readme_cpp_program_compiles_and_runs(tmp_path):
    import shutil
    import subprocess

    compiler = shutil.which("c++") or shutil.which("g++")
    if compiler is None:
        pytest.skip("no C++ compiler on PATH")
    program = re.search(r"```cpp\n(.*?)```", README.read_text(), re.S).group(1)
    source = tmp_path / "program.cpp"
    source.write_text(program)
    binary = tmp_path / "program"
    subprocess.run([compiler, "-std=c++17", "-O1", "-I", str(ROOT / "cpp" / "include"), str(source), "-o", str(binary)],
                   check=True, capture_output=True, text=True)
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    stop_reason, *numbers = output.replace(":", "").split()
    assert stop_reason in ("tol", "callback", "max_epochs") and len(numbers) == 3
