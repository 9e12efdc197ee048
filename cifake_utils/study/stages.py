"""The study's stages: each notebook, the notebooks it reads from, in an order that respects it."""

from dataclasses import dataclass

REPORT = "report"  # the HTML report, rendered from every executed notebook


@dataclass(frozen=True)
class Stage:
    """One notebook (by file stem) and the stages whose outputs it reads."""

    name: str
    needs: tuple[str, ...] = ()


DATA = "01_data_preparation"
CNN2D = "02_baseline_cnn2d"
MODIFIED = "03_modified_cnn2d"
ROBUSTNESS = "07_robustness"
PAPER_MODELS = (DATA, CNN2D, MODIFIED)

# In execution order: every stage comes after the stages it needs. Notebook 06 reads 07's
# summary and 08 its corruption grid, so 07 runs before both.
STAGES = (
    Stage(DATA),
    Stage(CNN2D, (DATA,)),
    Stage(MODIFIED, (DATA, CNN2D)),
    Stage("04_evaluation", PAPER_MODELS),
    Stage("05_gradcam_analysis", PAPER_MODELS),
    Stage(ROBUSTNESS, PAPER_MODELS),
    Stage("06_demo_prediction", (*PAPER_MODELS, ROBUSTNESS)),
    Stage("08_beyond_the_paper", (*PAPER_MODELS, ROBUSTNESS)),
)
NOTEBOOK_STAGES = {stage.name: stage for stage in STAGES}
REPORT_STAGE = Stage(REPORT, tuple(NOTEBOOK_STAGES))
ALL_STAGES = (*STAGES, REPORT_STAGE)


def upstream(name: str) -> set[str]:
    """Every stage that `name` reads from, directly or through others."""
    stages = {stage.name: stage for stage in ALL_STAGES}
    found: set[str] = set()
    pending = list(stages[name].needs)
    while pending:
        need = pending.pop()
        if need not in found:
            found.add(need)
            pending.extend(stages[need].needs)
    return found
