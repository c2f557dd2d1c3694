"""Studies: vary recipe parameters, run every point (on Dask), compare with CIs and Pareto."""

from cathodetwin.study.plan import StudyPoint, design_values, plan_study
from cathodetwin.study.runner import Progress, StudyRun, run_study
from cathodetwin.study.spec import Objective, Parameter, Sampling, Study, load_study
from cathodetwin.study.store import PointRecord, ResultStore

__all__ = [
    "Objective",
    "Parameter",
    "PointRecord",
    "Progress",
    "ResultStore",
    "Sampling",
    "Study",
    "StudyPoint",
    "StudyRun",
    "design_values",
    "load_study",
    "plan_study",
    "run_study",
]
