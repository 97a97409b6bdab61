"""What the app loads at start-up: commands that write no workbook start
without openpyxl (half a second to import)."""

import os
import subprocess
import sys


def test_app_and_commands_start_without_openpyxl(tmp_path):
    code = ("import sys; from zcweb import create_app; import zcweb.cli; create_app(); "
            "print('openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "ZCWEB_INSTANCE_PATH": str(tmp_path)})
    assert result.stdout.strip() == "False"
