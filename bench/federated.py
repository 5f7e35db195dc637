"""Federated learning on benign data: federated vs centralised vs local-only, DP, poisoning, speed.

Ten agencies hold label-skewed (Dirichlet alpha 0.5 and 0.1) shares of scikit-learn's bundled
digits; every model is scored on one balanced held-out test set (300 images, 30 per class).
Federated runs go through Flower 1.42's own ``DefaultWorkflow`` (``SecAggPlusWorkflow`` when
secure aggregation is asked), its strategies (FedAvg, FedProx, FedTrimmedAvg, Krum) and DP
wrappers, and real ``ClientApp``s with mods, over an in-process Grid
(``grace.federation.inprocess``); the centralised and local-only baselines train the same
softmax-regression head with the same optimiser and the same budget (rounds x local epochs).

Experiments (one JSON line each, the summary last):
* headline: 60 rounds x 5 local epochs, FedAvg, at alpha 0.5 and 0.1 (+ FedProx as extra);
* record-level DP: DP-SGD in every agency, noise chosen by bisection so that the worst agency's
  epsilon (RDP accountant, ``dp-accounting``) is <= 8 at delta 1e-5 over all rounds; compared
  with the same schedule without DP and with the headline;
* agency-level DP: Flower's ``DifferentialPrivacyClientSideFixedClipping`` + ``fixedclipping_mod``
  for several noise multipliers, epsilon from the same accountant (all agencies every round);
* poisoning: agencies 0 and 1 send ``global - 10 * (local - global)``; FedAvg vs multi-Krum
  (keep 6) vs trimmed mean (beta 0.2), against the same schedule without attackers;
* seconds per round in-process (10 agencies), with SecAgg+ in-process, and on a real local
  deployment of 3 SuperNodes over TLS with node authentication (fl-deploy's
  ``grace.federation.deploy.measure_rounds``; ``--no-deploy`` leaves those null).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from typing import Any

os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")
os.environ.setdefault("FLWR_DISABLE_UPDATE_CHECK", "1")

from grace.federation.simulate import SimConfig, SimResult, run_federated, simulate

TARGETS = {
    "federated_vs_centralised_a05_points": "<= 1.5",
    "federated_vs_centralised_a01_points": "<= 4",
    "federated_minus_local_a05_points": ">= 10",
    "dp_cost_points": "<= 5 at epsilon <= 8",
    "robust_vs_clean_points": "<= 3",
    "fedavg_poison_loss_points": ">= 20",
    "round_s_inprocess": "<= 1",
    "round_s_tls": "<= 20",
    "round_s_secagg": "<= 40",
}


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj), flush=True)


def final(result: SimResult) -> float:
    return result.federated[-1]


def points(a: float, b: float) -> float:
    return round(100 * (a - b), 2)


def headline(base: SimConfig, out: dict[str, Any]) -> None:
    for tag, alpha in (("a05", 0.5), ("a01", 0.1)):
        result = simulate(replace(base, alpha=alpha))
        out[f"federated_{tag}"] = final(result)
        out[f"local_{tag}"] = result.local[-1]
        out["centralised"] = result.centralised[-1]  # same pooled rows for either alpha
        out["round_s_inprocess"] = result.round_s if tag == "a05" else out["round_s_inprocess"]
        prox = run_federated(replace(base, alpha=alpha, strategy="fedprox", proximal_mu=0.01))
        out[f"federated_fedprox_{tag}"] = final(prox)
        emit({"experiment": f"headline_{tag}", **result.to_json(), "fedprox": final(prox)})


def record_dp(base: SimConfig, out: dict[str, Any]) -> None:
    clean = run_federated(base)
    private = run_federated(replace(base, record_dp_epsilon=8.0))
    out.update(
        dp_epsilon=private.record_epsilon,
        dp_delta=private.delta,
        dp_noise_multiplier=private.record_noise_multiplier,
        federated_dp_a05=final(private),
        federated_nodp_same_schedule_a05=final(clean),
    )
    emit({"experiment": "record_dp", "dp": private.to_json(), "clean_same_schedule": final(clean)})


def agency_dp(base: SimConfig, noises: list[float], out: dict[str, Any]) -> None:
    curve = []
    for noise in noises:
        result = run_federated(replace(base, agency_dp_noise=noise, agency_dp_clip=1.0))
        curve.append([result.agency_epsilon, final(result)])
        emit(
            {
                "experiment": "agency_dp",
                "noise_multiplier": noise,
                "epsilon": result.agency_epsilon,
                "accuracy": final(result),
            }
        )
    out["dp_agency_curve"] = curve
    out["dp_agency_noise_multipliers"] = noises


def poisoning(base: SimConfig, out: dict[str, Any]) -> None:
    clean = run_federated(base)
    attacked = replace(base, malicious=2)
    fedavg = run_federated(attacked)
    krum = run_federated(replace(attacked, strategy="krum", krum_keep=6))
    trimmed = run_federated(replace(attacked, strategy="trimmed", trim_beta=0.2))
    out.update(
        poisoned_clean=final(clean),
        poisoned_fedavg=final(fedavg),
        poisoned_robust=final(krum),
        poisoned_robust_strategy="krum (multi-Krum, keep 6)",
        poisoned_trimmed=final(trimmed),
    )
    emit(
        {
            "experiment": "poisoning",
            "clean": final(clean),
            "fedavg": final(fedavg),
            "krum_keep6": final(krum),
            "trimmed_beta0.2": final(trimmed),
        }
    )


def speed(out: dict[str, Any], deploy: bool) -> None:
    secagg = run_federated(SimConfig(rounds=3, secagg=True))
    out["round_s_secagg_inprocess"] = secagg.round_s
    out["round_s_tls"] = out["round_s_secagg"] = None
    if deploy:
        try:
            from grace.federation.deploy import measure_rounds

            measured = measure_rounds()
            out["round_s_tls"] = measured.get("round_s_tls")
            out["round_s_secagg"] = measured.get("round_s_secagg")
        except Exception as exc:  # report, don't hide, a failed deployment
            out["deploy_error"] = f"{type(exc).__name__}: {exc}"[:300]
    emit(
        {
            "experiment": "speed",
            **{
                k: out.get(k)
                for k in (
                    "round_s_inprocess",
                    "round_s_secagg_inprocess",
                    "round_s_tls",
                    "round_s_secagg",
                )
            },
        }
    )


def checks(out: dict[str, Any]) -> dict[str, Any]:
    """Each target with the measured value and whether it is met (misses are reported)."""
    measured = {
        "federated_vs_centralised_a05_points": points(out["centralised"], out["federated_a05"]),
        "federated_vs_centralised_a01_points": points(out["centralised"], out["federated_a01"]),
        "federated_minus_local_a05_points": points(out["federated_a05"], out["local_a05"]),
        "dp_cost_points": points(out["federated_a05"], out["federated_dp_a05"]),
        "robust_vs_clean_points": points(out["poisoned_clean"], out["poisoned_robust"]),
        "fedavg_poison_loss_points": points(out["poisoned_clean"], out["poisoned_fedavg"]),
        "round_s_inprocess": out["round_s_inprocess"],
        "round_s_tls": out.get("round_s_tls"),
        "round_s_secagg": out.get("round_s_secagg"),
    }
    met = {
        "federated_vs_centralised_a05_points": measured["federated_vs_centralised_a05_points"]
        <= 1.5,
        "federated_vs_centralised_a01_points": measured["federated_vs_centralised_a01_points"] <= 4,
        "federated_minus_local_a05_points": measured["federated_minus_local_a05_points"] >= 10,
        "dp_cost_points": measured["dp_cost_points"] <= 5 and out["dp_epsilon"] <= 8,
        "robust_vs_clean_points": measured["robust_vs_clean_points"] <= 3,
        "fedavg_poison_loss_points": measured["fedavg_poison_loss_points"] >= 20,
        "round_s_inprocess": measured["round_s_inprocess"] <= 1,
    }
    for key in ("round_s_tls", "round_s_secagg"):
        limit = 20 if key == "round_s_tls" else 40
        met[key] = None if measured[key] is None else measured[key] <= limit
    return {k: {"value": measured[k], "target": TARGETS[k], "met": met[k]} for k in TARGETS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-deploy", action="store_true", help="skip the TLS/SecAgg+ deployment")
    parser.add_argument("--quick", action="store_true", help="few rounds (smoke test, not targets)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scale = 5 if args.quick else 1
    head = SimConfig(rounds=60 // scale, epochs=5, lr=0.5)
    short = SimConfig(rounds=30 // scale, epochs=2, lr=0.5)
    dp_base = SimConfig(rounds=30 // scale, epochs=2, lr=0.3)
    out: dict[str, Any] = {"agencies": 10, "dataset": "digits", "test_size": 300}
    headline(head, out)
    record_dp(dp_base, out)
    agency_dp(short, [0.3, 1.0, 3.0, 10.0], out)
    poisoning(short, out)
    speed(out, deploy=not args.no_deploy)
    out["targets"] = checks(out)
    out["settings"] = {"headline": vars(head), "short": vars(short), "record_dp": vars(dp_base)}
    out["bench_s"] = round(time.perf_counter() - started, 1)
    emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
