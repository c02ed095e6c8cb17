"""The phone app's and the sender page's choice of language (ui/pwa/js/i18n.js), run in Node."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

I18N_JS = Path(__file__).resolve().parents[2] / "ui" / "pwa" / "js" / "i18n.js"
NODE = shutil.which("node")


def choose(preference: str | None, languages: list[str]) -> str:
    script = (
        "const source = require('fs').readFileSync(process.argv[1], 'utf8');"
        "import('data:text/javascript,' + encodeURIComponent(source)).then((module) => {"
        "  const [preference, languages] = JSON.parse(process.argv[2]);"
        "  process.stdout.write(module.chooseLanguage(preference, languages));"
        "});"
    )
    arguments = json.dumps([preference, languages])
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", script, str(I18N_JS), arguments],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(NODE is None, reason="needs Node.js")
def test_the_app_matches_the_whole_primary_subtag_in_the_browsers_order():
    assert choose(None, ["dav", "en"]) == "en"
    assert choose(None, ["da-DK", "en"]) == "da"
    assert choose(None, ["de", "DA"]) == "da"
    assert choose(None, ["de", "fr"]) == "en"
    assert choose("da", ["en"]) == "da"
