"""What a result was computed on: the CPU, its instruction sets, threads and the oneDNN setting.

oneDNN picks its kernels by instruction set, so the same seed can give different weights on
another CPU; every trained model records this beside its weights.
"""

import os
import platform
from pathlib import Path

import tensorflow as tf

ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
# The flags that decide which oneDNN kernels run (x86 names as /proc/cpuinfo spells them).
KERNEL_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, list[str]]:
    """The CPU's model name and which of `KERNEL_FLAGS` it has (Linux; elsewhere the platform)."""
    if not cpuinfo.is_file():
        return platform.processor() or platform.machine(), []
    fields: dict[str, str] = {}
    for line in cpuinfo.read_text().splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())  # the first processor's entry
    flags = set(fields.get("flags", "").split())
    name = fields.get("model name") or platform.processor() or platform.machine()
    return name, [flag for flag in KERNEL_FLAGS if flag in flags]


def boot_id(path: Path = Path("/proc/sys/kernel/random/boot_id")) -> str | None:
    """The first 8 characters of this boot's id (Linux; None elsewhere): two ids in one run's
    record mean it was stopped and resumed on a machine started anew."""
    return path.read_text().strip()[:8] if path.is_file() else None


def training_device() -> str:
    """What TensorFlow trains on here: "cpu", or the visible GPUs' names joined by "+"."""
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "cpu"
    names = [
        tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in gpus
    ]
    return "+".join(names)


def onednn_setting() -> str:
    """The oneDNN setting TensorFlow was started with: "on" (the x86 default) or "off"."""
    value = os.environ.get(ONEDNN_VARIABLE, "").strip()
    return "off" if value in {"0", "false", "False"} else "on"


def machine_info() -> dict:
    """The CPU, its kernel-relevant flags, the thread counts and the oneDNN setting."""
    name, flags = cpu_model()
    return {
        "cpu": name,
        "cpu_flags": flags,
        "cpu_count": os.cpu_count(),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "onednn": onednn_setting(),
        "device": training_device(),
        "platform": platform.platform(),
    }


def training_threads(machine: dict) -> int:
    """How many threads a run recorded by `machine_info` computed with (0 means TensorFlow's
    default, one per core)."""
    return int(machine.get("intra_op_threads") or machine.get("cpu_count") or 1)
