"""Take the README's screenshot: the result page for a CIFAKE test image, in headless Chromium.

Serves the app on loopback with the study's models, uploads one FAKE test image and saves
`outputs/figures/web_result_page.png`. Run with `make screenshot` after `make browser`.
"""

import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait
from waitress import create_server

from cifake_utils.paths import project_root, resolve_cifake_dir
from cifake_utils.project.profiles import get_profile
from cifake_utils.web import create_app

sys.path.insert(0, str(project_root()))
from tests.test_e2e import new_browser  # noqa: E402  the same browser set-up as the tests


def main() -> None:
    app = create_app(instance_path=project_root() / "scratch" / "screenshot-instance")
    server = create_server(app, host="127.0.0.1", port=0)
    threading.Thread(target=server.run, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "fake.jpg"
        with zipfile.ZipFile(resolve_cifake_dir() / "cifake_test_FAKE.zip") as archive:
            image.write_bytes(archive.read(sorted(archive.namelist())[0]))
        browser = new_browser(Path(folder) / "profile")
        try:
            browser.get(f"http://127.0.0.1:{server.effective_port}/")
            browser.find_element(By.ID, "image-input").send_keys(str(image))
            browser.find_element(By.ID, "submit").click()
            WebDriverWait(browser, 30).until(ready.presence_of_element_located((By.ID, "verdict")))
            target = get_profile("full").figures_dir / "web_result_page.png"
            browser.save_screenshot(str(target))
            print(f"saved {target}")
        finally:
            browser.quit()
            server.close()


if __name__ == "__main__":
    main()
