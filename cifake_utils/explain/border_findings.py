"""Notebook 05's border-share findings, from its saved metrics: the CIFAKE authors'
"background" reading, per trained model and image (older metrics) or over seeds against a
uniform map and a randomised network (`across_seeds`)."""

from ..models.architectures import DISPLAY_NAMES
from .comparisons import holm
from .wording import p_text as _p


def border_family(summary: dict) -> dict[tuple[str, str], float]:
    """Holm-adjusted p-values of every Grad-CAM border test against a uniform map (each model
    and true class), adjusted as one family: {(model, true class): p}."""
    keys, p_values = [], []
    for model, numbers in summary["models"].items():
        for row in numbers["border"]:
            if row["method"] == "Grad-CAM":
                keys.append((model, row["true class"]))
                p_values.append(row.get("p vs uniform", float("nan")))
    return dict(zip(keys, holm(p_values).tolist(), strict=True)) if keys else {}


def border_sentence(
    model: str, border: list[dict], uniform: float, adjusted: dict[tuple[str, str], float]
) -> str:
    """Grad-CAM's border-cell share per true class, against a uniform map, by the Wilcoxon
    signed-rank test of the per-image shares, Holm-adjusted over the family in `adjusted` (no
    direction without a significant test)."""
    rows = {r["true class"]: r for r in border if r["method"] == "Grad-CAM"}
    family = len(adjusted)
    parts = []
    for label, row in rows.items():
        share, p_value = row["mean border share"], row.get("p vs uniform", float("nan"))
        p_holm = adjusted.get((model, label), p_value)
        tested = f"Wilcoxon p = {_p(p_value)}, Holm over {family}: {_p(p_holm)}"
        if p_holm < 0.05:
            side = "more" if share > uniform else "less"
            relation = f"{side} than a uniform map's {uniform:.1%}, {tested}"
        else:
            relation = f"not significantly different from a uniform map's {uniform:.1%}, {tested}"
        parts.append(f"{share:.1%} for {label} images ({relation})")
    return f"Grad-CAM of {model} puts " + " and ".join(parts) + " of its mass in the border cells."


def background_sentence(summary: dict) -> str:
    """The CIFAKE authors' reading (the model attends to the background rather than the object)
    as a test: it predicts more than a uniform map's share of Grad-CAM in the border cells.
    Each model and class is a test of one family (Holm); where it holds, where the opposite
    holds, and where neither is shown are named apart."""
    uniform = summary["border_area_share"]
    adjusted = border_family(summary)
    groups: dict[str, list[str]] = {"holds": [], "opposite": [], "untested": []}
    for model, numbers in summary["models"].items():
        for row in numbers["border"]:
            if row["method"] != "Grad-CAM":
                continue
            p_holm = adjusted[(model, row["true class"])]
            key = "untested" if not p_holm < 0.05 else "holds"
            if key == "holds" and row["mean border share"] < uniform:
                key = "opposite"
            groups[key].append(f"{model} on {row['true class']}")
    parts = []
    if groups["holds"]:
        parts.append(f"the maps agree with it for {', '.join(groups['holds'])}")
    if groups["opposite"]:
        parts.append(
            f"they show the opposite (significantly less than uniform) for "
            f"{', '.join(groups['opposite'])}"
        )
    if groups["untested"]:
        parts.append(f"neither is shown for {', '.join(groups['untested'])}")
    if not groups["holds"]:
        parts.append("so the maps do not support the reading")
    return (
        "Taking the border cells as background, the CIFAKE authors' reading (the model attends "
        "to the background rather than the object) predicts more than a uniform map's "
        f"{uniform:.1%} of Grad-CAM there. Over the {len(adjusted)} tests as one family (Holm), "
        "for the one trained model analysed per architecture: "
        + "; ".join(parts)
        + ". This is about Grad-CAM's maps, which speak for the model only as far as the "
        "sanity checks above allow."
    )


SHORT = {"more": "more", "less": "less", "not significant": "n.s.", "untested": "untested"}


def border_seed_sentence(border: dict) -> str:
    """The background reading tested over seeds (`across_seeds`): per architecture and true
    class, every method's border share against a uniform map and against the same network with
    random weights (points, mean over seeds), the verdicts, and where the reading holds."""
    tests, uniform = border["tests"], border["uniform"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in tests:
        groups.setdefault((row["architecture"], row["true class"]), []).append(row)
    background = {(r["architecture"], r["true class"]): r["verdict"] for r in border["verdicts"]}
    parts = []
    for (architecture, label), rows in groups.items():
        by = {(r["method"], r["null"]): r for r in rows}
        methods = list(dict.fromkeys(r["method"] for r in rows))
        cells = ", ".join(
            f"{m} {100 * by[m, 'uniform map']['trained_share']:.1f}% ("
            + "; ".join(
                f"{100 * by[m, null]['difference']:+.1f} vs {null.split()[0]} "
                f"[{SHORT[by[m, null]['verdict']]}]"
                for null in ("uniform map", "randomised network")
                if (m, null) in by
            )
            + ")"
            for m in methods
        )
        verdict = {
            "more": "the reading holds",
            "less": "the opposite holds",
            "not shown": "not shown",
        }[background[(architecture, label)]]
        parts.append(
            f"{DISPLAY_NAMES.get(architecture, architecture)} on {label}: {cells}: {verdict}"
        )
    seeds = max(r["seeds"] for r in tests)
    return (
        "Taking the border cells as background, the CIFAKE authors' reading (the model attends "
        "to the background rather than the object) predicts more map mass there than a uniform "
        f"map's {uniform:.1%} and than the same network with random weights (which keeps its "
        "architecture, and so how it weighs the cells near the edge), for every method. Tested "
        "with the trained model as the "
        f"unit ({seeds} seeds per architecture, {border['images']} test images per class each; "
        f"t over seeds, Holm over the {len(tests)} tests; differences in share points): "
        + "; ".join(parts)
        + "."
    )
