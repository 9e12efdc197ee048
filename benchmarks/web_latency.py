"""Benchmark the web app on loopback: single-image latency, then a bounded concurrent load.

Serves the app with waitress on 127.0.0.1 (a free port), warms it up, then
1. sends `--sequential` requests one at a time and prints p50 / p95 latency;
2. sends `--requests` requests, `--concurrency` at a time, and prints p50 / p95 / p99,
   throughput and errors. Every request goes to the local server only and the loops are
   bounded in count. Run with `make benchmark-web`.
"""

import argparse
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from waitress import create_server

from cifake_utils.paths import project_root, resolve_cifake_dir
from cifake_utils.web import create_app


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with one file field, and its content type."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def post_image(url: str, data: bytes) -> tuple[float, bool]:
    """Seconds one POST /api/predict took, and whether it succeeded."""
    body, content_type = multipart("image", "image.jpg", data)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            ok = response.status == 200 and b'"label"' in response.read()
    except urllib.error.URLError:
        ok = False
    return time.perf_counter() - start, ok


def test_images(count: int) -> list[bytes]:
    """JPEG bytes of the first CIFAKE test images of each class."""
    cifake = resolve_cifake_dir()
    images = []
    for label in ("REAL", "FAKE"):
        with zipfile.ZipFile(cifake / f"cifake_test_{label}.zip") as archive:
            names = sorted(n for n in archive.namelist() if n.endswith(".jpg"))[: count // 2]
            images += [archive.read(name) for name in names]
    return images


def percentiles(seconds: list[float]) -> str:
    ms = np.array(seconds) * 1000
    return (
        f"p50 {np.percentile(ms, 50):6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  "
        f"p99 {np.percentile(ms, 99):6.1f} ms  mean {statistics.mean(ms):6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--models", type=Path, default=project_root() / "outputs" / "models")
    args = parser.parse_args()

    instance = project_root() / "scratch" / "benchmark-instance"
    app = create_app(
        {
            "MODELS_DIR": str(args.models),
            "SECRET_KEY": "benchmark",
            "METRICS_DIR": str(project_root() / "outputs" / "metrics"),
        },
        instance_path=instance,
    )
    server = create_server(app, host="127.0.0.1", port=0, threads=args.concurrency)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/api/predict"
    images = test_images(40)
    print(f"model {app.extensions['cifake_models'].serving}, server {url}")

    for data in images[:10]:  # warm-up: first calls trace TensorFlow functions
        post_image(url, data)
    sequential = [post_image(url, images[i % len(images)]) for i in range(args.sequential)]
    print(
        f"single image, one at a time ({args.sequential} requests): "
        f"{percentiles([s for s, _ in sequential])}"
    )

    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(
            pool.map(lambda i: post_image(url, images[i % len(images)]), range(args.requests))
        )
    wall = time.perf_counter() - start
    errors = sum(not ok for _, ok in results)
    print(
        f"load, {args.requests} requests, {args.concurrency} at a time: "
        f"{percentiles([s for s, _ in results])}"
    )
    print(f"      throughput {args.requests / wall:.1f} requests/s, errors {errors}")
    server.close()


if __name__ == "__main__":
    main()
