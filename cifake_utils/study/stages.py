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

BEYOND = "08_beyond_the_paper"
PROTOCOL = "09_paper_protocol"

# In execution order: every stage comes after the stages it needs. Notebook 09 (the paper's
# protocol of measurement) reads only notebook 01's data; 05 shows its template model's map
# beside Grad-CAM. Notebook 08 reads 07's
# corruption grid and 06 its summary. Notebook 04 tests the study's comparisons as one family,
# 08's model included, so it runs after 08. Notebooks 05 and 06 explain and demonstrate the
# served model, which is chosen on validation among every saved model, 08's included, so they
# run after 08.
STAGES = (
    Stage(DATA),
    Stage(CNN2D, (DATA,)),
    Stage(MODIFIED, (DATA, CNN2D)),
    Stage(PROTOCOL, (DATA,)),
    Stage(ROBUSTNESS, PAPER_MODELS),
    Stage(BEYOND, (*PAPER_MODELS, ROBUSTNESS)),
    Stage("04_evaluation", (*PAPER_MODELS, BEYOND)),
    Stage("05_gradcam_analysis", (*PAPER_MODELS, BEYOND, PROTOCOL)),
    Stage("06_demo_prediction", (*PAPER_MODELS, ROBUSTNESS, BEYOND)),
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


if __name__ == "__main__":  # the notebooks in execution order, for `make notebook-tests`
    print(" ".join(stage.name for stage in STAGES))
