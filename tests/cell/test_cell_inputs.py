"""CellInputs validation, derived quantities and the twin-metrics bridge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cathodetwin.cell import (
    REQUIRED_METRICS,
    CamClass,
    CellInputs,
    StackSpec,
    cell_inputs_from_metrics,
)


def test_derived_quantities_match_hand_calculation(good_twin: CellInputs) -> None:
    # CAM 0.6 × 4.8 g/cm³ = 2.88 g/cm³ of electrode; 60 µm -> 2.88 × 60e-4 g/cm² = 17.28 mg/cm²
    assert good_twin.cam_loading_mg_cm2 == pytest.approx(17.28)
    # + SSE 0.3 × 1.86 (library LPSCl, 0.5.0) + other (1 - 0.6 - 0.3 - 0.05 = 0.05) × VGCF 2.0
    # = 3.538 g/cm³
    assert good_twin.other_volume_fraction == pytest.approx(0.05)
    assert good_twin.composite_density_g_cm3 == pytest.approx(3.538)
    assert good_twin.cam_mass_fraction == pytest.approx(2.88 / 3.538)
    assert good_twin.active_volume_fraction == pytest.approx(0.57)


def test_blend_capacity_is_mass_weighted(good_twin: CellInputs) -> None:
    blend = replace(good_twin, cam_classes=((6.0, 0.7, "NCWA"), (1.5, 0.3, "NCM811")))
    m_ncwa, m_ncm = 0.7 * 4.75, 0.3 * 4.8
    expected = (m_ncwa * 215.0 + m_ncm * 200.0) / (m_ncwa + m_ncm)
    assert blend.practical_capacity_mah_g == pytest.approx(expected)
    assert blend.cam_classes[0] == CamClass(6.0, 0.7, "NCWA")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cam_volume_fraction", 1.2, "cam_volume_fraction=1.2"),
        ("cam_utilization", 0.0, "cam_utilization=0.0"),
        ("porosity", 0.2, "exceeds 1"),
        ("ionic_conductivity_eff_s_cm", -1e-4, "ionic_conductivity_eff_s_cm"),
        ("cam_classes", ((5.0, 0.5),), "sum to 0.5000"),
        ("cam_classes", (), "cam_classes is empty"),
        ("counter_electrode", "graphite", "counter_electrode='graphite'"),
        ("cam_material", "Li6PS5Cl", "not usable as cathode active material"),
        ("sse_material", "NCM999", "not in the library"),
        ("thickness_um", 0.0, "thickness_um=0.0"),
    ],
)
def test_bad_inputs_name_the_parameter(
    good_twin: CellInputs, field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        replace(good_twin, **{field: value})


def test_stack_needs_a_separator() -> None:
    with pytest.raises(ValueError, match="separator_thickness_um=0.0"):
        StackSpec(separator_thickness_um=0.0)


def test_metrics_bridge_round_trip(good_twin: CellInputs) -> None:
    metrics = {k: getattr(good_twin, k) for k in REQUIRED_METRICS}
    metrics["cam_classes"] = [{"radius_um": 5.0, "volume_share": 1.0}]
    metrics["unrelated_metric_um"] = 3.0
    assert cell_inputs_from_metrics(metrics) == good_twin
    hot = cell_inputs_from_metrics(metrics, temperature_c=60.0, counter_electrode="LTO")
    assert (hot.temperature_c, hot.counter_electrode) == (60.0, "LTO")


def test_metrics_bridge_lists_missing_keys(good_twin: CellInputs) -> None:
    metrics = {k: getattr(good_twin, k) for k in REQUIRED_METRICS if k != "porosity"}
    with pytest.raises(ValueError, match=r"lack \['porosity'\]"):
        cell_inputs_from_metrics(metrics)
