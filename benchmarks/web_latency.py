"""Benchmark the web app on loopback: latency, a bounded concurrent load, and large uploads.

Serves the app with waitress on 127.0.0.1 (a free port), warms it up, then
1. sends `--sequential` requests one at a time and prints p50 / p95 latency;
2. sends `--requests` requests, `--concurrency` at a time, and prints p50 / p95 / p99,
   throughput and errors;
3. sends large uploads (a 48-megapixel phone JPEG, the largest PNG accepted, a refused
   16-bit PNG bomb) one at a time and prints what each costs the server: CPU seconds and
   peak memory above the resting level;
4. sends normal uploads while four large ones are in flight, and prints their latency and
   the server's peak memory.
Every request goes to the local server only and the loops are bounded in count. The
per-client rate limit is lifted for the run: it measures the server, not the limiter.
Run with `make benchmark-web`.
"""

import argparse
import io
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
from PIL import Image
from waitress import create_server

from cifake_utils.paths import project_root, resolve_cifake_dir
from cifake_utils.project.benchmarks import save_benchmark
from cifake_utils.project.profiles import get_profile
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
    """Seconds one POST /api/predict took, and whether it was answered as expected (a verdict,
    or a 400 that explains why the image was refused)."""
    body, content_type = multipart("image", "image.jpg", data)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            ok = response.status == 200 and b'"label"' in response.read()
    except urllib.error.HTTPError as error:
        ok = error.code == 400 and b'"error"' in error.read()
    except urllib.error.URLError:
        ok = False
    return time.perf_counter() - start, ok


def reset_peak_memory() -> None:
    """Start a new peak-RSS measurement for this process (Linux: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def large_uploads(seed_image: bytes) -> dict[str, bytes]:
    """The large uploads: a 48 MP phone photo, the largest RGB PNG accepted, a 16-bit bomb."""

    small = Image.open(io.BytesIO(seed_image)).convert("RGB")

    def encoded(image: Image.Image, fmt: str, **options) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()

    phone = small.resize((8495, 5663), Image.Resampling.BICUBIC)
    png = small.resize((4000, 4000), Image.Resampling.NEAREST)
    deep = Image.fromarray(np.zeros((6300, 6300), np.uint16))
    return {
        "48 MP phone JPEG (8495x5663)": encoded(phone, "JPEG", quality=90),
        "16 MP RGB PNG (4000x4000, accepted)": encoded(png, "PNG"),
        "16-bit PNG (6300x6300, refused)": encoded(deep, "PNG"),
    }


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


def percentile_row(results: list[tuple[float, bool]]) -> dict:
    """p50, p95 and p99 latency in ms, and the error count, of (seconds, ok) results."""
    seconds = np.array([s for s, _ in results]) * 1000
    p50, p95, p99 = np.percentile(seconds, [50, 95, 99])
    errors = sum(not ok for _, ok in results)
    return {
        "p50 (ms)": f"{p50:.1f}",
        "p95 (ms)": f"{p95:.1f}",
        "p99 (ms)": f"{p99:.1f}",
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--models", type=Path, default=get_profile("full").models_dir)
    args = parser.parse_args()

    instance = project_root() / "scratch" / "benchmark-instance"
    app = create_app(
        {
            "MODELS_DIR": str(args.models),
            "SECRET_KEY": "benchmark",
            "METRICS_DIR": str(get_profile("full").metrics_dir),
            "PREDICT_RATE_LIMIT": "1000000 per minute",
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
    rows = [{"requests": f"one image at a time ({args.sequential})", **percentile_row(sequential)}]
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
    rows.append(
        {
            "requests": f"{args.requests}, {args.concurrency} at a time "
            f"({args.requests / wall:.1f} requests/s)",
            **percentile_row(results),
        }
    )

    big = large_uploads(images[0])
    resting = memory_mib("VmRSS")
    print(f"large uploads, one at a time (server at rest: {resting:.0f} MiB)")
    uploads = []
    for name, data in big.items():
        post_image(url, data)  # warm-up
        reset_peak_memory()
        cpu = time.process_time()
        seconds, ok = post_image(url, data)
        cpu = time.process_time() - cpu
        extra = memory_mib("VmHWM") - resting
        print(
            f"  {name}, {len(data) / 2**20:.1f} MiB sent: {seconds:.2f} s, "
            f"{cpu:.2f} CPU s, peak +{extra:.0f} MiB, {'ok' if ok else 'ERROR'}"
        )
        uploads.append(f"{name}: {seconds:.2f} s, {cpu:.2f} CPU s, peak +{extra:.0f} MiB")

    phone = next(iter(big.values()))
    reset_peak_memory()
    with ThreadPoolExecutor(4) as pool:
        in_flight = [pool.submit(post_image, url, phone) for _ in range(8)]
        time.sleep(0.2)
        normal = [post_image(url, images[i % len(images)]) for i in range(20)]
        large_ok = all(future.result()[1] for future in in_flight)
    print(
        f"normal uploads while 4 phone photos are in flight (20 requests): "
        f"{percentiles([s for s, _ in normal])}"
    )
    print(
        f"      errors {sum(not ok for _, ok in normal)}, large uploads "
        f"{'ok' if large_ok else 'ERROR'}, server peak {memory_mib('VmHWM'):.0f} MiB "
        f"(+{memory_mib('VmHWM') - resting:.0f} MiB over rest)"
    )
    rows.append({"requests": "20 normal ones, 4 phone photos in flight", **percentile_row(normal)})
    notes = (
        f"Model {app.extensions['cifake_models'].serving}; each answer includes the scope, the "
        "calibrated probability and the Grad-CAM overlay. Large uploads one at a time: "
        + "; ".join(uploads)
        + "."
    )
    save_benchmark("web_latency", "make benchmark-web", rows, notes)
    server.close()


if __name__ == "__main__":
    main()
